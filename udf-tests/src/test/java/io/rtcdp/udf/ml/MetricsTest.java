package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void handComputedExamples() {
        double[] p = {0.9, 0.8, 0.8, 0.3, 0.1};
        int[] y = {1, 0, 1, 0, 0};
        // Pairs (pos, neg): 0.9 beats all 3; 0.8 beats 0.3, 0.1, ties 0.8 -> 2.5; total 5.5 / 6.
        assertThat(Metrics.auc(p, y, 5)).isCloseTo(5.5 / 6, within(1e-12));
        double ll =
                -(Math.log(0.9) + Math.log(0.2) + Math.log(0.8) + Math.log(0.7) + Math.log(0.9))
                        / 5;
        assertThat(Metrics.logLoss(p, y, 5)).isCloseTo(ll, within(1e-12));
        // Bins: 0.9 -> [0.9,1]: |0.9-1|; 0.8,0.8 -> [0.8,0.9): |1.6-1|; 0.3: |0.3-0|; 0.1: |0.1-0|.
        assertThat(Metrics.ece(p, y, 5)).isCloseTo((0.1 + 0.6 + 0.3 + 0.1) / 5, within(1e-12));
        // Top decile of 5 = 1 item (0.9, positive): rate 1 / (2/5) = 2.5.
        assertThat(Metrics.lift(p, y, 5)).isCloseTo(2.5, within(1e-12));
        // Ties at the boundary share their positive rate: top 1 of {0.8 pos, 0.8 neg} -> 0.5.
        assertThat(Metrics.lift(new double[] {0.8, 0.8, 0.1}, new int[] {1, 0, 0}, 3))
                .isCloseTo(0.5 / (1.0 / 3), within(1e-12));
        assertThat(Metrics.auc(new double[] {0.1, 0.2}, new int[] {1, 1}, 2)).isNaN();
    }

    @Test
    void windowKeepsTheMostRecentPairs() {
        ModelQuality q = ModelQuality.window(3);
        for (double p : List.of(0.9, 0.1, 0.8, 0.2, 0.7)) {
            q.add(p, p > 0.5 ? 0 : 1);
        }
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.total()).isEqualTo(5);
        // Window = (0.8,0), (0.2,1), (0.7,0): the positive scores lowest.
        assertThat(q.report().auc()).isZero();
    }

    @Property(tries = 300)
    void aucEqualsBruteForcePairCount(
            @ForAll @Size(min = 2, max = 60) List<@IntRange(min = 0, max = 9) Integer> scores,
            @ForAll long seed) {
        int n = scores.size();
        double[] s = new double[n];
        int[] y = new int[n];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            s[i] = scores.get(i) / 10.0;
            y[i] = r.nextBoolean() ? 1 : 0;
        }
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] == 1 && y[j] == 0) {
                    pairs++;
                    wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        double auc = Metrics.auc(s, y, n);
        if (pairs == 0) {
            assertThat(auc).isNaN();
        } else {
            assertThat(auc).isCloseTo(wins / pairs, within(1e-12));
        }
    }
}
