package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

class MarketingScoreTest {

    /** Skewed like real purchase probabilities: most near 0, a long tail. */
    private static double probability(SplittableRandom r, double shift) {
        double u = r.nextDouble();
        return Math.min(1, u * u * u * 0.6 + shift);
    }

    /** The exact inclusive rank of {@code p} among {@code seen[0..n)}, sorted. */
    private static double exactRank(double[] sorted, int n, double p) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= p) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return (double) lo / n;
    }

    @Test
    void scoreIsTheRankAmongScoresGivenWithinTheSketchAndStalenessError() {
        SplittableRandom r = new SplittableRandom(3);
        MarketingScore m = new MarketingScore();
        int n = 200_000;
        double[] seen = new double[n];
        double worst = 0;
        int checked = 0;
        for (int i = 0; i < n; i++) {
            double p = probability(r, 0);
            seen[i] = p;
            int score = m.score(p, 1);
            if (i >= 5_000 && i % 997 == 0) {
                double[] sorted = Arrays.copyOf(seen, i + 1);
                Arrays.sort(sorted);
                worst = Math.max(worst, Math.abs(score / 1000.0 - exactRank(sorted, i + 1, p)));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(150);
        // KLL k=200: about 1.3 % (99 % confidence); stale view at most 1 %; rounding 0.05 %
        assertThat(worst).isLessThan(0.03);
    }

    @Test
    void eightHundredOrMoreIsTheTopFifth() {
        SplittableRandom r = new SplittableRandom(5);
        MarketingScore m = new MarketingScore();
        for (int i = 0; i < 100_000; i++) {
            m.score(probability(r, 0), 1);
        }
        int top = 0;
        int total = 50_000;
        for (int i = 0; i < total; i++) {
            if (m.score(probability(r, 0), 1) >= 800) {
                top++;
            }
        }
        assertThat(top / (double) total).isBetween(0.18, 0.22);
    }

    @Test
    void aNewModelVersionIsRankedInThePreviousVersionsSketchUntilWarm() {
        SplittableRandom r = new SplittableRandom(9);
        MarketingScore m = new MarketingScore();
        for (int i = 0; i < 20_000; i++) {
            m.score(probability(r, 0), 1);
        }
        // 0.5 is above 94 % of version 1's probabilities (u³·0.6 ≤ 0.5 for u ≤ 0.941): a rank
        // near 940, not the 500 the probability itself would give
        int first = m.score(0.5, 2);
        assertThat(first).isGreaterThan(900);
        assertThat(m.modelVersion()).isEqualTo(2);
        for (int i = 1; i < MarketingScore.WARM_UP - 1; i++) {
            m.score(probability(r, 0.01), 2);
        }
        assertThat(m.count()).isEqualTo(MarketingScore.WARM_UP - 1);
        // warm: from here the version's own sketch ranks
        for (int i = 0; i < 20_000; i++) {
            m.score(probability(r, 0.5), 2);
        }
        assertThat(m.score(0.5, 2)).isLessThan(50);
    }

    @Test
    void withoutAnyWarmSketchTheProbabilityIsTheScore() {
        MarketingScore m = new MarketingScore();
        assertThat(m.score(0.4231, 1)).isEqualTo(423);
        assertThat(m.score(0.9, 2)).isEqualTo(900);
    }

    @Test
    void survivesSerializationAndReadsTheFirstForm() throws Exception {
        SplittableRandom r = new SplittableRandom(1);
        MarketingScore m = new MarketingScore();
        for (int i = 0; i < 5_000; i++) {
            m.score(probability(r, 0), 1);
        }
        for (int i = 0; i < 300; i++) {
            m.score(probability(r, 0), 2);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.write(new DataOutputStream(bytes));
        MarketingScore back =
                MarketingScore.read(
                        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back.modelVersion()).isEqualTo(2);
        assertThat(back.count()).isEqualTo(300);
        // the previous version's sketch came along: a third version's first score uses version 2
        assertThat(back.score(0.5, 3)).isGreaterThan(900);

        // the first form: version, then the sketch
        KllDoublesSketch k = KllDoublesSketch.newHeapInstance(200);
        for (int i = 0; i < 1_000; i++) {
            k.update(i / 1000.0);
        }
        ByteArrayOutputStream old = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(old);
        out.writeLong(7);
        byte[] b = k.toByteArray();
        out.writeInt(b.length);
        out.write(b);
        MarketingScore first =
                MarketingScore.read(
                        new DataInputStream(new ByteArrayInputStream(old.toByteArray())));
        assertThat(first.modelVersion()).isEqualTo(7);
        assertThat(first.count()).isEqualTo(1_000);
        assertThat(first.score(0.25, 7)).isBetween(230, 270);
    }

    @Test
    void rankIsTheSortedViewsInclusiveRank() {
        SplittableRandom r = new SplittableRandom(21);
        for (int size : new int[] {1, 7, 1_000, 100_000}) {
            KllDoublesSketch k = KllDoublesSketch.newHeapInstance(200);
            for (int i = 0; i < size; i++) {
                // repeated values too
                k.update(
                        r.nextBoolean()
                                ? Math.floor(probability(r, 0) * 50) / 50
                                : probability(r, 0));
            }
            var view = k.getSortedView();
            double[] q = view.getQuantiles();
            long[] w = view.getCumulativeWeights();
            for (int i = 0; i < 5_000; i++) {
                double p = i < 200 ? q[r.nextInt(q.length)] : r.nextDouble(-0.1, 1.1);
                assertThat(MarketingScore.rank(q, w, p))
                        .as("%s of %s", p, size)
                        .isEqualTo(
                                view.getRank(
                                        p,
                                        org.apache.datasketches.quantilescommon
                                                .QuantileSearchCriteria.INCLUSIVE));
            }
        }
    }

    @Test
    void aPartBatchCountsAndIsWritten() throws Exception {
        MarketingScore m = new MarketingScore();
        int n = MarketingScore.BATCH * 5 + 5; // warm, a part batch pending
        for (int i = 0; i < n; i++) {
            m.score(i / (double) n, 1);
        }
        assertThat(m.count()).isEqualTo(n);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.write(new DataOutputStream(bytes));
        MarketingScore back =
                MarketingScore.read(
                        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back.count()).isEqualTo(n);
        assertThat(back.score(0.5, 1)).isBetween(490, 510);
    }
}
