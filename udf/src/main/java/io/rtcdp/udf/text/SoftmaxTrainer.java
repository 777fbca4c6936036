package io.rtcdp.udf.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Trains a {@link SoftmaxModel}: L2-regularised, class-weighted cross-entropy minimised by
 * full-batch Adam for a fixed number of steps from zero weights. Features are indexed in name order
 * and examples are summed in input order, so the same input always gives the same model. The
 * weights are rounded to {@link Params#decimals} decimals and features whose weights all round to
 * zero are dropped.
 */
final class SoftmaxTrainer {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    /**
     * @param minCount a feature is kept if it occurs in at least this many examples (lexicon
     *     features always)
     * @param l2 the L2 penalty, relative to the mean loss
     * @param steps the number of full-batch steps
     * @param learningRate Adam's step size
     * @param balanced weight each class inversely to its frequency
     * @param decimals the decimals the weights are rounded to
     */
    record Params(
            int minCount,
            double l2,
            int steps,
            double learningRate,
            boolean balanced,
            int decimals) {}

    private SoftmaxTrainer() {}

    static SoftmaxModel train(
            List<String> labels, List<Map<String, Double>> xs, int[] ys, Params p) {
        int k = labels.size();
        int n = xs.size();
        Map<String, Integer> df = new HashMap<>();
        for (Map<String, Double> x : xs) {
            x.keySet().forEach(f -> df.merge(f, 1, Integer::sum));
        }
        TreeSet<String> vocab = new TreeSet<>();
        df.forEach(
                (f, c) -> {
                    if (c >= p.minCount() || f.startsWith("lex:")) {
                        vocab.add(f);
                    }
                });
        String[] names = vocab.toArray(new String[0]);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            index.put(names[i], i);
        }
        int[][] idx = new int[n][];
        double[][] val = new double[n][];
        for (int i = 0; i < n; i++) {
            TreeMap<Integer, Double> row = new TreeMap<>();
            xs.get(i)
                    .forEach(
                            (f, v) -> {
                                Integer j = index.get(f);
                                if (j != null) {
                                    row.put(j, v);
                                }
                            });
            idx[i] = row.keySet().stream().mapToInt(Integer::intValue).toArray();
            val[i] = row.values().stream().mapToDouble(Double::doubleValue).toArray();
        }
        double[] classWeight = new double[k];
        Arrays.fill(classWeight, 1.0);
        if (p.balanced()) {
            int[] counts = new int[k];
            for (int y : ys) {
                counts[y]++;
            }
            for (int c = 0; c < k; c++) {
                classWeight[c] = counts[c] == 0 ? 0 : (double) n / (k * counts[c]);
            }
        }
        double totalWeight = 0;
        for (int y : ys) {
            totalWeight += classWeight[y];
        }
        int d = names.length;
        double[] w = new double[d * k];
        double[] b = new double[k];
        double[] gw = new double[d * k];
        double[] gb = new double[k];
        double[] mw = new double[d * k];
        double[] vw = new double[d * k];
        double[] mb = new double[k];
        double[] vb = new double[k];
        double[] z = new double[k];
        for (int step = 1; step <= p.steps(); step++) {
            for (int j = 0; j < d * k; j++) {
                gw[j] = p.l2() * w[j];
            }
            Arrays.fill(gb, 0);
            for (int i = 0; i < n; i++) {
                System.arraycopy(b, 0, z, 0, k);
                for (int t = 0; t < idx[i].length; t++) {
                    int base = idx[i][t] * k;
                    double v = val[i][t];
                    for (int c = 0; c < k; c++) {
                        z[c] += v * w[base + c];
                    }
                }
                double[] prob = SoftmaxModel.softmax(z);
                double s = classWeight[ys[i]] / totalWeight;
                for (int c = 0; c < k; c++) {
                    double g = s * (prob[c] - (c == ys[i] ? 1 : 0));
                    gb[c] += g;
                    for (int t = 0; t < idx[i].length; t++) {
                        gw[idx[i][t] * k + c] += g * val[i][t];
                    }
                }
            }
            double c1 = 1 - Math.pow(BETA1, step);
            double c2 = 1 - Math.pow(BETA2, step);
            adam(w, gw, mw, vw, p.learningRate(), c1, c2);
            adam(b, gb, mb, vb, p.learningRate(), c1, c2);
        }
        double scale = Math.pow(10, p.decimals());
        Map<String, double[]> weights = new TreeMap<>();
        for (int j = 0; j < d; j++) {
            double[] row = new double[k];
            boolean any = false;
            for (int c = 0; c < k; c++) {
                row[c] = round(w[j * k + c], scale);
                any |= row[c] != 0;
            }
            if (any) {
                weights.put(names[j], row);
            }
        }
        double[] bias = new double[k];
        for (int c = 0; c < k; c++) {
            bias[c] = round(b[c], scale);
        }
        return new SoftmaxModel(labels, bias, weights);
    }

    private static void adam(
            double[] x, double[] g, double[] m, double[] v, double lr, double c1, double c2) {
        for (int j = 0; j < x.length; j++) {
            m[j] = BETA1 * m[j] + (1 - BETA1) * g[j];
            v[j] = BETA2 * v[j] + (1 - BETA2) * g[j] * g[j];
            x[j] -= lr * (m[j] / c1) / (Math.sqrt(v[j] / c2) + EPS);
        }
    }

    /** Rounded to a multiple of 1/scale; never -0.0, so that the JSON reads back the same. */
    private static double round(double x, double scale) {
        double r = Math.round(x * scale) / scale;
        return r == 0 ? 0.0 : r;
    }
}
