package io.rtcdp.udf.ml;

import java.util.List;

/**
 * What a model is, before it has parameters: its name, its label and its ordered inputs.
 *
 * @param name {@code purchase} or {@code churn}; equals the label kind
 */
public record ModelSpec(String name, LabelSpec label, List<FeatureSpec> features) {
    public ModelSpec {
        if (label == null) {
            throw new IllegalArgumentException("model " + name + " has no label");
        }
        if (!label.kind().id().equals(name)) {
            throw new IllegalArgumentException(
                    "model '"
                            + name
                            + "' has label kind "
                            + label.kind().id()
                            + "; they must match");
        }
        features = List.copyOf(features);
        if (features.isEmpty()) {
            throw new IllegalArgumentException("model " + name + " has no features");
        }
        for (int i = 0; i < features.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (features.get(i).equals(features.get(j))) {
                    throw new IllegalArgumentException(
                            "model " + name + " lists feature " + features.get(i) + " twice");
                }
            }
        }
    }

    /**
     * rtcdp's default inputs, the same for both labels: recency with a one-year cap and the
     * has-orders indicator, then frequency, money and tenure on a log scale.
     */
    public static List<FeatureSpec> defaultFeatures() {
        FeatureSpec.Transform log = FeatureSpec.Transform.LOG1P;
        return List.of(
                new FeatureSpec("days_since_last_order", log, 365, 365),
                FeatureSpec.of("has_orders", FeatureSpec.Transform.IDENTITY),
                FeatureSpec.of("orders_total", log),
                FeatureSpec.of("revenue_total", log),
                FeatureSpec.of("avg_order_value", log),
                FeatureSpec.of("orders_30d", log),
                FeatureSpec.of("orders_90d", log),
                FeatureSpec.of("revenue_90d", log),
                new FeatureSpec("tenure_days", log, 3650, 0),
                FeatureSpec.of("events_total", log));
    }

    /** A model of the given name with its default label and {@link #defaultFeatures()}. */
    public static ModelSpec defaults(String name) {
        return new ModelSpec(name, LabelSpec.defaultFor(name), defaultFeatures());
    }

    public FeatureVectorBuilder builder() {
        return new FeatureVectorBuilder(features);
    }
}
