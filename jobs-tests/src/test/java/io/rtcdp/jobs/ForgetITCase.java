package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.StreamEntryID;

/**
 * A forget through the streaming job (real Kafka, Redis, RocksDB with checkpoints), of a person
 * with a merged-away profile (an alias), a phone quarantined by a forged event of another user,
 * segment memberships and triggers in the stream and on the topic, forgotten by a secondary id (the
 * cookie): afterwards no Redis key, field, set member or stream entry names the person's oneids or
 * ids; every triggers and conflicts topic record that names them is followed by its key's
 * tombstone, and the dead letters name nothing; a savepoint holds none of the person's oneids; a
 * late event of the person recreates nothing; the other persons keep what they had. Then a replay
 * of the original history into the same Redis does not recreate the person either. The time from
 * the forget's append to the last trace gone in Redis is printed (never asserted).
 */
class ForgetITCase {
    static final long START =
            OffsetDateTime.parse("2024-03-01T00:00:00Z").toInstant().toEpochMilli();
    static final long HOUR = 3_600_000L;
    static final String TENANT = "t1";

    static final String RULES =
            """
            tenant: t1
            version: 1
            segments:
              - {name: everyone, when: "true"}
            triggers:
              - {name: nudge, when: "event.name == 'product_added'", action: push, channel: app}
            """;

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @RegisterExtension static final KafkaExtension KAFKA = RtcdpTopics.kafka();

    @TempDir static Path tmp;

    static String event(String id, String type, String name, long ts, String ids) {
        return "{\"event_id\":\""
                + id
                + "\",\"tenant\":\"t1\",\"type\":\""
                + type
                + "\""
                + (name == null ? "" : ",\"name\":\"" + name + "\"")
                + ",\"ts\":"
                + ts
                + ",\"ids\":{"
                + ids
                + "}}";
    }

    static String[] keyed(String json) {
        // one key: every event through one partition, in the order sent
        return new String[] {"p", json};
    }

    @Test
    void aForgottenPersonLeavesNoTraceAndIsNotRecreatedByLateHistory() throws Exception {
        String phone = "\"phone\":\"13800000001\"";
        List<String[]> history =
                List.of(
                        keyed(event("e1", "page", null, START, "\"cookie_id\":\"k-alice\"")),
                        keyed(
                                event(
                                        "e2",
                                        "track",
                                        "product_added",
                                        START + HOUR,
                                        "\"user_id\":\"alice-u\"," + phone)),
                        // the login merges alice's user profile into the older cookie profile
                        keyed(
                                event(
                                        "e3",
                                        "identify",
                                        null,
                                        START + 2 * HOUR,
                                        "\"user_id\":\"alice-u\",\"cookie_id\":\"k-alice\"")),
                        keyed(
                                event(
                                        "e4",
                                        "track",
                                        "product_added",
                                        START + 3 * HOUR,
                                        "\"user_id\":\"alice-u\"")),
                        // a forged event: alice's phone with another user, quarantined
                        keyed(
                                event(
                                        "e5",
                                        "track",
                                        "product_added",
                                        START + 4 * HOUR,
                                        "\"user_id\":\"mallory-u\"," + phone)),
                        keyed(
                                event(
                                        "e6",
                                        "track",
                                        "product_added",
                                        START + HOUR,
                                        "\"user_id\":\"bob-u\",\"device_id\":\"d-bob\"")),
                        keyed(
                                event(
                                        "e7",
                                        "track",
                                        "product_added",
                                        START + 2 * HOUR,
                                        "\"user_id\":\"bob-u\"")));
        KAFKA.send("rtcdp.rules", List.<String[]>of(new String[] {TENANT, RULES}));

        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.GROUP_ID, "forget-it")
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500))
                        .set(
                                RtcdpOptions.CHECKPOINT_DIR,
                                tmp.resolve("checkpoints").toUri().toString())
                        .build();
        RedisKeys keys = new RedisKeys("rtcdp");
        var redis = REDIS.client();
        String stream = keys.triggers(TENANT);
        Set<String> traces = new LinkedHashSet<>();
        JobClient job = FlinkTestCluster.startStreaming(cfg, "forget-it");
        try {
            Await.until(
                    "the rule set in force (its offset committed)",
                    Duration.ofSeconds(90),
                    () -> KAFKA.committedOffset("forget-it-rules", "rtcdp.rules") >= 1);
            KAFKA.send("rtcdp.events", history);
            // five product_added events, five triggers: the stream is written at checkpoints
            Await.until(
                    "the history's triggers in Redis",
                    Duration.ofSeconds(90),
                    () -> {
                        assertThat(job.getJobStatus().get().isTerminalState()).isFalse();
                        return redis.xlen(stream) >= 5;
                    });
            String alice = redis.get(keys.id(TENANT, "cookie_id", "k-alice"));
            String mallory = redis.get(keys.id(TENANT, "user_id", "mallory-u"));
            String bob = redis.get(keys.id(TENANT, "user_id", "bob-u"));
            Map<String, String> oneidOfEvent = new HashMap<>();
            for (var e : redis.xrange(stream, (StreamEntryID) null, null)) {
                oneidOfEvent.put(e.getFields().get("event_id"), e.getFields().get("oneid"));
            }
            String aliceMerged = oneidOfEvent.get("e2");
            List<String> phoneKeys = new ArrayList<>();
            for (String k : RedisServerExtension.keys(redis)) {
                if (k.startsWith("rtcdp:t1:id:phone:")) {
                    phoneKeys.add(k);
                }
            }
            assertThat(phoneKeys).hasSize(1);
            String phoneHash = phoneKeys.get(0).substring("rtcdp:t1:id:phone:".length());
            String quarantine = redis.get(phoneKeys.get(0));
            assertThat(alice)
                    .isNotNull()
                    .isEqualTo(redis.get(keys.id(TENANT, "user_id", "alice-u")));
            assertThat(aliceMerged).isNotNull().isNotEqualTo(alice);
            assertThat(redis.get(keys.alias(TENANT, aliceMerged))).isEqualTo(alice);
            assertThat(quarantine).isNotIn(alice, mallory, bob, null);
            assertThat(redis.smembers(keys.segment(TENANT, "everyone"))).contains(alice, bob);
            traces.addAll(List.of(alice, aliceMerged, quarantine, "alice-u", "k-alice", phoneHash));

            // the forget, by the person's secondary id
            long sent = System.nanoTime();
            KAFKA.send(
                    "rtcdp.events",
                    List.<String[]>of(
                            keyed(
                                    event(
                                            "f1",
                                            "forget",
                                            null,
                                            START + 5 * HOUR,
                                            "\"cookie_id\":\"k-alice\""))));
            Await.until(
                    "no trace of the person in Redis",
                    Duration.ofSeconds(60),
                    () -> redisTraces(traces),
                    List::isEmpty);
            long millis = (System.nanoTime() - sent) / 1_000_000;
            System.out.println(
                    "ForgetITCase: forget appended to the last trace gone from Redis: "
                            + millis
                            + " ms (goal 5000 ms)");

            // late history of the person (not later than the forget) recreates nothing; carol's
            // event after it, through the same partition, shows it was processed
            KAFKA.send(
                    "rtcdp.events",
                    List.of(
                            keyed(
                                    event(
                                            "e8",
                                            "track",
                                            "product_added",
                                            START + 2 * HOUR + 1,
                                            "\"cookie_id\":\"k-alice\"," + phone)),
                            keyed(
                                    event(
                                            "e9",
                                            "track",
                                            "product_added",
                                            START + 6 * HOUR,
                                            "\"user_id\":\"carol-u\""))));
            Await.until(
                    "carol's trigger in Redis",
                    Duration.ofSeconds(60),
                    () -> {
                        for (var e : redis.xrange(stream, (StreamEntryID) null, null)) {
                            if ("e9".equals(e.getFields().get("event_id"))) {
                                return true;
                            }
                        }
                        return false;
                    });
            assertThat(redisTraces(traces)).as("traces after late history").isEmpty();

            // the others keep what they had
            assertThat(redis.get(keys.id(TENANT, "user_id", "mallory-u"))).isEqualTo(mallory);
            assertThat(redis.get(keys.id(TENANT, "user_id", "bob-u"))).isEqualTo(bob);
            assertThat(redis.get(keys.id(TENANT, "device_id", "d-bob"))).isEqualTo(bob);
            assertThat(redis.hget(keys.profile(TENANT, bob), "f.events_total")).isEqualTo("2");
            assertThat(redis.hget(keys.profile(TENANT, mallory), "f.events_total")).isEqualTo("1");
            assertThat(redis.smembers(keys.segment(TENANT, "everyone")))
                    .contains(bob, mallory)
                    .doesNotContain(alice, aliceMerged, quarantine);
            List<String> left = new ArrayList<>();
            for (var e : redis.xrange(stream, (StreamEntryID) null, null)) {
                left.add(e.getFields().get("event_id"));
            }
            assertThat(left).containsExactlyInAnyOrder("e5", "e6", "e7", "e9");

            // Kafka: every record naming the person is followed by its key's tombstone
            assertTombstoned("rtcdp.triggers", traces, true);
            assertTombstoned("rtcdp.conflicts", traces, false);
            assertThat(recordsNaming("rtcdp.dlq", traces, false)).isEmpty();

            // the audit: one record per forget, written once its deletes were done, no PII
            List<ConsumerRecord<String, String>> audit = readAll("rtcdp.audit");
            assertThat(audit).isNotEmpty();
            Set<String> forgetIds = new java.util.HashSet<>();
            for (ConsumerRecord<String, String> r : audit) {
                var a = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.value());
                forgetIds.add(a.get("forget_id").asText());
                assertThat(r.key()).isEqualTo(TENANT);
                // the person's profile and the phone's quarantine profile; cookie, user id and
                // phone; their two hashes, three id keys and the merged-away oneid's alias
                assertThat(a.get("profiles").asInt()).isEqualTo(2);
                assertThat(a.get("ids").asInt()).isEqualTo(3);
                assertThat(a.get("keys").asInt()).isEqualTo(6);
                assertThat(a.get("completed_at").asLong())
                        .isGreaterThanOrEqualTo(a.get("appended_at").asLong());
                assertThat(traces.stream().filter(r.value()::contains)).isEmpty();
                System.out.println(
                        "ForgetITCase: audit latency_ms " + a.get("latency_ms").asLong());
            }
            assertThat(forgetIds).hasSize(1);

            // state: a savepoint (canonical: live entries only) holds none of the person's
            // oneids (the forgotten ids themselves are kept as tombstones, by design)
            String savepoint =
                    job.triggerSavepoint(
                                    tmp.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get();
            assertThat(
                            filesNaming(
                                    Path.of(java.net.URI.create(savepoint)),
                                    Set.of(alice, aliceMerged, quarantine),
                                    ""))
                    .isEmpty();
        } finally {
            FlinkTestCluster.cancel(job);
        }

        // a replay of the original history (without the forget) into the same Redis: the
        // forgotten ids' tombstones there keep the person from coming back
        Path input = tmp.resolve("history.jsonl");
        List<String> lines = new ArrayList<>();
        for (String[] kv : history) {
            lines.add(kv[1]);
        }
        Files.write(input, lines);
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, RULES);
        RtcdpConfig replayCfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.RULES_FILES, rules.toString())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(200))
                        .build();
        Path dlq = tmp.resolve("replay.dlq.jsonl");
        Path conflicts = tmp.resolve("replay.conflicts.jsonl");
        Replay.run(
                replayCfg,
                List.of(input),
                dlq,
                conflicts,
                tmp.resolve("replay.triggers.jsonl"),
                tmp.resolve("replay-work"),
                FlinkTestCluster.noRestarts());
        assertThat(redisTraces(traces)).as("traces after a replay of the history").isEmpty();
        assertThat(REDIS.client().get(new RedisKeys("rtcdp").id(TENANT, "user_id", "bob-u")))
                .isNotNull();
        assertThat(filesNaming(tmp, traces, "replay.")).isEmpty();

        // a replayed forget writes its audit record to the replay's audit file, owner-only
        Path forgetInput = tmp.resolve("forget.jsonl");
        Files.writeString(
                forgetInput,
                event("f2", "forget", null, START + 7 * HOUR, "\"cookie_id\":\"k-alice\"") + "\n");
        Path auditFile = tmp.resolve("replay.audit.jsonl");
        Replay.run(
                replayCfg,
                List.of(forgetInput),
                tmp.resolve("replay2.dlq.jsonl"),
                tmp.resolve("replay2.conflicts.jsonl"),
                null,
                auditFile,
                tmp.resolve("replay-work-2"),
                FlinkTestCluster.noRestarts());
        List<String> audits = Files.readAllLines(auditFile);
        assertThat(audits).hasSize(1);
        assertThat(audits.get(0)).contains("\"profiles\":0", "\"ids\":1", "\"latency_ms\":");
        assertThat(Files.getPosixFilePermissions(auditFile))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(filesNaming(tmp, traces, "replay.")).isEmpty();
    }

    /** Every Redis key, hash field or value, set member or stream field naming a trace. */
    static List<String> redisTraces(Set<String> traces) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, Object> e : REDIS.contents().entrySet()) {
            String text = e.getKey() + " " + e.getValue();
            if ("stream".equals(e.getValue())) {
                StringBuilder b = new StringBuilder(e.getKey());
                for (var s : REDIS.client().xrange(e.getKey(), (StreamEntryID) null, null)) {
                    b.append(' ').append(s.getFields());
                }
                text = b.toString();
            }
            for (String t : traces) {
                if (text.contains(t)) {
                    found.add(e.getKey() + " names " + t);
                }
            }
        }
        return found;
    }

    /** The records of a topic, read committed, from its beginning until it stays quiet. */
    static List<ConsumerRecord<String, String>> readAll(String topic) {
        var p = KAFKA.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "forget-check-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            int quiet = 0;
            while (quiet < 6) {
                var page = c.poll(Duration.ofMillis(500));
                quiet = page.isEmpty() ? quiet + 1 : 0;
                page.forEach(out::add);
            }
        }
        return out;
    }

    static List<ConsumerRecord<String, String>> recordsNaming(
            String topic, Set<String> traces, boolean any) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : readAll(topic)) {
            String text = r.key() + " " + r.value();
            if (r.value() != null && traces.stream().anyMatch(text::contains)) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Every record of {@code topic} that names a trace has a later tombstone of its key in its
     * partition; {@code expectSome}: there were such records.
     */
    static void assertTombstoned(String topic, Set<String> traces, boolean expectSome) {
        List<ConsumerRecord<String, String>> all = readAll(topic);
        int naming = 0;
        List<String> untombstoned = new ArrayList<>();
        for (ConsumerRecord<String, String> r : all) {
            String text = r.key() + " " + r.value();
            if (r.value() == null || traces.stream().noneMatch(text::contains)) {
                continue;
            }
            naming++;
            boolean tombstone =
                    all.stream()
                            .anyMatch(
                                    t ->
                                            t.value() == null
                                                    && t.partition() == r.partition()
                                                    && t.offset() > r.offset()
                                                    && t.key().equals(r.key()));
            if (!tombstone) {
                untombstoned.add(r.key() + ": " + r.value());
            }
        }
        assertThat(untombstoned).as(topic + " records naming the person").isEmpty();
        if (expectSome) {
            assertThat(naming).as(topic + " records naming the person before").isPositive();
        }
    }

    /** Files under {@code dir} whose name starts with {@code start} and bytes name a trace. */
    static List<String> filesNaming(Path dir, Set<String> traces, String start) throws Exception {
        List<String> found = new ArrayList<>();
        // files of a finished job's checkpoints may still be going away (Flink discards them
        // asynchronously): a file that vanished while walking is no file to scan
        List<Path> named = new ArrayList<>();
        Files.walkFileTree(
                dir,
                new java.nio.file.SimpleFileVisitor<>() {
                    @Override
                    public java.nio.file.FileVisitResult visitFile(
                            Path f, java.nio.file.attribute.BasicFileAttributes attrs) {
                        if (attrs.isRegularFile() && f.getFileName().toString().startsWith(start)) {
                            named.add(f);
                        }
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }

                    @Override
                    public java.nio.file.FileVisitResult visitFileFailed(
                            Path f, java.io.IOException e) throws java.io.IOException {
                        if (e instanceof java.nio.file.NoSuchFileException) {
                            return java.nio.file.FileVisitResult.CONTINUE;
                        }
                        throw e;
                    }
                });
        for (Path f : named) {
            String text;
            try {
                text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            } catch (java.nio.file.NoSuchFileException gone) {
                continue;
            }
            for (String t : traces) {
                int at = text.indexOf(t);
                if (at >= 0) {
                    String around =
                            text.substring(Math.max(0, at - 300), Math.min(text.length(), at + 100))
                                    .replaceAll("[^\\x20-\\x7e]", ".");
                    found.add(f.getFileName() + " names " + t + ": " + around);
                }
            }
        }
        return found;
    }
}
