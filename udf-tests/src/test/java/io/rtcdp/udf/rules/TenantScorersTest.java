package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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

    /**
     * The model with an order calendar (10 orders a day, 20 a day in days 135–164), and all
     * coefficients 0: a probability of 1/2 for every profile.
     */
    static LogisticModel withCalendar(LogisticModel m) {
        long[] n = new long[800];
        java.util.Arrays.fill(n, 10);
        java.util.Arrays.fill(n, 135, 165, 20);
        return new LogisticModel(
                m.spec().withCalendar(new io.rtcdp.udf.ml.OrderCalendar(0, n)),
                m.version(),
                m.standardization(),
                new double[m.coefficients().length],
                m.trainedUntil(),
                m.metrics());
    }

    @Test
    void aModelWithAnOrderCalendarIsServedCalibratedAsOfTheProfile() {
        LogisticModel purchase = withCalendar(model("purchase", 3));
        LogisticModel churn = withCalendar(model("churn", 4));
        TenantScorers s = scorers(purchase, churn);
        DecisionState st = state();
        long day = io.rtcdp.udf.ml.LabelSpec.DAY_MILLIS;
        // as of day 500: a year before, the 90 days ahead held 30 × 20 + 60 × 10 orders, the 90
        // before 900: the churn model's factor is 4/3; the purchase model's (30 days) 2
        st.values.set(ProfileValues.AS_OF, 500 * day + 1234);
        double[] p = s.score(st, false, set, unset);
        String[] ep = expected(purchase, st.values);
        String[] ec = expected(churn, st.values);
        double rawPurchase = raw(purchase, st.values);
        double rawChurn = raw(churn, st.values);
        assertThat(rawPurchase).isEqualTo(0.5);
        assertThat(rawChurn).isEqualTo(0.5);
        assertThat(p[0]).isCloseTo(0.75, within(1e-12));
        assertThat(p[1]).isCloseTo(Math.pow(0.5, 4 / 3.0), within(1e-12));
        assertThat(set)
                .containsEntry("score.purchase", LogisticModel.formatProbability(p[0]))
                .containsEntry("score.churn", LogisticModel.formatProbability(p[1]))
                .containsEntry("reasons.purchase", ep[1]);
        // a day where the calendar cannot tell (no year of history): the model's own
        set.clear();
        st.values.set(ProfileValues.AS_OF, 300 * day);
        p = s.score(st, false, set, unset);
        assertThat(p[0]).isEqualTo(raw(purchase, st.values));
        assertThat(p[1]).isEqualTo(raw(churn, st.values));
    }

    /** The model's own probability of the profile. */
    static double raw(LogisticModel m, ProfileValues values) {
        double[] x = new double[m.spec().features().size()];
        m.spec().builder().build(values, x);
        return m.score(x);
    }

    @Test
    void modelsShareAnInputVectorOnlyWhenItIsTheSame() {
        io.rtcdp.udf.ml.BgNbd.Params p = new io.rtcdp.udf.ml.BgNbd.Params(0.6, 48, 0.2, 2.7);
        io.rtcdp.udf.ml.ModelSpec purchase =
                io.rtcdp.udf.ml.ModelSpec.extended("purchase").withBgNbd(p);
        io.rtcdp.udf.ml.ModelSpec churn = io.rtcdp.udf.ml.ModelSpec.extended("churn").withBgNbd(p);
        // the same features, but bgnbd_purchase is an order within 30 days for one, 90 the other
        assertThat(purchase.features()).isEqualTo(churn.features());
        assertThat(TenantScorers.sameInputs(purchase.builder(), churn.builder())).isFalse();
        assertThat(TenantScorers.sameInputs(purchase.builder(), purchase.builder())).isTrue();
        io.rtcdp.udf.ml.ModelSpec refitted =
                purchase.withBgNbd(new io.rtcdp.udf.ml.BgNbd.Params(0.6, 48, 0.2, 2.8));
        assertThat(TenantScorers.sameInputs(purchase.builder(), refitted.builder())).isFalse();
        // without BG/NBD inputs the horizon does not enter the vector
        assertThat(
                        TenantScorers.sameInputs(
                                io.rtcdp.udf.ml.ModelSpec.defaults("purchase").builder(),
                                io.rtcdp.udf.ml.ModelSpec.defaults("churn").builder()))
                .isTrue();
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
                        Map.entry("reasons.marketing", ep[1]),
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
        assertThat(set).hasSize(7);

        // a new version of one model: its version and reasons are written again
        set.clear();
        scorers(model("purchase", 5), churn).score(st, false, set, unset);
        assertThat(set)
                .containsKeys(
                        "score.purchase",
                        "model.purchase",
                        "reasons.purchase",
                        "reasons.marketing");
        assertThat(set.get("model.purchase")).isEqualTo("5");
        assertThat(set.get("reasons.marketing")).isEqualTo(set.get("reasons.purchase"));
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
        assertThat(unset)
                .containsExactly(
                        "score.purchase",
                        "model.purchase",
                        "reasons.purchase",
                        "reasons.marketing");
        assertThat(st.scores).containsOnlyKeys("churn");
        assertThat(onlyChurn.count()).isEqualTo(1);
        assertThat(TenantScorers.written(st)[0]).isNaN();
    }

    /**
     * With BG/NBD parameters in the purchase model, a profile with orders gets P(alive) and the
     * expected orders in the purchase horizon, written with its purchase score; without orders, or
     * without parameters, neither.
     */
    @Test
    void bgNbdFieldsComeWithThePurchaseScoreOfProfilesWithOrders() {
        io.rtcdp.udf.ml.BgNbd.Params bg = new io.rtcdp.udf.ml.BgNbd.Params(0.61, 48, 0.2, 2.65);
        LogisticModel plain = model("purchase", 1);
        LogisticModel purchase =
                new LogisticModel(
                        plain.spec().withBgNbd(bg),
                        1,
                        plain.standardization(),
                        plain.coefficients(),
                        0,
                        Map.of());
        DecisionState st = state();
        // three orders, 15 days apart on average, the latest 20 days ago: x 2, t_x 30, T 50
        st.values.set(ProfileValues.ORDERS_TOTAL, 3);
        st.values.set(slot(io.rtcdp.udf.profile.ProfileFields.ORDER_GAP_DAYS), 1500);
        st.values.set(slot(io.rtcdp.udf.profile.ProfileFields.DAYS_SINCE_LAST_ORDER), 20);
        io.rtcdp.udf.ml.BgNbd.Customer c = new io.rtcdp.udf.ml.BgNbd.Customer(2, 30, 50);
        TenantScorers s = scorers(purchase, null);
        s.score(st, false, set, unset);
        assertThat(set)
                .containsEntry("score.p_alive", fourDecimals(io.rtcdp.udf.ml.BgNbd.pAlive(bg, c)))
                .containsEntry(
                        "score.expected_orders",
                        fourDecimals(io.rtcdp.udf.ml.BgNbd.expectedPurchases(bg, c, 30)));
        // nothing changed: nothing written
        set.clear();
        s.score(st, false, set, unset);
        assertThat(set).isEmpty();

        // without orders (no days since the last one) or without parameters: neither
        DecisionState none = state();
        none.values.set(ProfileValues.ORDERS_TOTAL, 0);
        ProfileValues without = new ProfileValues();
        for (int slot = 0; slot < ProfileValues.SLOTS; slot++) {
            if (slot != ProfileValues.TOP_CATEGORY
                    && slot != slot(io.rtcdp.udf.profile.ProfileFields.DAYS_SINCE_LAST_ORDER)) {
                without.set(slot, none.values.unscaled(slot));
            }
        }
        none.values = without;
        set.clear();
        s.score(none, true, set, unset);
        assertThat(set).containsKey("score.purchase").doesNotContainKeys("score.p_alive");
        assertThat(unset).contains("score.p_alive", "score.expected_orders");
        set.clear();
        scorers(plain, null).score(state(), false, set, unset);
        assertThat(set).containsKey("score.purchase").doesNotContainKeys("score.p_alive");
    }

    @Test
    void fourDecimalsIsBigDecimalsHalfEvenRounding() {
        java.util.List<Double> values = new java.util.ArrayList<>();
        for (double v :
                new double[] {
                    0,
                    1,
                    0.5,
                    0.00005,
                    0.00015,
                    0.00025,
                    1.23455,
                    2.5,
                    0.1,
                    0.99995,
                    0.999949999,
                    9999.99995,
                    99999.99995,
                    123456.78905,
                    1e9,
                    0.0001,
                    0.00049999999,
                    12.3
                }) {
            values.add(v);
            values.add(Math.nextUp(v));
            values.add(Math.nextDown(Math.max(v, Double.MIN_VALUE)));
        }
        for (int i = 0; i < 200_000; i++) {
            values.add(random.nextDouble());
            values.add(random.nextDouble() * 1000);
            // the ties of four decimals and their neighbours
            double tie = (random.nextLong(0, 100_000_000L) + 0.5) / 10_000;
            values.add(tie);
            values.add(Math.nextUp(tie));
            values.add(Math.nextDown(tie));
        }
        for (double v : values) {
            assertThat(TenantScorers.fourDecimals(v))
                    .as("%s", v)
                    .isEqualTo(TenantScorers.exactFourDecimals(v));
        }
    }

    private static int slot(String field) {
        return io.rtcdp.udf.profile.ProfileFields.FEATURE_FIELDS.indexOf(field);
    }

    private static String fourDecimals(double v) {
        return new java.math.BigDecimal(v)
                .setScale(4, java.math.RoundingMode.HALF_EVEN)
                .stripTrailingZeros()
                .toPlainString();
    }

    /** Only scores of a model with BG/NBD inputs depend on the tenant's live fit. */
    @Test
    void theScoresDependOnTheFitOnlyWithAModelWithBgNbdInputs() {
        LogisticModel plain = model("purchase", 1);
        assertThat(plain.spec().usesBgNbd()).isFalse();
        TenantScorers.Scorer[] without = {scorer(plain), null};
        assertThat(new TenantScorers(without, 42).scoringFit()).isZero();

        io.rtcdp.udf.ml.ModelSpec spec =
                io.rtcdp.udf.ml.ModelSpec.extended("purchase")
                        .withBgNbd(new io.rtcdp.udf.ml.BgNbd.Params(0.6, 48, 0.2, 2.6));
        int n = spec.features().size();
        LogisticModel bgNbd =
                new LogisticModel(
                        spec,
                        1,
                        io.rtcdp.udf.ml.Standardization.identity(n),
                        new double[n + 1],
                        0,
                        Map.of());
        TenantScorers.Scorer[] with = {scorer(bgNbd), null};
        assertThat(new TenantScorers(with, 42).scoringFit()).isEqualTo(42);
        assertThat(new TenantScorers(with).scoringFit()).isZero();
    }
}
