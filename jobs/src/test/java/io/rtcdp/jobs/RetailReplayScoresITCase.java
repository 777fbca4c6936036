package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.ml.Backtest;
import io.rtcdp.udf.ml.History;
import io.rtcdp.udf.ml.Metrics;
import io.rtcdp.udf.ml.ModelIo;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.profile.RedisKeys;
import io.rtcdp.udf.retail.RetailImporter;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving path against the offline evaluation (issue 14): {@code rtcdp evaluate}'s online
 * models at 2011-09-01 ({@code --out}), served by a replay of Online Retail II's events before that
 * cutoff (with BG/NBD's live fit on, as by default), and every customer's {@code score.purchase}
 * and {@code score.churn} read back from Redis, scored against what happened after the cutoff: the
 * AUC {@code evaluate} reports within 0.005, log-loss within 0.01, lift within 0.05. ECE: purchase
 * within 0.005; churn within 0.02 — the replay scores each profile as of its last event (on average
 * 0.3 days before the cutoff), {@code evaluate} at the cutoff itself, and the churn model's recency
 * inputs (whole days) move a part of the customers by a day (measured: +0.014 at 2011-09-01, -0.008
 * at 2011-06-01; AUC within 0.0004 at both).
 */
class RetailReplayScoresITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    static final long CUTOFF = Instant.parse("2011-09-01T00:00:00Z").toEpochMilli();

    @TempDir Path tmp;

    @Test
    void scoresWrittenByAReplayHaveEvaluatesQuality() throws Exception {
        Path events = tmp.resolve("retail.jsonl.gz");
        RetailImporter.run(RetailReplayITCase.CSV.toAbsolutePath().normalize(), events, "retail");
        History h = History.read(List.of(events), new EventParser(ParserConfig.defaults()));
        List<Backtest.Evaluation> evaluated =
                Backtest.evaluate(
                        h,
                        List.of(ModelSpec.extended("purchase"), ModelSpec.extended("churn")),
                        CUTOFF,
                        Backtest.Config.defaults());
        Path models = tmp.resolve("models");
        for (Backtest.Evaluation e : evaluated) {
            ModelIo.write(e.onlineModel(), models.resolve(e.spec().name()));
        }

        // the events before the cutoff, and every customer's order times (for the labels)
        ObjectMapper json = new ObjectMapper();
        Path before = tmp.resolve("before.jsonl.gz");
        Map<String, List<Long>> orders = new HashMap<>();
        TreeSet<String> seen = new TreeSet<>();
        try (BufferedReader r =
                        new BufferedReader(
                                new InputStreamReader(
                                        new GZIPInputStream(Files.newInputStream(events)),
                                        StandardCharsets.UTF_8));
                BufferedWriter w =
                        new BufferedWriter(
                                new OutputStreamWriter(
                                        new GZIPOutputStream(Files.newOutputStream(before)),
                                        StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode n = json.readTree(line);
                long ts = Instant.parse(n.path("ts").asText()).toEpochMilli();
                String customer = n.path("ids").path("user_id").asText();
                if (n.path("name").asText().equals("order_completed")) {
                    orders.computeIfAbsent(customer, c -> new ArrayList<>()).add(ts);
                }
                if (ts < CUTOFF) {
                    seen.add(customer);
                    w.write(line);
                    w.newLine();
                }
            }
        }

        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(5))
                        .set(RtcdpOptions.MODELS_DIR, models.toString())
                        // the evaluated models as they are: no versions learned on top
                        .set(RtcdpOptions.LEARNING_ENABLED, false)
                        .build();
        Replay.run(
                cfg,
                List.of(before),
                tmp.resolve("dlq.jsonl"),
                tmp.resolve("conflicts.jsonl"),
                tmp.resolve("work"),
                FlinkTestCluster.noRestarts());

        var redis = REDIS.client();
        RedisKeys keys = new RedisKeys("rtcdp");
        for (Backtest.Evaluation e : evaluated) {
            String name = e.spec().name();
            long horizon = e.spec().label().horizonMillis();
            double[] p = new double[seen.size()];
            int[] y = new int[seen.size()];
            int n = 0;
            for (String customer : seen) {
                String oneid = redis.get(keys.id("retail", "user_id", customer));
                assertThat(oneid).as("id key of customer %s", customer).isNotNull();
                String score = redis.hget(keys.profile("retail", oneid), "score." + name);
                assertThat(score).as("score.%s of customer %s", name, customer).isNotNull();
                boolean ordered = false;
                for (long t : orders.getOrDefault(customer, List.of())) {
                    ordered |= t > CUTOFF && t <= CUTOFF + horizon;
                }
                p[n] = Double.parseDouble(score);
                y[n] = name.equals("purchase") == ordered ? 1 : 0;
                n++;
            }
            Metrics.Report served = Metrics.report(p, y, n);
            Metrics.Report offline = e.online();
            System.out.printf(
                    "%s at 2011-09-01: evaluate %s%n  replay %s%n", name, offline, served);
            assertThat(served.count()).isEqualTo(offline.count());
            assertThat(served.positives()).isEqualTo(offline.positives());
            assertThat(served.auc()).as(name + " AUC").isCloseTo(offline.auc(), within(0.005));
            assertThat(served.logLoss())
                    .as(name + " log-loss")
                    .isCloseTo(offline.logLoss(), within(0.01));
            assertThat(served.lift()).as(name + " lift").isCloseTo(offline.lift(), within(0.05));
            assertThat(served.ece())
                    .as(name + " ECE")
                    .isCloseTo(offline.ece(), within(name.equals("purchase") ? 0.005 : 0.02));
        }
    }
}
