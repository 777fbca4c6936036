package io.rtcdp.jobs.bench;

import java.util.Arrays;

/**
 * Latency samples of one measurement (milliseconds or microseconds, as the caller records them),
 * with nearest-rank percentiles: the p-th percentile of n samples is the ⌈p·n⌉-th smallest, so it
 * is always one of the samples and p100 is the maximum. Thread-safe.
 */
public final class Latencies {
    private long[] values = new long[256];
    private int n;

    public synchronized void add(long value) {
        if (n == values.length) {
            values = Arrays.copyOf(values, n * 2);
        }
        values[n++] = value;
    }

    public synchronized int count() {
        return n;
    }

    /**
     * The nearest-rank percentile {@code p} (0 &lt; p ≤ 100) of the samples so far, or -1 when
     * there are none.
     */
    public synchronized long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("a percentile is in (0, 100], got " + p);
        }
        if (n == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        // less a little, so that binary fractions do not round a whole rank up (99.9 % of 1000)
        int rank = (int) Math.ceil(p / 100.0 * n - 1e-9);
        return sorted[Math.max(1, rank) - 1];
    }

    /** The samples so far, in the order they were added. */
    public synchronized long[] values() {
        return Arrays.copyOf(values, n);
    }

    /** The largest sample, or -1 when there are none. */
    public long max() {
        return percentile(100);
    }

    /** p50, p95, p99 and the maximum, or null without samples. */
    public Summary summary() {
        if (count() == 0) {
            return null;
        }
        return new Summary(count(), percentile(50), percentile(95), percentile(99), max());
    }

    /** Percentiles of a set of samples. */
    public record Summary(int count, long p50, long p95, long p99, long max) {}
}
