package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.ml.Backtest;
import io.rtcdp.udf.ml.History;
import io.rtcdp.udf.ml.Metrics;
import io.rtcdp.udf.ml.ModelIo;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.profile.RedisKeys;
import io.rtcdp.udf.testing.RetailOrders;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The serving path against the offline evaluation (issue 14): {@code rtcdp evaluate}'s online
 * models at a cutoff ({@code --out}: with their order calendar, so served seasonally calibrated),
 * served by a replay of Online Retail II to that cutoff ({@code replay --until}: the events up to
 * it, every profile brought to it at the end; BG/NBD's live fit on, as by default), and every
 * customer's {@code score.purchase} and {@code score.churn} read back from Redis, scored against
 * what happened after the cutoff, at both of issue 14's cutoffs: AUC, ECE and log-loss within 0.002
 * of what {@code evaluate} reports (issue 14 asks 0.005 for AUC and ECE), lift within 0.02.
 * Measured: within 0.00004 (the replay serves BG/NBD's live fit, {@code evaluate} its own fit at
 * the cutoff). Before 2.17 churn's ECE differed by 0.007–0.014: the replay scored profiles as of
 * the last event, not the cutoff, and the decision stage built churn's {@code bgnbd_purchase} over
 * the purchase model's 30 days, not churn's 90 (the two models share their feature list).
 */
class RetailReplayScoresITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    static Path events;
    static History history;

    @TempDir Path tmp;

    @BeforeAll
    static void importData() throws Exception {
        events = RetailOrders.imported().events();
        history = RetailOrders.history();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2011-06-01", "2011-09-01"})
    void scoresWrittenByAReplayToTheCutoffHaveEvaluatesQuality(String day) throws Exception {
        long cutoff = Instant.parse(day + "T00:00:00Z").toEpochMilli();
        List<Backtest.Evaluation> evaluated =
                Backtest.evaluate(
                        history,
                        List.of(ModelSpec.extended("purchase"), ModelSpec.extended("churn")),
                        cutoff,
                        Backtest.Config.defaults());
        Path models = tmp.resolve("models");
        for (Backtest.Evaluation e : evaluated) {
            assertThat(e.onlineModel().spec().calendar()).isNotNull();
            ModelIo.write(e.onlineModel(), models.resolve(e.spec().name()));
        }

        // who was seen by the cutoff, and the events up to it, from the history evaluate read
        java.util.BitSet seen = new java.util.BitSet();
        long upToCutoff = 0;
        for (int i = 0;
                i < history.events().size() && history.events().get(i).ts() <= cutoff;
                i++) {
            seen.set(history.person(i));
            upToCutoff++;
        }

        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(5))
                        .set(RtcdpOptions.MODELS_DIR, models.toString())
                        // the evaluated models as they are: no versions learned on top
                        .set(RtcdpOptions.LEARNING_ENABLED, false)
                        .set(RtcdpOptions.KEY_PREFIX, "c" + day.replace("-", ""))
                        .set(RtcdpOptions.REPLAY_UNTIL, day)
                        .build();
        Replay.Summary summary =
                Replay.run(
                        cfg,
                        List.of(events),
                        tmp.resolve("dlq.jsonl"),
                        tmp.resolve("conflicts.jsonl"),
                        tmp.resolve("work"),
                        FlinkTestCluster.noRestarts());

        assertThat(summary.valid()).as("events up to the cutoff").isEqualTo(upToCutoff);
        var redis = REDIS.client();
        RedisKeys keys = new RedisKeys("c" + day.replace("-", ""));
        for (Backtest.Evaluation e : evaluated) {
            String name = e.spec().name();
            long horizon = e.spec().label().horizonMillis();
            double[] p = new double[seen.cardinality()];
            int[] y = new int[p.length];
            int n = 0;
            for (int person = seen.nextSetBit(0);
                    person >= 0;
                    person = seen.nextSetBit(person + 1)) {
                String[] id = history.key(person).split(":", 2);
                String oneid = redis.get(keys.id("retail", id[0], id[1]));
                assertThat(oneid).as("id key of %s", history.key(person)).isNotNull();
                String score = redis.hget(keys.profile("retail", oneid), "score." + name);
                assertThat(score).as("score.%s of %s", name, history.key(person)).isNotNull();
                p[n] = Double.parseDouble(score);
                // the label evaluate gives the person
                y[n] = e.spec().label().label(history.orderedWithin(person, cutoff, horizon));
                n++;
            }
            Metrics.Report served = Metrics.report(p, y, n);
            Metrics.Report offline = e.online();
            System.out.printf("%s at %s: evaluate %s%n  replay %s%n", name, day, offline, served);
            assertThat(served.count()).isEqualTo(offline.count());
            assertThat(served.positives()).isEqualTo(offline.positives());
            assertThat(served.auc()).as(name + " AUC").isCloseTo(offline.auc(), within(0.002));
            assertThat(served.logLoss())
                    .as(name + " log-loss")
                    .isCloseTo(offline.logLoss(), within(0.002));
            assertThat(served.lift()).as(name + " lift").isCloseTo(offline.lift(), within(0.02));
            assertThat(served.ece()).as(name + " ECE").isCloseTo(offline.ece(), within(0.002));
            assertThat(served.ece()).as(name + " ECE, as issue 14 asks").isLessThanOrEqualTo(0.05);
        }
    }
}
