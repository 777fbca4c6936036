package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.operators.testutil.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import io.rtcdp.udf.profile.RedisKeys;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once where it counts: a replay whose TaskManager is killed after the first checkpoint,
 * and restarted from it, must leave every profile in Redis exactly as an SQL computation over the
 * unique valid events says — no event lost, none counted twice, no stale field left behind.
 */
class ReplayFailureITCase {
    static final long START =
            OffsetDateTime.parse("2024-01-01T00:00:00Z").toInstant().toEpochMilli();
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir Path tmp;

    @Test
    void aTaskManagerFailureLosesAndDoublesNothing(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        PopulationGenerator gen =
                PopulationGenerator.builder()
                        .seed(11)
                        .tenant("acme")
                        .persons(3000)
                        .events(200_000)
                        .startMillis(START)
                        .duration(Duration.ofDays(60))
                        .duplicateFraction(0.02)
                        .outOfOrder(0.05, Duration.ofHours(1))
                        .badFraction(0.005)
                        .build();
        Path input = tmp.resolve("events.jsonl");
        PopulationGenerator.writeJsonl(gen.iterator(), input);
        Map<Integer, String> userIdOf = new HashMap<>();
        StringBuilder rows = new StringBuilder();
        long valid = 0;
        for (GeneratedRecord r : gen) {
            if (r.kind() == GeneratedRecord.Kind.VALID) {
                JsonNode n = JSON.readTree(r.json());
                userIdOf.putIfAbsent(r.person(), n.get("ids").get("user_id").asText());
                rows.append(csvRow(r.person(), n));
                valid++;
            }
        }
        Files.writeString(tmp.resolve("ev.csv"), rows.toString(), StandardCharsets.UTF_8);

        long now = gen.suggestedNow();
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> now).build())
                        .redisUrl(REDIS.url())
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(300))
                        .build();
        Configuration restarts = new Configuration();
        restarts.setString("restart-strategy.type", "fixed-delay");
        restarts.setString("restart-strategy.fixed-delay.attempts", "5");
        restarts.setString("restart-strategy.fixed-delay.delay", "200 ms");

        // kill the TaskManager once the first checkpoint is complete and some profiles are in
        // Redis, then give the cluster a new one to restart on
        Path work = tmp.resolve("work");
        java.util.concurrent.atomic.AtomicLong killedAt =
                new java.util.concurrent.atomic.AtomicLong();
        Thread killer =
                new Thread(
                        () -> {
                            try {
                                while (!checkpointExists(work.resolve("checkpoints"))
                                        || REDIS.client().dbSize() < 500) {
                                    Thread.sleep(20);
                                }
                                cluster.terminateTaskManager(0).get();
                                killedAt.set(System.nanoTime());
                                cluster.startTaskManager();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "killer");
        killer.start();
        Replay.Summary summary =
                Replay.run(
                        cfg,
                        List.of(input),
                        tmp.resolve("dlq.jsonl"),
                        tmp.resolve("conflicts.jsonl"),
                        work,
                        restarts);
        long ended = System.nanoTime();
        killer.join(10_000);
        assertThat(killedAt.get())
                .as("the TaskManager was killed while the replay ran")
                .isPositive()
                .isLessThan(ended);

        RedisKeys keys = new RedisKeys("rtcdp");
        var redis = REDIS.client();
        Map<String, Map<String, String>> actual = new HashMap<>();
        Map<String, Long> asOf = new HashMap<>();
        for (var e : userIdOf.entrySet()) {
            String oneid = redis.get(keys.id("acme", "user_id", e.getValue()));
            assertThat(oneid).isNotNull();
            Map<String, String> h = redis.hgetAll(keys.profile("acme", oneid));
            actual.put(Integer.toString(e.getKey()), h);
            asOf.put(Integer.toString(e.getKey()), Long.parseLong(h.get("as_of")));
        }
        assertThat(redis.keys("rtcdp:acme:profile:*")).hasSize(userIdOf.size());
        String load =
                String.join(
                        "\n",
                        "CREATE TABLE ev(profile TEXT, ts INTEGER, name TEXT, amount_micros"
                                + " INTEGER, category TEXT);",
                        ".mode csv",
                        ".import " + tmp.resolve("ev.csv") + " ev",
                        "UPDATE ev SET category = NULL WHERE category = '';",
                        "UPDATE ev SET amount_micros = NULL WHERE amount_micros = '';");
        Map<String, Map<String, String>> expected = SqlFeatureOracle.compute(tmp, load, asOf);
        List<String> mismatches = new ArrayList<>();
        long eventsTotal = 0;
        for (var e : expected.entrySet()) {
            Map<String, String> act = actual.get(e.getKey());
            eventsTotal += Long.parseLong(act.get("f.events_total"));
            for (String f : SqlFeatureOracle.fields()) {
                if (!Objects.equals(e.getValue().get(f), act.get(f))) {
                    mismatches.add(
                            "person "
                                    + e.getKey()
                                    + " "
                                    + f
                                    + ": expected "
                                    + e.getValue().get(f)
                                    + ", Redis "
                                    + act.get(f));
                }
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(eventsTotal).isEqualTo(valid);
        // dead letters are at-least-once: after the restart some may be written twice, none lost
        try (Stream<String> lines = Files.lines(tmp.resolve("dlq.jsonl"))) {
            assertThat(lines.distinct().count()).isEqualTo(gen.badCount());
        }
        assertThat(summary.valid()).isPositive();
    }

    private static boolean checkpointExists(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().equals("_metadata"));
        } catch (Exception e) {
            return false;
        }
    }

    static String csvRow(int person, JsonNode n) {
        JsonNode ts = n.get("ts");
        long t =
                ts.isNumber()
                        ? ts.asLong()
                        : OffsetDateTime.parse(ts.asText()).toInstant().toEpochMilli();
        String name = n.path("type").asText().equals("track") ? n.path("name").asText("") : "";
        JsonNode props = n.path("props");
        String amount = "";
        if (props.has("amount")) {
            amount =
                    new BigDecimal(props.get("amount").asText())
                            .movePointRight(6)
                            .setScale(0, RoundingMode.HALF_EVEN)
                            .toPlainString();
        }
        String category = props.has("category") ? props.get("category").asText().trim() : "";
        String quoted = category.isEmpty() ? "" : "\"" + category.replace("\"", "\"\"") + "\"";
        return person + "," + t + "," + name + "," + amount + "," + quoted + "\n";
    }
}
