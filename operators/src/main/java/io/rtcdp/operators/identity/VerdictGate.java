package io.rtcdp.operators.identity;

import io.rtcdp.operators.ingest.Deduplicator.Verdict;
import io.rtcdp.operators.ingest.Deduplicator.VerdictSerializer;
import io.rtcdp.operators.types.EventSerializer;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Lets each tenant's events into the identity stage in the order they arrived, each once the dedupe
 * stage's verdict on it has come. The events come straight from the source (keyed by tenant, as
 * before there was a dedupe stage), the verdicts from the dedupe stage (keyed by tenant and event
 * id) on another path, in another order: an event whose verdict has not come yet waits, and so do
 * the tenant's events behind it; a verdict that comes before its event waits for it.
 *
 * <p>A verdict belongs to the event of its tenant and event id; several occurrences of one event id
 * in flight at once take their verdicts in arrival order (the occurrences of one source split reach
 * both stages in the split's order).
 *
 * <p>On the heap: what waits is what is in flight between the two paths, a few network buffers'
 * worth. With aligned checkpoints nothing waits when one is taken (an event and its verdict are
 * both before the barrier or both after it); what waits goes into operator state all the same
 * ({@link #snapshot}, {@link #restore}), so that unaligned checkpoints would not lose it.
 */
final class VerdictGate {
    /** Where an event goes once its verdict has come. */
    @FunctionalInterface
    interface Release {
        void accept(Event e, Verdict v) throws Exception;
    }

    /** Tenant → its events waiting for their verdicts, in arrival order; no empty queues. */
    private final Map<String, ArrayDeque<Event>> waiting = new HashMap<>();

    /** Tenant and event id → verdicts that came before their event: a Verdict, or a queue. */
    private final Map<String, Object> early = new HashMap<>();

    /**
     * Event time → how many waiting events (commands aside: their time is the wall clock of their
     * issue) have it, for {@link #earliestWaiting}.
     */
    private final TreeMap<Long, int[]> waitingTimes = new TreeMap<>();

    private int waitingEvents;
    private int earlyVerdicts;

    /** An event arrived: it goes at once if its verdict is here and nothing of its tenant waits. */
    void event(Event e, Release release) throws Exception {
        ArrayDeque<Event> q = waiting.get(e.tenant());
        if (q == null) {
            Verdict v = take(e.tenant(), e.eventId());
            if (v != null) {
                release.accept(e, v);
                return;
            }
            q = new ArrayDeque<>();
            waiting.put(e.tenant(), q);
        }
        q.addLast(e);
        waitingEvents++;
        waits(e);
    }

    /** A verdict arrived: its tenant's events go as far as their verdicts are here. */
    void verdict(Verdict v, Release release) throws Exception {
        ArrayDeque<Event> q = waiting.get(v.tenant());
        if (q != null
                && q.peekFirst().eventId().equals(v.eventId())
                && (early.isEmpty() || !early.containsKey(key(v.tenant(), v.eventId())))) {
            // the usual case: the event came first and heads its tenant's queue
            Event e = q.pollFirst();
            waitingEvents--;
            goes(e);
            release.accept(e, v);
        } else {
            keep(v);
        }
        drain(v.tenant(), release);
    }

    private void drain(String tenant, Release release) throws Exception {
        ArrayDeque<Event> q = waiting.get(tenant);
        while (q != null && !q.isEmpty()) {
            Event head = q.peekFirst();
            Verdict v = take(tenant, head.eventId());
            if (v == null) {
                return;
            }
            q.pollFirst();
            waitingEvents--;
            goes(head);
            release.accept(head, v);
        }
        waiting.remove(tenant);
    }

    private void waits(Event e) {
        if (e.type() != EventType.COMMAND) {
            waitingTimes.computeIfAbsent(e.ts(), t -> new int[1])[0]++;
        }
    }

    private void goes(Event e) {
        if (e.type() != EventType.COMMAND) {
            int[] n = waitingTimes.get(e.ts());
            if (--n[0] == 0) {
                waitingTimes.remove(e.ts());
            }
        }
    }

    /**
     * The earliest event time of the events waiting for their verdict (commands aside), or
     * MAX_VALUE if none waits: the stage's watermark stays behind it ({@link
     * IdentityResolverOperator}), so that an event let in late is not late downstream.
     */
    long earliestWaiting() {
        return waitingTimes.isEmpty() ? Long.MAX_VALUE : waitingTimes.firstKey();
    }

    private static String key(String tenant, String eventId) {
        return tenant + '\u0001' + eventId;
    }

    @SuppressWarnings("unchecked")
    private void keep(Verdict v) {
        String k = key(v.tenant(), v.eventId());
        Object had = early.get(k);
        if (had == null) {
            early.put(k, v);
        } else if (had instanceof Verdict first) {
            ArrayDeque<Verdict> q = new ArrayDeque<>(4);
            q.addLast(first);
            q.addLast(v);
            early.put(k, q);
        } else {
            ((ArrayDeque<Verdict>) had).addLast(v);
        }
        earlyVerdicts++;
    }

    @SuppressWarnings("unchecked")
    private Verdict take(String tenant, String eventId) {
        if (early.isEmpty()) {
            return null;
        }
        String k = key(tenant, eventId);
        Object had = early.get(k);
        if (had == null) {
            return null;
        }
        earlyVerdicts--;
        if (had instanceof Verdict v) {
            early.remove(k);
            return v;
        }
        ArrayDeque<Verdict> q = (ArrayDeque<Verdict>) had;
        Verdict v = q.pollFirst();
        if (q.isEmpty()) {
            early.remove(k);
        }
        return v;
    }

    /** Events waiting for their verdict. */
    int waitingEvents() {
        return waitingEvents;
    }

    /** Verdicts waiting for their event. */
    int earlyVerdicts() {
        return earlyVerdicts;
    }

    /** The tenants with waiting events (at the end of a bounded input there are none). */
    Iterable<String> waitingTenants() {
        return waiting.keySet();
    }

    /**
     * Format of the waiting records: 1 holds events and verdicts as version 3 of {@link
     * EventSerializer} and {@link VerdictSerializer} wrote them. A new version of either is a new
     * format here, which still reads format 1 through the reader of the old version ({@code
     * VerdictGateTest} fails until it does).
     */
    static final int FORMAT = 1;

    /** Everything that waits, in order, for a checkpoint. */
    @SuppressWarnings("unchecked")
    byte[] snapshot() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(FORMAT);
        out.writeInt(waitingEvents);
        for (ArrayDeque<Event> q : waiting.values()) {
            for (Event e : q) {
                EventSerializer.INSTANCE.serialize(e, out);
            }
        }
        out.writeInt(earlyVerdicts);
        for (Object had : early.values()) {
            if (had instanceof Verdict v) {
                VerdictSerializer.INSTANCE.serialize(v, out);
            } else {
                for (Verdict v : (ArrayDeque<Verdict>) had) {
                    VerdictSerializer.INSTANCE.serialize(v, out);
                }
            }
        }
        return out.getCopyOfBuffer();
    }

    /**
     * Adds what {@code snapshot} held of the tenants this subtask owns now (after a rescale a
     * subtask restores every subtask's snapshot). One tenant's events and verdicts are in one
     * snapshot, in order.
     */
    void restore(byte[] snapshot, Predicate<String> owns) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(snapshot);
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("unknown format of waiting events: " + format);
        }
        for (int n = in.readInt(); n > 0; n--) {
            Event e = EventSerializer.INSTANCE.deserialize(in);
            if (owns.test(e.tenant())) {
                waiting.computeIfAbsent(e.tenant(), t -> new ArrayDeque<>()).addLast(e);
                waitingEvents++;
                waits(e);
            }
        }
        for (int n = in.readInt(); n > 0; n--) {
            Verdict v = VerdictSerializer.INSTANCE.deserialize(in);
            if (owns.test(v.tenant())) {
                keep(v);
            }
        }
    }
}
