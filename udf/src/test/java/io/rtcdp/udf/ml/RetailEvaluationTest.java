package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.retail.RetailImporter;
import io.rtcdp.udf.time.Times;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance check of online scoring on real data (UCI Online Retail II): at the cutoffs
 * 2011-06-01 and 2011-09-01 the online (FTRL) model's AUC is at least the batch model's − 0.01 and
 * above the recency baseline, for both labels.
 */
class RetailEvaluationTest {
    @TempDir static Path dir;
    private static History history;

    @BeforeAll
    static void load() throws IOException {
        Path csv =
                Paths.get(
                        System.getProperty("rtcdp.retail.csv", "../data/online-retail-ii.csv.gz"));
        assertThat(csv)
                .as("the data set (data/ in the repository) at %s", csv.toAbsolutePath())
                .isReadable();
        Path events = dir.resolve("retail.jsonl.gz");
        RetailImporter.run(csv, events);
        history = History.read(List.of(events), new EventParser(ParserConfig.defaults()));
        assertThat(history.invalid()).isZero();
    }

    @Test
    void onlineModelIsAsGoodAsBatchAndBeatsRecency() {
        for (String cutoff : List.of("2011-06-01", "2011-09-01")) {
            List<Backtest.Evaluation> results =
                    Backtest.evaluate(
                            history,
                            List.of(ModelSpec.defaults("purchase"), ModelSpec.defaults("churn")),
                            Times.parseTime(cutoff),
                            Backtest.Config.defaults());
            for (Backtest.Evaluation e : results) {
                System.out.printf(
                        "%s %s persons=%d train=%d online=%s%n batch=%s%n recency=%s%n"
                                + " bg/nbd=%s (%s)%n",
                        cutoff,
                        e.spec().name(),
                        e.persons(),
                        e.trainSamples(),
                        e.online(),
                        e.batch(),
                        e.recency(),
                        e.bgNbd(),
                        e.bgNbdParams());
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
