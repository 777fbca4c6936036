package io.rtcdp.udf.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import io.rtcdp.udf.profile.ProfileFields;
import java.util.Optional;

/**
 * Which inputs of a profile's rules a condition reads, or which of them changed since the profile's
 * rules were last evaluated: a bit per feature ({@link ProfileFields#FEATURE_FIELDS} slot), per
 * score, and per other variable. A condition none of whose inputs changed has the value it had then
 * (CEL conditions are pure: no clock, no randomness, no side effects), so it is not evaluated
 * again.
 *
 * <p>Immutable.
 */
public final class RuleInputs {
    static final int LIFECYCLE = 1;
    static final int TRAITS = 1 << 1;
    static final int CONSENT = 1 << 2;
    static final int RFM = 1 << 3;
    static final int TAGS = 1 << 4;
    static final int SEGMENTS = 1 << 5;
    static final int EVENT = 1 << 6;
    static final int SCORE_PURCHASE = 1 << 7;
    static final int SCORE_CHURN = 1 << 8;
    static final int SCORE_MARKETING = 1 << 9;
    static final int SCORE_ANY = SCORE_PURCHASE | SCORE_CHURN | SCORE_MARKETING;
    static final int REC = 1 << 10;
    private static final int ALL_VARIABLES = (1 << 11) - 1;

    /**
     * Everything: a first evaluation, or one after the rule set changed; every condition is
     * evaluated, even one that reads nothing.
     */
    public static final RuleInputs ALL = new RuleInputs(-1, ALL_VARIABLES);

    /** Bit i: the feature of {@link ProfileFields#FEATURE_FIELDS} slot i. */
    private final long features;

    private final int variables;

    private RuleInputs(long features, int variables) {
        this.features = features;
        this.variables = variables;
    }

    /** Builds a set of changed inputs. */
    public static Builder changes() {
        return new Builder();
    }

    /** Whether a condition reading {@code read} may have another value after these changes. */
    boolean touches(RuleInputs read) {
        return this == ALL || (features & read.features) != 0 || (variables & read.variables) != 0;
    }

    /** Whether tags changed (for the conditions that read them). */
    RuleInputs withTags(boolean changed) {
        return changed && this != ALL ? new RuleInputs(features, variables | TAGS) : this;
    }

    /**
     * What a checked condition reads, over-approximated: a variable used other than by selecting
     * one of its fields ({@code f}, {@code score}) counts whole. Iteration variables of macros may
     * shadow a name; what they range over is read by the condition itself, so it is counted too.
     */
    static RuleInputs readBy(CelAbstractSyntaxTree ast) {
        long features = 0;
        int variables = 0;
        for (CelNavigableExpr n :
                (Iterable<CelNavigableExpr>)
                        CelNavigableAst.fromAst(ast).getRoot().allNodes()::iterator) {
            if (n.getKind() != CelExpr.ExprKind.Kind.IDENT) {
                continue;
            }
            String name = n.expr().ident().name();
            Optional<String> field =
                    n.parent()
                            .filter(p -> p.getKind() == CelExpr.ExprKind.Kind.SELECT)
                            .map(p -> p.expr().select().field());
            switch (name) {
                case "f" -> {
                    int slot =
                            field.map(x -> ProfileFields.FEATURE_FIELDS.indexOf("f." + x))
                                    .orElse(-1);
                    features |= slot < 0 ? -1L : 1L << slot;
                }
                case "score" ->
                        variables |=
                                switch (field.orElse("")) {
                                    case "purchase" -> SCORE_PURCHASE;
                                    case "churn" -> SCORE_CHURN;
                                    case "marketing" -> SCORE_MARKETING;
                                    default -> SCORE_ANY;
                                };
                case "rfm" -> variables |= RFM;
                case "rec" -> variables |= REC;
                case "lifecycle" -> variables |= LIFECYCLE;
                case "traits" -> variables |= TRAITS;
                case "consent" -> variables |= CONSENT;
                case "tags" -> variables |= TAGS;
                case "segments" -> variables |= SEGMENTS;
                case "event" -> variables |= EVENT;
                default -> {} // a macro's iteration variable
            }
        }
        return new RuleInputs(features, variables);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuleInputs r && r.features == features && r.variables == variables;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(features) * 31 + variables;
    }

    @Override
    public String toString() {
        return "RuleInputs{features="
                + Long.toHexString(features)
                + ", variables="
                + Integer.toHexString(variables)
                + "}";
    }

    /** Collects what changed. */
    public static final class Builder {
        private long features;
        private int variables;

        /** Feature slot {@code slot} (of {@link ProfileFields#FEATURE_FIELDS}) changed. */
        public Builder feature(int slot) {
            features |= 1L << slot;
            if (slot == CONSENT_MARKETING || slot == CONSENT_PERSONALIZATION) {
                variables |= CONSENT;
            }
            return this;
        }

        /** Every slot whose bit is set in {@code slots} changed. */
        public Builder features(long slots) {
            for (int i = 0; i < ProfileFields.FEATURE_FIELDS.size(); i++) {
                if ((slots & (1L << i)) != 0) {
                    feature(i);
                }
            }
            return this;
        }

        /** The score {@code name} ({@code purchase}, {@code churn}, {@code marketing}) changed. */
        public Builder score(String name) {
            variables |=
                    switch (name) {
                        case "purchase" -> SCORE_PURCHASE;
                        case "churn" -> SCORE_CHURN;
                        case "marketing" -> SCORE_MARKETING;
                        default -> SCORE_ANY;
                    };
            return this;
        }

        public Builder lifecycle() {
            variables |= LIFECYCLE;
            return this;
        }

        public Builder traits() {
            variables |= TRAITS;
            return this;
        }

        public Builder rfm() {
            variables |= RFM;
            return this;
        }

        /** The next-purchase items ({@code rec}) changed. */
        public Builder rec() {
            variables |= REC;
            return this;
        }

        public RuleInputs build() {
            return new RuleInputs(features, variables);
        }
    }

    private static final int CONSENT_MARKETING =
            ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.CONSENT_MARKETING);
    private static final int CONSENT_PERSONALIZATION =
            ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.CONSENT_PERSONALIZATION);
}
