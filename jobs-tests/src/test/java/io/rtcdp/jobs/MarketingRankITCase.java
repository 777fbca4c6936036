package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.params.ScanParams;

/**
 * {@code score.marketing} is a rank within the whole tenant, not within a subtask: a replay of a
 * few thousand profiles at parallelism 4 ends with every profile's score within 1 % of the exact
 * mid-rank of its purchase probability among all of the tenant's profiles, read back from Redis.
 */
class MarketingRankITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir Path tmp;

    @Test
    void everyProfileIsRankedWithinTheWholeTenant() throws Exception {
        long start = 1_780_000_000_000L;
        PopulationGenerator gen =
                PopulationGenerator.builder()
                        .seed(5)
                        .tenant("acme")
                        .persons(3000)
                        .events(30_000)
                        .startMillis(start)
                        .duration(Duration.ofDays(90))
                        .build();
        Path input = tmp.resolve("events.jsonl");
        PopulationGenerator.writeJsonl(gen.iterator(), input);
        Path models = tmp.resolve("models");
        ScoresOracle.writeModels(models);
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 4)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
                        .set(RtcdpOptions.MODELS_DIR, models.toString())
                        .set(RtcdpOptions.MARKETING_SHARE_INTERVAL, Duration.ofMillis(200))
                        .build();
        Replay.Summary summary =
                Replay.run(
                        cfg,
                        List.of(input),
                        tmp.resolve("dlq.jsonl"),
                        tmp.resolve("conflicts.jsonl"),
                        tmp.resolve("work"),
                        FlinkTestCluster.noRestarts());
        assertThat(summary.valid()).isPositive();

        var redis = REDIS.client();
        Map<String, Map<String, String>> profiles = new HashMap<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            var page =
                    redis.scan(cursor, new ScanParams().match("rtcdp:acme:profile:*").count(1000));
            for (String key : page.getResult()) {
                profiles.put(key, redis.hgetAll(key));
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        assertThat(profiles).hasSizeGreaterThan(1500);
        ScoresOracle.check(profiles);
        double worst = ScoresOracle.checkMarketingRanks(profiles, 0.01);
        assertThat(worst).as("the largest difference from the exact rank").isLessThan(0.01);
    }
}
