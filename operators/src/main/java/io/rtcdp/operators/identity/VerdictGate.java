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
        void accept(IdentityEvent e, Verdict v) throws Exception;
    }

    /** Tenant → its events waiting for their verdicts, in arrival order; no empty queues. */
    private final Map<String, Waiting> waiting = new HashMap<>();

    /**
     * Tenant → event id → verdicts that came before their event: a Verdict, or a queue. Keyed by
     * the id itself, whose hash its string keeps, rather than a key built per lookup. A tenant's
     * map stays when it empties (it fills and empties again all the time): {@link #earlyVerdicts}
     * tells whether any verdict waits.
     */
    private final Map<String, Map<String, Object>> early = new HashMap<>();

    /**
     * The tenant looked up last in {@link #early} and its map (null if it has none yet): nearly
     * every lookup is of the same tenant, whose text is one shared instance (Strings.readShared).
     */
    private String lastTenant;

    private Map<String, Object> lastEarly;

    private int waitingEvents;
    private int earlyVerdicts;

    /** One tenant's waiting events, and the minima of their event times ({@link Minima}). */
    private static final class Waiting {
        final ArrayDeque<IdentityEvent> events = new ArrayDeque<>();
        final Minima times = new Minima();

        void add(IdentityEvent e) {
            events.addLast(e);
            if (e.type() != EventType.COMMAND) {
                times.add(e.ts());
            }
        }

        IdentityEvent poll() {
            IdentityEvent e = events.pollFirst();
            if (e.type() != EventType.COMMAND) {
                times.removed(e.ts());
            }
            return e;
        }
    }

    /**
     * The smallest of a FIFO queue's values in amortized constant time per value (the
     * sliding-window minimum): the values that may still become the smallest, ascending. A value
     * that comes drops every larger one before it (they leave before it, so they can never be the
     * smallest again); the head is the smallest, and leaves when the value it is leaves the queue.
     */
    static final class Minima {
        private long[] ring = new long[16];
        private int head;
        private int size;

        void add(long v) {
            while (size > 0 && ring[(head + size - 1) & (ring.length - 1)] > v) {
                size--;
            }
            if (size == ring.length) {
                long[] grown = new long[ring.length * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = ring[(head + i) & (ring.length - 1)];
                }
                ring = grown;
                head = 0;
            }
            ring[(head + size) & (ring.length - 1)] = v;
            size++;
        }

        /** The queue's head, of value {@code v}, left it. */
        void removed(long v) {
            if (size > 0 && ring[head] == v) {
                head = (head + 1) & (ring.length - 1);
                size--;
            }
        }

        /** The smallest value in the queue, MAX_VALUE if none. */
        long min() {
            return size == 0 ? Long.MAX_VALUE : ring[head];
        }
    }

    /** An event arrived: it goes at once if its verdict is here and nothing of its tenant waits. */
    void event(IdentityEvent e, Release release) throws Exception {
        Waiting q = waiting.get(e.tenant());
        if (q == null) {
            Verdict v = take(e.tenant(), e.eventId());
            if (v != null) {
                release.accept(e, v);
                return;
            }
            q = new Waiting();
            waiting.put(e.tenant(), q);
        }
        q.add(e);
        waitingEvents++;
    }

    /** A verdict arrived: its tenant's events go as far as their verdicts are here. */
    void verdict(Verdict v, Release release) throws Exception {
        Waiting q = waiting.get(v.tenant());
        if (q != null
                && q.events.peekFirst().eventId().equals(v.eventId())
                && !hasEarly(v.tenant(), v.eventId())) {
            // the usual case: the event came first and heads its tenant's queue
            IdentityEvent e = q.poll();
            waitingEvents--;
            release.accept(e, v);
        } else {
            keep(v);
        }
        drain(v.tenant(), release);
    }

    private void drain(String tenant, Release release) throws Exception {
        Waiting q = waiting.get(tenant);
        while (q != null && !q.events.isEmpty()) {
            Verdict v = take(tenant, q.events.peekFirst().eventId());
            if (v == null) {
                return;
            }
            IdentityEvent head = q.poll();
            waitingEvents--;
            release.accept(head, v);
        }
        waiting.remove(tenant);
    }

    /**
     * The earliest event time of the events waiting for their verdict (commands aside), or
     * MAX_VALUE if none waits: the stage's watermark stays behind it ({@link
     * IdentityResolverOperator}), so that an event let in late is not late downstream.
     */
    long earliestWaiting() {
        long earliest = Long.MAX_VALUE;
        for (Waiting q : waiting.values()) {
            earliest = Math.min(earliest, q.times.min());
        }
        return earliest;
    }

    private boolean hasEarly(String tenant, String eventId) {
        if (earlyVerdicts == 0) {
            return false;
        }
        Map<String, Object> ofTenant = earlyOf(tenant);
        return ofTenant != null && ofTenant.containsKey(eventId);
    }

    /** The tenant's map of early verdicts, null if it never had one. */
    private Map<String, Object> earlyOf(String tenant) {
        if (tenant != lastTenant) {
            lastEarly = early.get(tenant);
            lastTenant = tenant;
        }
        return lastEarly;
    }

    @SuppressWarnings("unchecked")
    private void keep(Verdict v) {
        Map<String, Object> ofTenant = earlyOf(v.tenant());
        if (ofTenant == null) {
            ofTenant = new HashMap<>();
            early.put(v.tenant(), ofTenant);
            lastEarly = ofTenant;
        }
        Object had = ofTenant.get(v.eventId());
        if (had == null) {
            ofTenant.put(v.eventId(), v);
        } else if (had instanceof Verdict first) {
            ArrayDeque<Verdict> q = new ArrayDeque<>(4);
            q.addLast(first);
            q.addLast(v);
            ofTenant.put(v.eventId(), q);
        } else {
            ((ArrayDeque<Verdict>) had).addLast(v);
        }
        earlyVerdicts++;
    }

    @SuppressWarnings("unchecked")
    private Verdict take(String tenant, String eventId) {
        if (earlyVerdicts == 0) {
            return null;
        }
        Map<String, Object> ofTenant = earlyOf(tenant);
        Object had = ofTenant == null ? null : ofTenant.get(eventId);
        if (had == null) {
            return null;
        }
        earlyVerdicts--;
        Verdict v;
        if (had instanceof Verdict only) {
            ofTenant.remove(eventId);
            v = only;
        } else {
            ArrayDeque<Verdict> q = (ArrayDeque<Verdict>) had;
            v = q.pollFirst();
            if (q.isEmpty()) {
                ofTenant.remove(eventId);
            }
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
     * Format of the waiting records: 3 holds events as version 5 of {@link EventSerializer} (with
     * order lines and text signal) and verdicts as version 3 of {@link VerdictSerializer} wrote
     * them; format 2 ({@link #FORMAT_EVENTS_V4}: events of version 4, without text signal) and
     * format 1 ({@link #FORMAT_EVENTS_V3}: events of version 3, without order lines), both with
     * verdicts of version 3, are still read through the readers of those versions. A new version of
     * either serializer is a new format here, which still reads the older ones through the readers
     * of the old versions ({@code VerdictGateTest} fails until it does).
     */
    static final int FORMAT = 3;

    /** The format before text signals: events of version 4 of {@link EventSerializer}. */
    static final int FORMAT_EVENTS_V4 = 2;

    /** The format before order lines: events of version 3 of {@link EventSerializer}. */
    static final int FORMAT_EVENTS_V3 = 1;

    /** Everything that waits, in order, for a checkpoint. */
    @SuppressWarnings("unchecked")
    byte[] snapshot() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(FORMAT);
        out.writeInt(waitingEvents);
        for (Waiting q : waiting.values()) {
            for (IdentityEvent e : q.events) {
                EventSerializer.INSTANCE.serialize(e.whole(), out);
            }
        }
        out.writeInt(earlyVerdicts);
        for (Map<String, Object> ofTenant : early.values()) {
            for (Object had : ofTenant.values()) {
                if (had instanceof Verdict v) {
                    VerdictSerializer.INSTANCE.serialize(v, out);
                } else {
                    for (Verdict v : (ArrayDeque<Verdict>) had) {
                        VerdictSerializer.INSTANCE.serialize(v, out);
                    }
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
        int eventVersion;
        if (format == FORMAT) {
            eventVersion = EventSerializer.VERSION;
        } else if (format == FORMAT_EVENTS_V4) {
            eventVersion = EventSerializer.VERSION_WITHOUT_TEXT;
        } else if (format == FORMAT_EVENTS_V3) {
            eventVersion = EventSerializer.VERSION_WITHOUT_ITEMS;
        } else {
            throw new IOException("unknown format of waiting events: " + format);
        }
        for (int n = in.readInt(); n > 0; n--) {
            Event e = EventSerializer.INSTANCE.deserialize(in, eventVersion);
            if (owns.test(e.tenant())) {
                waiting.computeIfAbsent(e.tenant(), t -> new Waiting()).add(IdentityEvent.of(e));
                waitingEvents++;
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
