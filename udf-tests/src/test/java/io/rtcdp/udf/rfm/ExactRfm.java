package io.rtcdp.udf.rfm;

import java.util.Arrays;

/**
 * The oracle: the RFM boundaries and scores from exact quantiles, by sorting all values. The
 * boundary at φ = i/5 is the ⌈i·n/5⌉-th smallest value (integer arithmetic, no rounding).
 */
final class ExactRfm {
    private ExactRfm() {}

    static long[] sorted(long[] values) {
        long[] s = values.clone();
        Arrays.sort(s);
        return s;
    }

    /** The exact boundaries of {@code sorted}. */
    static long[] boundaries(long[] sorted) {
        int n = sorted.length;
        long[] b = new long[4];
        for (int i = 1; i <= 4; i++) {
            long rank = ((long) i * n + 4) / 5; // ⌈i·n/5⌉, 1-based
            b[i - 1] = sorted[(int) rank - 1];
        }
        return b;
    }

    /** The exact score: how many of the four boundaries lie strictly below v, plus one. */
    static int score(long[] boundaries, long v) {
        int below = 0;
        for (int i = 0; i < 4; i++) {
            below += boundaries[i] < v ? 1 : 0;
        }
        return below + 1;
    }

    /** Number of values < v in {@code sorted}. */
    static int countBelow(long[] sorted, long v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Number of values ≤ v in {@code sorted}. */
    static int countUpTo(long[] sorted, long v) {
        return v == Long.MAX_VALUE ? sorted.length : countBelow(sorted, v + 1);
    }

    /**
     * How far the target rank φ lies from the rank interval of {@code v} in the exact data, [#(< v)
     * / n, #(≤ v) / n]: 0 when inside.
     */
    static double rankDistance(long[] sorted, long v, double phi) {
        double n = sorted.length;
        double lo = countBelow(sorted, v) / n;
        double hi = countUpTo(sorted, v) / n;
        return Math.max(0, Math.max(lo - phi, phi - hi));
    }

    /** Whether v lies between the two boundaries, so that they score it differently. */
    static boolean between(long a, long b, long v) {
        return Math.min(a, b) < v && v <= Math.max(a, b);
    }
}
