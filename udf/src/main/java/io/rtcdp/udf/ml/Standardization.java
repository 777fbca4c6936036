package io.rtcdp.udf.ml;

import java.util.Arrays;

/**
 * Per-feature mean and standard deviation: a model sees {@code (x − mean) / std}. A feature that
 * was constant in training gets std 1, so it contributes a constant that the intercept absorbs.
 */
public final class Standardization {
    private final double[] mean;
    private final double[] std;

    public Standardization(double[] mean, double[] std) {
        if (mean.length != std.length) {
            throw new IllegalArgumentException(
                    "mean has " + mean.length + " entries, std " + std.length);
        }
        for (int i = 0; i < mean.length; i++) {
            if (!Double.isFinite(mean[i]) || !Double.isFinite(std[i]) || std[i] <= 0) {
                throw new IllegalArgumentException(
                        "feature "
                                + i
                                + ": mean must be finite and std finite and > 0, got "
                                + mean[i]
                                + ", "
                                + std[i]);
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** No change: mean 0, std 1. */
    public static Standardization identity(int n) {
        double[] ones = new double[n];
        Arrays.fill(ones, 1);
        return new Standardization(new double[n], ones);
    }

    /** The population mean and std of the rows of {@code x} (Welford). */
    public static Standardization fit(double[][] x, int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("no rows to standardise");
        }
        Welford w = new Welford(x[0].length);
        for (int r = 0; r < rows; r++) {
            w.add(x[r]);
        }
        return w.result();
    }

    public int size() {
        return mean.length;
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] std() {
        return std.clone();
    }

    public double mean(int i) {
        return mean[i];
    }

    public double std(int i) {
        return std[i];
    }

    /** {@code (x[i] − mean[i]) / std[i]}. */
    public double apply(int i, double x) {
        return (x - mean[i]) / std[i];
    }

    /** Running mean and variance, one pass, numerically stable. */
    public static final class Welford {
        private final double[] mean;
        private final double[] m2;
        private long n;

        public Welford(int features) {
            mean = new double[features];
            m2 = new double[features];
        }

        public void add(double[] x) {
            n++;
            for (int i = 0; i < mean.length; i++) {
                double d = x[i] - mean[i];
                mean[i] += d / n;
                m2[i] += d * (x[i] - mean[i]);
            }
        }

        public long count() {
            return n;
        }

        /** The stats so far; a feature without spread gets std 1. */
        public Standardization result() {
            double[] std = new double[mean.length];
            for (int i = 0; i < std.length; i++) {
                double s = n > 0 ? Math.sqrt(m2[i] / n) : 0;
                std[i] = s > 1e-12 ? s : 1;
            }
            return new Standardization(mean, std);
        }
    }
}
