package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys that Redis refuses to write do not hold up the job or the other keys: a replay into a Redis
 * where one profile hash and one segment set are taken by strings (as another application's keys
 * could be) finishes without a failover, every other key ends as in a replay into an empty Redis,
 * and the dead letters hold exactly the refused writes ({@code redis_rejected}, the key as source):
 * applied in order, their payloads rebuild the two keys as the clean replay wrote them.
 */
class RedisRejectedWritesITCase {
    static final long START =
            OffsetDateTime.parse("2024-05-01T00:00:00Z").toInstant().toEpochMilli();
    static final Path RULES = Path.of("../examples/rules/demo.yaml").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir static Path tmp;

    @Test
    void aWrongTypedProfileAndSegmentKeyAreDeadLetteredAndEverythingElseIsWritten()
            throws Exception {
        PopulationGenerator gen =
                PopulationGenerator.builder()
                        .seed(17)
                        .tenant("demo")
                        .persons(400)
                        .events(20_000)
                        .startMillis(START)
                        .duration(Duration.ofDays(60))
                        .badFraction(0)
                        .build();
        List<GeneratedRecord> records = new ArrayList<>();
        gen.iterator().forEachRemaining(records::add);
        Path events = tmp.resolve("events.jsonl");
        PopulationGenerator.writeJsonl(records.iterator(), events);
        long now = gen.suggestedNow();
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> now).build())
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.RULES_FILES, RULES.toString())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500))
                        .build();

        // a replay into an empty Redis: what every key should hold
        REDIS.flushAll();
        Path cleanDlq = tmp.resolve("dlq-clean.jsonl");
        replay(cfg, events, cleanDlq, "clean");
        Map<String, Object> clean = REDIS.comparableContents();
        assertThat(deadLetters(cleanDlq)).isEmpty();

        // one profile hash (of many fields) and one segment set (of many members), taken
        String profileKey = null;
        String segmentKey = null;
        for (Map.Entry<String, Object> e : clean.entrySet()) {
            if (profileKey == null
                    && e.getKey().startsWith("rtcdp:demo:profile:")
                    && ((Map<?, ?>) e.getValue()).size() > 15) {
                profileKey = e.getKey();
            }
            if (segmentKey == null
                    && e.getKey().startsWith("rtcdp:demo:segment:")
                    && ((Set<?>) e.getValue()).size() > 5) {
                segmentKey = e.getKey();
            }
        }
        assertThat(profileKey).as("a profile with many fields").isNotNull();
        assertThat(segmentKey).as("a segment with many members").isNotNull();

        REDIS.flushAll();
        REDIS.client().set(profileKey, "taken");
        REDIS.client().set(segmentKey, "taken");
        Path dlq = tmp.resolve("dlq-taken.jsonl");
        // no restarts allowed: a failover would fail the replay
        replay(cfg, events, dlq, "taken");
        Map<String, Object> taken = REDIS.comparableContents();

        // the two keys are as they were; every other key is as in the clean replay
        assertThat(taken.get(profileKey)).isEqualTo("taken");
        assertThat(taken.get(segmentKey)).isEqualTo("taken");
        Map<String, Object> expected = new TreeMap<>(clean);
        expected.put(profileKey, "taken");
        expected.put(segmentKey, "taken");
        assertThat(RedisServerExtension.differences(expected, taken, 20)).isEmpty();

        // the dead letters: the refused writes of these two keys and nothing else
        List<JsonNode> letters = deadLetters(dlq);
        assertThat(letters).isNotEmpty();
        Map<String, Object> rebuilt = new TreeMap<>();
        Map<String, Integer> perKey = new TreeMap<>();
        for (JsonNode d : letters) {
            assertThat(d.get("error").asText()).isEqualTo("redis_rejected");
            String source = d.get("source").asText();
            assertThat(source).isIn("redis:" + profileKey, "redis:" + segmentKey);
            String key = source.substring("redis:".length());
            assertThat(d.get("message").asText()).startsWith("wrongtype: ").contains(key);
            JsonNode payload = JSON.readTree(d.get("payload").asText());
            assertThat(payload.get("key").asText()).isEqualTo(key);
            apply(rebuilt, payload);
            perKey.merge(key, 1, Integer::sum);
        }
        assertThat(perKey).containsOnlyKeys(profileKey, segmentKey);
        System.out.printf(
                "RedisRejectedWritesITCase: %d dead letters of refused writes: %s%n",
                letters.size(), perKey);
        // applied in order, the refused writes are what the clean replay wrote to the keys
        assertThat(rebuilt.get(profileKey)).isEqualTo(clean.get(profileKey));
        assertThat(rebuilt.get(segmentKey)).isEqualTo(clean.get(segmentKey));
    }

    private static void replay(RtcdpConfig cfg, Path events, Path dlq, String name)
            throws Exception {
        Replay.run(
                cfg,
                List.of(events),
                dlq,
                tmp.resolve("conflicts-" + name + ".jsonl"),
                tmp.resolve("work-" + name),
                FlinkTestCluster.noRestarts());
    }

    private static List<JsonNode> deadLetters(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }

    /** Applies a refused write (its dead letter's payload) to a model of the keys. */
    @SuppressWarnings("unchecked")
    private static void apply(Map<String, Object> keys, JsonNode w) {
        String key = w.get("key").asText();
        switch (w.get("command").asText()) {
            case "profile" -> {
                if (w.path("del").asBoolean(false)) {
                    keys.remove(key);
                }
                if (w.has("set")) {
                    Map<String, String> h =
                            (Map<String, String>) keys.computeIfAbsent(key, k -> new TreeMap<>());
                    w.get("unset").forEach(f -> h.remove(f.asText()));
                    w.get("set")
                            .fields()
                            .forEachRemaining(f -> h.put(f.getKey(), f.getValue().asText()));
                }
            }
            case "segment" -> {
                Set<String> s = (Set<String>) keys.computeIfAbsent(key, k -> new TreeSet<>());
                w.path("add").forEach(m -> s.add(m.asText()));
                w.path("remove").forEach(m -> s.remove(m.asText()));
            }
            default -> throw new AssertionError("unexpected refused write " + w);
        }
    }
}
