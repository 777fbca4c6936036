package io.rtcdp.operators.identity;

import io.rtcdp.operators.TenantMemo;
import io.rtcdp.udf.event.EventType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;

/**
 * Lets each tenant's events into the identity stage in the order of their source subtask again. On
 * their way the events pass the dedupe stage, keyed by tenant and event id, whose subtasks send
 * them on each in its own order; each event carries its place among its tenant's events of its
 * source subtask ({@link IdentityEvent#origin}, {@link IdentityEvent#seq}, numbered from 0 where it
 * is split, {@link IdentityEvent.Split}). An event goes on once every event before it of its tenant
 * and origin has; one that comes before its turn waits for the events before it. Events of
 * different origins go on in the order they come, as they did from the source straight.
 *
 * <p>On the heap: what waits is what is in flight between the dedupe subtasks, a few network
 * buffers' worth. With aligned checkpoints (the job refuses unaligned ones) nothing waits when one
 * is taken: every event before a checkpoint's barrier, on every path, has come when the barrier
 * has, and so have the events before it of its origin. So neither the places nor what waits are
 * state: after a restore every origin numbers its events from 0 again, and so does this gate
 * ({@link #checkNothingWaits}).
 */
final class SequenceGate {
    /** Where an event goes in its turn. */
    @FunctionalInterface
    interface Release {
        void accept(IdentityEvent e) throws Exception;
    }

    /** Tenant → its events' origins, by origin. */
    private final Map<String, Turns[]> tenants = new HashMap<>();

    /** {@link #tenants}' entry of the tenant looked up last: nearly every event is its. */
    private final TenantMemo<Turns[]> turnsOf = new TenantMemo<>(tenants, t -> new Turns[2]);

    /** Events waiting for their turn, of every tenant. */
    private int waiting;

    /**
     * The earliest event time of the waiting events (commands aside) as far as it is known: valid
     * while {@link #earliestKnown}; an event that leaves at that time makes it unknown.
     */
    private long earliest = Long.MAX_VALUE;

    private boolean earliestKnown = true;

    /**
     * One tenant's events of one origin: the place of the event whose turn it is, and the events
     * that came before their turn, each at {@code seq & (ring.length - 1)}; every waiting place is
     * less than {@code next + ring.length}.
     */
    private static final class Turns {
        long next;
        IdentityEvent[] ring = new IdentityEvent[16];
        int held;

        IdentityEvent at(long seq) {
            return ring[(int) seq & (ring.length - 1)];
        }

        void hold(IdentityEvent e) {
            long ahead = e.seq() - next;
            if (ahead >= ring.length) {
                int size = ring.length;
                while (ahead >= size) {
                    size *= 2;
                }
                IdentityEvent[] grown = new IdentityEvent[size];
                for (IdentityEvent w : ring) {
                    if (w != null) {
                        grown[(int) w.seq() & (size - 1)] = w;
                    }
                }
                ring = grown;
            }
            int slot = (int) e.seq() & (ring.length - 1);
            if (ring[slot] != null) {
                throw new IllegalStateException(twice(e));
            }
            ring[slot] = e;
            held++;
        }

        IdentityEvent takeNext() {
            int slot = (int) next & (ring.length - 1);
            IdentityEvent e = ring[slot];
            ring[slot] = null;
            held--;
            next++;
            return e;
        }
    }

    private static String twice(IdentityEvent e) {
        return "event "
                + e.eventId()
                + " of tenant "
                + e.tenant()
                + " came at place "
                + e.seq()
                + " of origin "
                + e.origin()
                + ", which another event took before: the places of a source subtask's events"
                + " begin at 0 after every restore, which needs aligned checkpoints";
    }

    /** An event came: it goes now if it is its turn, followed by the events that waited for it. */
    void arrive(IdentityEvent e, Release release) throws Exception {
        Turns t = turns(e.tenant(), e.origin());
        long seq = e.seq();
        if (seq == t.next) {
            t.next++;
            release.accept(e);
            while (t.held > 0 && t.at(t.next) != null) {
                IdentityEvent w = t.takeNext();
                left(w);
                release.accept(w);
            }
        } else if (seq > t.next) {
            t.hold(e);
            waiting++;
            if (e.type() != EventType.COMMAND && earliestKnown) {
                earliest = Math.min(earliest, e.ts());
            }
        } else {
            throw new IllegalStateException(twice(e));
        }
    }

    private void left(IdentityEvent w) {
        waiting--;
        if (waiting == 0) {
            earliest = Long.MAX_VALUE;
            earliestKnown = true;
        } else if (earliestKnown && w.type() != EventType.COMMAND && w.ts() == earliest) {
            earliestKnown = false;
        }
    }

    private Turns turns(String tenant, int origin) {
        Turns[] of = turnsOf.get(tenant);
        if (origin >= of.length) {
            Turns[] grown = new Turns[Math.max(origin + 1, 2 * of.length)];
            System.arraycopy(of, 0, grown, 0, of.length);
            of = grown;
            tenants.put(tenant, of);
            turnsOf.reset();
        }
        Turns t = of[origin];
        if (t == null) {
            t = new Turns();
            of[origin] = t;
        }
        return t;
    }

    /**
     * The earliest event time of the events waiting for their turn (commands aside), or MAX_VALUE
     * if none waits: the stage's watermark stays behind it ({@link IdentityResolverOperator}), so
     * that an event let in late is not late downstream.
     */
    long earliestWaiting() {
        if (!earliestKnown) {
            long min = Long.MAX_VALUE;
            for (Turns[] of : tenants.values()) {
                for (Turns t : of) {
                    if (t != null && t.held > 0) {
                        for (IdentityEvent w : t.ring) {
                            if (w != null && w.type() != EventType.COMMAND) {
                                min = Math.min(min, w.ts());
                            }
                        }
                    }
                }
            }
            earliest = min;
            earliestKnown = true;
        }
        return earliest;
    }

    /** Events waiting for their turn. */
    int waitingEvents() {
        return waiting;
    }

    /** The tenants with events waiting for their turn (at the end of an input there are none). */
    List<String> waitingTenants() {
        List<String> all = new ArrayList<>();
        for (Map.Entry<String, Turns[]> e : tenants.entrySet()) {
            for (Turns t : e.getValue()) {
                if (t != null && t.held > 0) {
                    all.add(e.getKey());
                    break;
                }
            }
        }
        return all;
    }

    /**
     * At a checkpoint: nothing may wait (with aligned checkpoints nothing can), since neither the
     * waiting events nor the places are kept.
     */
    void checkNothingWaits() {
        if (waiting > 0) {
            throw new IllegalStateException(
                    waiting
                            + " events of tenants "
                            + waitingTenants()
                            + " wait for the events before them at a checkpoint: the identity"
                            + " stage needs aligned checkpoints (execution.checkpointing.unaligned"
                            + ".enabled: false)");
        }
    }

    /** The formats of the events and verdicts that waited in releases before this gate. */
    private static final int FIRST_FORMAT = 1;

    private static final int LAST_FORMAT = 3;

    /**
     * Reads what an earlier release's identity stage kept of the events that waited for their
     * dedupe verdict ({@code VerdictGate}, union state {@code dedupe-waiting}, formats 1 to 3):
     * with aligned checkpoints nothing, which is all this release restores; anything else was taken
     * with unaligned checkpoints, and is refused rather than lost.
     */
    static void restoreEarlier(byte[] snapshot) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(snapshot);
        int format = in.readInt();
        if (format < FIRST_FORMAT || format > LAST_FORMAT) {
            throw new IOException("unknown format of waiting events: " + format);
        }
        int events = in.readInt();
        int verdicts = events == 0 ? in.readInt() : 0;
        if (events != 0 || verdicts != 0) {
            throw new IOException(
                    "the snapshot holds "
                            + (events != 0 ? events + " events" : verdicts + " dedupe verdicts")
                            + " in flight to the identity stage (taken with unaligned checkpoints),"
                            + " which this release cannot restore: restore it with the release that"
                            + " took it and take a savepoint with aligned checkpoints");
        }
    }
}
