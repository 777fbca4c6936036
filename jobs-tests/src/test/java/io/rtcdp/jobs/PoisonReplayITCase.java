package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poison corpus ({@link PoisonCorpus}) replayed from a file, with a line of 1.1 GB besides: the
 * replay finishes without a restart (restarts are off, so any failure fails it), every poison
 * record is a dead letter with its code and a bounded size, Mallory's hostile events are counted
 * within the bounds of state, and the other tenants' Redis data is identical to a replay of their
 * events alone.
 */
class PoisonReplayITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir static Path tmp;

    static final long HUGE_LINE_BYTES = 1_100L << 20;

    static RtcdpConfig config(String prefix) {
        return RtcdpConfig.builder()
                .parser(ParserConfig.builder().clock(() -> PoisonCorpus.NOW).build())
                .set(RtcdpOptions.REDIS_URL, REDIS.url())
                .set(RtcdpOptions.KEY_PREFIX, prefix)
                .set(RtcdpOptions.PARALLELISM, 2)
                .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
                .build();
    }

    static void write(Path file, List<byte[]> lines, int hugeAt) throws Exception {
        try (OutputStream out =
                new BufferedOutputStream(
                        new GZIPOutputStream(Files.newOutputStream(file), 1 << 16) {
                            {
                                def.setLevel(Deflater.BEST_SPEED);
                            }
                        },
                        1 << 16)) {
            for (int i = 0; i < lines.size(); i++) {
                if (i == hugeAt) {
                    byte[] chunk = new byte[1 << 20];
                    java.util.Arrays.fill(chunk, (byte) 'a');
                    for (long n = 0; n < HUGE_LINE_BYTES; n += chunk.length) {
                        out.write(chunk);
                    }
                    out.write('\n');
                }
                out.write(lines.get(i));
                out.write('\n');
            }
        }
    }

    @Test
    void poisonStopsNothingAndChangesNoOtherTenant() throws Exception {
        PoisonCorpus corpus = new PoisonCorpus();
        List<byte[]> clean = new ArrayList<>();
        for (String s : corpus.clean) {
            clean.add(s.getBytes(StandardCharsets.UTF_8));
        }
        Path cleanFile = tmp.resolve("clean.jsonl.gz");
        write(cleanFile, clean, -1);
        List<byte[]> mixed = corpus.mixed(17);
        for (String s : corpus.live) {
            mixed.add(mixed.size() / 2, s.getBytes(StandardCharsets.UTF_8));
        }
        Path poisonFile = tmp.resolve("poison.jsonl.gz");
        write(poisonFile, mixed, mixed.size() / 3);

        var cleanRun =
                Replay.run(
                        config("a"),
                        List.of(cleanFile),
                        tmp.resolve("clean.dlq.jsonl"),
                        tmp.resolve("clean.conflicts.jsonl"),
                        tmp.resolve("work-a"),
                        FlinkTestCluster.noRestarts());
        var poisonRun =
                Replay.run(
                        config("b"),
                        List.of(poisonFile),
                        tmp.resolve("poison.dlq.jsonl"),
                        tmp.resolve("poison.conflicts.jsonl"),
                        tmp.resolve("work-b"),
                        FlinkTestCluster.noRestarts());
        System.out.printf(
                "PoisonReplayITCase: clean run %d ms, poisoned run %d ms (%d valid, %d invalid)%n",
                cleanRun.millis(), poisonRun.millis(), poisonRun.valid(), poisonRun.invalid());

        // every poison record, and nothing else, is a dead letter with its code
        List<String> dlq = Files.readAllLines(tmp.resolve("poison.dlq.jsonl"));
        Map<String, String> codeByName = new TreeMap<>();
        Map<String, String> expected = new TreeMap<>();
        for (PoisonCorpus.Poison p : corpus.poison) {
            expected.put(p.name(), p.code());
        }
        expected.put("huge-line", "oversize");
        for (String line : dlq) {
            assertThat(line.getBytes(StandardCharsets.UTF_8).length)
                    .as("dead letter size")
                    .isLessThanOrEqualTo(8 * 1024);
            JsonNode d = PoisonCorpus.JSON.readTree(line);
            String payload = d.get("payload").asText();
            String name = payload.startsWith("aaaaaaaaaa") ? "huge-line" : null;
            for (PoisonCorpus.Poison p : corpus.poison) {
                if (payload.startsWith(p.prefix())) {
                    name = p.name();
                }
            }
            assertThat(name).as("a dead letter of no poison record: %s", line).isNotNull();
            assertThat(codeByName.put(name, d.get("error").asText())).as(name).isNull();
            assertThat(d.get("source").asText()).startsWith("poison.jsonl.gz:");
        }
        assertThat(codeByName).isEqualTo(expected);
        assertThat(Files.readAllLines(tmp.resolve("clean.dlq.jsonl"))).isEmpty();

        // the other tenants: the same keys and values as without the poison
        Map<String, Object> all = REDIS.contents();
        for (String tenant : List.of("alpha", "gamma")) {
            Map<String, Object> a = tenantKeys(all, "a", tenant);
            Map<String, Object> b = tenantKeys(all, "b", tenant);
            assertThat(a).as(tenant).hasSizeGreaterThan(100);
            assertThat(b).as(tenant).isEqualTo(a);
        }

        // Mallory's hostile events: counted, within the bounds of state
        var redis = REDIS.client();
        Map<String, String> m1 = profileOf(redis, "b", "m1");
        assertThat(m1).containsEntry("f.events_total", "2000");
        assertThat(m1.get("f.top_category_30d")).hasSize(64).startsWith("c");
        assertThat(m1.values().stream().mapToInt(String::length).sum()).isLessThan(4096);
        Map<String, String> m2 = profileOf(redis, "b", "m2");
        assertThat(m2)
                .containsEntry("f.orders_total", "12")
                .containsEntry("f.revenue_total", "9223372036854.775807")
                .containsEntry("f.revenue_30d", "9223372036854.775807");
        Map<String, String> m3 = profileOf(redis, "b", "m3");
        long customTypes =
                java.util.Arrays.stream(m3.get("ids").split(","))
                        .filter(t -> t.startsWith("x_"))
                        .count();
        assertThat(customTypes).isEqualTo(8);
        Map<String, String> m5 = profileOf(redis, "b", "m5");
        assertThat(m5.get("merges")).contains("%2C").doesNotContain(",");
        // Mallory's live events moved no other tenant: alpha ends at its own last event
        long alphaMax = maxTs(corpus.clean, "alpha");
        for (var e : tenantKeys(all, "b", "alpha").entrySet()) {
            if (e.getKey().contains(":profile:") && e.getValue() instanceof Map<?, ?> h) {
                assertThat(Long.parseLong((String) h.get("as_of"))).isLessThanOrEqualTo(alphaMax);
            }
        }
    }

    static long maxTs(List<String> events, String tenant) throws Exception {
        long max = Long.MIN_VALUE;
        for (String s : events) {
            JsonNode n = PoisonCorpus.JSON.readTree(s);
            if (n.get("tenant").asText().equals(tenant)) {
                max = Math.max(max, n.get("ts").asLong());
            }
        }
        return max;
    }

    static Map<String, String> profileOf(
            redis.clients.jedis.UnifiedJedis redis, String prefix, String userId) {
        String oneid = redis.get(prefix + ":mallory:id:user_id:" + userId);
        assertThat(oneid).as(userId).isNotNull();
        return redis.hgetAll(prefix + ":mallory:profile:" + oneid);
    }

    /** The keys of one tenant under one prefix, without it; profiles without ver, updated_at. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> tenantKeys(Map<String, Object> all, String prefix, String tenant) {
        String p = prefix + ":" + tenant + ":";
        Map<String, Object> out = new HashMap<>();
        all.forEach(
                (k, v) -> {
                    if (k.startsWith(p)) {
                        if (v instanceof Map<?, ?> m) {
                            Map<String, String> h = new TreeMap<>((Map<String, String>) m);
                            h.remove("ver");
                            h.remove("updated_at");
                            v = h;
                        }
                        out.put(k.substring(p.length()), v);
                    }
                });
        return out;
    }
}
