package io.rtcdp.operators.sink;

import static io.rtcdp.operators.sink.ProfileUpdateBufferTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.DeadLetter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator around the writer, in Flink's test harness against a real redis-server: when it
 * flushes, and the dead letters of refused writes on its output.
 */
class RedisWriteOperatorTest {

    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String PA = "rtcdp:t:profile:a";
    private static final String PB = "rtcdp:t:profile:b";

    @BeforeEach
    void clean() {
        REDIS.flushAll();
    }

    private static OneInputStreamOperatorTestHarness<ProfileUpdate, DeadLetter> harness(
            Duration flushInterval) throws Exception {
        RedisProfileSink sink =
                RedisProfileSink.builder()
                        .redisUrl(REDIS.url())
                        .flushInterval(flushInterval)
                        .build();
        OneInputStreamOperatorTestHarness<ProfileUpdate, DeadLetter> h =
                new OneInputStreamOperatorTestHarness<>(new RedisWriteOperator(sink));
        h.open();
        return h;
    }

    @Test
    void flushesBeforeTheBarrierAndEmitsTheRefusedWritesAsDeadLetters() throws Exception {
        REDIS.client().set(PA, "not a hash");
        try (var h = harness(Duration.ofHours(1))) {
            h.processElement(
                    new StreamRecord<>(write("a", 1, Map.of("x", "1"), List.of(), List.of())));
            h.processElement(
                    new StreamRecord<>(write("b", 1, Map.of("x", "2"), List.of(), List.of())));
            assertThat(REDIS.client().exists(PB)).isFalse();

            h.prepareSnapshotPreBarrier(1);

            assertThat(REDIS.client().hget(PB, "x")).isEqualTo("2");
            List<DeadLetter> letters = h.extractOutputValues();
            assertThat(letters).hasSize(1);
            DeadLetter d = letters.get(0);
            assertThat(d.error()).isEqualTo("redis_rejected");
            assertThat(d.source()).isEqualTo("redis:" + PA);
            assertThat(d.message()).startsWith("wrongtype: ").contains(PA);
            assertThat(d.payload())
                    .isEqualTo(
                            "{\"key\":\"rtcdp:t:profile:a\",\"command\":\"profile\","
                                    + "\"unset\":[],\"set\":{\"x\":\"1\"}}");
        }
    }

    @Test
    void theFlushTimerAndTheEndOfInputFlush() throws Exception {
        try (var h = harness(Duration.ofMillis(20))) {
            h.setProcessingTime(1_000);
            h.processElement(
                    new StreamRecord<>(write("a", 1, Map.of("x", "1"), List.of(), List.of())));
            h.setProcessingTime(1_019);
            assertThat(REDIS.client().exists(PA)).isFalse();
            h.setProcessingTime(1_020);
            assertThat(REDIS.client().hget(PA, "x")).isEqualTo("1");

            h.processElement(
                    new StreamRecord<>(write("b", 1, Map.of("x", "2"), List.of(), List.of())));
            h.endInput();
            assertThat(REDIS.client().hget(PB, "x")).isEqualTo("2");
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }
}
