package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MarketingDistributionTest {

    /** Skewed like purchase probabilities: most near 0, a tail, and many exactly equal. */
    private static double probability(SplittableRandom r) {
        if (r.nextInt(4) == 0) {
            return 0.0123; // a quarter of the profiles alike (e.g. one visit, no order)
        }
        double u = r.nextDouble();
        return u * u * u * 0.9;
    }

    /** The exact mid-rank: share below plus half the share equal. */
    private static double exactMidRank(double[] sorted, double p) {
        int below = 0;
        int equal = 0;
        for (double q : sorted) {
            if (q < p) {
                below++;
            } else if (q == p) {
                equal++;
            }
        }
        return (below + equal / 2.0) / sorted.length;
    }

    @Test
    void scoresAreWithinOnePercentOfTheExactMidRankSummedOverSubtasks() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 5000;
        double[] current = new double[n];
        MarketingDistribution[] subtasks = new MarketingDistribution[4];
        for (int i = 0; i < subtasks.length; i++) {
            subtasks[i] = new MarketingDistribution();
        }
        for (int i = 0; i < n; i++) {
            current[i] = probability(r);
            subtasks[i % 4].add(MarketingDistribution.bin(current[i]), 1);
        }
        // each profile's probability changes a few times: the old bin out, the new in, on the
        // subtask that holds the profile now (profiles moved by a rescale leave from another)
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < n; i++) {
                double next = probability(r);
                subtasks[(i + round) % 4].add(MarketingDistribution.bin(current[i]), -1);
                subtasks[(i + round + 1) % 4].add(MarketingDistribution.bin(next), 1);
                current[i] = next;
            }
        }
        MarketingDistribution tenant = new MarketingDistribution();
        for (MarketingDistribution s : subtasks) {
            tenant.addAll(MarketingDistribution.fromBytes(s.toBytes()));
        }
        assertThat(tenant.total()).isEqualTo(n);
        MarketingDistribution.Ranks ranks = tenant.ranks();
        assertThat(
                        MarketingDistribution.distance(
                                ranks, MarketingDistribution.ranksFromBytes(tenant.toBytes())))
                .isZero();
        double[] sorted = current.clone();
        Arrays.sort(sorted);
        int tieBin = MarketingDistribution.bin(0.0123);
        double worst = 0;
        for (double p : current) {
            double exact = exactMidRank(sorted, p);
            double error = Math.abs(ranks.midRank(p) - exact);
            worst = Math.max(worst, error);
            // the guarantee: within half of the bin's share of the exact mid-rank
            int bin = MarketingDistribution.bin(p);
            assertThat(error).isLessThanOrEqualTo(tenant.count(bin) / (2.0 * n) + 1e-12);
            if (bin != tieBin) {
                assertThat(Math.abs(ranks.score(p) / 1000.0 - exact)).isLessThanOrEqualTo(0.01);
            }
        }
        // the equal ones share one score, their exact mid-rank when their bin holds only them
        assertThat(ranks.score(0.0123) / 1000.0)
                .isCloseTo(exactMidRank(sorted, 0.0123), org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void equalProbabilitiesShareTheirMidRank() {
        MarketingDistribution d = new MarketingDistribution();
        d.add(MarketingDistribution.bin(0.1), 3);
        d.add(MarketingDistribution.bin(0.5), 1);
        MarketingDistribution.Ranks ranks = d.ranks();
        assertThat(ranks.midRank(0.1)).isEqualTo(1.5 / 4);
        assertThat(ranks.midRank(0.5)).isEqualTo(3.5 / 4);
        assertThat(ranks.score(0.5)).isEqualTo(875);
        assertThat(new MarketingDistribution().ranks().midRank(0.5)).isNaN();
    }

    /**
     * Online Retail II has 249 customers with one equal probability and one a little above them
     * (7.7e-7): its score is above theirs, not in their middle.
     */
    @Test
    void aProfileNextToACrowdOfEqualOnesIsRankedAboveThem() {
        MarketingDistribution d = new MarketingDistribution();
        d.add(MarketingDistribution.bin(0.01), 1000);
        d.add(MarketingDistribution.bin(0.035294470274), 249);
        d.add(MarketingDistribution.bin(0.035295235867), 1);
        d.add(MarketingDistribution.bin(0.5), 750);
        MarketingDistribution.Ranks ranks = d.ranks();
        assertThat(ranks.midRank(0.035295235867)).isEqualTo((1000 + 249 + 0.5) / 2000);
        assertThat(ranks.midRank(0.035294470274)).isEqualTo((1000 + 124.5) / 2000);
    }

    @Test
    void binsCoverZeroToOneInOrder() {
        assertThat(MarketingDistribution.bin(0)).isZero();
        assertThat(MarketingDistribution.bin(1)).isEqualTo(MarketingDistribution.BINS - 1);
        assertThat(MarketingDistribution.bin(0.5)).isEqualTo(1 + 12 * 10_000_000);
        int last = -1;
        for (double p = 0; p <= 1; p += 1e-4) {
            int b = MarketingDistribution.bin(p);
            assertThat(b).isGreaterThanOrEqualTo(last);
            last = b;
        }
        assertThatThrownBy(() -> MarketingDistribution.bin(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MarketingDistribution.bin(1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void distanceIsTheLargestMoveOfAnyScore() {
        MarketingDistribution a = new MarketingDistribution();
        a.add(MarketingDistribution.bin(0.1), 50);
        a.add(MarketingDistribution.bin(0.9), 50);
        MarketingDistribution b = a.copy();
        assertThat(MarketingDistribution.distance(a.ranks(), b.ranks())).isZero();
        b.add(MarketingDistribution.bin(0.2), 100);
        // from the bin of 0.1 to that of 0.2: 50/100 in a, 50/200 in b
        assertThat(MarketingDistribution.distance(a.ranks(), b.ranks())).isEqualTo(0.25);
        assertThat(MarketingDistribution.distance(a.ranks(), new MarketingDistribution().ranks()))
                .isEqualTo(1);
    }

    @Test
    void negativeCountsRoundTripAndCorruptBytesAreRefused() {
        MarketingDistribution d = new MarketingDistribution();
        d.add(7, -3);
        d.add(MarketingDistribution.BINS - 1, 1L << 40);
        assertThat(MarketingDistribution.fromBytes(d.toBytes())).isEqualTo(d);
        assertThatThrownBy(() -> MarketingDistribution.fromBytes(new byte[] {9}))
                .isInstanceOf(IllegalArgumentException.class);
        // a bin beyond the last
        assertThatThrownBy(
                        () ->
                                MarketingDistribution.fromBytes(
                                        new byte[] {1, 1, -1, -1, -1, -1, 15, 2}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MarketingDistribution.fromBytes(new byte[] {1, 3, 0}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Counts moved in and out of bins at random, as subtasks do (a count may go below zero, and
     * back), against a sorted map of the non-zero counts: the same counts, bins, total, bytes and
     * ranks after every step, and the sum of two halves equal to the whole.
     */
    @Test
    void countsFollowEveryMoveAsASortedMapOfTheNonZeroBinsDoes() {
        SplittableRandom r = new SplittableRandom(5);
        MarketingDistribution d = new MarketingDistribution();
        MarketingDistribution even = new MarketingDistribution();
        MarketingDistribution odd = new MarketingDistribution();
        TreeMap<Integer, Long> expected = new TreeMap<>();
        int[] bins = new int[200];
        for (int i = 0; i < bins.length; i++) {
            bins[i] =
                    i < 2
                            ? i * (MarketingDistribution.BINS - 1)
                            : r.nextInt(MarketingDistribution.BINS);
        }
        for (int step = 0; step < 20_000; step++) {
            int bin = bins[r.nextInt(bins.length)];
            long delta = r.nextInt(7) - 3;
            d.add(bin, delta);
            (step % 2 == 0 ? even : odd).add(bin, delta);
            long now = expected.getOrDefault(bin, 0L) + delta;
            if (now == 0) {
                expected.remove(bin);
            } else {
                expected.put(bin, now);
            }
            assertThat(d.count(bin)).isEqualTo(expected.getOrDefault(bin, 0L));
            if (step % 1000 == 0) {
                assertSame(d, expected);
            }
        }
        assertSame(d, expected);
        MarketingDistribution sum = even.copy();
        sum.addAll(odd);
        assertThat(sum).isEqualTo(d).hasSameHashCodeAs(d);
        assertSame(MarketingDistribution.fromBytes(d.toBytes()), expected);
    }

    private static void assertSame(MarketingDistribution d, TreeMap<Integer, Long> expected) {
        assertThat(d.size()).isEqualTo(expected.size());
        assertThat(d.isEmpty()).isEqualTo(expected.isEmpty());
        assertThat(d.total())
                .isEqualTo(expected.values().stream().mapToLong(Long::longValue).sum());
        MarketingDistribution rebuilt = new MarketingDistribution();
        for (Map.Entry<Integer, Long> e : expected.entrySet()) {
            assertThat(d.count(e.getKey())).isEqualTo(e.getValue());
            rebuilt.add(e.getKey(), e.getValue());
        }
        assertThat(d).isEqualTo(rebuilt).hasSameHashCodeAs(rebuilt);
        assertThat(d.toBytes()).isEqualTo(rebuilt.toBytes());
        // ranks count a bin below zero as empty; distance is 1 to an empty distribution
        long ranked = expected.values().stream().mapToLong(c -> Math.max(0, c)).sum();
        assertThat(d.ranks().total()).isEqualTo(ranked);
        assertThat(MarketingDistribution.distance(d.ranks(), rebuilt.ranks()))
                .isEqualTo(ranked == 0 ? 1.0 : 0.0);
    }

    @Test
    void aZeroDeltaAddsNoBin() {
        MarketingDistribution d = new MarketingDistribution();
        d.add(42, 0);
        assertThat(d.isEmpty()).isTrue();
        assertThat(d.size()).isZero();
        assertThat(d).isEqualTo(new MarketingDistribution());
    }
}
