package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.Await;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint of a job that wrote through {@link RedisProfileSink} (uid {@code redis-sink})
 * restores into a job that writes through {@link RedisWriteOperator} under the same uid, without
 * allowing non-restored state, and the restored job writes the rest.
 */
class RedisWriteOperatorSavepointITCase {

    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir static Path tmp;

    @Test
    void aSavepointOfTheSinkRestoresIntoTheOperator() throws Exception {
        UpdateSequence sequence = new UpdateSequence(3, 3000, 4);
        RedisModel model = new RedisModel(new RedisKeys()).applyAll(sequence.updates());
        REDIS.flushAll();

        StreamExecutionEnvironment before = env(null);
        updates(before, sequence).sinkTo(sink()).uid("redis-sink").name("redis");
        JobClient first = before.executeAsync("with-sink");
        Await.until(
                "the first job to write 100 keys",
                Duration.ofSeconds(60),
                () -> REDIS.client().dbSize() >= 100);
        String savepoint =
                first.stopWithSavepoint(
                                false,
                                tmp.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);

        StreamExecutionEnvironment after = env(savepoint);
        RedisWriteOperator.write(updates(after, sequence), sink(), "redis-sink", "redis")
                .sinkTo(new DiscardingSink<>())
                .uid("dead-letters")
                .name("dead letters");
        after.executeAsync("with-operator").getJobExecutionResult().get(120, TimeUnit.SECONDS);

        Map<String, Long> vers = new HashMap<>();
        Map<String, Object> redis =
                RedisModel.withoutVersions(REDIS.contents(), vers, new HashMap<>());
        assertThat(RedisModel.diff(redis, model.contents(), 10)).isEmpty();
        // each update was written once, so the second job went on from the savepoint (a fresh
        // start would have written the first job's profiles again, raising their ver)
        for (String key : vers.keySet()) {
            assertThat(vers.get(key)).as(key).isEqualTo(model.ver(key));
        }
    }

    private static StreamExecutionEnvironment env(String savepoint) {
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", "200 ms");
        conf.setString("restart-strategy.type", "none");
        conf.setString("pipeline.generic-types", "false");
        if (savepoint != null) {
            conf.setString("execution.state-recovery.path", savepoint);
            conf.setString("execution.state-recovery.ignore-unclaimed-state", "false");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    private static DataStream<ProfileUpdate> updates(
            StreamExecutionEnvironment env, UpdateSequence sequence) {
        DataGeneratorSource<ProfileUpdate> source =
                new DataGeneratorSource<>(
                        sequence,
                        sequence.size(),
                        RateLimiterStrategy.perSecond(1000),
                        ProfileUpdateSerializer.TYPE_INFO);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "updates")
                .uid("updates")
                .setParallelism(1)
                .keyBy(u -> u.tenant() + ':' + u.oneid(), Types.STRING);
    }

    private static RedisProfileSink sink() {
        return RedisProfileSink.builder().redisUrl(REDIS.url()).build();
    }
}
