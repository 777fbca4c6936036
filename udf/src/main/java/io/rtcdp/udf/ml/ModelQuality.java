package io.rtcdp.udf.ml;

import java.util.Arrays;

/**
 * Accumulates (probability, label) pairs and reports {@link Metrics}: over everything added ({@link
 * #unbounded()}, offline) or over the most recent {@code window} pairs (online, e.g. the last
 * 10,000 labelled snapshots). Not thread-safe.
 */
public final class ModelQuality {
    private final int window;
    private double[] p;
    private int[] y;
    private int size;
    private int next;
    private long total;

    private ModelQuality(int window) {
        this.window = window;
        int initial = Math.min(window, 1024);
        p = new double[initial];
        y = new int[initial];
    }

    /** Keeps the most recent {@code window} pairs. */
    public static ModelQuality window(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be ≥ 1, got " + window);
        }
        return new ModelQuality(window);
    }

    /** Keeps every pair. */
    public static ModelQuality unbounded() {
        return new ModelQuality(Integer.MAX_VALUE);
    }

    public void add(double probability, int label) {
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label must be 0 or 1, got " + label);
        }
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
        }
        total++;
        if (size < window) {
            if (size == p.length) {
                int grown = (int) Math.min(window, 2L * p.length);
                p = Arrays.copyOf(p, grown);
                y = Arrays.copyOf(y, grown);
            }
            p[size] = probability;
            y[size] = label;
            size++;
            return;
        }
        p[next] = probability;
        y[next] = label;
        next = (next + 1) % window;
    }

    /** Pairs currently in the window. */
    public int size() {
        return size;
    }

    /** Pairs ever added. */
    public long total() {
        return total;
    }

    public Metrics.Report report() {
        return Metrics.report(p, y, size);
    }
}
