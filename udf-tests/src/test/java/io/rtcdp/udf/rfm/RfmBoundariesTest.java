package io.rtcdp.udf.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RfmBoundariesTest {

    private static final long[] R = {1_000, 2_000, 3_000, 4_000};
    private static final long[] F = {1, 1, 1, 2};
    private static final long[] M = {-5, 0, 0, 7};

    @Test
    void scoreIsOnePlusTheBoundariesStrictlyBelow() {
        RfmBoundaries b = RfmBoundaries.of(10, R, F, M);
        assertThat(b.score(999, 0, -6)).isEqualTo(RfmScore.of(1, 1, 1));
        assertThat(b.score(1_000, 1, -5)).isEqualTo(RfmScore.of(1, 1, 1));
        assertThat(b.score(1_001, 2, -4)).isEqualTo(RfmScore.of(2, 4, 2));
        assertThat(b.score(4_000, 3, 0)).isEqualTo(RfmScore.of(4, 5, 2));
        assertThat(b.score(4_001, Long.MAX_VALUE, 1)).isEqualTo(RfmScore.of(5, 5, 4));
        assertThat(b.score(Long.MAX_VALUE, 5, 8)).isEqualTo(RfmScore.of(5, 5, 5));
        assertThat(b.score(Long.MIN_VALUE, 1, Long.MIN_VALUE).segment()).isEqualTo("lost");
    }

    @Test
    void allEqualBoundariesGiveOneOrFive() {
        long[] same = {3, 3, 3, 3};
        assertThat(RfmBoundaries.quintile(same, 3)).isEqualTo(1);
        assertThat(RfmBoundaries.quintile(same, 2)).isEqualTo(1);
        assertThat(RfmBoundaries.quintile(same, 4)).isEqualTo(5);
    }

    @Test
    void encodingIsCompactAndRoundTrips() {
        long t = 1_322_000_000_000L;
        RfmBoundaries b =
                RfmBoundaries.of(
                        5_878,
                        new long[] {t, t + 86_400_000L, t + 9 * 86_400_000L, t + 90 * 86_400_000L},
                        new long[] {1, 2, 3, 7},
                        new long[] {250_000_000L, 400_000_000L, 900_000_000L, 2_100_000_000L});
        byte[] bytes = b.toByteArray();
        assertThat(bytes.length).isLessThanOrEqualTo(48);
        assertThat(RfmBoundaries.fromByteArray(bytes)).isEqualTo(b);
    }

    @Test
    void badInputIsRejected() {
        assertThatThrownBy(() -> RfmBoundaries.of(0, R, F, M))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n >= 1");
        assertThatThrownBy(() -> RfmBoundaries.of(1, new long[] {1, 2, 3}, F, M))
                .hasMessageContaining("recency needs 4 boundaries");
        assertThatThrownBy(() -> RfmBoundaries.of(1, R, new long[] {1, 3, 2, 4}, M))
                .hasMessageContaining("frequency boundaries must not decrease");
        byte[] ok = RfmBoundaries.of(1, R, F, M).toByteArray();
        assertThatThrownBy(() -> RfmBoundaries.fromByteArray(Arrays.copyOf(ok, ok.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> RfmBoundaries.fromByteArray(Arrays.copyOf(ok, ok.length + 1)))
                .hasMessageContaining("trailing");
        byte[] v2 = ok.clone();
        v2[0] = 2;
        assertThatThrownBy(() -> RfmBoundaries.fromByteArray(v2))
                .hasMessageContaining("format version 2");
    }

    @Test
    void boundariesAreCopiedInAndOut() {
        long[] r = R.clone();
        RfmBoundaries b = RfmBoundaries.of(3, r, F, M);
        r[0] = 99_999;
        b.recency()[1] = 99_999;
        assertThat(b.recency()).containsExactly(R);
    }

    @Provide
    Arbitrary<long[]> fourSorted() {
        return Arbitraries.oneOf(
                        Arbitraries.longs(),
                        Arbitraries.longs().between(-3, 3),
                        Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L))
                .array(long[].class)
                .ofSize(4)
                .map(
                        a -> {
                            Arrays.sort(a);
                            return a;
                        });
    }

    @Property(tries = 300)
    void anyBoundariesRoundTrip(
            @ForAll("fourSorted") long[] r,
            @ForAll("fourSorted") long[] f,
            @ForAll("fourSorted") long[] m,
            @ForAll long n) {
        RfmBoundaries b =
                RfmBoundaries.of(n == Long.MIN_VALUE ? 1 : Math.max(1, Math.abs(n)), r, f, m);
        RfmBoundaries back = RfmBoundaries.fromByteArray(b.toByteArray());
        assertThat(back).isEqualTo(b);
        assertThat(back.recency()).containsExactly(r);
        assertThat(back.frequency()).containsExactly(f);
        assertThat(back.monetary()).containsExactly(m);
    }

    @Property(tries = 300)
    void scoresAreMonotoneAndAgreeWithTheOracle(
            @ForAll("fourSorted") long[] b, @ForAll long v, @ForAll long w) {
        int sv = RfmBoundaries.quintile(b, v);
        assertThat(sv).isBetween(1, 5).isEqualTo(ExactRfm.score(b, v));
        if (v <= w) {
            assertThat(RfmBoundaries.quintile(b, w)).isGreaterThanOrEqualTo(sv);
        }
    }
}
