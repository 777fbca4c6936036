package io.rtcdp.udf.rules;

import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.ProfileValues;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names and types that rule conditions can read from {@code f}, {@code score} and {@code rfm}.
 * Reading any other field of these is a compile error.
 */
public final class RuleSchema {
    /** The type of a field as CEL sees it: int (Java Long), double (Double) or string. */
    public enum Kind {
        INT,
        DOUBLE,
        STRING
    }

    /** Feature name (without the {@code f.} prefix) to type, in {@link ProfileFields} order. */
    public static final Map<String, Kind> FEATURES;

    /** {@code score.churn}, {@code score.purchase} (0..1), {@code score.marketing} (0..1000). */
    public static final Map<String, Kind> SCORES =
            Map.of("churn", Kind.DOUBLE, "purchase", Kind.DOUBLE, "marketing", Kind.INT);

    /** {@code rfm.r}, {@code rfm.f}, {@code rfm.m} (1..5) and {@code rfm.segment}. */
    public static final Map<String, Kind> RFM =
            Map.of("r", Kind.INT, "f", Kind.INT, "m", Kind.INT, "segment", Kind.STRING);

    static {
        Map<String, Kind> f = new LinkedHashMap<>();
        for (String field : ProfileFields.FEATURE_FIELDS) {
            if (!field.startsWith("f.")) {
                continue;
            }
            String name = field.substring(2);
            Kind kind;
            if (field.equals(ProfileFields.TOP_CATEGORY_30D)) {
                kind = Kind.STRING;
            } else if (ProfileValues.scale(ProfileFields.FEATURE_FIELDS.indexOf(field)) > 0) {
                // money and the fractions of days and ratios
                kind = Kind.DOUBLE;
            } else {
                kind = Kind.INT;
            }
            f.put(name, kind);
        }
        FEATURES = java.util.Collections.unmodifiableMap(f);
    }

    private RuleSchema() {}
}
