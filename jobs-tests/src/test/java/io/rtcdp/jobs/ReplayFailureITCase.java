package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
                rows.append(SqlFeatureOracle.eventRow(Integer.toString(r.person()), n));
                valid++;
            }
        }
        Files.writeString(tmp.resolve("ev.csv"), rows.toString(), StandardCharsets.UTF_8);

        long now = gen.suggestedNow();
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> now).build())
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300))
                        .build();
        Configuration restarts = new Configuration();
        restarts.setString("restart-strategy.type", "fixed-delay");
        restarts.setString("restart-strategy.fixed-delay.attempts", "5");
        restarts.setString("restart-strategy.fixed-delay.delay", "200 ms");

        // kill the TaskManager once the first checkpoint is complete and some profiles are in
        // Redis, then give the cluster a new one to restart on
        Path work = tmp.resolve("work");
        TaskManagerKiller killer =
                TaskManagerKiller.start(
                        cluster, work.resolve("checkpoints"), () -> REDIS.client().dbSize() >= 500);
        Replay.Summary summary =
                Replay.run(
                        cfg,
                        List.of(input),
                        tmp.resolve("dlq.jsonl"),
                        tmp.resolve("conflicts.jsonl"),
                        work,
                        restarts);
        killer.assertKilledBefore(System.nanoTime());

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
        String load = SqlFeatureOracle.loadEventRows(tmp.resolve("ev.csv"));
        Map<String, Map<String, String>> expected = SqlFeatureOracle.compute(tmp, load, asOf);
        assertThat(SqlFeatureOracle.mismatches(expected, actual)).isEmpty();
        long eventsTotal = 0;
        for (Map<String, String> h : actual.values()) {
            eventsTotal += Long.parseLong(h.get("f.events_total"));
        }
        assertThat(eventsTotal).isEqualTo(valid);
        // dead letters are at-least-once: after the restart some may be written twice, none lost
        try (Stream<String> lines = Files.lines(tmp.resolve("dlq.jsonl"))) {
            assertThat(lines.distinct().count()).isEqualTo(gen.badCount());
        }
        assertThat(summary.valid()).isPositive();
    }
}
