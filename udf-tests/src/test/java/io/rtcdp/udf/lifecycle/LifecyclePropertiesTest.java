package io.rtcdp.udf.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * {@link Lifecycle} on small millisecond scales, where every instant can be visited: the stage
 * against the documented rule, and {@link Lifecycle#nextChange} against a scan of every later
 * millisecond.
 */
class LifecyclePropertiesTest {

    /** The documented rule, straight from docs/rfm.md, without saturation (small numbers). */
    static LifecycleStage oracle(LifecycleThresholds t, long first, long last, long asOf) {
        long d = asOf - last;
        if (d < t.activeWithinMillis()) {
            return asOf - first < t.newWithinMillis() ? LifecycleStage.NEW : LifecycleStage.ACTIVE;
        }
        if (d < t.atRiskWithinMillis()) {
            return LifecycleStage.AT_RISK;
        }
        return d < t.dormantWithinMillis() ? LifecycleStage.DORMANT : LifecycleStage.CHURNED;
    }

    @Property(tries = 2000)
    void nextChangeIsTheFirstInstantTheStageDiffers(
            @ForAll @IntRange(min = 1, max = 40) int newWithin,
            @ForAll @IntRange(min = 1, max = 30) int active,
            @ForAll @IntRange(min = 1, max = 30) int riskGap,
            @ForAll @IntRange(min = 1, max = 30) int dormantGap,
            @ForAll @LongRange(min = -50, max = 50) long first,
            @ForAll @IntRange(min = 0, max = 50) int lastGap,
            @ForAll @IntRange(min = -20, max = 200) int asOfFromFirst) {
        LifecycleThresholds t =
                new LifecycleThresholds(
                        newWithin, active, active + riskGap, active + riskGap + dormantGap);
        Lifecycle life = new Lifecycle(t);
        long last = first + lastGap;
        long asOf = first + asOfFromFirst;

        LifecycleStage now = life.stage(first, last, asOf);
        assertThat(now).isEqualTo(oracle(t, first, last, asOf));

        // After both of these the stage is constant.
        long end = Math.max(first + newWithin, last + t.dormantWithinMillis()) + 1;
        long expected = Long.MAX_VALUE;
        LifecycleStage previous = now;
        for (long at = asOf + 1; at <= end; at++) {
            LifecycleStage s = life.stage(first, last, at);
            assertThat(s).isEqualTo(oracle(t, first, last, at));
            // forward only
            assertThat(s.ordinal()).isGreaterThanOrEqualTo(previous.ordinal());
            previous = s;
            if (s != now && expected == Long.MAX_VALUE) {
                expected = at;
            }
        }
        assertThat(life.nextChange(first, last, asOf)).isEqualTo(expected);
    }

    @Property(tries = 500)
    void realisticTimesAgreeWithTheRuleAtTheChange(
            @ForAll @LongRange(min = 0, max = 4_000_000_000_000L) long first,
            @ForAll @LongRange(min = 0, max = 400L * 86_400_000L) long lastGap,
            @ForAll @LongRange(min = -86_400_000L, max = 800L * 86_400_000L) long asOfGap) {
        Lifecycle life = Lifecycle.defaults();
        LifecycleThresholds t = life.thresholds();
        long last = first + lastGap;
        long asOf = last + asOfGap;
        LifecycleStage now = life.stage(first, last, asOf);
        assertThat(now).isEqualTo(oracle(t, first, last, asOf));
        long next = life.nextChange(first, last, asOf);
        if (now == LifecycleStage.CHURNED) {
            assertThat(next).isEqualTo(Long.MAX_VALUE);
        } else {
            assertThat(next).isGreaterThan(asOf);
            assertThat(life.stage(first, last, next - 1)).isEqualTo(now);
            assertThat(life.stage(first, last, next)).isNotEqualTo(now);
            // the change time is one of the four threshold instants
            assertThat(next)
                    .isIn(
                            first + t.newWithinMillis(),
                            last + t.activeWithinMillis(),
                            last + t.atRiskWithinMillis(),
                            last + t.dormantWithinMillis());
        }
    }
}
