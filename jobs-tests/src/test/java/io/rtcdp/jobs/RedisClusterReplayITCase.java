package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.jobs.cli.CliRun;
import io.rtcdp.testing.RedisClusterExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same input replayed into a single redis-server and into a three-master Redis Cluster must
 * leave the same keys with the same contents (every key of the tenant, read master by master on the
 * cluster; {@code ver} and {@code updated_at} count writes and wall-clock time, so they are left
 * out), spread over all three masters; and {@code rtcdp profile} must print the same profile from
 * both.
 */
class RedisClusterReplayITCase {
    static final long START =
            OffsetDateTime.parse("2024-05-01T00:00:00Z").toInstant().toEpochMilli();

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();
    @RegisterExtension static final RedisClusterExtension CLUSTER = new RedisClusterExtension();

    @TempDir static Path tmp;

    @Test
    void aClusterHoldsTheSameProfilesAsASingleRedis() throws Exception {
        // Identity scenarios: anonymous cookies that log in later, shared devices, re-used phones.
        PopulationGenerator gen =
                PopulationGenerator.builder()
                        .seed(11)
                        .tenant("acme")
                        .persons(400)
                        .events(10_000)
                        .startMillis(START)
                        .duration(Duration.ofDays(30))
                        .alwaysUserId(false)
                        .sharedDevices(0.2, 3)
                        .reusedPhones(0.2)
                        .duplicateFraction(0.01)
                        .outOfOrder(0.05, Duration.ofHours(1))
                        .build();
        List<GeneratedRecord> records = new ArrayList<>();
        gen.iterator().forEachRemaining(records::add);
        long now = gen.suggestedNow();
        ParserConfig parserConfig = ParserConfig.builder().clock(() -> now).build();
        Path file = tmp.resolve("events.jsonl");
        PopulationGenerator.writeJsonl(records.iterator(), file);

        REDIS.flushAll();
        CLUSTER.flushAll();
        replay(parserConfig, file, REDIS.url(), "single");
        replay(parserConfig, file, CLUSTER.url(), "cluster");

        Map<String, Object> single = REDIS.comparableContents();
        Map<String, Object> cluster = RedisServerExtension.withoutWriteCounters(CLUSTER.contents());
        assertThat(single.keySet()).allMatch(k -> k.startsWith("rtcdp:acme:"));
        assertThat(single.keySet().stream().filter(k -> k.contains(":profile:")).count())
                .isGreaterThan(200);
        assertThat(single.keySet().stream().filter(k -> k.contains(":alias:")).count())
                .as("merges happened")
                .isPositive();
        List<String> different = new ArrayList<>();
        Set<String> keys = new TreeSet<>(single.keySet());
        keys.addAll(cluster.keySet());
        for (String key : keys) {
            Object a = single.get(key);
            Object b = cluster.get(key);
            if (!java.util.Objects.equals(a, b) && different.size() < 20) {
                different.add(key + ": single " + a + " vs cluster " + b);
            }
        }
        assertThat(different).isEmpty();

        // Spread over every master (by slot: each holds about a third).
        List<Set<String>> byNode = CLUSTER.keysByNode();
        for (Set<String> nodeKeys : byNode) {
            assertThat(nodeKeys.size()).isGreaterThan(single.size() / 5);
        }
        assertThat(byNode.stream().mapToInt(Set::size).sum()).isEqualTo(single.size());

        // rtcdp profile reads the same profile from both, its ids found by a scan of every master.
        String idKey =
                single.keySet().stream()
                        .filter(k -> k.startsWith("rtcdp:acme:id:cookie_id:"))
                        .findFirst()
                        .orElseThrow();
        String id = idKey.substring("rtcdp:acme:id:".length());
        String fromSingle = profile(id, REDIS.url());
        String fromCluster = profile(id, CLUSTER.url());
        assertThat(fromSingle).contains("ids (PII values are HMACs):").contains(id);
        assertThat(fromCluster).isEqualTo(fromSingle);
    }

    private static void replay(ParserConfig parserConfig, Path file, String url, String name)
            throws Exception {
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(parserConfig)
                        .set(RtcdpOptions.REDIS_URL, url)
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .build();
        Replay.run(
                cfg,
                List.of(file),
                tmp.resolve("dlq-" + name + ".jsonl"),
                tmp.resolve("conflicts-" + name + ".jsonl"),
                tmp.resolve("work-" + name),
                FlinkTestCluster.noRestarts());
    }

    /** {@code rtcdp profile} output without the lines of {@code ver} and {@code updated_at}. */
    private static String profile(String id, String url) {
        CliRun r = CliRun.of("profile", "--tenant", "acme", "--id", id, "--redis", url);
        assertThat(r.code()).isZero();
        return r.out()
                .lines()
                .filter(l -> !l.matches("\\s+(ver|updated_at)\\s.*"))
                .collect(Collectors.joining("\n"));
    }
}
