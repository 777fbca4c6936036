package io.rtcdp.udf.ml;

import java.util.List;

/**
 * What a model is, before it has parameters: its name, its label and its ordered inputs.
 *
 * @param name {@code purchase} or {@code churn}; equals the label kind
 * @param bgNbd the BG/NBD parameters (in days) its {@code p_alive} and {@code bgnbd_purchase}
 *     inputs are computed with; null when it has none (those inputs are then absent)
 * @param calendar the orders per day of the history it was trained on, for the seasonal calibration
 *     of its probabilities ({@link OrderCalendar}); null for none
 */
public record ModelSpec(
        String name,
        LabelSpec label,
        List<FeatureSpec> features,
        BgNbd.Params bgNbd,
        OrderCalendar calendar) {
    /** A model without BG/NBD parameters or calendar. */
    public ModelSpec(String name, LabelSpec label, List<FeatureSpec> features) {
        this(name, label, features, null, null);
    }

    /** A model without calendar. */
    public ModelSpec(String name, LabelSpec label, List<FeatureSpec> features, BgNbd.Params bgNbd) {
        this(name, label, features, bgNbd, null);
    }

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

    /**
     * The default inputs and more of the customer's behaviour over time: orders in the last 180 and
     * 365 days, last year's orders in the coming 90 days, and BG/NBD's P(alive) and probability of
     * an order within the label's horizon (with the parameters the model is given, {@link
     * #withBgNbd}). What {@code rtcdp train} and {@code rtcdp evaluate} use by default
     * (docs/models.md has how they compare).
     */
    public static List<FeatureSpec> extendedFeatures() {
        FeatureSpec.Transform log = FeatureSpec.Transform.LOG1P;
        FeatureSpec.Transform id = FeatureSpec.Transform.IDENTITY;
        List<FeatureSpec> f = new java.util.ArrayList<>(defaultFeatures());
        f.add(FeatureSpec.of("orders_180d", log));
        f.add(FeatureSpec.of("orders_365d", log));
        f.add(FeatureSpec.of("orders_next_90d_last_year", log));
        f.add(new FeatureSpec("p_alive", id, 1, 1));
        f.add(new FeatureSpec("bgnbd_purchase", id, 1, 0));
        return List.copyOf(f);
    }

    /** A model of the given name with its default label and {@link #extendedFeatures()}. */
    public static ModelSpec extended(String name) {
        return new ModelSpec(name, LabelSpec.defaultFor(name), extendedFeatures());
    }

    /** A model of the given name with its default label and {@link #defaultFeatures()}. */
    public static ModelSpec defaults(String name) {
        return new ModelSpec(name, LabelSpec.defaultFor(name), defaultFeatures());
    }

    /** The same model with these BG/NBD parameters (null: none). */
    public ModelSpec withBgNbd(BgNbd.Params params) {
        return new ModelSpec(name, label, features, params, calendar);
    }

    /** The same model with this order calendar (null: none, no seasonal calibration). */
    public ModelSpec withCalendar(OrderCalendar c) {
        return new ModelSpec(name, label, features, bgNbd, c);
    }

    /**
     * The model's probability {@code p} of a profile as of {@code t}, as served: seasonally
     * calibrated by its calendar ({@link OrderCalendar}), or {@code p} itself without one.
     */
    public double calibrate(double p, long t) {
        return calendar == null ? p : calendar.calibrate(p, t, label);
    }

    /** Whether an input of the model comes from BG/NBD. */
    public boolean usesBgNbd() {
        return features.stream().anyMatch(f -> FeatureVectorBuilder.isBgNbd(f.name()));
    }

    public FeatureVectorBuilder builder() {
        return new FeatureVectorBuilder(features, bgNbd, label.horizonDays());
    }
}
