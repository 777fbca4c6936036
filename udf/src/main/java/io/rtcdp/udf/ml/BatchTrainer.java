package io.rtcdp.udf.ml;

import java.util.Map;

/**
 * Plain logistic regression fitted in batch by Newton's method (IRLS) on standardised inputs,
 * minimising {@code mean log-loss + (l2 / 2)·|w|²} (the intercept unpenalised). With rtcdp's
 * handful of features each step is a small dense solve; it converges in a few steps.
 */
public final class BatchTrainer {
    private static final int MAX_STEPS = 100;
    private static final double TOLERANCE = 1e-10;

    private final double l2;

    /**
     * @param l2 ridge penalty ≥ 0 on the standardised weights
     */
    public BatchTrainer(double l2) {
        if (!(l2 >= 0)) {
            throw new IllegalArgumentException("l2 must be ≥ 0, got " + l2);
        }
        this.l2 = l2;
    }

    /** The default: a light ridge that only matters for separable or collinear data. */
    public static BatchTrainer defaults() {
        return new BatchTrainer(1e-4);
    }

    /**
     * Fits the first {@code rows} rows of {@code x} (builder vectors) with labels {@code y}; the
     * standardisation is the population mean/std of those rows.
     */
    public LogisticModel fit(
            ModelSpec spec, double[][] x, int[] y, int rows, long version, long trainedUntil) {
        int p = spec.features().size();
        if (rows < 1) {
            throw new IllegalArgumentException("no training rows");
        }
        Standardization s = Standardization.fit(x, rows);
        int d = p + 1;
        double[][] z = new double[rows][d];
        for (int r = 0; r < rows; r++) {
            if (x[r].length != p) {
                throw new IllegalArgumentException(
                        "row " + r + " has " + x[r].length + " features, expected " + p);
            }
            for (int i = 0; i < p; i++) {
                z[r][i] = s.apply(i, x[r][i]);
            }
            z[r][p] = 1;
        }
        double[] w = new double[d];
        double[] g = new double[d];
        double[][] h = new double[d][d];
        for (int step = 0; step < MAX_STEPS; step++) {
            for (int i = 0; i < d; i++) {
                g[i] = i < p ? l2 * w[i] : 0;
                for (int j = 0; j < d; j++) {
                    h[i][j] = i == j && i < p ? l2 : 0;
                }
            }
            for (int r = 0; r < rows; r++) {
                double m = 0;
                for (int i = 0; i < d; i++) {
                    m += w[i] * z[r][i];
                }
                double pr = LogisticModel.sigmoid(m);
                double e = (pr - y[r]) / rows;
                double v = Math.max(pr * (1 - pr), 1e-12) / rows;
                for (int i = 0; i < d; i++) {
                    g[i] += e * z[r][i];
                    double vz = v * z[r][i];
                    for (int j = 0; j <= i; j++) {
                        h[i][j] += vz * z[r][j];
                    }
                }
            }
            for (int i = 0; i < d; i++) {
                for (int j = i + 1; j < d; j++) {
                    h[i][j] = h[j][i];
                }
            }
            double[] delta = solve(h, g);
            double max = 0;
            for (int i = 0; i < d; i++) {
                w[i] -= delta[i];
                max = Math.max(max, Math.abs(delta[i]));
            }
            if (max < TOLERANCE) {
                break;
            }
        }
        return new LogisticModel(
                spec, version, s, w, trainedUntil, Map.of("train_samples", (double) rows));
    }

    /** Solves {@code a·x = b} for a symmetric positive (semi)definite {@code a} (Cholesky). */
    static double[] solve(double[][] a, double[] b) {
        int d = b.length;
        double[][] l = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = a[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    // A tiny jitter keeps a singular Hessian (a constant feature) solvable.
                    l[i][i] = Math.sqrt(Math.max(sum, 1e-12));
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            double sum = b[i];
            for (int k = 0; k < i; k++) {
                sum -= l[i][k] * y[k];
            }
            y[i] = sum / l[i][i];
        }
        double[] x = new double[d];
        for (int i = d - 1; i >= 0; i--) {
            double sum = y[i];
            for (int k = i + 1; k < d; k++) {
                sum -= l[k][i] * x[k];
            }
            x[i] = sum / l[i][i];
        }
        return x;
    }
}
