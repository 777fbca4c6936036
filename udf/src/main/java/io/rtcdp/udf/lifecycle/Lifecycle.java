package io.rtcdp.udf.lifecycle;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The lifecycle stage of a profile from its first and last event time and the time {@code asOf} at
 * which it is judged. With {@code d = asOf − lastSeen} and the {@link LifecycleThresholds}:
 *
 * <ul>
 *   <li>{@code d < activeWithin}: {@link LifecycleStage#NEW} when also {@code asOf − firstSeen <
 *       newWithin}, else {@link LifecycleStage#ACTIVE} (a negative d, an event after {@code asOf},
 *       counts as active);
 *   <li>{@code activeWithin ≤ d < atRiskWithin}: {@link LifecycleStage#AT_RISK};
 *   <li>{@code atRiskWithin ≤ d < dormantWithin}: {@link LifecycleStage#DORMANT};
 *   <li>{@code d ≥ dormantWithin}: {@link LifecycleStage#CHURNED}.
 * </ul>
 *
 * Without new events the stage only moves forward in that order, at the times {@code firstSeen +
 * newWithin}, {@code lastSeen + activeWithin}, {@code lastSeen + atRiskWithin} and {@code lastSeen
 * + dormantWithin}; {@link #nextChange} gives the first of these at which it really changes, for an
 * event-time timer. Sums that would pass {@link Long#MAX_VALUE} saturate there. Immutable.
 */
public final class Lifecycle implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Lifecycle DEFAULTS = new Lifecycle(LifecycleThresholds.defaults());

    private final LifecycleThresholds t;

    public Lifecycle(LifecycleThresholds thresholds) {
        if (thresholds == null) {
            throw new IllegalArgumentException("lifecycle thresholds are required");
        }
        this.t = thresholds;
    }

    /** With {@link LifecycleThresholds#defaults()}. */
    public static Lifecycle defaults() {
        return DEFAULTS;
    }

    public LifecycleThresholds thresholds() {
        return t;
    }

    /**
     * The stage at {@code asOf}.
     *
     * @throws IllegalArgumentException when {@code firstSeen > lastSeen}
     */
    public LifecycleStage stage(long firstSeen, long lastSeen, long asOf) {
        check(firstSeen, lastSeen);
        if (asOf < plus(lastSeen, t.activeWithinMillis())) {
            return asOf < plus(firstSeen, t.newWithinMillis())
                    ? LifecycleStage.NEW
                    : LifecycleStage.ACTIVE;
        }
        if (asOf < plus(lastSeen, t.atRiskWithinMillis())) {
            return LifecycleStage.AT_RISK;
        }
        if (asOf < plus(lastSeen, t.dormantWithinMillis())) {
            return LifecycleStage.DORMANT;
        }
        return LifecycleStage.CHURNED;
    }

    /**
     * The smallest time {@code > asOf} at which {@link #stage} differs from its value at {@code
     * asOf} when no event arrives; {@link Long#MAX_VALUE} when it never will (churned). The stage
     * is the same at every time in between.
     *
     * @throws IllegalArgumentException when {@code firstSeen > lastSeen}
     */
    public long nextChange(long firstSeen, long lastSeen, long asOf) {
        LifecycleStage now = stage(firstSeen, lastSeen, asOf);
        long[] candidates = {
            plus(firstSeen, t.newWithinMillis()),
            plus(lastSeen, t.activeWithinMillis()),
            plus(lastSeen, t.atRiskWithinMillis()),
            plus(lastSeen, t.dormantWithinMillis())
        };
        Arrays.sort(candidates);
        for (long c : candidates) {
            // A saturated candidate is not a real change time: the stage is constant to the end.
            if (c > asOf && c != Long.MAX_VALUE && stage(firstSeen, lastSeen, c) != now) {
                return c;
            }
        }
        return Long.MAX_VALUE;
    }

    private static void check(long firstSeen, long lastSeen) {
        if (firstSeen > lastSeen) {
            throw new IllegalArgumentException(
                    "firstSeen " + firstSeen + " is after lastSeen " + lastSeen);
        }
    }

    /** {@code a + b} for b > 0, saturating at {@link Long#MAX_VALUE}. */
    private static long plus(long a, long b) {
        long s = a + b;
        return s < a ? Long.MAX_VALUE : s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lifecycle l && t.equals(l.t);
    }

    @Override
    public int hashCode() {
        return t.hashCode();
    }

    @Override
    public String toString() {
        return "Lifecycle" + t;
    }
}
