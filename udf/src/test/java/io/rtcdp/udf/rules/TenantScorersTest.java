package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.LogisticRegressionServable;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.testing.Models;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TenantScorersTest {
    final SplittableRandom random = new SplittableRandom(11);
    final Map<String, String> set = new LinkedHashMap<>();
    final List<String> unset = new ArrayList<>();

    LogisticModel model(String name, long version) {
        return Models.random(name, version, 0, random);
    }

    static TenantScorers scorers(LogisticModel purchase, LogisticModel churn) {
        return new TenantScorers(
                new TenantScorers.Scorer[] {
                    purchase == null ? null : scorer(purchase), churn == null ? null : scorer(churn)
                });
    }

    static TenantScorers.Scorer scorer(LogisticModel m) {
        return TenantScorers.Scorer.of(new LogisticRegressionServable(m));
    }

    DecisionState state() {
        DecisionState st = new DecisionState();
        st.values = new ProfileValues();
        for (int slot = 0; slot < ProfileValues.SLOTS; slot++) {
            if (slot != ProfileValues.TOP_CATEGORY) {
                st.values.set(slot, random.nextLong(0, 5_000_000_000L));
            }
        }
        return st;
    }

    /** The probability and reasons the model gives the profile, computed here from scratch. */
    static String[] expected(LogisticModel m, ProfileValues values) {
        double[] x = new double[m.spec().features().size()];
        m.spec().builder().build(values, x);
        long[] key = new long[LogisticModel.REASONS_KEY_LENGTH];
        double p = m.scoreWithReasonsKey(x, key);
        return new String[] {LogisticModel.formatProbability(p), m.formatReasons(key)};
    }

    @Test
    void everyFieldFirstThenOnlyWhatChanged() {
        LogisticModel purchase = model("purchase", 3);
        LogisticModel churn = model("churn", 4);
        TenantScorers s = scorers(purchase, churn);
        assertThat(s.count()).isEqualTo(2);
        DecisionState st = state();
        double[] p = s.score(st, false, set, unset);

        String[] ep = expected(purchase, st.values);
        String[] ec = expected(churn, st.values);
        assertThat(set)
                .containsExactly(
                        Map.entry("score.purchase", ep[0]),
                        Map.entry("model.purchase", "3"),
                        Map.entry("reasons.purchase", ep[1]),
                        Map.entry("score.churn", ec[0]),
                        Map.entry("model.churn", "4"),
                        Map.entry("reasons.churn", ec[1]));
        assertThat(unset).isEmpty();
        assertThat(LogisticModel.formatProbability(p[0])).isEqualTo(ep[0]);
        assertThat(TenantScorers.written(st)).containsExactly(p);

        // the same profile again: nothing to write; with full, everything
        set.clear();
        s.score(st, false, set, unset);
        assertThat(set).isEmpty();
        s.score(st, true, set, unset);
        assertThat(set).hasSize(6);

        // a new version of one model: its version and reasons are written again
        set.clear();
        scorers(model("purchase", 5), churn).score(st, false, set, unset);
        assertThat(set).containsKeys("score.purchase", "model.purchase", "reasons.purchase");
        assertThat(set.get("model.purchase")).isEqualTo("5");
        assertThat(set).doesNotContainKeys("score.churn", "model.churn", "reasons.churn");
    }

    /**
     * The churn model reads the purchase model's inputs (the default lists are the same): built
     * once and copied, it scores as the churn model alone does, profile after profile (the buffers
     * are reused).
     */
    @Test
    void aModelWithTheSameInputsAsAnEarlierOneScoresAsItDoesAlone() {
        LogisticModel churn = model("churn", 1);
        TenantScorers both = scorers(model("purchase", 1), churn);
        TenantScorers alone = scorers(null, churn);
        for (int profile = 0; profile < 20; profile++) {
            DecisionState st = state();
            DecisionState same = new DecisionState();
            same.values = st.values;
            double[] p = both.score(st, false, set, unset);
            double[] q = alone.score(same, false, new LinkedHashMap<>(), unset);
            assertThat(p[1]).isEqualTo(q[1]);
            assertThat(LogisticModel.formatProbability(p[1]))
                    .isEqualTo(expected(churn, st.values)[0]);
        }
    }

    @Test
    void aModelTheTenantNoLongerHasLosesItsFields() {
        DecisionState st = state();
        scorers(model("purchase", 1), model("churn", 1)).score(st, false, set, unset);
        set.clear();
        TenantScorers onlyChurn = scorers(null, model("churn", 1));
        double[] p = onlyChurn.score(st, false, set, unset);
        assertThat(p[0]).isNaN();
        assertThat(unset).containsExactly("score.purchase", "model.purchase", "reasons.purchase");
        assertThat(st.scores).containsOnlyKeys("churn");
        assertThat(onlyChurn.count()).isEqualTo(1);
        assertThat(TenantScorers.written(st)[0]).isNaN();
    }
}
