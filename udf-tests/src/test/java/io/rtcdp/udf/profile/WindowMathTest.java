package io.rtcdp.udf.profile;

import static io.rtcdp.udf.profile.WindowMath.DAY;
import static io.rtcdp.udf.profile.WindowMath.HOUR;
import static io.rtcdp.udf.profile.WindowMath.MINUTE;
import static io.rtcdp.udf.profile.WindowMath.W_24H;
import static io.rtcdp.udf.profile.WindowMath.W_30D;
import static io.rtcdp.udf.profile.WindowMath.W_90D;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class WindowMathTest {

    @Test
    void granularityIsAMinuteUpToADayAndAnHourAbove() {
        assertThat(WindowMath.granularity(1)).isEqualTo(MINUTE);
        assertThat(WindowMath.granularity(W_24H)).isEqualTo(MINUTE);
        assertThat(WindowMath.granularity(W_24H + 1)).isEqualTo(HOUR);
        assertThat(WindowMath.granularity(W_30D)).isEqualTo(HOUR);
        assertThat(WindowMath.granularity(W_90D)).isEqualTo(HOUR);
        assertThatThrownBy(() -> WindowMath.granularity(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bucketsFloorAlsoBeforeTheEpoch() {
        assertThat(WindowMath.bucket(0, MINUTE)).isZero();
        assertThat(WindowMath.bucket(59_999, MINUTE)).isZero();
        assertThat(WindowMath.bucket(60_000, MINUTE)).isEqualTo(60_000);
        assertThat(WindowMath.bucket(-1, MINUTE)).isEqualTo(-60_000);
        assertThat(WindowMath.bucket(-60_000, MINUTE)).isEqualTo(-60_000);
        assertThat(WindowMath.bucket(7_199_999, HOUR)).isEqualTo(HOUR);
    }

    @Test
    void windowEdgesFollowTheBucketNotTheEvent() {
        long asOf = 100 * DAY;
        // A bucket starting exactly at asOf − W is out, the next one is in.
        assertThat(WindowMath.inWindow(asOf - DAY, asOf, W_24H)).isFalse();
        assertThat(WindowMath.inWindow(asOf - DAY + MINUTE - 1, asOf, W_24H)).isFalse();
        assertThat(WindowMath.inWindow(asOf - DAY + MINUTE, asOf, W_24H)).isTrue();
        assertThat(WindowMath.inWindow(asOf, asOf, W_24H)).isTrue();
        assertThat(WindowMath.inWindow(asOf + 1, asOf, W_24H)).isFalse();

        assertThat(WindowMath.inWindow(asOf - W_30D + HOUR - 1, asOf, W_30D)).isFalse();
        assertThat(WindowMath.inWindow(asOf - W_30D + HOUR, asOf, W_30D)).isTrue();
        // Off-boundary asOf: the bucket holding asOf − W is out even where its events are newer.
        long offAsOf = asOf + 30 * MINUTE;
        assertThat(WindowMath.inWindow(offAsOf - W_90D + 1, offAsOf, W_90D)).isFalse();
        assertThat(WindowMath.inWindow(offAsOf - W_90D + 30 * MINUTE, offAsOf, W_90D)).isTrue();
    }

    @Test
    void cutoffAndExpirySaturate() {
        assertThat(WindowMath.cutoff(Long.MIN_VALUE, DAY)).isEqualTo(Long.MIN_VALUE);
        assertThat(WindowMath.cutoff(Long.MIN_VALUE + DAY, DAY)).isEqualTo(Long.MIN_VALUE);
        assertThat(WindowMath.cutoff(5 * DAY, DAY)).isEqualTo(4 * DAY);
        assertThat(WindowMath.expiry(Long.MAX_VALUE - 1, DAY)).isEqualTo(Long.MAX_VALUE);
        assertThat(WindowMath.expiry(4 * DAY, DAY)).isEqualTo(5 * DAY);
    }

    /** An event is in a window from its own time up to, not including, its bucket's expiry. */
    @Property(tries = 3000)
    void anEventIsInItsWindowFromItsTimeUntilItsBucketExpires(
            @ForAll @LongRange(min = -400 * DAY, max = 400 * DAY) long ts,
            @ForAll @LongRange(min = -1, max = 100 * DAY) long age,
            @ForAll("windows") long w) {
        long asOf = ts + age;
        long end = WindowMath.expiry(WindowMath.bucket(ts, WindowMath.granularity(w)), w);
        assertThat(WindowMath.inWindow(ts, asOf, w)).isEqualTo(age >= 0 && asOf < end);
        assertThat(end).isGreaterThan(ts).isLessThanOrEqualTo(ts + w);
    }

    @Provide
    Arbitrary<Long> windows() {
        return Arbitraries.of(W_24H, W_30D, W_90D, 7 * DAY, HOUR);
    }
}
