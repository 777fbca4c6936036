package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisClusterExtension;
import io.rtcdp.udf.profile.RedisKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The writer against a real three-master Redis Cluster: the same content as sequential application
 * of the updates, batches spanning every slot owner, a script cache flushed on one master, and a
 * slot moved to another master under the writer's feet. (The timeouts only stop a test that would
 * otherwise retry forever; they assert nothing.)
 */
@Timeout(120)
class RedisProfileWriterClusterTest {

    @RegisterExtension static final RedisClusterExtension CLUSTER = new RedisClusterExtension();

    private static final RedisKeys KEYS = new RedisKeys();

    private final TestProcessingTimeService time = new TestProcessingTimeService();
    private final RecordingSinkWriterMetricGroup metrics = new RecordingSinkWriterMetricGroup();
    private RedisProfileWriter writer;

    @BeforeEach
    void setUp() {
        CLUSTER.flushAll();
        writer =
                RedisProfileSink.builder()
                        .redisUrl(CLUSTER.url())
                        .flushInterval(Duration.ofMinutes(1))
                        .maxBufferedProfiles(500)
                        .build()
                        .createWriter(time, metrics);
    }

    @AfterEach
    void tearDown() {
        writer.close();
    }

    @Test
    void writesWhatSequentialApplicationGivesOnEveryMaster() throws Exception {
        List<ProfileUpdate> updates = new UpdateSequence(42, 2000, 8).updates();
        RedisModel model = new RedisModel(KEYS).applyAll(updates);
        for (ProfileUpdate u : updates) {
            writer.write(u, null);
        }
        writer.flush(true);

        Map<String, Long> vers = new HashMap<>();
        Map<String, Object> redis =
                RedisModel.withoutVersions(CLUSTER.contents(), vers, new HashMap<>());
        assertThat(RedisModel.diff(redis, model.contents(), 10)).isEmpty();
        for (String key : vers.keySet()) {
            assertThat(vers.get(key)).as(key).isEqualTo(model.ver(key));
        }
        assertThat(metrics.count("redisRetries")).isZero();
        // Several batches, each with keys of all three masters.
        assertThat(updates.size()).isGreaterThan(3 * 500);
        for (Set<String> keys : CLUSTER.keysByNode()) {
            assertThat(keys).hasSizeGreaterThan(model.contents().size() / 5);
        }
    }

    @Test
    void aScriptCacheFlushedOnOneMasterIsLoadedAgain() throws Exception {
        List<ProfileUpdate> updates = new UpdateSequence(7, 600, 4).updates();
        int half = updates.size() / 2;
        RedisModel model = new RedisModel(KEYS).applyAll(updates);
        for (ProfileUpdate u : updates.subList(0, half)) {
            writer.write(u, null);
        }
        writer.flush(false);
        assertThat(metrics.count("redisRetries")).isZero();

        try (Jedis node = CLUSTER.node(1)) {
            node.scriptFlush();
        }
        for (ProfileUpdate u : updates.subList(half, updates.size())) {
            writer.write(u, null);
        }
        writer.flush(true);

        Map<String, Object> redis =
                RedisModel.withoutVersions(CLUSTER.contents(), new HashMap<>(), new HashMap<>());
        assertThat(RedisModel.diff(redis, model.contents(), 10)).isEmpty();
        // One NOSCRIPT answer, one immediate retry with the script on every node again.
        assertThat(metrics.count("redisRetries")).isEqualTo(1);
        for (int i = 0; i < RedisClusterExtension.MASTERS; i++) {
            try (Jedis node = CLUSTER.node(i)) {
                assertThat(node.scriptExists(scriptSha())).isTrue();
            }
        }
    }

    @Test
    void aSlotMovedToAnotherMasterIsFollowed() throws Exception {
        writer.write(
                ProfileUpdateBufferTest.write("warm", 1, Map.of("x", "1"), List.of(), List.of()),
                null);
        writer.flush(false);

        String key = KEYS.profile("t", "moved");
        int slot = JedisClusterCRC16.getSlot(key);
        int from = ownerOf(slot);
        int to = (from + 1) % RedisClusterExtension.MASTERS;
        String toId;
        try (Jedis target = CLUSTER.node(to)) {
            toId = target.clusterMyId();
            target.clusterSetSlotNode(slot, toId);
        }
        for (int i = 0; i < RedisClusterExtension.MASTERS; i++) {
            if (i != to) {
                try (Jedis node = CLUSTER.node(i)) {
                    node.clusterSetSlotNode(slot, toId);
                }
            }
        }

        writer.write(
                ProfileUpdateBufferTest.write(
                        "moved", 1, Map.of("x", "2"), List.of(), List.of("u:9")),
                null);
        writer.flush(false);

        assertThat(ownerOf(slot)).isEqualTo(to);
        try (Jedis node = CLUSTER.node(to)) {
            assertThat(node.hget(key, "x")).isEqualTo("2");
        }
        assertThat(CLUSTER.client().get(KEYS.id("t", "u:9"))).isEqualTo("moved");
        // The first attempt went to the old owner and was answered MOVED.
        assertThat(metrics.count("redisRetries")).isEqualTo(1);
    }

    private static String scriptSha() throws Exception {
        byte[] d =
                java.security.MessageDigest.getInstance("SHA-1")
                        .digest(
                                RedisProfileWriter.SCRIPT.getBytes(
                                        java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(d);
    }

    private static int ownerOf(int slot) {
        List<Integer> ports = CLUSTER.ports();
        try (Jedis any = CLUSTER.node(0)) {
            for (Object range : any.clusterSlots()) {
                List<?> r = (List<?>) range;
                long lo = (Long) r.get(0);
                long hi = (Long) r.get(1);
                if (slot >= lo && slot <= hi) {
                    long port = (Long) ((List<?>) r.get(2)).get(1);
                    return ports.indexOf((int) port);
                }
            }
        }
        throw new AssertionError("no owner of slot " + slot);
    }

    /** A cluster client reads the listpack limit from one of the nodes (Redis's default here). */
    @Test
    void aClusterTellsItsListpackLimit() {
        try (var client = RedisClients.create(CLUSTER.url())) {
            assertThat(RedisClients.hashListpackValueLimit(client)).hasValue(64);
        }
    }
}
