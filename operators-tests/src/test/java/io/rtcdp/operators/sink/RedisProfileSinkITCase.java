package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.Await;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.profile.RedisKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sink in a Flink job with checkpoints, against a real redis-server: the final Redis content is
 * compared, key by key and field by field, with {@link RedisModel} applying the same updates one by
 * one.
 */
class RedisProfileSinkITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .build());

    private static final RedisKeys KEYS = new RedisKeys();

    @BeforeEach
    void cleanRedis() {
        REDIS.flushAll();
    }

    @Test
    void writesExactlyWhatSequentialApplicationGivesAndAReplayOnlyRaisesVer() throws Exception {
        UpdateSequence sequence = new UpdateSequence(42, 3000, 8);
        List<ProfileUpdate> updates = sequence.updates();
        RedisModel model = new RedisModel(KEYS).applyAll(updates);
        Set<String> everDeleted = new HashSet<>();
        for (ProfileUpdate u : updates) {
            if (u.delete()) {
                everDeleted.add(KEYS.profile(u.tenant(), u.oneid()));
            }
        }
        assertThat(everDeleted).hasSizeGreaterThan(100);
        assertThat(model.contents()).hasSizeGreaterThan(5000);

        long start = System.currentTimeMillis();
        JobID first = run(sequence, 15_000, 1000, Duration.ofMillis(20));
        long end = System.currentTimeMillis();

        Map<String, Long> vers = new HashMap<>();
        Map<String, Long> updatedAts = new HashMap<>();
        Map<String, Object> redis = RedisModel.withoutVersions(REDIS.contents(), vers, updatedAts);
        assertSameContents(redis, model);
        for (String key : vers.keySet()) {
            // Each profile's vers count up from 1 after creation, so even coalesced batches
            // end at the last one.
            assertThat(vers.get(key)).as(key).isEqualTo(model.ver(key));
            assertThat(updatedAts.get(key)).as(key).isBetween(start, end);
        }
        assertThat(sum(first, "redisRetries")).isZero();
        assertThat(sum(first, "redisProfileWrites")).isBetween(1L, (long) updates.size());

        // The same updates again, in small batches, into the same Redis.
        run(sequence, 15_000, 7, Duration.ofMillis(1));

        Map<String, Long> replayVers = new HashMap<>();
        Map<String, Object> replayed =
                RedisModel.withoutVersions(REDIS.contents(), replayVers, new HashMap<>());
        assertSameContents(replayed, model);
        for (String key : vers.keySet()) {
            if (everDeleted.contains(key)) {
                // The replayed delete wiped the hash; the writes after it count up afresh.
                assertThat(replayVers.get(key)).as(key).isEqualTo(model.ver(key));
            } else {
                assertThat(replayVers.get(key)).as(key).isGreaterThan(vers.get(key));
            }
        }
    }

    @Test
    void survivesARedisOutageWithoutLosingAnUpdateOrFailing() throws Exception {
        UpdateSequence sequence = new UpdateSequence(7, 4000, 8);
        List<ProfileUpdate> updates = sequence.updates();
        RedisModel model = new RedisModel(KEYS).applyAll(updates);

        JobClient job = start(sequence, 6000, 1000, Duration.ofMillis(20));
        Await.until(
                "the job to be writing",
                Duration.ofSeconds(60),
                () -> REDIS.client().dbSize() > 2000);
        REDIS.stop();
        // The outage: the writer fails, backs off and blocks the job meanwhile.
        Await.during(
                "a Redis outage",
                Duration.ofMillis(1500),
                () ->
                        assertThat(job.getJobStatus().get().isTerminalState())
                                .as("job ended")
                                .isFalse());
        REDIS.start();
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);

        Map<String, Long> vers = new HashMap<>();
        Map<String, Object> redis =
                RedisModel.withoutVersions(REDIS.contents(), vers, new HashMap<>());
        assertSameContents(redis, model);
        for (String key : vers.keySet()) {
            // Retried batches may raise ver further; it never ends below the last update's.
            assertThat(vers.get(key)).as(key).isGreaterThanOrEqualTo(model.ver(key));
        }
        assertThat(sum(job.getJobID(), "redisRetries")).isPositive();
    }

    private static JobID run(
            UpdateSequence sequence, double perSecond, int maxBuffered, Duration interval)
            throws Exception {
        JobClient job = start(sequence, perSecond, maxBuffered, interval);
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        return job.getJobID();
    }

    private static JobClient start(
            UpdateSequence sequence, double perSecond, int maxBuffered, Duration interval)
            throws Exception {
        Configuration conf =
                Configuration.fromMap(
                        Map.of(
                                "execution.checkpointing.interval", "100 ms",
                                "restart-strategy.type", "none",
                                "pipeline.generic-types", "false"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        DataGeneratorSource<ProfileUpdate> source =
                new DataGeneratorSource<>(
                        sequence,
                        sequence.size(),
                        RateLimiterStrategy.perSecond(perSecond),
                        ProfileUpdateSerializer.TYPE_INFO);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "updates")
                .setParallelism(1)
                // As the profile operator does: all updates of a profile through one writer.
                .keyBy(u -> u.tenant() + ':' + u.oneid(), Types.STRING)
                .sinkTo(
                        RedisProfileSink.builder()
                                .redisUrl(REDIS.url())
                                .flushInterval(interval)
                                .maxBufferedProfiles(maxBuffered)
                                .build())
                .name("redis-profiles")
                .uid("redis-profiles");
        return env.executeAsync("redis-profile-sink-itcase");
    }

    private static void assertSameContents(Map<String, Object> redis, RedisModel model) {
        assertThat(RedisModel.diff(redis, model.contents(), 20)).isEmpty();
        assertThat(redis).hasSameSizeAs(model.contents());
    }

    private static long sum(JobID job, String counter) {
        return METRICS.findMetrics(job, ".*\\." + counter).values().stream()
                .mapToLong(m -> ((Counter) m).getCount())
                .sum();
    }
}
