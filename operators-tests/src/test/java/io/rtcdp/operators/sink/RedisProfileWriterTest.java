package io.rtcdp.operators.sink;

import static io.rtcdp.operators.sink.ProfileUpdateBufferTest.delete;
import static io.rtcdp.operators.sink.ProfileUpdateBufferTest.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.testing.Await;
import io.rtcdp.testing.RedisServerExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/** The writer against a real redis-server, driven by hand: time, flushes and failures. */
class RedisProfileWriterTest {

    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String PA = "rtcdp:t:profile:a";
    private static final String PB = "rtcdp:t:profile:b";
    private static final String PC = "rtcdp:t:profile:c";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestProcessingTimeService time = new TestProcessingTimeService();
    private final RecordingSinkWriterMetricGroup metrics = new RecordingSinkWriterMetricGroup();
    private final List<RejectedWrite> rejected = new ArrayList<>();
    private RedisClient redis;
    private RedisProfileWriter writer;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        REDIS.client().scriptFlush();
        redis = REDIS.client();
    }

    @AfterEach
    void tearDown() {
        if (writer != null) {
            writer.close();
        }
    }

    @Test
    void flushWritesFieldsVerUpdatedAtAndIdKeysAndNothingBefore() throws Exception {
        redis.hset(PA, Map.of("keep", "k", "stale", "s", "x", "old"));
        writer = writer(Duration.ofMillis(20), 1000);

        writer.write(write("a", 1, Map.of("x", "1", "y", "2"), List.of("stale"), ids("u:1")), null);
        writer.write(write("b", 4, Map.of("z", "3"), List.of(), ids("cookie_id:c", "u:2")), null);
        assertThat(redis.exists(PB)).isFalse();
        assertThat(redis.hget(PA, "x")).isEqualTo("old");

        long before = System.currentTimeMillis();
        writer.flush(false);
        long after = System.currentTimeMillis();

        Map<String, Object> contents = REDIS.contents();
        assertThat(contents)
                .containsOnlyKeys(
                        PA, PB, "rtcdp:t:id:u:1", "rtcdp:t:id:u:2", "rtcdp:t:id:cookie_id:c");
        assertThat(withoutUpdatedAt(contents.get(PA), before, after))
                .isEqualTo(Map.of("keep", "k", "x", "1", "y", "2", "ver", "1"));
        assertThat(withoutUpdatedAt(contents.get(PB), before, after))
                .isEqualTo(Map.of("z", "3", "ver", "4"));
        assertThat(contents.get("rtcdp:t:id:u:1")).isEqualTo("a");
        assertThat(contents.get("rtcdp:t:id:u:2")).isEqualTo("b");
        assertThat(contents.get("rtcdp:t:id:cookie_id:c")).isEqualTo("b");

        assertThat(metrics.count("redisProfileWrites")).isEqualTo(2);
        assertThat(metrics.count("redisIdWrites")).isEqualTo(3);
        assertThat(metrics.count("redisRetries")).isZero();
        assertThat(metrics.numRecordsSend()).isEqualTo(5);
        assertThat(metrics.gauge("redisBufferedProfiles")).isEqualTo(0);
        assertThat((Long) metrics.gauge("redisLastFlushMillis")).isBetween(0L, after - before);
    }

    @Test
    void theTimerFlushesOnceTheIntervalHasPassed() throws Exception {
        time.setCurrentTime(1_000);
        writer = writer(Duration.ofMillis(20), 1000);

        writer.write(write("a", 1, Map.of("x", "1"), List.of(), List.of()), null);
        time.advance(10);
        writer.write(write("b", 1, Map.of("x", "2"), List.of(), List.of()), null);
        time.advance(9);
        assertThat(redis.exists(PA)).isFalse();
        assertThat(metrics.gauge("redisBufferedProfiles")).isEqualTo(2);

        time.advance(1);

        assertThat(redis.hget(PA, "x")).isEqualTo("1");
        assertThat(redis.hget(PB, "x")).isEqualTo("2");
        assertThat(metrics.gauge("redisBufferedProfiles")).isEqualTo(0);

        // The next batch gets a timer of its own.
        writer.write(write("c", 1, Map.of("x", "3"), List.of(), List.of()), null);
        time.advance(19);
        assertThat(redis.exists(PC)).isFalse();
        time.advance(1);
        assertThat(redis.hget(PC, "x")).isEqualTo("3");
    }

    @Test
    void aFullBufferFlushesAtOnce() throws Exception {
        writer = writer(Duration.ofMinutes(1), 3);

        writer.write(write("a", 1, Map.of("x", "1"), List.of(), List.of()), null);
        writer.write(write("b", 1, Map.of("x", "1"), List.of(), List.of()), null);
        // A second update of a pending profile does not count as another profile.
        writer.write(write("a", 2, Map.of("x", "2"), List.of(), List.of()), null);
        assertThat(redis.exists(PA)).isFalse();

        writer.write(write("c", 1, Map.of("x", "1"), List.of(), List.of()), null);

        assertThat(redis.hmget(PA, "x", "ver")).containsExactly("2", "2");
        assertThat(redis.exists(PB)).isTrue();
        assertThat(redis.exists(PC)).isTrue();
        assertThat(metrics.count("redisProfileWrites")).isEqualTo(3);
    }

    @Test
    void verNeverGoesBackwardsAndReplaysRaiseIt() throws Exception {
        writer = writer(Duration.ofMinutes(1), 1000);

        long[] written = {10, 3, 20, 3, 3};
        long[] expected = {10, 11, 20, 21, 22};
        for (int i = 0; i < written.length; i++) {
            writer.write(write("a", written[i], Map.of("x", "1"), List.of(), List.of()), null);
            writer.flush(false);
            assertThat(redis.hget(PA, "ver")).isEqualTo(Long.toString(expected[i]));
        }
    }

    @Test
    void aHashThisWriterWroteIsSetWithoutTheScriptUntilAWriteRemovesAField() throws Exception {
        // written before this writer started (an earlier run): its ver is read, by the script
        redis.hset(PA, Map.of("old", "1", "ver", "7", "updated_at", "1"));
        writer = writer(Duration.ofMinutes(1), 1000);
        writer.write(write("a", 2, Map.of("x", "1"), List.of(), List.of()), null);
        writer.flush(false);
        assertThat(redis.hget(PA, "ver")).isEqualTo("8");

        try (Jedis admin = admin()) {
            admin.configResetStat();
            // known now: one HSET, no script
            writer.write(write("a", 3, Map.of("x", "2", "y", "1"), List.of(), List.of()), null);
            writer.flush(false);
            assertThat(scriptCalls(admin)).isZero();
            assertThat(withoutUpdatedAt(REDIS.contents().get(PA), 0, Long.MAX_VALUE))
                    .isEqualTo(Map.of("old", "1", "x", "2", "y", "1", "ver", "9"));
            // a write that removes a field goes through the script (HDEL and HSET at once) ...
            writer.write(write("a", 20, Map.of("z", "1"), List.of("y"), List.of()), null);
            writer.flush(false);
            assertThat(scriptCalls(admin)).isEqualTo(1);
            // ... which tells the writer the ver it set
            writer.write(write("a", 4, Map.of("z", "2"), List.of(), List.of()), null);
            writer.flush(false);
            assertThat(scriptCalls(admin)).isEqualTo(1);
            assertThat(withoutUpdatedAt(REDIS.contents().get(PA), 0, Long.MAX_VALUE))
                    .isEqualTo(Map.of("old", "1", "x", "2", "z", "2", "ver", "21"));
            // a deleted hash is not known: the write after it goes through the script again
            writer.write(delete("a", List.of()), null);
            writer.flush(false);
            writer.write(write("a", 5, Map.of("n", "1"), List.of(), List.of()), null);
            writer.flush(false);
            assertThat(scriptCalls(admin)).isEqualTo(2);
            assertThat(withoutUpdatedAt(REDIS.contents().get(PA), 0, Long.MAX_VALUE))
                    .isEqualTo(Map.of("n", "1", "ver", "5"));
            // a writer that starts again (a restart of the job) knows none
            writer.close();
            writer = writer(Duration.ofMinutes(1), 1000);
            writer.write(write("a", 1, Map.of("n", "2"), List.of(), List.of()), null);
            writer.flush(false);
            assertThat(scriptCalls(admin)).isEqualTo(3);
            assertThat(redis.hget(PA, "ver")).isEqualTo("6");
            // a null field of a known hash fails the flush as the script's does
            assertANullFieldFailsTheFlush();
        }
    }

    /** How many times Redis ran a script since its statistics were reset. */
    private static long scriptCalls(Jedis admin) {
        long calls = 0;
        for (String line : admin.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                String c = line.substring(line.indexOf("calls=") + 6);
                calls += Long.parseLong(c.substring(0, c.indexOf(',')));
            }
        }
        return calls;
    }

    @Test
    void aDeleteRemovesHashAndIdsAndAWriteAfterItStartsAFreshHash() throws Exception {
        redis.hset(PA, Map.of("old", "1", "ver", "5", "updated_at", "1"));
        redis.set("rtcdp:t:id:u:1", "a");
        redis.hset(PB, Map.of("old", "1", "ver", "7"));
        redis.set("rtcdp:t:id:u:3", "b");
        writer = writer(Duration.ofMinutes(1), 1000);

        writer.write(write("a", 6, Map.of("lost", "1"), List.of(), ids("u:9")), null);
        writer.write(delete("a", ids("u:1", "u:9")), null);
        writer.write(write("a", 1, Map.of("new", "2"), List.of(), ids("u:2")), null);
        writer.write(delete("b", ids("u:3")), null);
        long before = System.currentTimeMillis();
        writer.flush(true);
        long after = System.currentTimeMillis();

        Map<String, Object> contents = REDIS.contents();
        assertThat(contents).containsOnlyKeys(PA, "rtcdp:t:id:u:2");
        assertThat(withoutUpdatedAt(contents.get(PA), before, after))
                .isEqualTo(Map.of("new", "2", "ver", "1"));
        assertThat(contents.get("rtcdp:t:id:u:2")).isEqualTo("a");
        // a: DEL + write, b: DEL; ids u:1, u:9, u:2, u:3.
        assertThat(metrics.count("redisProfileWrites")).isEqualTo(3);
        assertThat(metrics.count("redisIdWrites")).isEqualTo(4);
    }

    @Test
    void verAndUpdatedAtCannotBeSetOrRemovedByAnUpdate() throws Exception {
        writer = writer(Duration.ofMinutes(1), 1000);

        writer.write(
                write("a", 2, Map.of("ver", "999", "updated_at", "0", "x", "1"), List.of(), ids()),
                null);
        writer.flush(false);
        writer.write(write("a", 1, Map.of(), List.of("ver", "updated_at", "x"), ids()), null);
        long before = System.currentTimeMillis();
        writer.flush(false);
        long after = System.currentTimeMillis();

        assertThat(withoutUpdatedAt(REDIS.contents().get(PA), before, after))
                .isEqualTo(Map.of("ver", "3"));
    }

    @Test
    void aFlushedScriptCacheIsReloadedWithoutLosingTheBatch() throws Exception {
        writer = writer(Duration.ofMinutes(1), 1000);
        writer.write(write("a", 1, Map.of("x", "1"), List.of(), List.of()), null);
        writer.flush(false);

        redis.scriptFlush();
        writer.write(write("b", 1, Map.of("x", "2"), List.of(), ids("u:1")), null);
        writer.flush(false);

        assertThat(redis.hget(PB, "x")).isEqualTo("2");
        assertThat(redis.get("rtcdp:t:id:u:1")).isEqualTo("b");
        assertThat(metrics.count("redisRetries")).isEqualTo(1);
        assertThat(metrics.count("redisProfileWrites")).isEqualTo(2);
    }

    @Test
    void transientErrorsAreRetriedUntilTheyStopAndNothingIsDropped() throws Exception {
        writer = writer(Duration.ofMinutes(1), 1000);
        // the script is loaded before Redis gets busy
        writer.write(write("c", 1, Map.of("x", "0"), List.of(), List.of()), null);
        writer.flush(false);
        writer.write(write("a", 1, Map.of("x", "1"), List.of(), ids("u:1")), null);
        writer.write(write("b", 1, Map.of("x", "2"), List.of(), List.of()), null);

        // another client's endless script: Redis answers BUSY to everything else
        try (Jedis admin = admin()) {
            admin.configSet("busy-reply-threshold", "20");
        }
        Thread script = busyScript();
        try {
            Await.until("Redis to be busy", Duration.ofSeconds(20), () -> isBusy());
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread flusher = flushInBackground(failure);
            Await.until(
                    "two retries",
                    Duration.ofSeconds(20),
                    () -> metrics.count("redisRetries") >= 2);
            assertThat(flusher.isAlive()).isTrue();
            try (Jedis admin = admin()) {
                admin.scriptKill();
            }
            flusher.join(Duration.ofSeconds(20).toMillis());

            assertThat(flusher.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
        } finally {
            script.join(10_000);
            try (Jedis admin = admin()) {
                admin.configSet("busy-reply-threshold", "5000");
            }
        }
        assertThat(redis.hget(PA, "x")).isEqualTo("1");
        assertThat(redis.hget(PB, "x")).isEqualTo("2");
        assertThat(redis.get("rtcdp:t:id:u:1")).isEqualTo("a");
        assertThat(rejected).isEmpty();
        assertThat(rejectedCount()).isZero();
        assertThat(metrics.gauge("redisBufferedProfiles")).isEqualTo(0);
        assertThat(metrics.count("redisProfileWrites")).isEqualTo(3);
    }

    @Test
    void aWrongTypedKeyIsRejectedAtOnceAndEveryOtherKeyIsWritten() throws Exception {
        // a string where a profile hash and a segment set belong
        redis.set(PA, "not a hash");
        redis.set("rtcdp:t:segment:vip", "not a set");
        writer = writer(Duration.ofMinutes(1), 1000);
        writer.write(
                write("a", 3, Map.of("x", "1", "y", "2"), List.of("z"), ids("u:1"))
                        .withSegments(Map.of("vip", true, "new", true)),
                null);
        writer.write(
                write("b", 1, Map.of("x", "3"), List.of(), List.of())
                        .withSegments(Map.of("vip", true)),
                null);
        writer.write(write("c", 1, Map.of("x", "4"), List.of(), List.of()), null);

        writer.flush(false);

        assertThat(redis.get(PA)).isEqualTo("not a hash");
        assertThat(redis.get("rtcdp:t:segment:vip")).isEqualTo("not a set");
        assertThat(redis.hget(PB, "x")).isEqualTo("3");
        assertThat(redis.hget(PC, "x")).isEqualTo("4");
        assertThat(redis.get("rtcdp:t:id:u:1")).isEqualTo("a");
        assertThat(redis.smembers("rtcdp:t:segment:new")).containsExactly("a");
        assertThat(metrics.count("redisRetries")).isZero();
        assertThat(metrics.count("reason.wrongtype.redisWritesRejected")).isEqualTo(2);
        assertThat(rejectedCount()).isEqualTo(2);
        assertThat(metrics.count("redisProfileWrites")).isEqualTo(2);
        assertThat(metrics.gauge("redisBufferedProfiles")).isEqualTo(0);

        assertThat(rejected).hasSize(2);
        RejectedWrite profile = rejected.get(0);
        assertThat(profile.key()).isEqualTo(PA);
        assertThat(profile.command()).isEqualTo("profile");
        assertThat(profile.failure()).isEqualTo(RedisFailure.WRONGTYPE);
        assertThat(profile.reply()).startsWith("WRONGTYPE Operation against a key holding");
        assertThat(JSON.readTree(profile.payload()))
                .isEqualTo(
                        JSON.readTree(
                                "{\"key\":\"rtcdp:t:profile:a\",\"command\":\"profile\","
                                        + "\"unset\":[\"z\"],\"set\":{\"x\":\"1\",\"y\":\"2\"}}"));
        RejectedWrite segment = rejected.get(1);
        assertThat(segment.key()).isEqualTo("rtcdp:t:segment:vip");
        assertThat(segment.command()).isEqualTo("segment");
        assertThat(JSON.readTree(segment.payload()))
                .isEqualTo(
                        JSON.readTree(
                                "{\"key\":\"rtcdp:t:segment:vip\",\"command\":\"segment\","
                                        + "\"add\":[\"a\",\"b\"]}"));

        var letter = profile.toDeadLetter();
        assertThat(letter.error()).isEqualTo("redis_rejected");
        assertThat(letter.source()).isEqualTo("redis:" + PA);
        assertThat(letter.message()).startsWith("wrongtype: ").contains(PA).contains("WRONGTYPE");
        assertThat(letter.payload()).isEqualTo(profile.payload());
    }

    @Test
    void aRefusedDeleteMakesTheNextWriteOfTheProfileDeleteFirst() throws Exception {
        redis.hset(PA, Map.of("forgotten", "1", "ver", "5"));
        try (Jedis admin = admin()) {
            admin.aclSetUser("nodel", "reset", "on", ">pw", "~*", "+@all", "-del");
        }
        writer = writer("redis://nodel:pw@127.0.0.1:" + REDIS.port());
        writer.write(delete("a", ids("u:1")), null);
        writer.flush(false);

        assertThat(redis.hget(PA, "forgotten")).isEqualTo("1");
        assertThat(rejected)
                .extracting(RejectedWrite::key, RejectedWrite::failure)
                .containsExactly(
                        tuple(PA, RedisFailure.NOPERM),
                        tuple("rtcdp:t:alias:a", RedisFailure.NOPERM),
                        tuple("rtcdp:t:id:u:1", RedisFailure.NOPERM));
        assertThat(JSON.readTree(rejected.get(0).payload()))
                .isEqualTo(
                        JSON.readTree(
                                "{\"key\":\"rtcdp:t:profile:a\",\"command\":\"profile\","
                                        + "\"del\":true}"));
        assertThat(metrics.count("reason.noperm.redisWritesRejected")).isEqualTo(3);

        // the ACL is fixed; the profile comes back later (a write of the same oneid)
        try (Jedis admin = admin()) {
            admin.aclSetUser("nodel", "+del");
        }
        writer.write(write("a", 1, Map.of("x", "1"), List.of(), List.of()), null);
        writer.flush(false);

        // not merged into the fields of the profile that was to be deleted
        assertThat(redis.hgetAll(PA)).containsOnlyKeys("x", "ver", "updated_at");
        assertThat(redis.hget(PA, "ver")).isEqualTo("1");

        // and only once: the next write is a plain one again
        writer.write(write("a", 2, Map.of("y", "2"), List.of(), List.of()), null);
        writer.flush(false);
        assertThat(redis.hgetAll(PA)).containsOnlyKeys("x", "y", "ver", "updated_at");
    }

    @Test
    void aDeleteAndAWriteOfOneProfileInAFlushHappenTogetherOrNotAtAll() throws Exception {
        redis.hset(PA, Map.of("forgotten", "1", "ver", "5"));
        try (Jedis admin = admin()) {
            admin.aclSetUser("nodel", "reset", "on", ">pw", "~*", "+@all", "-del");
        }
        writer = writer("redis://nodel:pw@127.0.0.1:" + REDIS.port());
        writer.write(delete("a", List.of()), null);
        writer.write(write("a", 1, Map.of("x", "1"), List.of(), List.of()), null);
        writer.flush(false);

        // the script's DEL was refused, so its write did not happen either
        assertThat(redis.hgetAll(PA)).isEqualTo(Map.of("forgotten", "1", "ver", "5"));
        RejectedWrite r =
                rejected.stream().filter(w -> w.key().equals(PA)).findFirst().orElseThrow();
        assertThat(r.failure()).isEqualTo(RedisFailure.NOPERM);
        assertThat(JSON.readTree(r.payload()))
                .isEqualTo(
                        JSON.readTree(
                                "{\"key\":\"rtcdp:t:profile:a\",\"command\":\"profile\","
                                        + "\"del\":true,\"unset\":[],\"set\":{\"x\":\"1\"}}"));
        assertThat(metrics.count("redisProfileWrites")).isZero();
    }

    @Test
    void aScriptThatCannotBeLoadedIsSentWhole() throws Exception {
        try (Jedis admin = admin()) {
            admin.aclSetUser("noload", "reset", "on", ">pw", "~*", "+@all", "-script");
        }
        writer = writer("redis://noload:pw@127.0.0.1:" + REDIS.port());
        writer.write(write("a", 1, Map.of("x", "1"), List.of(), List.of()), null);
        writer.flush(false);
        writer.write(write("a", 2, Map.of("x", "2"), List.of(), List.of()), null);
        writer.flush(false);

        assertThat(redis.hmget(PA, "x", "ver")).containsExactly("2", "2");
        assertThat(rejected).isEmpty();
        assertThat(metrics.count("redisRetries")).isZero();
    }

    @Test
    void aNullFieldFailsTheFlushAtOnceInsteadOfStallingTheJob() throws Exception {
        writer = writer(Duration.ofMinutes(1), 1000);
        assertANullFieldFailsTheFlush();
        assertThat(metrics.count("redisRetries")).isZero();
    }

    /** A write of profile a with a null value fails the flush, naming the field and the key. */
    private void assertANullFieldFailsTheFlush() throws InterruptedException {
        Map<String, String> set = new java.util.HashMap<>();
        set.put("email_plain", null);
        writer.write(write("a", 1, set, List.of(), List.of()), null);
        assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("email_plain")
                .hasMessageContaining(PA);
    }

    @Test
    void aWriterStartsWithoutRedisAndAnInterruptEndsItsWait() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        writer =
                RedisProfileSink.builder()
                        .redisUrl("redis://127.0.0.1:" + deadPort)
                        .build()
                        .createWriter(time, metrics);
        writer.write(write("a", 1, Map.of("x", "1"), List.of(), List.of()), null);

        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread flusher = flushInBackground(failure);
        Await.until(
                "a retry backoff",
                Duration.ofSeconds(20),
                () -> flusher.getState() == Thread.State.TIMED_WAITING);
        flusher.interrupt();
        flusher.join(Duration.ofSeconds(10).toMillis());

        assertThat(flusher.isAlive()).isFalse();
        assertThat(failure.get()).isInstanceOf(InterruptedException.class);
        // Still buffered, not dropped: the job restarts from its last checkpoint anyway.
        assertThat(metrics.gauge("redisBufferedProfiles")).isEqualTo(1);
        assertThat(metrics.count("redisProfileWrites")).isZero();
    }

    private RedisProfileWriter writer(Duration flushInterval, int maxBufferedProfiles) {
        return RedisProfileSink.builder()
                .redisUrl(REDIS.url())
                .flushInterval(flushInterval)
                .maxBufferedProfiles(maxBufferedProfiles)
                .build()
                .createWriter(time, metrics, metrics.getNumRecordsSendCounter(), rejected::add);
    }

    private RedisProfileWriter writer(String url) {
        return RedisProfileSink.builder()
                .redisUrl(url)
                .flushInterval(Duration.ofMinutes(1))
                .build()
                .createWriter(time, metrics, metrics.getNumRecordsSendCounter(), rejected::add);
    }

    private long rejectedCount() {
        long n = 0;
        for (RedisFailure f : RedisFailure.REJECTIONS) {
            n +=
                    metrics.count(
                            RedisProfileWriter.REASON + '.' + f.reason() + ".redisWritesRejected");
        }
        return n;
    }

    private static Jedis admin() {
        return new Jedis("127.0.0.1", REDIS.port());
    }

    /** Runs an endless script on a connection of its own until SCRIPT KILL. */
    private static Thread busyScript() {
        Thread t =
                new Thread(
                        () -> {
                            try (Jedis jedis =
                                    new Jedis(
                                            new HostAndPort("127.0.0.1", REDIS.port()),
                                            DefaultJedisClientConfig.builder()
                                                    .socketTimeoutMillis(60_000)
                                                    .build())) {
                                jedis.eval("while true do end");
                            } catch (RuntimeException killed) {
                                // ERR Script killed by user
                            }
                        },
                        "busy-script");
        t.start();
        return t;
    }

    private static boolean isBusy() {
        try (Jedis probe = admin()) {
            probe.get("busy-probe");
            return false;
        } catch (redis.clients.jedis.exceptions.JedisBusyException e) {
            return true;
        }
    }

    private Thread flushInBackground(AtomicReference<Throwable> failure) {
        Thread t =
                new Thread(
                        () -> {
                            try {
                                writer.flush(false);
                            } catch (Throwable e) {
                                failure.set(e);
                            }
                        },
                        "flusher");
        t.start();
        return t;
    }

    private static List<String> ids(String... ids) {
        return List.of(ids);
    }

    /** The hash without updated_at, after checking updated_at is the wall clock of the flush. */
    private static Map<String, String> withoutUpdatedAt(Object hash, long from, long to) {
        assertThat(hash).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, String> fields = new TreeMap<>((Map<String, String>) hash);
        assertThat(Long.parseLong(fields.remove("updated_at"))).isBetween(from, to);
        return fields;
    }

    /** The limit the writer looks at once (and warns about below 512), read from Redis itself. */
    @Test
    void readsRedisListpackValueLimit() {
        try {
            redis.configSet("hash-max-listpack-value", "64");
            assertThat(RedisClients.hashListpackValueLimit(redis)).hasValue(64);
            redis.configSet("hash-max-listpack-value", "512");
            assertThat(RedisClients.hashListpackValueLimit(redis)).hasValue(512);
        } finally {
            redis.configSet("hash-max-listpack-value", "64");
        }
    }
}
