package io.rtcdp.udf.text;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A multinomial logistic regression over sparse named features: a bias and, per feature, one weight
 * a class. Immutable and thread-safe.
 */
final class SoftmaxModel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> labels;
    private final double[] bias;
    private final HashMap<String, double[]> weights;

    SoftmaxModel(List<String> labels, double[] bias, Map<String, double[]> weights) {
        this.labels = List.copyOf(labels);
        if (bias.length != labels.size()) {
            throw new IllegalArgumentException(
                    "bias has " + bias.length + " values for " + labels.size() + " labels");
        }
        this.bias = bias.clone();
        this.weights = new HashMap<>();
        weights.forEach(
                (f, w) -> {
                    if (w.length != labels.size()) {
                        throw new IllegalArgumentException(
                                "feature '"
                                        + f
                                        + "' has "
                                        + w.length
                                        + " weights for "
                                        + labels.size()
                                        + " labels");
                    }
                    this.weights.put(f, w.clone());
                });
    }

    List<String> labels() {
        return labels;
    }

    double[] bias() {
        return bias.clone();
    }

    /** The weights by feature name, in name order. */
    Map<String, double[]> sortedWeights() {
        return Collections.unmodifiableMap(new TreeMap<>(weights));
    }

    int featureCount() {
        return weights.size();
    }

    /** The probability of each label for features {@code x}. */
    double[] probabilities(Map<String, Double> x) {
        double[] z = bias.clone();
        for (Map.Entry<String, Double> e : x.entrySet()) {
            double[] w = weights.get(e.getKey());
            if (w != null) {
                double v = e.getValue();
                for (int c = 0; c < z.length; c++) {
                    z[c] += v * w[c];
                }
            }
        }
        return softmax(z);
    }

    static double[] softmax(double[] z) {
        double max = Arrays.stream(z).max().orElse(0);
        double sum = 0;
        double[] p = new double[z.length];
        for (int c = 0; c < z.length; c++) {
            p[c] = Math.exp(z[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < z.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SoftmaxModel m)) {
            return false;
        }
        if (!labels.equals(m.labels)
                || !Arrays.equals(bias, m.bias)
                || !weights.keySet().equals(m.weights.keySet())) {
            return false;
        }
        for (Map.Entry<String, double[]> e : weights.entrySet()) {
            if (!Arrays.equals(e.getValue(), m.weights.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return labels.hashCode() * 31 + Arrays.hashCode(bias);
    }
}
