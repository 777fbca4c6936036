package io.rtcdp.udf.gen;

import io.rtcdp.udf.gen.GeneratedRecord.Kind;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * One pass over a generator's stream: interleaves valid events (reordered within the configured
 * bounds), duplicates and bad records.
 *
 * <p>The kind of each record is drawn by sequential selection sampling (each kind with probability
 * remaining-of-kind / remaining-in-total), so the counts are exact and the positions uniformly
 * random, without knowing anything in advance.
 *
 * <p>Out-of-order: a displaced event is held back until the stream has passed its time plus its
 * delay (delay ≤ bound, or in (bound, 4 × bound] for the beyond-bound share). Every record emitted
 * before it then has a time ≤ its time + delay, so its lateness (the largest time seen before it
 * minus its own) never exceeds its delay. Events that are not displaced are never late. Only the
 * held-back events are kept, a bounded number.
 */
final class Simulation implements Iterator<GeneratedRecord> {
    /** Beyond-bound delays go up to this multiple of the bound. */
    static final int BEYOND_FACTOR = 4;

    /** Duplicates re-send one of the last RING valid lines, as retries do. */
    private static final int RING = 256;

    private static final long DAY = 86_400_000L;

    private record Held(long release, long seq, String json, long ts, int person) {}

    private final SplittableRandom rnd;
    private final Behaviour behaviour;
    private final BadRecords bad;
    private final double outOfOrder;
    private final double beyondBound;
    private final long bound;

    private long validLeft;
    private long duplicatesLeft;
    private long badLeft;

    private final PriorityQueue<Held> held =
            new PriorityQueue<>(
                    Comparator.comparingLong(Held::release).thenComparingLong(Held::seq));
    private long seq;

    // A generated event that is not displaced, waiting for earlier held-back ones to go first.
    private String pendingJson;
    private long pendingTs;
    private int pendingPerson;

    private final String[] ringJson = new String[RING];
    private final long[] ringTs = new long[RING];
    private final int[] ringPerson = new int[RING];
    private long ringCount;

    Simulation(PopulationGenerator cfg) {
        this.rnd = new SplittableRandom(cfg.seed());
        // Separate streams: adding a bad record must not change the valid events' behaviour.
        // validEvents makes the same first split.
        this.behaviour = new Behaviour(cfg, rnd.split());
        this.bad = new BadRecords(cfg, rnd.split());
        this.outOfOrder = cfg.outOfOrderFraction();
        this.beyondBound = cfg.beyondBoundFraction();
        this.bound = cfg.outOfOrderBoundMillis();
        this.validLeft = cfg.validCount();
        this.duplicatesLeft = cfg.duplicateCount();
        this.badLeft = cfg.badCount();
    }

    /**
     * The valid events of a pass, in generation order, without the rest: its random stream does not
     * depend on the others, so they are the same events as those of {@link #next()}.
     */
    static Behaviour validEvents(PopulationGenerator cfg) {
        return new Behaviour(cfg, new SplittableRandom(cfg.seed()).split());
    }

    @Override
    public boolean hasNext() {
        return validLeft + duplicatesLeft + badLeft > 0;
    }

    @Override
    public GeneratedRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        long u = rnd.nextLong(validLeft + duplicatesLeft + badLeft);
        if (u < badLeft) {
            badLeft--;
            return bad.next(behaviour.now());
        }
        // A duplicate needs an earlier valid line; before the first, the draw goes to a valid one.
        boolean duplicate = u < badLeft + duplicatesLeft && ringCount > 0 || validLeft == 0;
        if (duplicate) {
            duplicatesLeft--;
            return duplicate();
        }
        validLeft--;
        return valid();
    }

    private GeneratedRecord valid() {
        while (true) {
            if (pendingJson != null) {
                Held head = held.peek();
                if (head != null && head.release <= pendingTs) {
                    held.poll();
                    return emitValid(head.json, head.ts, head.person);
                }
                String json = pendingJson;
                pendingJson = null;
                return emitValid(json, pendingTs, pendingPerson);
            }
            if (!behaviour.next()) {
                Held head = held.poll();
                if (head == null) {
                    throw new IllegalStateException("valid events exhausted");
                }
                return emitValid(head.json, head.ts, head.person);
            }
            long delay = delay();
            if (delay > 0) {
                held.add(
                        new Held(
                                behaviour.ts + delay,
                                seq++,
                                behaviour.json,
                                behaviour.ts,
                                behaviour.person));
            } else {
                pendingJson = behaviour.json;
                pendingTs = behaviour.ts;
                pendingPerson = behaviour.person;
            }
        }
    }

    private long delay() {
        double u = rnd.nextDouble();
        if (u < beyondBound) {
            return bound + 1 + rnd.nextLong((BEYOND_FACTOR - 1) * bound);
        }
        if (u < beyondBound + outOfOrder) {
            return 1 + rnd.nextLong(bound);
        }
        return 0;
    }

    private GeneratedRecord emitValid(String json, long ts, int person) {
        int slot = (int) (ringCount++ % RING);
        ringJson[slot] = json;
        ringTs[slot] = ts;
        ringPerson[slot] = person;
        return new GeneratedRecord(json, Kind.VALID, null, person);
    }

    private GeneratedRecord duplicate() {
        int filled = (int) Math.min(ringCount, RING);
        int slot = rnd.nextInt(filled);
        // Retries come soon after the original: at most a day of event time behind the stream
        // (unless the stream itself is sparser), well inside a dedupe window of days.
        if (ringTs[slot] < behaviour.now() - DAY) {
            slot = (int) ((ringCount - 1) % RING);
        }
        return new GeneratedRecord(ringJson[slot], Kind.DUPLICATE, null, ringPerson[slot]);
    }
}
