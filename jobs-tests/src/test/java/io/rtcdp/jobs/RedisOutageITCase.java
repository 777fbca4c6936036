package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.Await;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis going away under a running replay: the job blocks (backpressure), loses nothing, does not
 * fail over and catches up when Redis is back. Redis logs every write before answering it ({@code
 * appendonly yes}, {@code appendfsync always} in the outage run), so a kill -9 loses nothing it
 * acknowledged; the final Redis must equal a replay without the outage (every key and field but
 * {@code ver} and {@code updated_at}), with no dead letters. The measured times are printed (and
 * quoted in docs/operations.md, "Redis failures").
 */
class RedisOutageITCase {
    static final long START =
            OffsetDateTime.parse("2024-05-01T00:00:00Z").toInstant().toEpochMilli();

    /**
     * Longer than the writers' backoff takes to reach its ceiling (50 ms doubling to 5 s: 6.35 s),
     * so each writer retries at the ceiling too; 30 s until 2026-12-07 (docs/operations.md, "Redis
     * failures", measured both).
     */
    static final Duration OUTAGE = Duration.ofSeconds(12);

    static final Duration PAUSE = Duration.ofSeconds(5);

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .setConfiguration(METRICS.addToConfiguration(flinkConfig()))
                            .build());

    @RegisterExtension static final RedisServerExtension REDIS = RedisServerExtension.appendOnly();

    @TempDir static Path tmp;

    static Path events;
    static RtcdpConfig cfg;
    static Map<String, Object> clean;
    static long cleanMillis;
    static long eventCount;

    private static Configuration flinkConfig() {
        Configuration c = new Configuration();
        c.setString("state.backend.type", "rocksdb");
        c.setString("taskmanager.memory.managed.size", "256m");
        return c;
    }

    @BeforeAll
    static void cleanReplay() throws Exception {
        PopulationGenerator gen =
                PopulationGenerator.builder()
                        .seed(23)
                        .tenant("acme")
                        .persons(4_000)
                        .events(120_000)
                        .startMillis(START)
                        .duration(Duration.ofDays(30))
                        .badFraction(0)
                        .build();
        List<GeneratedRecord> records = new ArrayList<>();
        gen.iterator().forEachRemaining(records::add);
        events = tmp.resolve("events.jsonl");
        PopulationGenerator.writeJsonl(records.iterator(), events);
        long now = gen.suggestedNow();
        cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> now).build())
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .build();
        REDIS.flushAll();
        // fsync once a second for the runs that do not kill Redis: much faster on this machine
        REDIS.client().configSet("appendfsync", "everysec");
        long t0 = System.nanoTime();
        Replay.Summary s = replay("clean");
        cleanMillis = (System.nanoTime() - t0) / 1_000_000;
        eventCount = s.counted();
        clean = REDIS.comparableContents();
        assertThat(Files.exists(tmp.resolve("dlq-clean.jsonl")) ? lines("dlq-clean") : 0).isZero();
        System.out.printf(
                "RedisOutageITCase: clean replay of %d events, %d keys: %d ms (%.0f events/s"
                        + " with start-up)%n",
                eventCount, clean.size(), cleanMillis, eventCount * 1000.0 / cleanMillis);
    }

    @Test
    void anOutageBeyondTheBackoffCeilingBlocksTheJobWhichThenCatchesUpWithNothingLost(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        REDIS.flushAll();
        // every write on disk before Redis answers it, so kill -9 loses none it acknowledged
        REDIS.client().configSet("appendfsync", "always");
        long started = System.nanoTime();
        CompletableFuture<Replay.Summary> run = replayAsync("outage");

        // early in the run (so that most of it is still to come on a fast machine too): checkpoints
        // are being taken and Redis holds a tenth of the keys
        Path checkpoints = tmp.resolve("work-outage").resolve("checkpoints");
        Await.until(
                "a first checkpoint",
                Duration.ofSeconds(60),
                () -> run.isDone() || checkpointExists(checkpoints));
        JobID job = runningJob(cluster);
        long steadyAt = System.nanoTime();
        long countedAtSteady = sum(job, "eventsCounted");
        Await.until(
                "a tenth of the keys",
                Duration.ofSeconds(60),
                () -> run.isDone() || REDIS.client().dbSize() >= clean.size() / 10);
        assertThat(run).as("the replay is still running when Redis is killed").isNotDone();
        long keysAtKill = REDIS.client().dbSize();
        long countedAtKill = sum(job, "eventsCounted");
        long killedAt = System.nanoTime();
        REDIS.kill9();

        // the outage: the job must neither finish nor fail meanwhile
        long[] countedAt2s = {-1};
        Await.during(
                "the outage",
                Duration.ofNanos(killedAt + OUTAGE.toNanos() - System.nanoTime()),
                () -> {
                    assertThat(run).as("the replay waits for Redis").isNotDone();
                    if (countedAt2s[0] < 0 && System.nanoTime() - killedAt > 2_000_000_000L) {
                        countedAt2s[0] = sum(job, "eventsCounted");
                    }
                });
        long countedAtRestart = sum(job, "eventsCounted");
        long retriesDuringOutage = sum(job, "redisRetries");
        REDIS.start();
        long restartedAt = System.nanoTime();
        long keysAfterReload = REDIS.client().dbSize();
        Await.until(
                "the first write after the restart",
                Duration.ofSeconds(30),
                () -> run.isDone() || REDIS.client().dbSize() > keysAfterReload);
        long resumedAt = System.nanoTime();
        Replay.Summary summary = run.get(120, TimeUnit.SECONDS);
        long endedAt = System.nanoTime();

        // nothing acknowledged was lost by the kill, nothing is lost in the end
        assertThat(keysAfterReload).isGreaterThanOrEqualTo(keysAtKill);
        assertThat(RedisServerExtension.differences(clean, REDIS.comparableContents(), 20))
                .isEmpty();
        assertThat(summary.counted()).isEqualTo(eventCount);
        assertThat(lines("dlq-outage")).as("dead letters").isZero();
        assertThat(retriesDuringOutage).isPositive();
        // backpressure stops the pipeline once the network buffers before the writer are full;
        // on a fast machine this input may fit in them, so how far it got is reported, not
        // asserted (that the replay waited for Redis is: it was not done during the outage)

        long retries = sum(job, "redisRetries");
        double before = (countedAtKill - countedAtSteady) / ((killedAt - steadyAt) / 1e9);
        double after = (eventCount - countedAtRestart) / ((endedAt - restartedAt) / 1e9);
        System.out.printf(
                "RedisOutageITCase: outage %.1f s (kill -9 at %d of %d keys, %d of %d events"
                        + " counted); events counted during the outage %d (%d of them after its"
                        + " first 2 s); retries %d; first write %.1f s after the restart, all"
                        + " writes done %.1f s after it (the rest of the replay included);"
                        + " events/s before %.0f, after the restart %.0f; whole run %.1f s vs"
                        + " %.1f s without the outage%n",
                (restartedAt - killedAt) / 1e9,
                keysAtKill,
                clean.size(),
                countedAtKill,
                eventCount,
                countedAtRestart - countedAtKill,
                countedAt2s[0] < 0 ? 0 : countedAtRestart - countedAt2s[0],
                retries,
                (resumedAt - restartedAt) / 1e9,
                (endedAt - restartedAt) / 1e9,
                before,
                after,
                (endedAt - started) / 1e9,
                cleanMillis / 1e3);
    }

    @Test
    void aPausedRedisTimesOutAndIsRetriedUntilItAnswers(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        REDIS.flushAll();
        REDIS.client().configSet("appendfsync", "everysec");
        CompletableFuture<Replay.Summary> run = replayAsync("pause");
        Await.until(
                "a tenth of the keys",
                Duration.ofSeconds(60),
                () -> run.isDone() || REDIS.client().dbSize() >= clean.size() / 10);
        assertThat(run).as("the replay is still running when Redis is paused").isNotDone();
        JobID job = runningJob(cluster);
        REDIS.pause();
        long pausedAt = System.nanoTime();
        try {
            Await.during(
                    "the pause",
                    PAUSE,
                    () -> assertThat(run).as("the replay waits for Redis").isNotDone());
        } finally {
            REDIS.resume();
        }
        long resumedAt = System.nanoTime();
        run.get(120, TimeUnit.SECONDS);
        long endedAt = System.nanoTime();

        assertThat(RedisServerExtension.differences(clean, REDIS.comparableContents(), 20))
                .isEmpty();
        assertThat(lines("dlq-pause")).as("dead letters").isZero();
        // the socket timeouts (2 s) were retried
        long retries = sum(job, "redisRetries");
        assertThat(retries).isPositive();
        System.out.printf(
                "RedisOutageITCase: paused %.1f s; retries %d; all writes done %.1f s after"
                        + " SIGCONT%n",
                (resumedAt - pausedAt) / 1e9, retries, (endedAt - resumedAt) / 1e9);
    }

    private static Replay.Summary replay(String name) throws Exception {
        return Replay.run(
                cfg,
                List.of(events),
                tmp.resolve("dlq-" + name + ".jsonl"),
                tmp.resolve("conflicts-" + name + ".jsonl"),
                tmp.resolve("work-" + name),
                FlinkTestCluster.noRestarts());
    }

    private static CompletableFuture<Replay.Summary> replayAsync(String name) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return replay(name);
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
    }

    private static long lines(String name) throws Exception {
        Path f = tmp.resolve(name + ".jsonl");
        return Files.exists(f)
                ? Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count()
                : 0;
    }

    private static JobID runningJob(MiniCluster cluster) throws Exception {
        for (JobStatusMessage j : cluster.listJobs().get()) {
            if (j.getJobState() == JobStatus.RUNNING) {
                return j.getJobId();
            }
        }
        throw new AssertionError("no running job");
    }

    private static long sum(JobID job, String counter) {
        return METRICS.findMetrics(job, ".*\\." + counter).values().stream()
                .mapToLong(m -> ((Counter) m).getCount())
                .sum();
    }

    private static boolean checkpointExists(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().equals("_metadata"));
        } catch (Exception e) {
            return false;
        }
    }
}
