package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.profile.RedisKeys;
import io.rtcdp.udf.text.TextClassifier;
import io.rtcdp.udf.text.TextIntent;
import io.rtcdp.udf.text.TextSentiment;
import io.rtcdp.udf.text.TextSignal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;

/**
 * Text signals end to end (docs/contract.md §1, §3.2, §6.2, contract 2.6): customers' messages in
 * English and Chinese go through {@code rtcdp replay} with a rule that turns a complaint into a
 * trigger. The triggers are exactly the events the classifier reads as complaints, the profiles'
 * text features are what the classifier's signals give, and none of the texts is left anywhere the
 * job writes: Redis, the triggers and dead-letter files, the savepoint of the job's state.
 */
class TextSignalsITCase {
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir Path tmp;

    static final long T0 = 1_717_200_000_000L; // 2024-06-01

    static final String RULES =
            """
            tenant: acme
            version: 1
            tags:
              - {name: unhappy, when: "has(f.complaints_30d) && f.complaints_30d >= 1"}
            triggers:
              - {name: complaint_callback, action: service_call, channel: phone,
                 when: "has(event.text) && event.text.intent == 'complaint'"}
            """;

    /** user, event id, text; each text holds a word that appears nowhere else in the test. */
    static final String[][] MESSAGES = {
        {
            "u1",
            "m1",
            "The parcel arrived smashed and your support keeps ignoring my emails. Awful service,"
                    + " I am very disappointed."
        },
        {"u2", "m2", "快递员态度非常恶劣，包裹也被压坏了，我要投诉你们！"},
        {"u3", "m3", "Love the new rainjacket, it fits perfectly and arrived a day early!"},
        {"u4", "m4", "这件羽绒外套现在多少钱？双十一有没有优惠？"},
        {"u1", "m5", "Still nothing: I want my money back for order 88123, please refund me."},
        {"u3", "m6", "Great quality, will definitely buy the matching gloves next week."},
    };

    /** A distinctive word of each text, looked for everywhere the job writes. */
    static final List<String> MARKERS =
            List.of(
                    "smashed",
                    "ignoring",
                    "压坏",
                    "快递员",
                    "rainjacket",
                    "羽绒外套",
                    "money back",
                    "88123",
                    "matching gloves");

    @Test
    void aComplaintBecomesATriggerAndNoTextIsKept() throws Exception {
        StringBuilder in = new StringBuilder();
        Map<String, TextSignal> signals = new LinkedHashMap<>();
        for (int i = 0; i < MESSAGES.length; i++) {
            String[] m = MESSAGES[i];
            in.append(
                    ("{\"event_id\":\"%s\",\"tenant\":\"acme\",\"type\":\"track\",\"name\":"
                                    + "\"chat_message\",\"ts\":%d,\"channel\":\"app\",\"ids\":"
                                    + "{\"user_id\":\"%s\"},\"props\":{\"topic\":\"support\","
                                    + "\"text\":\"%s\"}}\n")
                            .formatted(m[1], T0 + i * 60_000L, m[0], m[2]));
            signals.put(m[1], TextClassifier.builtIn().classify(m[2]));
        }
        // a record that is invalid for another reason: its text must not be in the dead letter
        in.append(
                "{\"event_id\":\"bad\",\"tenant\":\"acme\",\"type\":\"track\",\"name\":\"chat\","
                        + "\"ts\":\"yesterday\",\"ids\":{\"user_id\":\"u9\"},\"props\":{\"text\":"
                        + "\"my rainjacket smashed\"}}\n");
        Path events = tmp.resolve("events.jsonl");
        Files.writeString(events, in.toString());
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, RULES);
        Path dlq = tmp.resolve("dlq.jsonl");
        Path triggers = tmp.resolve("triggers.jsonl");
        Path savepoint = tmp.resolve("savepoint");

        CliRun run =
                CliRun.of(
                        "replay",
                        "--input",
                        events.toString(),
                        "--redis",
                        REDIS.url(),
                        "--parallelism",
                        "2",
                        "--rules",
                        rules.toString(),
                        "--dlq",
                        dlq.toString(),
                        "--triggers",
                        triggers.toString(),
                        "--savepoint",
                        savepoint.toString(),
                        "--work-dir",
                        tmp.resolve("work").toString());
        assertThat(run.code()).as(run.err()).isZero();

        // the classifier reads the obvious complaints as complaints: the oracle below is not empty
        assertThat(signals.get("m1").intent()).isEqualTo(TextIntent.COMPLAINT);
        assertThat(signals.get("m2").intent()).isEqualTo(TextIntent.COMPLAINT);
        assertThat(signals.get("m3").intent()).isNotEqualTo(TextIntent.COMPLAINT);
        List<String> complaints =
                signals.entrySet().stream()
                        .filter(e -> e.getValue().intent() == TextIntent.COMPLAINT)
                        .map(Map.Entry::getKey)
                        .sorted()
                        .toList();

        RedisClient redis = REDIS.client();
        RedisKeys keys = new RedisKeys("rtcdp");
        List<String> fired = new ArrayList<>();
        for (var e : redis.xrange(keys.triggers("acme"), (StreamEntryID) null, null)) {
            assertThat(e.getFields()).containsEntry("rule", "complaint_callback");
            fired.add(e.getFields().get("event_id"));
        }
        assertThat(fired).containsExactlyInAnyOrderElementsOf(complaints);
        assertThat(Files.readAllLines(triggers)).hasSameSizeAs(complaints);

        // each profile's text features, from the signals
        Map<String, long[]> expected = new TreeMap<>(); // texts, negative, complaints
        for (String[] m : MESSAGES) {
            TextSignal s = signals.get(m[1]);
            long[] c = expected.computeIfAbsent(m[0], u -> new long[3]);
            c[0]++;
            c[1] += s.sentiment() == TextSentiment.NEGATIVE ? 1 : 0;
            c[2] += s.intent() == TextIntent.COMPLAINT ? 1 : 0;
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String oneid = redis.get(keys.id("acme", "user_id", e.getKey()));
            Map<String, String> p = redis.hgetAll(keys.profile("acme", oneid));
            long[] c = e.getValue();
            assertThat(p)
                    .as(e.getKey())
                    .containsEntry("f.texts_30d", Long.toString(c[0]))
                    .containsEntry("f.negative_texts_30d", Long.toString(c[1]))
                    .containsEntry("f.complaints_30d", Long.toString(c[2]));
            assertThat(p.getOrDefault("tags", "").contains("unhappy")).isEqualTo(c[2] > 0);
        }

        // the dead letter is there, its text masked
        List<String> dead = Files.readAllLines(dlq);
        assertThat(dead)
                .singleElement()
                .asString()
                .contains("bad_ts")
                .contains("\\\"text\\\":\\\"***\\\"");

        // no text anywhere the job wrote
        String everything =
                redisDump(redis)
                        + Files.readString(dlq)
                        + Files.readString(triggers)
                        + filesOf(savepoint);
        assertThat(filesOf(savepoint)).as("the savepoint was written").isNotEmpty();
        for (String marker : MARKERS) {
            assertThat(everything).as("'%s' written somewhere", marker).doesNotContain(marker);
        }
    }

    /** Every key and value in Redis, as text. */
    private static String redisDump(RedisClient redis) {
        StringBuilder out = new StringBuilder();
        for (String key : redis.keys("*")) {
            out.append(key).append('\n');
            switch (redis.type(key)) {
                case "hash" -> out.append(redis.hgetAll(key));
                case "string" -> out.append(redis.get(key));
                case "stream" ->
                        redis.xrange(key, (StreamEntryID) null, null)
                                .forEach(e -> out.append(e.getFields()));
                case "set" -> out.append(redis.smembers(key));
                case "zset" -> out.append(redis.zrange(key, 0, -1));
                case "list" -> out.append(redis.lrange(key, 0, -1));
                default -> out.append("?");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The bytes of every file under {@code dir}, read as UTF-8 (empty when there is none). */
    private static String filesOf(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }
}
