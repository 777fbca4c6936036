package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.profile.RedisKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: no plaintext PII anywhere the job writes. Canary phones, e-mails, names (a declared PII
 * trait), user ids (declared PII through {@code pii-types}) and an undeclared trait are planted in
 * valid events, bad events (dead letters), traits, a conflicting link and a forget request; a
 * replay (with dead-letter, conflict and trigger files, its work directory kept) and the streaming
 * job on Kafka (RocksDB, checkpoints retained, then a savepoint) run over them; then every Redis
 * key and value (streams included), every record of every Kafka topic but the input, the output
 * files, the log output (INFO and above, captured to a file for the test) and every byte of the
 * work, checkpoint and savepoint directories are searched for each canary in plain text.
 *
 * <p>RocksDB compresses its SST blocks with Snappy by default, which could hide a value from a byte
 * scan; the test's jobs run with {@code state.backend.rocksdb.compression.per.level:
 * NO_COMPRESSION}, so that what is in the state is in the files as written. Positive controls prove
 * that the scans see what is there: a {@code device_id} (not PII) must be found in Redis and in the
 * state files, a declared non-PII trait in the state files, a bad record's {@code event_id} in the
 * dead letters, and the log capture must hold the job's log lines.
 */
class CanaryScanITCase {
    static final long T0 = 1_700_000_000_000L;

    static final String PHONE = "13912345678";
    static final String EMAIL = "canary.quokka@example.org";
    static final String USER = "canary-user-wombat";
    static final String OTHER_USER = "canary-user-mallory";
    static final String NAME = "Canary Numbat Liddell";
    static final String FORGET_USER = "canary-forget-dingo";
    static final String FORGET_PHONE = "13800990011";
    static final String UNDECLARED_TRAIT = "undeclared-canary-bilby";

    /** In plain text nowhere. */
    static final List<String> CANARIES =
            List.of(
                    PHONE,
                    EMAIL,
                    USER,
                    OTHER_USER,
                    NAME,
                    FORGET_USER,
                    FORGET_PHONE,
                    UNDECLARED_TRAIT,
                    "canary.quokka");

    static final String CONTROL_DEVICE = "control-device-platypus";
    static final String CONTROL_PLAN = "control-plan-echidna";
    static final String CONTROL_BAD = "control-bad-kookaburra";

    static final String RULES =
            """
            tenant: acme
            version: 1
            traits: [name, plan]
            tags:
              - {name: named, when: "has(traits.name)"}
              - {name: planned, when: "has(traits.plan)"}
            triggers:
              - {name: welcome, when: "event.name == 'signup'", action: greet, channel: sms}
            """;

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();
    @RegisterExtension static final KafkaExtension KAFKA = RtcdpTopics.kafka();

    @TempDir static Path tmp;

    static Path log;
    static Appender capture;

    /** Every log line of INFO and above goes to a file the test scans (the console stays WARN). */
    @BeforeAll
    static void captureLogs() {
        log = tmp.resolve("rtcdp.log");
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        capture =
                FileAppender.newBuilder()
                        .setName("canary-capture")
                        .withFileName(log.toString())
                        .setLayout(
                                PatternLayout.newBuilder().withPattern("%p %c - %m%n%ex").build())
                        .build();
        capture.start();
        LoggerConfig root = ctx.getConfiguration().getRootLogger();
        Appender console = ctx.getConfiguration().getAppender("console");
        root.removeAppender("console");
        if (console != null) {
            root.addAppender(console, Level.WARN, null);
        }
        root.addAppender(capture, Level.INFO, null);
        root.setLevel(Level.INFO);
        ctx.updateLoggers();
    }

    @AfterAll
    static void restoreLogs() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender("canary-capture");
        ctx.getConfiguration().getRootLogger().setLevel(Level.WARN);
        ctx.updateLoggers();
        capture.stop();
    }

    static ParserConfig parser() {
        return ParserConfig.builder()
                .defaultSecret("canary-test-secret-0123456789abcdef")
                .piiIdTypes("user_id")
                .piiTraits("name")
                .build();
    }

    static List<String> records() {
        List<String> r = new ArrayList<>();
        // valid: an identify with every kind of canary and the controls
        r.add(
                event("v1", "identify", null, 0)
                        .replace(
                                "IDS",
                                "\"user_id\":\""
                                        + USER
                                        + "\",\"phone\":\""
                                        + PHONE
                                        + "\",\"email\":\""
                                        + EMAIL
                                        + "\",\"device_id\":\""
                                        + CONTROL_DEVICE
                                        + "\"")
                        .replace(
                                "}}",
                                "},\"traits\":{\"name\":\""
                                        + NAME
                                        + "\",\"plan\":\""
                                        + CONTROL_PLAN
                                        + "\",\"nickname\":\""
                                        + UNDECLARED_TRAIT
                                        + "\"}}"));
        r.add(event("v2", "track", "signup", 1).replace("IDS", userId(USER)));
        // a second user with the first one's phone: a refused link, a conflict record
        r.add(
                event("v3", "track", "search", 2)
                        .replace("IDS", userId(OTHER_USER) + ",\"phone\":\"" + PHONE + "\""));
        // a person who is then forgotten
        r.add(
                event("v4", "track", "order_completed", 3)
                        .replace(
                                "IDS",
                                userId(FORGET_USER) + ",\"phone\":\"" + FORGET_PHONE + "\""));
        r.add(
                event("v5", "forget", null, 4)
                        .replace(
                                "IDS",
                                userId(FORGET_USER) + ",\"phone\":\"" + FORGET_PHONE + "\""));
        // bad: a missing ts, with PII in ids and traits (and a control value in event_id)
        r.add(
                "{\"event_id\":\""
                        + CONTROL_BAD
                        + "\",\"tenant\":\"acme\",\"type\":\"identify\",\"ids\":{\"user_id\":\""
                        + USER
                        + "\",\"phone\":\""
                        + PHONE
                        + "\",\"email\":\""
                        + EMAIL
                        + "\"},\"traits\":{\"name\":\""
                        + NAME
                        + "\"}}");
        // bad: broken JSON, cut inside the ids
        r.add(
                "{\"event_id\":\"b2\",\"tenant\":\"acme\",\"type\":\"page\",\"ids\":{\"phone\":\""
                        + PHONE
                        + "\",\"email\":\""
                        + EMAIL);
        // bad: an id of the wrong type, a repeated key
        r.add(
                "{\"event_id\":\"b3\",\"tenant\":\"acme\",\"type\":\"page\",\"ts\":"
                        + T0
                        + ",\"ids\":{\"user_id\":[\""
                        + USER
                        + "\"],\"email\":\""
                        + EMAIL
                        + "\",\"email\":\""
                        + EMAIL
                        + "\"}}");
        // bad: a forget request without a tenant
        r.add(
                "{\"event_id\":\"b4\",\"type\":\"forget\",\"ts\":"
                        + T0
                        + ",\"ids\":{\"user_id\":\""
                        + FORGET_USER
                        + "\",\"phone\":\""
                        + FORGET_PHONE
                        + "\"}}");
        return r;
    }

    static String userId(String u) {
        return "\"user_id\":\"" + u + "\"";
    }

    static String event(String id, String type, String name, int i) {
        return "{\"event_id\":\""
                + id
                + "\",\"tenant\":\"acme\",\"type\":\""
                + type
                + "\""
                + (name == null ? "" : ",\"name\":\"" + name + "\"")
                + ",\"ts\":"
                + (T0 + i * 1000L)
                + ",\"ids\":{IDS}}";
    }

    /** Test settings of Flink: RocksDB without compression, checkpoints kept. */
    static Configuration flinkSettings() {
        Configuration c = new Configuration();
        c.setString("state.backend.rocksdb.compression.per.level", "NO_COMPRESSION");
        c.setString(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        return c;
    }

    @Test
    void noCanaryInPlainTextAfterAReplayAndAStreamingRun() throws Exception {
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, RULES);
        Path input = tmp.resolve("events.jsonl");
        // the canaries first, then enough other events for the replay to complete checkpoints
        // while it runs (its work directory then holds state to scan)
        List<String> replayed = new ArrayList<>(records());
        for (int i = 0; i < 60_000; i++) {
            replayed.add(
                    event("f" + i, "page", null, 10 + i % 1000)
                            .replace("IDS", "\"cookie_id\":\"filler-" + (i % 3000) + "\""));
        }
        Files.write(input, replayed, StandardCharsets.UTF_8);

        // ---- replay
        Path work = tmp.resolve("replay-work");
        Files.createDirectories(work);
        Path dlq = tmp.resolve("dlq.jsonl");
        Path conflicts = tmp.resolve("conflicts.jsonl");
        Path triggers = tmp.resolve("triggers.jsonl");
        RtcdpConfig replay =
                RtcdpConfig.builder()
                        .parser(parser())
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.KEY_PREFIX, "replay")
                        .set(RtcdpOptions.RULES_FILES, rules.toString())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        // on the test's cluster the replay takes the job's settings: its
                        // checkpoints go where a replay of the command line puts them
                        .set(
                                RtcdpOptions.CHECKPOINT_DIR,
                                work.resolve("checkpoints").toUri().toString())
                        .build();
        // a finished job's checkpoints are discarded: what the replay's state put on disk is
        // read while it runs (every file of its work directory, again and again)
        java.util.concurrent.ExecutorService runner =
                java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<Replay.Summary> running =
                runner.submit(
                        () ->
                                Replay.run(
                                        replay,
                                        List.of(input),
                                        dlq,
                                        conflicts,
                                        triggers,
                                        work,
                                        flinkSettings()));
        Map<String, byte[]> replayState = new TreeMap<>();
        while (!running.isDone()) {
            collect("replay work directory", work, replayState);
            Thread.sleep(50);
        }
        runner.shutdown();
        Replay.Summary s = running.get();
        collect("replay work directory", work, replayState);
        assertThat(s.invalid()).isEqualTo(4);
        assertThat(replayState.values().stream())
                .as("the replay's state (a retained checkpoint) in its work directory")
                .anyMatch(b -> contains(b, CONTROL_DEVICE));

        // ---- streaming
        Path checkpoints = tmp.resolve("stream-checkpoints");
        Path savepoints = tmp.resolve("stream-savepoints");
        RtcdpConfig streaming =
                RtcdpConfig.builder()
                        .parser(parser())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.KEY_PREFIX, "live")
                        .set(RtcdpOptions.RULES_FILES, rules.toString())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .set(RtcdpOptions.CHECKPOINT_DIR, checkpoints.toUri().toString())
                        .build();
        Configuration conf = Environments.jobConfiguration(streaming);
        conf.addAll(FlinkTestCluster.noRestarts());
        conf.addAll(flinkSettings());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(streaming, env);
        JobClient job = env.executeAsync("canary-scan");
        Map<String, byte[]> streamState = new TreeMap<>();
        String savepoint;
        try {
            KAFKA.sendSpread("rtcdp.events", records());
            RedisKeys live = new RedisKeys("live");
            var redis = REDIS.client();
            String deviceKey = live.id("acme", "device_id", CONTROL_DEVICE);
            Await.until(
                    "the streaming job's profile of the identify, with its tags",
                    Duration.ofMinutes(3),
                    () -> {
                        String oneid = redis.get(deviceKey);
                        return oneid == null
                                ? null
                                : redis.hget(live.profile("acme", oneid), "tags");
                    },
                    tags -> "named,planned".equals(tags));
            KAFKA.readValues("rtcdp.dlq", 4, System.nanoTime() + Duration.ofMinutes(1).toNanos());
            // checkpoints after everything arrived: the state is in their files, read while
            // they exist (stopping with a savepoint discards them)
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < until) {
                collect("checkpoints", checkpoints, streamState);
                Thread.sleep(50);
            }
            savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get();
        } finally {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                FlinkTestCluster.cancel(job);
            }
        }
        assertThat(savepoint).isNotNull();

        // ---- the scans
        Map<String, byte[]> places = new LinkedHashMap<>();
        places.put("redis", redisDump().getBytes(StandardCharsets.UTF_8));
        kafkaDump().forEach((topic, bytes) -> places.put("kafka " + topic, bytes));
        for (Path f : List.of(dlq, conflicts, triggers)) {
            places.put("file " + f.getFileName(), Files.readAllBytes(f));
        }
        places.put("log", Files.readAllBytes(log));
        Map<String, byte[]> state = new LinkedHashMap<>();
        state.putAll(replayState);
        collect("checkpoints", checkpoints, streamState);
        assertThat(streamState).as("files of the streaming job's checkpoints").isNotEmpty();
        state.putAll(streamState);
        state.putAll(files("savepoints", savepoints));
        places.putAll(state);

        List<String> found = new ArrayList<>();
        for (Map.Entry<String, byte[]> p : places.entrySet()) {
            for (String canary : CANARIES) {
                if (contains(p.getValue(), canary)) {
                    found.add(canary + " in " + p.getKey());
                }
            }
        }
        assertThat(found).as("plaintext canaries").isEmpty();

        // ---- positive controls: the scans see what is there
        assertThat(contains(places.get("redis"), CONTROL_DEVICE)).as("device id in Redis").isTrue();
        assertThat(state.entrySet().stream().anyMatch(e -> contains(e.getValue(), CONTROL_DEVICE)))
                .as("device id in the state files")
                .isTrue();
        assertThat(state.entrySet().stream().anyMatch(e -> contains(e.getValue(), CONTROL_PLAN)))
                .as("declared non-PII trait in the state files")
                .isTrue();
        assertThat(files("savepoints", savepoints).values().stream())
                .as("declared non-PII trait in the savepoint")
                .anyMatch(b -> contains(b, CONTROL_PLAN));
        assertThat(contains(places.get("file dlq.jsonl"), CONTROL_BAD)).isTrue();
        assertThat(contains(places.get("kafka rtcdp.dlq"), CONTROL_BAD)).isTrue();
        assertThat(places.get("file triggers.jsonl")).isNotEmpty();
        assertThat(places.get("file conflicts.jsonl")).as("a conflict record").isNotEmpty();
        assertThat(contains(places.get("log"), "INFO")).as("log lines captured").isTrue();
    }

    static boolean contains(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Every key and value of Redis as text, streams entry by entry. */
    static String redisDump() {
        var redis = REDIS.client();
        Map<String, Object> contents = REDIS.contents();
        StringBuilder sb = new StringBuilder();
        for (String key : RedisServerExtension.keys(redis)) {
            sb.append(key).append(" = ");
            if (redis.type(key).equals("stream")) {
                redis.xrange(key, "-", "+")
                        .forEach(e -> sb.append(e.getID()).append(e.getFields()).append(' '));
            } else {
                sb.append(contents.get(key));
            }
            sb.append('\n');
        }
        assertThat(sb.toString()).contains("replay:acme:", "live:acme:", "triggers");
        return sb.toString();
    }

    /** Every record (keys and values, uncommitted ones too) of every topic but the input. */
    static Map<String, byte[]> kafkaDump() throws Exception {
        Properties p = KAFKA.clientProperties();
        Set<String> topics;
        try (Admin admin = Admin.create(p)) {
            topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        }
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, byte[]> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            for (String topic : topics) {
                if (topic.equals("rtcdp.events")) {
                    continue; // the input: what producers sent
                }
                List<TopicPartition> parts =
                        c.partitionsFor(topic).stream()
                                .map(i -> new TopicPartition(topic, i.partition()))
                                .toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                Map<TopicPartition, Long> end = c.endOffsets(parts);
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
                        && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        if (r.key() != null) {
                            bytes.write(r.key());
                        }
                        if (r.value() != null) {
                            bytes.write(r.value());
                        }
                        bytes.write('\n');
                    }
                }
                out.put(topic, bytes.toByteArray());
            }
        }
        assertThat(out).containsKeys("rtcdp.dlq", "rtcdp.conflicts", "rtcdp.triggers");
        return out;
    }

    /** Adds every regular file under {@code dir} that can be read now (files come and go). */
    static void collect(String what, Path dir, Map<String, byte[]> into) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                try {
                    byte[] b = Files.readAllBytes(f);
                    into.merge(
                            what + " " + dir.relativize(f),
                            b,
                            (old, now) -> now.length >= old.length ? now : old);
                } catch (IOException gone) {
                    // deleted (a subsumed checkpoint) between listing and reading
                }
            }
        } catch (IOException | java.io.UncheckedIOException gone) {
            // a directory deleted while walked: the next round sees the rest
        }
    }

    /** Every regular file under {@code dir}, by path, with its bytes. */
    static Map<String, byte[]> files(String what, Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                out.put(what + " " + dir.relativize(f), Files.readAllBytes(f));
            }
        }
        assertThat(out).as("files in %s", dir).isNotEmpty();
        return out;
    }
}
