package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rtcdp.udf.testing.RetailOrders;
import io.rtcdp.udf.time.Times;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The acceptance check of online scoring on real data (UCI Online Retail II, issue 14): at the
 * cutoffs 2011-06-01 and 2011-09-01, for both labels, the online (FTRL) model with the extended
 * inputs has an AUC at least BG/NBD's + 0.005 and at least the batch model's (same inputs, same
 * snapshots), above the recency baseline, and an ECE of at most 0.05 as served (seasonally
 * calibrated by the orders per day up to the cutoff, {@link OrderCalendar}). Churn at 2011-09-01,
 * the Christmas season ahead, is where the calibration is needed: the model's own probabilities are
 * off there by twice that (docs/models.md), and calibrated they must be at least 0.03 better. The
 * RFM-style inputs alone stay within 0.01 of their batch model.
 */
class RetailEvaluationTest {
    private static History history;

    @BeforeAll
    static void load() {
        history = RetailOrders.history();
    }

    @Test
    void theOnlineModelBeatsBgNbdAndTheBatchModel() {
        for (String cutoff : List.of("2011-06-01", "2011-09-01")) {
            for (Backtest.Evaluation e :
                    evaluate(cutoff, ModelSpec.extended("purchase"), ModelSpec.extended("churn"))) {
                String what = e.spec().name() + " at " + cutoff;
                assertThat(e.online().auc())
                        .as("%s: online vs BG/NBD + 0.005", what)
                        .isGreaterThanOrEqualTo(e.bgNbd().auc() + 0.005);
                assertThat(e.online().auc())
                        .as("%s: online vs batch", what)
                        .isGreaterThanOrEqualTo(e.batch().auc());
                assertThat(e.online().auc())
                        .as("%s: online vs recency", what)
                        .isGreaterThan(e.recency().auc());
                assertThat(e.online().auc())
                        .as("%s: a monotone calibration keeps the AUC", what)
                        .isEqualTo(e.onlineUncalibrated().auc(), within(1e-12));
                assertThat(e.online().ece())
                        .as("%s: online ECE, as served", what)
                        .isLessThanOrEqualTo(0.05);
                if (e.spec().name().equals("churn") && cutoff.equals("2011-09-01")) {
                    assertThat(e.online().ece())
                            .as("%s: the Christmas season ahead, calibrated", what)
                            .isLessThanOrEqualTo(e.onlineUncalibrated().ece() - 0.03);
                }
            }
        }
    }

    /** Both models evaluated at the cutoff, each result printed. */
    private static List<Backtest.Evaluation> evaluate(
            String cutoff, ModelSpec purchase, ModelSpec churn) {
        List<Backtest.Evaluation> results =
                Backtest.evaluate(
                        history,
                        List.of(purchase, churn),
                        Times.parseTime(cutoff),
                        Backtest.Config.defaults());
        results.forEach(e -> print(cutoff, e));
        return results;
    }

    private static void print(String cutoff, Backtest.Evaluation e) {
        System.out.printf(
                "%s %s persons=%d train=%d online=%s%n online/u=%s%n batch=%s%n recency=%s%n"
                        + " bg/nbd=%s (%s)%n",
                cutoff,
                e.spec().name(),
                e.persons(),
                e.trainSamples(),
                e.online(),
                e.onlineUncalibrated(),
                e.batch(),
                e.recency(),
                e.bgNbd(),
                e.bgNbdParams());
    }

    @Test
    void withTheRfmInputsAloneTheOnlineModelIsAsGoodAsBatchAndBeatsRecency() {
        for (String cutoff : List.of("2011-06-01", "2011-09-01")) {
            for (Backtest.Evaluation e :
                    evaluate(cutoff, ModelSpec.defaults("purchase"), ModelSpec.defaults("churn"))) {
                assertThat(e.online().auc())
                        .as("%s at %s: online vs batch", e.spec().name(), cutoff)
                        .isGreaterThanOrEqualTo(e.batch().auc() - 0.01);
                assertThat(e.online().auc())
                        .as("%s at %s: online vs recency", e.spec().name(), cutoff)
                        .isGreaterThan(e.recency().auc());
            }
        }
    }
}
