package io.rtcdp.udf.ml;

import java.util.Locale;

/**
 * One input of a model: a profile feature (or a value derived from the profile), the value used
 * when the profile has none, an upper cap, and a transform.
 *
 * <p>The value is {@code transform(min(raw ?? missing, cap))}. With {@code cap} and {@code missing}
 * both 365, {@code days_since_last_order} of a profile without orders becomes "a year ago"; the
 * {@code has_orders} source is the matching indicator.
 *
 * @param name a source of {@link FeatureVectorBuilder#SOURCES}
 * @param transform applied last
 * @param cap upper bound of the raw value, {@code +Infinity} for none
 * @param missing raw value when the profile has none (finite)
 */
public record FeatureSpec(String name, Transform transform, double cap, double missing) {

    /** How a raw value is turned into the model input. */
    public enum Transform {
        /** The value itself. */
        IDENTITY,
        /** {@code log(1 + max(0, v))}: counts and money, whose tails are long. */
        LOG1P;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Transform of(String id) {
            for (Transform t : values()) {
                if (t.id().equals(id)) {
                    return t;
                }
            }
            throw new IllegalArgumentException(
                    "unknown transform '" + id + "': use identity or log1p");
        }

        double apply(double v) {
            return this == LOG1P ? Math.log1p(Math.max(0, v)) : v;
        }
    }

    public FeatureSpec {
        if (!FeatureVectorBuilder.SOURCES.contains(name)) {
            throw new IllegalArgumentException(
                    "unknown feature '"
                            + name
                            + "': use one of "
                            + String.join(", ", FeatureVectorBuilder.SOURCES));
        }
        if (transform == null) {
            throw new IllegalArgumentException("feature " + name + " has no transform");
        }
        if (Double.isNaN(cap) || !Double.isFinite(missing)) {
            throw new IllegalArgumentException(
                    "feature " + name + ": cap must be a number and missing finite");
        }
    }

    public static FeatureSpec of(String name, Transform transform) {
        return new FeatureSpec(name, transform, Double.POSITIVE_INFINITY, 0);
    }

    /** The model input for a raw value, {@code NaN} meaning absent. */
    public double value(double raw) {
        double v = Double.isNaN(raw) ? missing : raw;
        return transform.apply(Math.min(v, cap));
    }
}
