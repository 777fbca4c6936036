package io.rtcdp.jobs.bench;

import io.rtcdp.jobs.InJvmMetrics;
import io.rtcdp.jobs.Replay;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpJob;
import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.jobs.WorkDirectory;
import io.rtcdp.jobs.local.LocalRedis;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import redis.clients.jedis.RedisClient;

/**
 * Measures the replay path end to end: N generated events of M profiles from a file, through parse,
 * dedupe, profile (RocksDB, checkpoints every 10 s) into a Redis on this machine.
 */
public final class Bench {
    /** Bench settings. */
    public record Settings(
            long events,
            int profiles,
            int parallelism,
            String redisUrl,
            boolean anonymous,
            Path rulesFile,
            Path modelsDir,
            boolean learning) {

        public Settings(
                long events, int profiles, int parallelism, String redisUrl, boolean anonymous) {
            this(events, profiles, parallelism, redisUrl, anonymous, null, null, true);
        }
    }

    /**
     * What a bench run measured.
     *
     * @param profileWritesPerEvent profile writes to Redis per event
     * @param cpuMicrosPerEvent CPU time of this JVM per event
     */
    public record Result(
            long events,
            long profiles,
            double seconds,
            double eventsPerSecond,
            long rocksDbBytes,
            long redisBytes,
            double profileWritesPerEvent,
            double cpuMicrosPerEvent) {}

    private Bench() {}

    /**
     * The bench's input: {@code s.events()} events of {@code s.profiles()} persons of tenant {@code
     * bench} over the 90 days before {@code now}, without bad records or duplicates; with {@code
     * s.anonymous()}, anonymous browsing, shared devices and reused phones.
     */
    static PopulationGenerator population(Settings s, long now) {
        PopulationGenerator.Builder b =
                PopulationGenerator.builder()
                        .seed(42)
                        .tenant("bench")
                        .persons(s.profiles())
                        .events(s.events())
                        .startMillis(now - Duration.ofDays(90).toMillis())
                        .duration(Duration.ofDays(90))
                        .badFraction(0)
                        .duplicateFraction(0);
        if (s.anonymous()) {
            b.alwaysUserId(false).sharedDevices(0.1, 3).reusedPhones(0.1);
        }
        return b.build();
    }

    public static Result run(Settings s, PrintStream out) throws Exception {
        Path work = WorkDirectory.create(null, "bench");
        try {
            Path input = work.resolve("events.jsonl");
            long t0 = System.nanoTime();
            PopulationGenerator gen = population(s, System.currentTimeMillis());
            PopulationGenerator.writeJsonl(gen.iterator(), input);
            out.printf(
                    "generated %d events of %d persons (%d MB) in %.1f s%n",
                    s.events(),
                    s.profiles(),
                    Files.size(input) >> 20,
                    (System.nanoTime() - t0) / 1e9);

            LocalRedis local = s.redisUrl() == null ? LocalRedis.start() : null;
            String url = local != null ? local.url() : s.redisUrl();
            try (RedisClient redis = RedisClient.create(url)) {
                if (local == null && redis.dbSize() > 0) {
                    throw new IllegalArgumentException(
                            "the bench needs an empty Redis; " + url + " has keys");
                }
                long memBefore = usedMemory(redis);
                List<String> rules = List.of();
                if (s.rulesFile() != null) {
                    // the bench's tenant is "bench": the rule set is applied to it
                    Path r = work.resolve("rules.yaml");
                    Files.writeString(
                            r,
                            Files.readString(s.rulesFile())
                                    .replaceFirst("(?m)^tenant:.*$", "tenant: bench"));
                    rules = List.of(r.toString());
                }
                RtcdpConfig cfg =
                        RtcdpConfig.builder()
                                .parser(ParserConfig.builder().build())
                                .set(RtcdpOptions.RULES_FILES, String.join(",", rules))
                                .set(
                                        RtcdpOptions.MODELS_DIR,
                                        s.modelsDir() == null ? null : s.modelsDir().toString())
                                .set(RtcdpOptions.LEARNING_ENABLED, s.learning())
                                .set(RtcdpOptions.REDIS_URL, url)
                                .set(RtcdpOptions.PARALLELISM, s.parallelism())
                                .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(10))
                                .set(RtcdpOptions.PROFILE_REFRESH_INTERVAL, Replay.REFRESH_AT_END)
                                .build();
                Configuration flink = new Configuration();
                InJvmMetrics.reset();
                InJvmMetrics.install(flink);
                long redisCpuBefore = local != null ? local.cpuMillis() : -1;
                Path rocks = work.resolve("rocksdb");
                AtomicLong rocksMax = new AtomicLong();
                ThreadCpu threadCpu = new ThreadCpu();
                long processCpuBefore = processCpuNanos();
                ProcessThreads jvmThreads = ProcessThreads.start();
                Thread sampler = sampler(rocks, rocksMax, threadCpu);
                sampler.start();
                Replay.Summary r;
                try {
                    r =
                            Replay.run(
                                    cfg,
                                    List.of(input),
                                    work.resolve("dlq.jsonl"),
                                    work.resolve("conflicts.jsonl"),
                                    work,
                                    flink);
                } finally {
                    sampler.interrupt();
                    sampler.join();
                }
                long processCpu = processCpuNanos() - processCpuBefore;
                long redisBytes = usedMemory(redis) - memBefore;
                long redisCpu = local != null ? local.cpuMillis() - redisCpuBefore : -1;
                double sec = r.millis() / 1000.0;
                Result res =
                        new Result(
                                r.valid(),
                                r.profiles(),
                                sec,
                                r.valid() / sec,
                                rocksMax.get(),
                                redisBytes,
                                InJvmMetrics.sum("redisProfileWrites")
                                        / (double) Math.max(1, r.valid()),
                                processCpu / 1e3 / Math.max(1, r.valid()));
                out.printf(
                        "replayed %d events into %d profiles in %.1f s: %.0f events/s end to end"
                                + " (parallelism %d, RocksDB, checkpoints every 10 s)%n",
                        res.events(), res.profiles(), sec, res.eventsPerSecond(), s.parallelism());
                long merges = InJvmMetrics.sum("identityMerges");
                if (s.rulesFile() != null || s.modelsDir() != null) {
                    long scoredCount = InJvmMetrics.sum("profilesScored");
                    out.printf(
                            "decisions: rules %s, models %s%s; %d profile scorings, %d triggers"
                                    + " (%d suppressed by next-best-action)%n",
                            s.rulesFile(),
                            s.modelsDir(),
                            s.modelsDir() != null && !s.learning() ? " (no learning)" : "",
                            scoredCount,
                            InJvmMetrics.sum("triggersEmitted"),
                            InJvmMetrics.sum("triggersSuppressedNextBestAction"));
                }
                out.printf(
                        "identity: %d merges (%.0f merges/s), %d conflicts, %d quarantined ids%n",
                        merges,
                        merges / sec,
                        InJvmMetrics.sum("identityConflicts"),
                        InJvmMetrics.sum("identityQuarantines"));
                // the CPU of a redis-server the bench did not start (--redis) is not known here
                out.printf(
                        "Redis: %d profile writes (%.2f per event), %d id writes; redis-server CPU"
                                + " %s; profile refreshes by timers: %d%n",
                        InJvmMetrics.sum("redisProfileWrites"),
                        InJvmMetrics.sum("redisProfileWrites") / (double) Math.max(1, r.valid()),
                        InJvmMetrics.sum("redisIdWrites"),
                        local != null ? redisCpu + " ms" : "not measured (external Redis)",
                        InJvmMetrics.sum("profileRefreshes"));
                out.printf(
                        "CPU per event: JVM %.1f µs, redis-server %s; by task thread: %s%n",
                        processCpu / 1e3 / Math.max(1, r.valid()),
                        local != null
                                ? String.format("%.1f µs", redisCpu * 1e3 / Math.max(1, r.valid()))
                                : "n/a",
                        threadCpu.perEvent(r.valid()));
                // the JVM's CPU that no task thread shows: a JVM still compiling the pipeline, or
                // RocksDB busy with what the stages wrote
                out.printf(
                        "CPU per event of the JVM's and RocksDB's own threads (garbage collector:"
                                + " %s): %s%n",
                        ProcessThreads.collector(), jvmThreads.perEvent(r.valid()));
                out.printf(
                        "busiest subtask share of records: %s%n",
                        busiestShares(InJvmMetrics.recordsInBySubtask()));
                out.printf(
                        "RocksDB: %d bytes on disk at most (%.0f bytes per profile, dedupe state"
                                + " included); Redis: %d bytes (%.0f bytes per profile, id keys"
                                + " included)%n",
                        res.rocksDbBytes(),
                        res.rocksDbBytes() / (double) Math.max(1, res.profiles()),
                        res.redisBytes(),
                        res.redisBytes() / (double) Math.max(1, res.profiles()));
                return res;
            } finally {
                if (local != null) {
                    local.close();
                }
            }
        } finally {
            WorkDirectory.delete(work);
        }
    }

    /**
     * For each keyed stage of the job ({@link RtcdpJob#KEYED_STAGES}) with more than one subtask
     * that received records, the share of its records that its busiest subtask received, in the
     * graph's order, e.g. {@code dedupe 25.3 %, identity 100.0 % (serial)}. A task is named by its
     * first operator ({@code "decide -> redis: Writer"} is {@code decide}; a sink's {@code "redis
     * triggers: Writer"} is {@code redis triggers}).
     */
    static String busiestShares(Map<String, long[]> recordsIn) {
        Map<String, Double> shares = new java.util.HashMap<>();
        for (Map.Entry<String, long[]> task : recordsIn.entrySet()) {
            long[] counts = task.getValue();
            long total = 0;
            long max = 0;
            for (long c : counts) {
                total += c;
                max = Math.max(max, c);
            }
            String stage = stageName(task.getKey());
            if (RtcdpJob.KEYED_STAGES.containsKey(stage) && counts.length > 1 && total > 0) {
                shares.merge(stage, 100.0 * max / total, Math::max);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> stage : RtcdpJob.KEYED_STAGES.entrySet()) {
            Double share = shares.get(stage.getKey());
            if (share == null) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(String.format(java.util.Locale.ROOT, "%s %.1f %%", stage.getKey(), share));
            if (!stage.getValue().isEmpty()) {
                sb.append(" (").append(stage.getValue()).append(')');
            }
        }
        return sb.length() == 0 ? "none (parallelism 1)" : sb.toString();
    }

    /** A task's name by its first operator, without the writer or committer suffix of a sink. */
    static String stageName(String taskName) {
        String first = taskName.split(" -> ", 2)[0].trim();
        return first.replaceFirst("^Sink: ", "").replaceFirst(": (Writer|Committer)$", "");
    }

    private static long usedMemory(RedisClient redis) {
        for (String line : redis.info("memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        return 0;
    }

    static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }

    /**
     * CPU time of the job's threads, by thread name without its subtask suffix, from samples (every
     * 200 ms) of each live thread's CPU time: a thread's last sample counts, so up to 200 ms of a
     * thread's end is missed. Threads that existed before the run are left out.
     */
    static final class ThreadCpu {
        private final java.lang.management.ThreadMXBean mx =
                java.lang.management.ManagementFactory.getThreadMXBean();
        private final java.util.Set<Long> before = new java.util.HashSet<>();
        private final java.util.Map<Long, String> names = new java.util.HashMap<>();
        private final java.util.Map<Long, Long> cpu = new java.util.HashMap<>();

        ThreadCpu() {
            for (long id : mx.getAllThreadIds()) {
                before.add(id);
            }
        }

        /**
         * Each new thread's name is looked up once ({@code getThreadInfo} is a VM operation over
         * the threads asked for); later samples read only the CPU times.
         */
        synchronized void sample() {
            for (long id : mx.getAllThreadIds()) {
                if (before.contains(id)) {
                    continue;
                }
                long c = mx.getThreadCpuTime(id);
                if (c <= 0) {
                    continue;
                }
                if (!names.containsKey(id)) {
                    java.lang.management.ThreadInfo ti = mx.getThreadInfo(id);
                    if (ti == null) {
                        continue;
                    }
                    names.put(id, ti.getThreadName());
                }
                cpu.put(id, c);
            }
        }

        /** The task threads using at least 1 µs per event, most first: {@code name 12.3 µs}. */
        synchronized String perEvent(long events) {
            return perEvent(events, Integer.MAX_VALUE);
        }

        /** {@link #perEvent(long)}, the first {@code limit} threads only. */
        synchronized String perEvent(long events, int limit) {
            java.util.Map<String, Long> byName = new java.util.TreeMap<>();
            for (var e : cpu.entrySet()) {
                String name = names.get(e.getKey()).replaceAll("\\s*\\(\\d+/\\d+\\)(#\\d+)?$", "");
                byName.merge(name, e.getValue(), Long::sum);
            }
            StringBuilder sb = new StringBuilder();
            byName.entrySet().stream()
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                    .filter(e -> e.getValue() / 1e3 / Math.max(1, events) >= 1)
                    .limit(limit)
                    .forEach(
                            e -> {
                                if (sb.length() > 0) {
                                    sb.append("; ");
                                }
                                sb.append(e.getKey())
                                        .append(' ')
                                        .append(
                                                String.format(
                                                        java.util.Locale.ROOT,
                                                        "%.1f µs",
                                                        e.getValue() / 1e3 / events));
                            });
            return sb.toString();
        }
    }

    /**
     * Samples the CPU time of the job's threads every 200 ms, and the size of the RocksDB working
     * directories every second, keeping the largest.
     */
    private static Thread sampler(Path dir, AtomicLong max, ThreadCpu threadCpu) {
        Thread t =
                new Thread(
                        () -> {
                            for (long n = 0; !Thread.currentThread().isInterrupted(); n++) {
                                threadCpu.sample();
                                // the files change with RocksDB's flushes and compactions, seconds
                                // apart (the sampler took ~1 µs of CPU per event walking them 5
                                // times a second)
                                if (n % 5 == 0) {
                                    max.accumulateAndGet(sizeOf(dir), Math::max);
                                }
                                try {
                                    Thread.sleep(200);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "rocksdb-size");
        t.setDaemon(true);
        return t;
    }

    private static long sizeOf(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(
                            p -> {
                                try {
                                    return Files.size(p);
                                } catch (IOException gone) {
                                    return 0;
                                }
                            })
                    .sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }
}
