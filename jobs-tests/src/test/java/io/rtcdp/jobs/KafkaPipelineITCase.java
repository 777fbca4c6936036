package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.ErrorCode;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.event.PayloadMask;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events with duplicates, out-of-order events and a mix of bad records go through a real in-JVM
 * Kafka broker and the streaming job into a real redis-server: every bad record must reach the DLQ
 * topic with the right code, and every profile's features must equal an SQL computation over the
 * generator's valid events (so no valid event is lost and no duplicate is counted).
 */
class KafkaPipelineITCase {
    static final long START =
            OffsetDateTime.parse("2024-03-01T00:00:00Z").toInstant().toEpochMilli();
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir static Path tmp;
    @RegisterExtension static final KafkaExtension KAFKA = RtcdpTopics.kafka();

    @Test
    void badRecordsReachTheDlqAndEveryProfileIsExact() throws Exception {
        PopulationGenerator gen =
                PopulationGenerator.builder()
                        .seed(7)
                        .tenant("acme")
                        .persons(400)
                        .events(30_000)
                        .startMillis(START)
                        .duration(Duration.ofDays(40))
                        .duplicateFraction(0.03)
                        .outOfOrder(0.05, Duration.ofHours(1))
                        .badFraction(0.02)
                        .build();
        List<GeneratedRecord> records = new ArrayList<>();
        for (Iterator<GeneratedRecord> it = gen.iterator(); it.hasNext(); ) {
            records.add(it.next());
        }
        long now = gen.suggestedNow();

        // expected: valid events per person, bad records by payload
        Map<Integer, String> userIdOf = new HashMap<>();
        Map<Integer, Integer> validCount = new HashMap<>();
        Map<String, String> expectedBad = new HashMap<>();
        StringBuilder rows = new StringBuilder();
        int duplicates = 0;
        int bad = 0;
        for (GeneratedRecord r : records) {
            switch (r.kind()) {
                case BAD -> {
                    bad++;
                    // a dead letter keeps the record's beginning only (oversize ones are cut),
                    // its id values masked
                    expectedBad.put(
                            DeadLetter.of(
                                            ErrorCode.BAD_JSON,
                                            "",
                                            r.json().getBytes(StandardCharsets.UTF_8),
                                            "",
                                            PayloadMask.IDS_ONLY)
                                    .payload(),
                            r.expectedErrorCode());
                }
                case DUPLICATE -> duplicates++;
                case VALID -> {
                    JsonNode n = JSON.readTree(r.json());
                    String uid = n.get("ids").get("user_id").asText();
                    String prev = userIdOf.putIfAbsent(r.person(), uid);
                    assertThat(prev == null || prev.equals(uid)).isTrue();
                    validCount.merge(r.person(), 1, Integer::sum);
                    rows.append(SqlFeatureOracle.eventRow(Integer.toString(r.person()), n));
                }
            }
        }
        assertThat(duplicates).isPositive();
        assertThat(expectedBad).hasSizeGreaterThan(50);
        Files.writeString(tmp.resolve("ev.csv"), rows.toString(), StandardCharsets.UTF_8);

        produce(records);

        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> now).build())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .build();
        JobClient job = FlinkTestCluster.startStreaming(cfg, "kafka-it");
        try {
            RedisKeys keys = new RedisKeys("rtcdp");
            var redis = REDIS.client();
            Map<Integer, String> oneidOf = new HashMap<>();
            Await.until(
                    "all " + userIdOf.size() + " profiles complete",
                    Duration.ofMinutes(4),
                    () -> {
                        int done = 0;
                        for (var e : userIdOf.entrySet()) {
                            String oneid = redis.get(keys.id("acme", "user_id", e.getValue()));
                            if (oneid == null) {
                                continue;
                            }
                            oneidOf.put(e.getKey(), oneid);
                            String total =
                                    redis.hget(keys.profile("acme", oneid), "f.events_total");
                            if (total != null
                                    && Long.parseLong(total) >= validCount.get(e.getKey())) {
                                done++;
                            }
                        }
                        return done;
                    },
                    done -> done == userIdOf.size());
            Map<String, String> dlq =
                    readDlq(bad, System.nanoTime() + Duration.ofMinutes(1).toNanos());

            // the DLQ: every bad record, with its code, and nothing else
            assertThat(dlq).hasSize(expectedBad.size());
            List<String> wrong = new ArrayList<>();
            expectedBad.forEach(
                    (payload, code) -> {
                        if (!code.equals(dlq.get(payload))) {
                            wrong.add(
                                    code
                                            + " expected, got "
                                            + dlq.get(payload)
                                            + " for "
                                            + payload.substring(
                                                    0, Math.min(120, payload.length())));
                        }
                    });
            assertThat(wrong).isEmpty();

            // every profile: exactly one per person, features as SQL computes them at its as_of
            Map<String, Map<String, String>> actual = new HashMap<>();
            Map<String, Long> asOf = new HashMap<>();
            for (var e : oneidOf.entrySet()) {
                Map<String, String> h = redis.hgetAll(keys.profile("acme", e.getValue()));
                actual.put(Integer.toString(e.getKey()), h);
                asOf.put(Integer.toString(e.getKey()), Long.parseLong(h.get("as_of")));
            }
            assertThat(redis.keys("rtcdp:acme:profile:*")).hasSize(userIdOf.size());
            String load = SqlFeatureOracle.loadEventRows(tmp.resolve("ev.csv"));
            Map<String, Map<String, String>> expected = SqlFeatureOracle.compute(tmp, load, asOf);
            assertThat(expected).hasSize(userIdOf.size());
            assertThat(SqlFeatureOracle.mismatches(expected, actual)).isEmpty();
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }

    private static void produce(List<GeneratedRecord> records) throws Exception {
        KAFKA.sendSpread("rtcdp.events", records.stream().map(GeneratedRecord::json).toList());
    }

    private static Map<String, String> readDlq(int expected, long deadline) throws Exception {
        List<byte[]> values = KAFKA.readValues("rtcdp.dlq", expected, deadline);
        assertThat(values).as("dead letters").hasSize(expected);
        Map<String, String> out = new HashMap<>();
        for (byte[] v : values) {
            JsonNode d = JSON.readTree(v);
            assertThat(d.get("message").asText()).isNotBlank();
            assertThat(d.get("source").asText()).startsWith("rtcdp.events/");
            out.put(d.get("payload").asText(), d.get("error").asText());
        }
        return out;
    }
}
