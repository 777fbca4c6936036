package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.StreamEntryID;

/**
 * Triggers through the streaming job with a TaskManager killed mid-run: an event-driven trigger
 * with a cooldown and a cap per 30 days, and one that requires marketing consent. Both outputs, the
 * triggers topic read committed and the Redis stream, must hold exactly the fires an independent
 * model of the contact policy expects, each once.
 */
class TriggerITCase {
    static final long START =
            OffsetDateTime.parse("2024-03-01T00:00:00Z").toInstant().toEpochMilli();
    static final long MIN = 60_000L;
    static final long HOUR = 60 * MIN;
    static final long DAY = 24 * HOUR;
    static final String TENANT = "t1";
    static final ObjectMapper JSON = new ObjectMapper();

    static final String RULES =
            """
            tenant: t1
            version: 1
            triggers:
              - {name: cart_nudge, when: "event.name == 'product_added'", action: push_reminder,
                 channel: app, cooldown: 1h, max_per_30d: 3}
              - {name: checkout_offer, when: "event.name == 'checkout_started'",
                 action: coupon, channel: sms, requires_consent: marketing}
            """;

    /** Consent of each profile: true, false, or none (null). */
    static final Boolean[] CONSENT = {true, true, false, null, true, false, null, true};

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir static Path tmp;

    @RegisterExtension
    static final KafkaExtension KAFKA = RtcdpTopics.kafka().topic("rtcdp.triggers", 2);

    record Ev(String uid, String id, String name, long ts, String json) {}

    /** An expected or emitted fire: the user (oneid resolved later), rule and event id. */
    record Fire(String oneid, String rule, String eventId) {}

    @Test
    void triggersAreExactlyTheFiresOfTheContactPolicyDespiteAFailure(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Random rnd = new Random(5);
        long[] gaps = {2 * MIN, 20 * MIN, 59 * MIN, HOUR, 3 * HOUR, 2 * DAY, 12 * DAY};
        List<Ev> all = new ArrayList<>();
        Map<String, List<Ev>> byUser = new HashMap<>();
        for (int p = 0; p < CONSENT.length; p++) {
            String uid = "c" + p;
            List<Ev> evs = new ArrayList<>();
            long ts = START + p * 7 * MIN;
            String consent =
                    CONSENT[p] == null ? "" : ",\"consent\":{\"marketing\":" + CONSENT[p] + "}";
            evs.add(ev(uid, uid + "-0", "consent", null, ts, consent));
            for (int i = 1; i <= 40; i++) {
                ts += gaps[rnd.nextInt(gaps.length)];
                String name = rnd.nextInt(5) == 0 ? "checkout_started" : "product_added";
                evs.add(ev(uid, uid + "-" + i, "track", name, ts, ""));
            }
            byUser.put(uid, evs);
            all.addAll(evs);
        }
        // arrival order = event time order, per profile strictly increasing
        all.sort(Comparator.comparingLong(Ev::ts).thenComparing(Ev::id));
        long now = all.get(all.size() - 1).ts() + HOUR;

        // the expected fires by user: cooldown, then the cap over a sliding 30 days
        Map<String, List<String[]>> expectedByUser = new HashMap<>(); // rule, event id
        int[] bites = new int[3]; // cooldown, cap, consent
        for (int p = 0; p < CONSENT.length; p++) {
            String uid = "c" + p;
            List<String[]> fires = new ArrayList<>();
            List<Long> cartFires = new ArrayList<>();
            for (Ev e : byUser.get(uid)) {
                if ("product_added".equals(e.name())) {
                    long ts = e.ts();
                    if (!cartFires.isEmpty() && ts - cartFires.get(cartFires.size() - 1) < HOUR) {
                        bites[0]++;
                        continue;
                    }
                    long inWindow = cartFires.stream().filter(f -> f > ts - 30 * DAY).count();
                    if (inWindow >= 3) {
                        bites[1]++;
                        continue;
                    }
                    cartFires.add(ts);
                    fires.add(new String[] {"cart_nudge", e.id()});
                } else if ("checkout_started".equals(e.name())) {
                    if (Boolean.TRUE.equals(CONSENT[p])) {
                        fires.add(new String[] {"checkout_offer", e.id()});
                    } else {
                        bites[2]++;
                    }
                }
            }
            expectedByUser.put(uid, fires);
        }
        // the model must make the cooldown, the cap and the consent bite
        assertThat(bites).as("suppressed by cooldown, cap, consent").doesNotContain(0);
        long productAdded = all.stream().filter(e -> "product_added".equals(e.name())).count();
        long cartExpected =
                expectedByUser.values().stream()
                        .flatMap(List::stream)
                        .filter(f -> f[0].equals("cart_nudge"))
                        .count();
        assertThat(cartExpected).isPositive().isLessThan(productAdded / 2);

        send("rtcdp.rules", List.<String[]>of(new String[] {TENANT, RULES}));
        int half = all.size() / 2;

        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> now).build())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        // its own transactional id prefix: the TaskManager killed here may leave
                        // the Kafka sink's writer registered in this JVM, which would fail a
                        // later test's job of the same prefix ("Readable backchannel already
                        // exists")
                        .set(RtcdpOptions.GROUP_ID, "trigger-it")
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500))
                        .set(
                                RtcdpOptions.CHECKPOINT_DIR,
                                tmp.resolve("checkpoints").toUri().toString())
                        .build();
        Configuration conf = Environments.jobConfiguration(cfg);
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "5");
        conf.setString("restart-strategy.fixed-delay.delay", "200 ms");
        RedisKeys keys = new RedisKeys("rtcdp");
        String stream = keys.triggers(TENANT);
        var redis = REDIS.client();

        // kill once a checkpoint is complete and triggers of it have reached Redis; the second
        // half of the events is sent after the kill
        TaskManagerKiller killer =
                TaskManagerKiller.start(
                        cluster, tmp.resolve("checkpoints"), () -> redis.xlen(stream) > 0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env);
        JobClient job = env.executeAsync("trigger-it");
        try {
            // the rule set must be in force before the first event: the rules source and the
            // events source are independent, and an event decided without rules fires nothing.
            // A checkpoint that committed the rules offset came after the decision stage applied
            // the rule set (barriers follow the records), so the events are sent only then.
            Await.until(
                    "the rule set in force (its offset committed)",
                    Duration.ofSeconds(90),
                    () ->
                            KAFKA.committedOffset(
                                            cfg.get(RtcdpOptions.GROUP_ID) + "-rules",
                                            "rtcdp.rules")
                                    >= 1);
            send("rtcdp.events", toRecords(all.subList(0, half)));
            Await.until("the TaskManager killed", Duration.ofSeconds(90), killer::killed);
            send("rtcdp.events", toRecords(all.subList(half, all.size())));

            Map<String, String> oneidOf = new HashMap<>();
            Await.until(
                    "a oneid for every user",
                    Duration.ofSeconds(90),
                    () -> {
                        for (String uid : byUser.keySet()) {
                            String o = redis.get(keys.id(TENANT, "user_id", uid));
                            if (o != null) {
                                oneidOf.put(uid, o);
                            }
                        }
                        return oneidOf.keySet();
                    },
                    users -> users.size() >= CONSENT.length);
            List<Fire> expected = new ArrayList<>();
            expectedByUser.forEach(
                    (uid, fires) -> {
                        for (String[] f : fires) {
                            expected.add(new Fire(oneidOf.get(uid), f[0], f[1]));
                        }
                    });

            // Redis: the stream's entries, once the expected number arrived
            List<Fire> fromRedis;
            Set<String> redisIds = new HashSet<>();
            Await.until(
                    expected.size() + " triggers in Redis",
                    Duration.ofSeconds(90),
                    () -> {
                        assertThat(job.getJobStatus().get().isTerminalState())
                                .as("job running")
                                .isFalse();
                        return redis.xlen(stream);
                    },
                    n -> n >= expected.size());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<Fire> fromKafka = readTriggers(expected.size(), deadline);
            fromRedis = new ArrayList<>();
            List<String> dupRedis = new ArrayList<>();
            for (var e : redis.xrange(stream, (StreamEntryID) null, null)) {
                Map<String, String> f = e.getFields();
                if (!redisIds.add(f.get("trigger_id"))) {
                    dupRedis.add(f.get("trigger_id"));
                }
                fromRedis.add(new Fire(f.get("oneid"), f.get("rule"), f.get("event_id")));
            }
            assertThat(dupRedis).as("duplicate trigger ids in Redis").isEmpty();
            assertThat(fromRedis).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(fromKafka).containsExactlyInAnyOrderElementsOf(expected);
            killer.assertKilledBefore(System.nanoTime());
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }

    /** The triggers topic, read committed; fails on a duplicate trigger id. */
    private static List<Fire> readTriggers(int expected, long deadline) throws Exception {
        List<Fire> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<String> dups = new ArrayList<>();
        try (KafkaConsumer<String, String> c =
                KAFKA.committedReader("trigger-reader", "rtcdp.triggers")) {
            while (out.size() < expected) {
                assertThat(System.nanoTime())
                        .as("%d of %d triggers in Kafka in time", out.size(), expected)
                        .isLessThan(deadline);
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    out.add(fire(r, ids, dups));
                }
            }
            // a short extra poll: nothing beyond the expected records may arrive
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofSeconds(2))) {
                out.add(fire(r, ids, dups));
            }
        }
        Assertions.assertThat(dups).as("duplicate trigger ids in Kafka").isEmpty();
        return out;
    }

    private static Fire fire(ConsumerRecord<String, String> r, Set<String> ids, List<String> dups)
            throws Exception {
        JsonNode t = JSON.readTree(r.value());
        assertThat(r.key()).isEqualTo(t.get("oneid").asText());
        if (!ids.add(t.get("trigger_id").asText())) {
            dups.add(t.get("trigger_id").asText());
        }
        return new Fire(
                t.get("oneid").asText(),
                t.get("rule").asText(),
                t.get("event_id").isNull() ? null : t.get("event_id").asText());
    }

    private static Ev ev(String uid, String id, String type, String name, long ts, String extra) {
        String json =
                "{\"event_id\":\""
                        + id
                        + "\",\"tenant\":\"t1\",\"type\":\""
                        + type
                        + "\""
                        + (name == null ? "" : ",\"name\":\"" + name + "\"")
                        + ",\"ts\":"
                        + ts
                        + ",\"ids\":{\"user_id\":\""
                        + uid
                        + "\"}"
                        + extra
                        + "}";
        return new Ev(uid, id, name, ts, json);
    }

    private static List<String[]> toRecords(List<Ev> evs) {
        List<String[]> out = new ArrayList<>();
        for (Ev e : evs) {
            out.add(new String[] {e.uid(), e.json()});
        }
        return out;
    }

    private static void send(String topic, List<String[]> keyed) throws Exception {
        KAFKA.send(topic, keyed);
    }
}
