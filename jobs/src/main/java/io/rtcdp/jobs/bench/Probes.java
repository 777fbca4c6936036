package io.rtcdp.jobs.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The live bench's probes: events of dedicated probe profiles whose effect in Redis is recognised
 * by the profile's {@code f.events_total} reaching the probe's number. The k-th probe of a profile
 * (counting from 1) is visible once the profile's {@code f.events_total} is at least k; its latency
 * is the time it was first seen so minus its Kafka append time. Pure bookkeeping, no Kafka or
 * Redis: the producer calls {@link #next}, {@link #appended} (or {@link #failed}), the poller
 * {@link #toPoll} and {@link #observed}. Thread-safe.
 */
public final class Probes {
    /** One probe event. */
    public static final class Probe {
        private final int profile;
        private final long number;
        private final Latencies into;
        private long appendedAt = -1;
        private long seenAt = -1;

        private Probe(int profile, long number, Latencies into) {
            this.profile = profile;
            this.number = number;
            this.into = into;
        }

        /** Index of the probe profile, 0 … profiles-1. */
        public int profile() {
            return profile;
        }

        /** The profile's events_total once this probe is counted. */
        public long number() {
            return number;
        }
    }

    private final long[] sent;
    private final List<Probe> outstanding = new ArrayList<>();
    private int nextProfile;
    private long resolved;
    private long lost;

    public Probes(int profiles) {
        if (profiles < 1) {
            throw new IllegalArgumentException("at least one probe profile");
        }
        this.sent = new long[profiles];
    }

    public int profiles() {
        return sent.length;
    }

    /**
     * The next probe, of the next profile in turn; its latency goes into {@code into} once it is
     * both appended and seen.
     */
    public synchronized Probe next(Latencies into) {
        int p = nextProfile;
        nextProfile = (nextProfile + 1) % sent.length;
        Probe probe = new Probe(p, ++sent[p], into);
        outstanding.add(probe);
        return probe;
    }

    /** Kafka appended the probe at {@code appendTime} (epoch ms, the broker's LogAppendTime). */
    public synchronized void appended(Probe probe, long appendTime) {
        probe.appendedAt = appendTime;
        resolve();
    }

    /**
     * The probe was not sent: it will never be seen, and no later probe of its profile can be
     * recognised either (their numbers count it). Its profile's outstanding probes are dropped.
     */
    public synchronized void failed(Probe probe) {
        for (Iterator<Probe> it = outstanding.iterator(); it.hasNext(); ) {
            if (it.next().profile == probe.profile) {
                it.remove();
                lost++;
            }
        }
    }

    /** The profiles with a probe not yet seen, in the order their probes were sent. */
    public synchronized int[] toPoll() {
        Set<Integer> s = new LinkedHashSet<>();
        for (Probe p : outstanding) {
            if (p.seenAt < 0) {
                s.add(p.profile);
            }
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The poller read {@code eventsTotal} as the profile's {@code f.events_total} at {@code now}
     * (epoch ms): every probe of the profile up to that number is seen now, if it was not before.
     */
    public synchronized void observed(int profile, long eventsTotal, long now) {
        for (Probe p : outstanding) {
            if (p.profile == profile && p.seenAt < 0 && p.number <= eventsTotal) {
                p.seenAt = now;
            }
        }
        resolve();
    }

    /** Probes sent and not yet both appended and seen. */
    public synchronized int outstanding() {
        return outstanding.size();
    }

    /** Probes whose latency was recorded. */
    public synchronized long resolved() {
        return resolved;
    }

    /** Probes given up on ({@link #failed}). */
    public synchronized long lost() {
        return lost;
    }

    private void resolve() {
        for (Iterator<Probe> it = outstanding.iterator(); it.hasNext(); ) {
            Probe p = it.next();
            if (p.seenAt >= 0 && p.appendedAt >= 0) {
                // the poll that saw it may have come back before the producer's callback: a
                // negative difference is the clocks' resolution, not a time travel
                p.into.add(Math.max(0, p.seenAt - p.appendedAt));
                resolved++;
                it.remove();
            }
        }
    }
}
