package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisClusterExtension;
import io.rtcdp.testing.RedisServerExtension;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Pipeline;

/**
 * Throughput of one {@link RedisProfileWriter} (one task thread) into a local redis-server: profile
 * writes of ~20 fields each, every write a different profile, with the default batching. Prints the
 * numbers, and on the single Redis its CPU per write (round 1 writes through the script, the later
 * rounds, of hashes the writer wrote, with HSET); asserts only that everything arrived. Not part of
 * the build (the name does not end in Test); run it with
 *
 * <pre>
 * mvn -o -pl operators-tests -am test -Dtest=RedisProfileSinkBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * and read {@code operators/target/surefire-reports/*RedisProfileSinkBenchmark-output.txt}.
 */
class RedisProfileSinkBenchmark {

    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();
    @RegisterExtension static final RedisClusterExtension CLUSTER = new RedisClusterExtension();

    private static final int PROFILES = 100_000;
    private static final int FIELDS = 20;
    private static final int ROUNDS = 4;

    @Test
    void profileWritesPerSecond() throws Exception {
        REDIS.flushAll();
        List<List<ProfileUpdate>> rounds = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            rounds.add(updates(r + 1));
        }
        RecordingSinkWriterMetricGroup metrics = new RecordingSinkWriterMetricGroup();
        RedisProfileWriter writer =
                RedisProfileSink.builder()
                        .redisUrl(REDIS.url())
                        .flushInterval(Duration.ofMillis(20))
                        .maxBufferedProfiles(RedisProfileSink.DEFAULT_MAX_BUFFERED_PROFILES)
                        .build()
                        .createWriter(new TestProcessingTimeService(), metrics);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int r = 0; r < 2; r++) {
            long start = System.nanoTime();
            long cpu = threads.getCurrentThreadCpuTime();
            long redisCpu = redisCpuMicros();
            plainHset(rounds.get(r));
            report("plain HSET+SET", r, start, cpu, redisCpu);
        }
        REDIS.flushAll();
        writeRounds("RedisProfileWriter", writer, rounds, metrics, true);
        assertThat(REDIS.client().dbSize()).isEqualTo(2L * PROFILES);
        assertThat(REDIS.client().hget("rtcdp:t:profile:o12345", "ver"))
                .isEqualTo(Integer.toString(ROUNDS));
        assertThat(REDIS.client().hlen("rtcdp:t:profile:o12345")).isEqualTo(FIELDS + 2);
    }

    /** The same writes into a three-master Redis Cluster on this machine. */
    @Test
    void profileWritesPerSecondOnACluster() throws Exception {
        CLUSTER.flushAll();
        List<List<ProfileUpdate>> rounds = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            rounds.add(updates(r + 1));
        }
        RecordingSinkWriterMetricGroup metrics = new RecordingSinkWriterMetricGroup();
        RedisProfileWriter writer =
                RedisProfileSink.builder()
                        .redisUrl(CLUSTER.url())
                        .flushInterval(Duration.ofMillis(20))
                        .maxBufferedProfiles(RedisProfileSink.DEFAULT_MAX_BUFFERED_PROFILES)
                        .build()
                        .createWriter(new TestProcessingTimeService(), metrics);
        writeRounds("writer on cluster", writer, rounds, metrics, false);
        assertThat(CLUSTER.contents()).hasSize(2 * PROFILES);
        assertThat(CLUSTER.client().hget("rtcdp:t:profile:o12345", "ver"))
                .isEqualTo(Integer.toString(ROUNDS));
    }

    private static void writeRounds(
            String what,
            RedisProfileWriter writer,
            List<List<ProfileUpdate>> rounds,
            RecordingSinkWriterMetricGroup metrics,
            boolean single)
            throws Exception {
        try {
            for (int r = 0; r < ROUNDS; r++) {
                long start = System.nanoTime();
                long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                long redisCpu = single ? redisCpuMicros() : -1;
                for (ProfileUpdate u : rounds.get(r)) {
                    writer.write(u, null);
                }
                writer.flush(true);
                report(what, r, start, cpu, redisCpu);
            }
        } finally {
            writer.close();
        }
        assertThat(metrics.count("redisProfileWrites")).isEqualTo((long) PROFILES * ROUNDS);
        assertThat(metrics.count("redisRetries")).isZero();
    }

    private static void plainHset(List<ProfileUpdate> updates) {
        for (int from = 0; from < updates.size(); from += 1000) {
            try (Pipeline pipeline = REDIS.client().pipelined()) {
                for (ProfileUpdate u :
                        updates.subList(from, Math.min(from + 1000, updates.size()))) {
                    pipeline.hset("rtcdp:t:profile:" + u.oneid(), u.set());
                    pipeline.set("rtcdp:t:id:" + u.ids().get(0), u.oneid());
                }
                pipeline.sync();
            }
        }
    }

    /** redis-server's CPU time (user and system) of the single Redis, in microseconds. */
    private static long redisCpuMicros() {
        double seconds = 0;
        for (String line : REDIS.client().info("cpu").split("\\r?\\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return Math.round(seconds * 1e6);
    }

    /**
     * @param startRedisCpuMicros redis-server's CPU at the start, or -1 (a cluster: not reported)
     */
    private static void report(
            String what, int round, long startNanos, long startCpuNanos, long startRedisCpuMicros) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double cpu =
                (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - startCpuNanos)
                        / 1e9;
        String redis =
                startRedisCpuMicros < 0
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", redis-server CPU %.2f us per write",
                                (redisCpuMicros() - startRedisCpuMicros) / (double) PROFILES);
        System.out.printf(
                Locale.ROOT,
                "%-18s round %d (%s): %d profiles x %d fields in %.2f s = %.0f profile writes/s,"
                        + " client thread CPU %.2f s%s%n",
                what,
                round + 1,
                round == 0 ? "new" : "existing",
                PROFILES,
                FIELDS,
                seconds,
                PROFILES / seconds,
                cpu,
                redis);
    }

    /** One write per profile, with values shaped like the profile operator's (short decimals). */
    private static List<ProfileUpdate> updates(long ver) {
        Random random = new Random(ver);
        List<String> fields = new ArrayList<>(UpdateSequence.FIELDS.subList(0, FIELDS - 1));
        fields.add("oneid");
        List<ProfileUpdate> out = new ArrayList<>(PROFILES);
        for (int p = 0; p < PROFILES; p++) {
            String oneid = "o" + p;
            Map<String, String> set = new LinkedHashMap<>();
            for (String f : fields) {
                set.put(f, Integer.toString(random.nextInt(1_000_000)));
            }
            set.put("oneid", oneid);
            out.add(
                    new ProfileUpdate(
                            "t", oneid, ver, false, set, List.of(), List.of("cookie_id:" + p)));
        }
        return out;
    }
}
