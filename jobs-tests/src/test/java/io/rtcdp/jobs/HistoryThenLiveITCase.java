package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.profile.RedisKeys;
import io.rtcdp.udf.testing.RetailOrders;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * History, then live: Online Retail II split at 2011-06-01. The first part goes through {@code
 * replay --savepoint}, the second through Kafka into the streaming job started from that savepoint
 * ({@code run --from-savepoint}); every customer's profile must then equal the SQL computation over
 * the whole data set, so nothing of the history is lost or counted twice at the switch.
 */
class HistoryThenLiveITCase {
    static final Instant SPLIT = Instant.parse("2011-06-01T00:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @RegisterExtension
    static final KafkaExtension KAFKA = RtcdpTopics.kafka().topic("retail.events.hybrid", 3);

    /** The data set's events, split once for both tests. */
    static Split retail;

    @TempDir Path tmp;

    @BeforeAll
    static void importData() throws Exception {
        retail = Split.of(RetailOrders.imported().events());
    }

    /** Online Retail II's events, split at {@link #SPLIT}, and each customer's event count. */
    record Split(List<String> history, List<String> live, Map<String, Integer> eventsOf) {
        static Split of(Path events) throws Exception {
            Split split = new Split(new ArrayList<>(), new ArrayList<>(), new HashMap<>());
            split.read(events);
            assertThat(split.history()).hasSizeGreaterThan(10_000);
            assertThat(split.live()).hasSizeGreaterThan(10_000);
            return split;
        }

        private void read(Path events) throws Exception {
            try (BufferedReader r =
                    new BufferedReader(
                            new InputStreamReader(
                                    new GZIPInputStream(Files.newInputStream(events)),
                                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    JsonNode n = JSON.readTree(line);
                    boolean before = Instant.parse(n.get("ts").asText()).isBefore(SPLIT);
                    (before ? history : live).add(line);
                    eventsOf.merge(n.get("ids").get("user_id").asText(), 1, Integer::sum);
                }
            }
        }
    }

    @Test
    void aReplaysSavepointThenTheTopicGiveEveryCustomerTheWholeDataSetsProfile() throws Exception {
        REDIS.client().flushAll();
        List<String> history = retail.history();
        List<String> live = retail.live();
        Map<String, Integer> eventsOf = retail.eventsOf();
        Path historyFile = tmp.resolve("history.jsonl");
        Files.write(historyFile, history, StandardCharsets.UTF_8);

        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
                        .set(
                                RtcdpOptions.CHECKPOINT_DIR,
                                tmp.resolve("checkpoints").toUri().toString())
                        .build();
        Replay.Summary replayed =
                Replay.run(
                        cfg,
                        List.of(historyFile),
                        tmp.resolve("dlq.jsonl"),
                        tmp.resolve("conflicts.jsonl"),
                        null,
                        tmp.resolve("audit.jsonl"),
                        tmp.resolve("work"),
                        tmp.resolve("savepoints"),
                        FlinkTestCluster.noRestarts());
        assertThat(replayed.valid()).isEqualTo(history.size());
        assertThat(replayed.savepoint()).contains(tmp.resolve("savepoints") + "/savepoint-");
        stateOfOrderLines(replayed.savepoint(), history);

        // a job without the replay's operators would drop their state: refused, by name
        assertThatThrownBy(
                        () ->
                                SavepointCheck.restoreFrom(
                                        replayed.savepoint(),
                                        new Configuration(),
                                        e ->
                                                e.fromData(1)
                                                        .sinkTo(new DiscardingSink<>())
                                                        .uid("other")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("identity")
                .hasMessageContaining("profile")
                .hasMessageNotContaining(RtcdpJob.HISTORY_SOURCE_UID);

        KAFKA.sendSpread("rtcdp.events", live);
        Configuration conf = Environments.jobConfiguration(cfg);
        conf.addAll(FlinkTestCluster.noRestarts());
        SavepointCheck.restoreFrom(replayed.savepoint(), conf, e -> Streaming.build(cfg, e));
        // the replay's file source and file sinks are what the streaming job leaves behind
        assertThat(conf.toMap())
                .containsEntry("execution.state-recovery.ignore-unclaimed-state", "true");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env);
        JobClient job = env.executeAsync("history-then-live");
        try {
            awaitAndCompare(eventsOf);
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }

    /**
     * The state the replay's savepoint holds for the order lines and the next-purchase stages, per
     * profile and per item (issue 15: the new state is bounded), printed for the README. A
     * canonical savepoint holds each key and value as RocksDB stores them, before RocksDB's
     * compression and file overhead.
     */
    private static void stateOfOrderLines(String savepoint, List<String> history) throws Exception {
        java.util.Set<String> customers = new java.util.HashSet<>();
        java.util.Set<String> skus = new java.util.HashSet<>();
        for (String line : history) {
            JsonNode n = JSON.readTree(line);
            customers.add(n.get("ids").get("user_id").asText());
            for (JsonNode item : n.path("props").path("items")) {
                skus.add(item.get("sku").asText());
            }
        }
        Map<String, Long> bytes =
                SavepointSizes.byUid(
                        savepoint,
                        List.of(
                                "rec-item-stats",
                                "rec-item-tables",
                                "rec-next-purchase",
                                "profile",
                                "fragments"));
        assertThat(bytes.values()).as("state by uid: %s", bytes).allMatch(b -> b > 0);
        // bounded: an item's statistics hold at most a 64-counter sketch, a profile at most 256
        // items, a tenant's table at most 20,000 items with 10 neighbours
        assertThat(bytes.get("rec-item-stats") / skus.size()).isLessThan(4_096);
        assertThat(bytes.get("rec-next-purchase") / customers.size()).isLessThan(8_192);
        assertThat(bytes.get("rec-item-tables")).isLessThan(8L << 20);
        System.out.printf(
                "state to %s (%d profiles, %d items, 1 tenant), bytes in the savepoint: %s;"
                        + " per item: statistics %d; per tenant: item table %d; per profile:"
                        + " next purchase %d, profile %d, fragments %d%n",
                SPLIT,
                customers.size(),
                skus.size(),
                bytes,
                bytes.get("rec-item-stats") / skus.size(),
                bytes.get("rec-item-tables"),
                bytes.get("rec-next-purchase") / customers.size(),
                bytes.get("profile") / customers.size(),
                bytes.get("fragments") / customers.size());
    }

    /**
     * {@code run --history}: the first part as files, the second in the topic together with the
     * history's last 1,000 events (a producer that started before the files ended): the files are
     * read first, then the topic, and the events in both are counted once.
     */
    @Test
    void runWithHistoryReadsTheFilesThenTheTopicAndCountsAnEventInBothOnce() throws Exception {
        REDIS.client().flushAll();
        Path historyFile = tmp.resolve("history.jsonl");
        Files.write(historyFile, retail.history(), StandardCharsets.UTF_8);
        List<String> topic =
                new ArrayList<>(
                        retail.history()
                                .subList(retail.history().size() - 1_000, retail.history().size()));
        topic.addAll(retail.live());
        KAFKA.sendSpread("retail.events.hybrid", topic);

        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.EVENTS_TOPIC, "retail.events.hybrid")
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
                        .set(
                                RtcdpOptions.CHECKPOINT_DIR,
                                tmp.resolve("checkpoints").toUri().toString())
                        .build();
        Configuration conf = Environments.jobConfiguration(cfg);
        conf.addAll(FlinkTestCluster.noRestarts());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env, List.of(historyFile));
        JobClient job = env.executeAsync("run --history");
        try {
            awaitAndCompare(retail.eventsOf());
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }

    /**
     * Waits until every customer's events are counted, then compares every profile with the SQL
     * computation over the whole data set (a count above the expected one fails there).
     */
    private void awaitAndCompare(Map<String, Integer> eventsOf) throws Exception {
        RedisKeys keys = new RedisKeys("rtcdp");
        var redis = REDIS.client();
        // customers whose events are not all counted yet: each poll asks only about them
        Map<String, Integer> waiting = new HashMap<>(eventsOf);
        Await.until(
                "every customer's events counted",
                Duration.ofMinutes(5),
                () -> {
                    waiting.entrySet()
                            .removeIf(
                                    e -> {
                                        String oneid =
                                                redis.get(keys.id("retail", "user_id", e.getKey()));
                                        String total =
                                                oneid == null
                                                        ? null
                                                        : redis.hget(
                                                                keys.profile("retail", oneid),
                                                                "f.events_total");
                                        return total != null
                                                && Long.parseLong(total) >= e.getValue();
                                    });
                    return waiting.size();
                },
                left -> left == 0);
        RetailReplayITCase.assertFeaturesEqualSql(RetailOrders.csv(), tmp, redis);
    }
}
