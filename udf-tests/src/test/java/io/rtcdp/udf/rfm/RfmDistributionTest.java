package io.rtcdp.udf.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Parts of a tenant's profiles merge into the same boundaries as {@link RfmBoundaries#exact} over
 * all of them, however the profiles are split and in whatever order the parts come; beyond the
 * exact limit (or with a sketched part) within the sketch's rank error.
 */
class RfmDistributionTest {

    /** n profiles: {recency, frequency, monetary}, with many ties and some extreme values. */
    static long[][] profiles(Random rnd, int n) {
        long[][] p = new long[n][];
        for (int i = 0; i < n; i++) {
            long r =
                    switch (rnd.nextInt(20)) {
                        case 0 -> Long.MIN_VALUE + rnd.nextInt(3);
                        case 1 -> Long.MAX_VALUE - rnd.nextInt(3);
                        default -> 1_700_000_000_000L + rnd.nextInt(1000) * 60_000L;
                    };
            long f = 1 + (rnd.nextInt(3) == 0 ? rnd.nextInt(30) : 0);
            long m = rnd.nextInt(10) == 0 ? -rnd.nextInt(1000) : rnd.nextInt(5000) * 10_000L;
            p[i] = new long[] {r, f, m};
        }
        return p;
    }

    /** The exact distribution of some profiles, as a bucket keeps it (value → count). */
    static RfmDistribution exactOf(List<long[]> ps) {
        List<Map<Long, Long>> counts = countsOf(ps);
        return RfmDistribution.exact(ps.size(), counts.get(0), counts.get(1), counts.get(2));
    }

    static List<Map<Long, Long>> countsOf(List<long[]> ps) {
        List<Map<Long, Long>> counts = List.of(new HashMap<>(), new HashMap<>(), new HashMap<>());
        for (long[] p : ps) {
            for (int c = 0; c < 3; c++) {
                counts.get(c).merge(p[c], 1L, Long::sum);
            }
        }
        return counts;
    }

    static RfmBoundaries exactOverAll(long[][] ps) {
        int n = ps.length;
        long[][] cols = new long[3][n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                cols[c][i] = ps[i][c];
            }
        }
        return RfmBoundaries.exact(cols[0], cols[1], cols[2], n);
    }

    /** The profiles split into {@code k} parts at random, some of them empty. */
    static List<RfmDistribution> split(long[][] ps, int k, Random rnd) {
        List<List<long[]>> parts = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            parts.add(new ArrayList<>());
        }
        for (long[] p : ps) {
            parts.get(rnd.nextInt(k)).add(p);
        }
        List<RfmDistribution> out = new ArrayList<>();
        for (List<long[]> part : parts) {
            // through the encoding, as the parts travel between the stages
            out.add(RfmDistribution.fromByteArray(exactOf(part).toByteArray()));
        }
        return out;
    }

    @Property(tries = 60)
    void anySplitMergesIntoTheExactBoundariesOfAll(
            @ForAll @IntRange(min = 1, max = 3000) int n,
            @ForAll @IntRange(min = 1, max = 40) int k,
            @ForAll long seed) {
        Random rnd = new Random(seed);
        long[][] ps = profiles(rnd, n);
        RfmBoundaries expected = exactOverAll(ps);

        List<RfmDistribution> parts = split(ps, k, rnd);
        RfmBoundaries merged = RfmDistribution.boundaries(parts, 1 << 20);
        assertThat(merged).isEqualTo(expected);

        Collections.shuffle(parts, rnd);
        assertThat(RfmDistribution.boundaries(parts, 1 << 20)).isEqualTo(expected);
        assertThat(RfmDistribution.boundaries(split(ps, k, rnd), 1 << 20)).isEqualTo(expected);
    }

    @Test
    void noProfilesNoBoundaries() {
        assertThat(RfmDistribution.boundaries(List.of(), 10)).isNull();
        RfmDistribution empty = RfmDistribution.exact(0, Map.of(), Map.of(), Map.of());
        assertThat(empty.n()).isZero();
        assertThat(RfmDistribution.fromByteArray(empty.toByteArray()).n()).isZero();
        assertThat(RfmDistribution.boundaries(List.of(empty, RfmDistribution.empty()), 10))
                .isNull();
    }

    @Test
    void zeroCountsAreLeftOut() {
        RfmDistribution d =
                RfmDistribution.exact(
                        1, Map.of(5L, 1L, 9L, 0L), Map.of(1L, 1L), Map.of(3L, 1L, 4L, 0L));
        assertThat(RfmDistribution.boundaries(List.of(d), 10))
                .isEqualTo(
                        RfmBoundaries.of(
                                1,
                                new long[] {5, 5, 5, 5},
                                new long[] {1, 1, 1, 1},
                                new long[] {3, 3, 3, 3}));
    }

    @Test
    void beyondTheExactLimitTheSketchEstimatesWithinItsError() {
        Random rnd = new Random(7);
        long[][] ps = profiles(rnd, 20_000);
        List<RfmDistribution> parts = split(ps, 16, rnd);
        RfmBoundaries exact = RfmDistribution.boundaries(parts, 1 << 20);

        RfmBoundaries estimated = RfmDistribution.boundaries(parts, 10_000);

        assertThat(estimated.n()).isEqualTo(20_000);
        assertWithinRankError(ps, exact, estimated);
    }

    @Test
    void aSketchedPartMergesWithExactOnes() {
        Random rnd = new Random(11);
        long[][] ps = profiles(rnd, 12_000);
        List<long[]> big = List.of(ps).subList(0, 9_000);
        List<long[]> small = List.of(ps).subList(9_000, 12_000);
        List<Map<Long, Long>> counts = countsOf(big);
        RfmDistribution sketched =
                RfmDistribution.sketched(
                        big.size(),
                        counts.get(0).entrySet(),
                        counts.get(1).entrySet(),
                        counts.get(2).entrySet());
        assertThat(sketched.isExact()).isFalse();
        sketched = RfmDistribution.fromByteArray(sketched.toByteArray());
        assertThat(sketched.n()).isEqualTo(9_000);

        RfmBoundaries estimated =
                RfmDistribution.boundaries(List.of(exactOf(small), sketched), 1 << 20);

        assertThat(estimated.n()).isEqualTo(12_000);
        assertWithinRankError(ps, exactOverAll(ps), estimated);
    }

    /** Every estimated boundary's rank interval in the exact data lies within 1 % of its φ. */
    static void assertWithinRankError(long[][] ps, RfmBoundaries exact, RfmBoundaries estimated) {
        long[][] est = {estimated.recency(), estimated.frequency(), estimated.monetary()};
        for (int c = 0; c < 3; c++) {
            long[] col = new long[ps.length];
            for (int i = 0; i < ps.length; i++) {
                col[i] = ps[i][c];
            }
            long[] sorted = ExactRfm.sorted(col);
            for (int i = 0; i < 4; i++) {
                double phi = (i + 1) / 5.0;
                double below = ExactRfm.countBelow(sorted, est[c][i]) / (double) ps.length;
                double upTo = ExactRfm.countUpTo(sorted, est[c][i]) / (double) ps.length;
                assertThat(phi)
                        .as("column %d boundary %d of %s vs exact %s", c, i, estimated, exact)
                        .isBetween(below - 0.01, upTo + 0.01);
            }
        }
    }

    @Test
    void countsThatDoNotAddUpAreRejected() {
        assertThatThrownBy(
                        () ->
                                RfmDistribution.exact(
                                        2, Map.of(1L, 2L), Map.of(1L, 1L), Map.of(1L, 2L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frequency counts add up to 1");
        assertThatThrownBy(
                        () ->
                                RfmDistribution.exact(
                                        1, Map.of(1L, -1L, 2L, 2L), Map.of(1L, 1L), Map.of(1L, 1L)))
                .hasMessageContaining("negative");
    }

    @Test
    void corruptBytesAreRejected() {
        byte[] good = exactOf(List.of(new long[] {1, 2, 3}, new long[] {4, 5, 6})).toByteArray();
        assertThatThrownBy(() -> RfmDistribution.fromByteArray(new byte[] {9, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 9");
        assertThatThrownBy(
                        () ->
                                RfmDistribution.fromByteArray(
                                        java.util.Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(
                        () ->
                                RfmDistribution.fromByteArray(
                                        java.util.Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trailing");
    }
}
