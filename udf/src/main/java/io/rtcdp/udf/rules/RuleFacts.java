package io.rtcdp.udf.rules;

import io.rtcdp.udf.rules.RuleSchema.Kind;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What rule conditions read about one profile, built once per profile update with {@link
 * #builder()}. A feature, score or rfm field without a value is simply not set: it is then absent,
 * so {@code has(f.x)} is false and reading it makes the condition an error (counted, taken as
 * false).
 */
public final class RuleFacts {
    final Map<String, Object> features;
    final Map<String, Object> scores;
    final Map<String, Object> rfm;
    final String lifecycle;
    final Map<String, String> traits;
    final Map<String, Boolean> consent;
    final List<String> rec;

    private RuleFacts(Builder b) {
        if (b.featureView != null && !b.features.isEmpty()) {
            throw new IllegalStateException("features given as a view and one by one");
        }
        this.features =
                b.featureView != null ? b.featureView : Collections.unmodifiableMap(b.features);
        this.scores = Collections.unmodifiableMap(b.scores);
        this.rfm = Collections.unmodifiableMap(b.rfm);
        this.lifecycle = b.lifecycle == null ? "" : b.lifecycle;
        this.traits = b.traits == null ? Map.of() : Collections.unmodifiableMap(b.traits);
        this.consent = b.consent == null ? Map.of() : Collections.unmodifiableMap(b.consent);
        this.rec = b.rec == null ? List.of() : b.rec;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Map<String, Object> features() {
        return features;
    }

    public Map<String, Object> scores() {
        return scores;
    }

    public Map<String, Object> rfm() {
        return rfm;
    }

    /** Empty string when unknown. */
    public String lifecycle() {
        return lifecycle;
    }

    public Map<String, String> traits() {
        return traits;
    }

    /** Consent purpose ({@code marketing}, {@code personalization}) to given or withdrawn. */
    public Map<String, Boolean> consent() {
        return consent;
    }

    @Override
    public String toString() {
        return "RuleFacts{f="
                + features
                + ", score="
                + scores
                + ", rfm="
                + rfm
                + ", lifecycle="
                + lifecycle
                + ", traits="
                + traits.keySet()
                + ", consent="
                + consent
                + "}";
    }

    /**
     * Sets values by name; a name may carry its profile-hash prefix ({@code f.revenue_90d}).
     * Numbers are stored as the type {@link RuleSchema} declares (an int feature given a double
     * must be whole). A builder is used once.
     */
    public static final class Builder {
        private final Map<String, Object> features = new HashMap<>(64);

        /** The features as a read-only view, instead of {@link #features} set one by one. */
        private Map<String, Object> featureView;

        private final Map<String, Object> scores = new HashMap<>(4);
        private final Map<String, Object> rfm = new HashMap<>(8);
        private String lifecycle;
        private Map<String, String> traits;
        private Map<String, Boolean> consent;
        private List<String> rec;

        private Builder() {}

        /** The skus of {@code rec.next}, best first ({@code rec} in conditions). */
        public Builder rec(List<String> skus) {
            this.rec = List.copyOf(skus);
            return this;
        }

        /**
         * Takes the features as a read-only map (not copied) that holds, per name without {@code
         * f.}, the value of the type {@link RuleSchema#FEATURES} declares, and no absent feature: a
         * view over a profile's values that makes only what the rules read ({@link
         * DecisionState#facts}). Instead of {@link #feature}, not with it.
         */
        public Builder features(Map<String, Object> view) {
            this.featureView = view;
            return this;
        }

        public Builder feature(String name, long value) {
            put(features, RuleSchema.FEATURES, strip(name, "f."), value);
            return this;
        }

        public Builder feature(String name, double value) {
            put(features, RuleSchema.FEATURES, strip(name, "f."), value);
            return this;
        }

        public Builder feature(String name, String value) {
            put(features, RuleSchema.FEATURES, strip(name, "f."), value);
            return this;
        }

        public Builder score(String name, double value) {
            put(scores, RuleSchema.SCORES, strip(name, "score."), value);
            return this;
        }

        public Builder rfm(String name, long value) {
            put(rfm, RuleSchema.RFM, strip(name, "rfm."), value);
            return this;
        }

        public Builder rfm(String name, String value) {
            put(rfm, RuleSchema.RFM, strip(name, "rfm."), value);
            return this;
        }

        public Builder lifecycle(String lifecycle) {
            this.lifecycle = lifecycle;
            return this;
        }

        /** Takes the map as is (not copied): do not change it afterwards. */
        public Builder traits(Map<String, String> traits) {
            this.traits = traits;
            return this;
        }

        public Builder consent(String purpose, boolean given) {
            if (consent == null) {
                consent = new HashMap<>(4);
            }
            consent.put(purpose, given);
            return this;
        }

        public RuleFacts build() {
            return new RuleFacts(this);
        }

        private static String strip(String name, String prefix) {
            return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
        }

        private static void put(
                Map<String, Object> into, Map<String, Kind> schema, String name, Object v) {
            Kind kind = schema.get(name);
            if (kind == null) {
                throw new IllegalArgumentException("unknown rule field: " + name);
            }
            Object cel =
                    switch (kind) {
                        case STRING -> v instanceof String ? v : null;
                        case DOUBLE -> v instanceof Number n ? (Object) n.doubleValue() : null;
                        case INT ->
                                v instanceof Long
                                        ? v
                                        : v instanceof Double d && d == Math.rint(d)
                                                ? (Object) d.longValue()
                                                : null;
                    };
            if (cel == null) {
                throw new IllegalArgumentException(
                        name + " is " + kind.name().toLowerCase() + ", got " + v);
            }
            into.put(name, cel);
        }
    }
}
