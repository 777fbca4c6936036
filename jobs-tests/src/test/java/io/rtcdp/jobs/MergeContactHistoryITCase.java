package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One contact history per person across merges (issue 15), through a replay at parallelism 4: each
 * person browses anonymously (a cookie profile) and gets a trigger with a 7-day cooldown and one
 * capped at one per 30 days, then logs in, which merges the cookie profile into the older user
 * profile. Inside the cooldown and the cap the user profile must not get either trigger again
 * (without the merged history it would: it never had one), and gets them after. The traits of both
 * profiles (one each) survive the merge: the survivor has the tags that read them.
 */
class MergeContactHistoryITCase {
    static final long START =
            OffsetDateTime.parse("2024-03-01T00:00:00Z").toInstant().toEpochMilli();
    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    static final int PERSONS = 120;
    static final ObjectMapper JSON = new ObjectMapper();

    static final String RULES =
            """
            tenant: t1
            version: 1
            traits: [tier, city]
            tags:
              - {name: gold_tier, when: "has(traits.tier) && traits.tier == 'gold'"}
              - {name: from_paris, when: "has(traits.city) && traits.city == 'paris'"}
            triggers:
              - {name: cart_nudge, when: "event.name == 'product_added'", action: push,
                 channel: app, cooldown: 7d}
              - {name: deal_alert, when: "event.name == 'deal_viewed'", action: push,
                 channel: app, max_per_30d: 1}
            """;

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir static Path tmp;

    record Ev(String id, long ts, String json) {}

    static Ev ev(String id, String type, String name, long ts, String ids, String traits) {
        return new Ev(
                id,
                ts,
                "{\"event_id\":\""
                        + id
                        + "\",\"tenant\":\"t1\",\"type\":\""
                        + type
                        + "\""
                        + (name == null ? "" : ",\"name\":\"" + name + "\"")
                        + ",\"ts\":"
                        + ts
                        + ",\"ids\":{"
                        + ids
                        + "}"
                        + (traits == null ? "" : ",\"traits\":{" + traits + "}")
                        + "}");
    }

    @Test
    void aMergedPersonIsNotContactedAgainInsideTheCooldownAndCapAndKeepsBothProfilesTraits()
            throws Exception {
        List<Ev> all = new ArrayList<>();
        List<String> expected = new ArrayList<>(); // rule + " " + event id
        for (int p = 0; p < PERSONS; p++) {
            String user = "\"user_id\":\"u" + p + "\"";
            String cookie = "\"cookie_id\":\"k" + p + "\"";
            long t = START + p * 17 * 60_000L;
            // the user profile first (it survives the merge: the oldest does)
            all.add(ev(p + "-a", "identify", null, t - 2 * DAY, user, "\"city\":\"paris\""));
            // anonymous browsing: a cookie profile with its own trait and both triggers
            all.add(ev(p + "-b", "identify", null, t, cookie, "\"tier\":\"gold\""));
            all.add(ev(p + "-c", "track", "product_added", t + HOUR, cookie, null));
            all.add(ev(p + "-d", "track", "deal_viewed", t + HOUR + 60_000, cookie, null));
            expected.add("cart_nudge " + p + "-c");
            expected.add("deal_alert " + p + "-d");
            // log-in: the cookie profile merges into the user profile
            all.add(ev(p + "-e", "track", "login", t + 2 * HOUR, cookie + "," + user, null));
            // inside the cooldown and the cap: nothing
            all.add(ev(p + "-f", "track", "product_added", t + 3 * HOUR, user, null));
            all.add(ev(p + "-g", "track", "deal_viewed", t + 3 * HOUR + 60_000, user, null));
            all.add(ev(p + "-h", "track", "product_added", t + 6 * DAY, cookie, null));
            // after them
            all.add(ev(p + "-i", "track", "product_added", t + 8 * DAY, user, null));
            expected.add("cart_nudge " + p + "-i");
            all.add(ev(p + "-j", "track", "deal_viewed", t + 32 * DAY, cookie, null));
            expected.add("deal_alert " + p + "-j");
        }
        all.sort(Comparator.comparingLong(Ev::ts).thenComparing(Ev::id));
        Path input = tmp.resolve("events.jsonl");
        Files.write(input, all.stream().map(Ev::json).toList());
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, RULES);
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.RULES_FILES, rules.toString())
                        .set(RtcdpOptions.PARALLELISM, 4)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500))
                        .build();
        Path triggers = tmp.resolve("triggers.jsonl");
        Replay.run(
                cfg,
                List.of(input),
                tmp.resolve("dlq.jsonl"),
                tmp.resolve("conflicts.jsonl"),
                triggers,
                tmp.resolve("work"),
                FlinkTestCluster.noRestarts());

        Path dlq = tmp.resolve("dlq.jsonl");
        assertThat(Files.exists(dlq) ? Files.readAllLines(dlq) : List.of()).isEmpty();
        TreeSet<String> fired = new TreeSet<>();
        List<String> lines = Files.readAllLines(triggers);
        for (String line : lines) {
            JsonNode t = JSON.readTree(line);
            fired.add(t.get("rule").asText() + " " + t.get("event_id").asText());
        }
        assertThat(lines).as("each trigger once").hasSize(fired.size());
        assertThat(fired).containsExactlyInAnyOrderElementsOf(expected);

        RedisKeys keys = new RedisKeys("rtcdp");
        for (int p = 0; p < PERSONS; p++) {
            String survivor = REDIS.client().get(keys.id("t1", "user_id", "u" + p));
            assertThat(REDIS.client().get(keys.id("t1", "cookie_id", "k" + p)))
                    .as("person %d is one profile", p)
                    .isEqualTo(survivor);
            Map<String, String> profile = REDIS.client().hgetAll(keys.profile("t1", survivor));
            assertThat(profile.get("tags"))
                    .as("person %d keeps the traits of both profiles", p)
                    .contains("gold_tier")
                    .contains("from_paris");
        }
    }
}
