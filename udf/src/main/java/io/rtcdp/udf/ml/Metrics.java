package io.rtcdp.udf.ml;

import java.util.Arrays;

/**
 * Quality of scores against 0/1 labels: exact AUC (ties count half), log-loss, expected calibration
 * error over 10 equal-width bins, and top-decile lift (ties at the decile boundary shared out by
 * their positive rate, i.e. the expectation over random tie-breaking). Scores for AUC and lift may
 * be any ordering score; log-loss and ECE need probabilities.
 */
public final class Metrics {
    public static final int ECE_BINS = 10;
    private static final double EPS = 1e-15;

    private Metrics() {}

    /** All four metrics of one set of scores. */
    public record Report(
            int count, int positives, double auc, double logLoss, double ece, double lift) {
        /** As for a score that is not a probability: log-loss and ECE are NaN. */
        public Report rankingOnly() {
            return new Report(count, positives, auc, Double.NaN, Double.NaN, lift);
        }
    }

    public static Report report(double[] p, int[] y, int n) {
        int pos = 0;
        for (int i = 0; i < n; i++) {
            pos += y[i];
        }
        return new Report(n, pos, auc(p, y, n), logLoss(p, y, n), ece(p, y, n), lift(p, y, n));
    }

    /**
     * The area under the ROC curve: the probability that a random positive scores above a random
     * negative, ties counting ½ (Mann–Whitney with mid-ranks); NaN without both classes.
     */
    public static double auc(double[] s, int[] y, int n) {
        Integer[] idx = order(s, n);
        long pos = 0;
        double rankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j < n && s[idx[j]] == s[idx[i]]) {
                j++;
            }
            double midRank = (i + 1 + j) / 2.0; // ranks i+1..j, 1-based, ascending score
            for (int k = i; k < j; k++) {
                if (y[idx[k]] == 1) {
                    pos++;
                    rankSum += midRank;
                }
            }
            i = j;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 − 1e-15]. */
    public static double logLoss(double[] p, int[] y, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double q = Math.min(Math.max(p[i], EPS), 1 - EPS);
            sum -= y[i] == 1 ? Math.log(q) : Math.log(1 - q);
        }
        return sum / n;
    }

    /**
     * Expected calibration error: bins [0, 0.1), …, [0.9, 1.0]; Σ over bins of (bin size / n) ×
     * |mean probability − positive rate|.
     */
    public static double ece(double[] p, int[] y, int n) {
        double[] sumP = new double[ECE_BINS];
        double[] sumY = new double[ECE_BINS];
        int[] count = new int[ECE_BINS];
        for (int i = 0; i < n; i++) {
            int b = Math.min((int) (p[i] * ECE_BINS), ECE_BINS - 1);
            b = Math.max(b, 0);
            sumP[b] += p[i];
            sumY[b] += y[i];
            count[b]++;
        }
        double e = 0;
        for (int b = 0; b < ECE_BINS; b++) {
            if (count[b] > 0) {
                e += Math.abs(sumP[b] - sumY[b]) / n;
            }
        }
        return e;
    }

    /**
     * Positive rate among the top 10 % by score (⌈n/10⌉ items) divided by the overall positive
     * rate; NaN without positives.
     */
    public static double lift(double[] s, int[] y, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        Integer[] idx = order(s, n);
        int k = (n + 9) / 10;
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += y[i];
        }
        if (total == 0) {
            return Double.NaN;
        }
        // Walk down from the top score in groups of equal scores.
        double top = 0;
        int taken = 0;
        int i = n - 1;
        while (taken < k) {
            int j = i;
            int groupPos = 0;
            while (j >= 0 && s[idx[j]] == s[idx[i]]) {
                groupPos += y[idx[j]];
                j--;
            }
            int group = i - j;
            int take = Math.min(group, k - taken);
            top += (double) groupPos * take / group;
            taken += take;
            i = j;
        }
        return (top / k) / ((double) total / n);
    }

    /** Indices 0..n−1 sorted by ascending score. */
    private static Integer[] order(double[] s, int n) {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(s[a], s[b]));
        return idx;
    }
}
