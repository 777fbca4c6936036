package io.rtcdp.jobs.bench;

import io.rtcdp.jobs.ConfigLoader;
import io.rtcdp.jobs.Environments;
import io.rtcdp.jobs.InJvmMetrics;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.jobs.Streaming;
import io.rtcdp.jobs.WorkDirectory;
import io.rtcdp.jobs.local.LocalRedis;
import io.rtcdp.testing.LocalKafka;
import io.rtcdp.testing.ServerProcesses;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * {@code rtcdp bench --live}: freshness of the streaming job. Runs the job of {@code rtcdp run}
 * ({@link Streaming#build}) on a local MiniCluster against Kafka (in-JVM, or {@code --bootstrap})
 * and Redis (a local redis-server, or {@code --redis}), produces generated events at fixed rates
 * and measures, for probe events among them, the time from their Kafka append (LogAppendTime, from
 * the producer's RecordMetadata) to their effect being visible in Redis (a probe profile's {@code
 * f.events_total} reaching the probe's number, seen by a poller that reads the probe profiles with
 * one pipelined round trip, back to back with a 0.05 ms pause). Per rate: the latency percentiles,
 * the events/s the job processed and whether it kept up (its lag: events appended to Kafka and not
 * yet read by the job). With {@code max}, a ramp finds the highest rate the job keeps up with and
 * then measures at 70 % of it, with app reads (HGETALL of random profiles, one at a time on one
 * connection, from a process of its own: {@link AppReaderProcess}) next to the same reads on the
 * idle Redis before.
 */
public final class LiveBench {
    static final String TENANT = "bench";
    static final double RAMP_FACTOR = 1.5;
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);
    static final List<String> TOPICS =
            List.of(
                    "events",
                    "dlq",
                    "conflicts",
                    "audit",
                    "rules",
                    "triggers",
                    "models",
                    "commands");

    /**
     * Live bench settings.
     *
     * @param rates events/s, each held {@code seconds}; with {@code max}, the first is where the
     *     ramp starts
     * @param warmupSeconds the warm-up at the first rate, at least; it goes on while the JIT
     *     compilers are busy ({@link #jitQuiet}), up to {@code warmupMaxSeconds}
     * @param settings rtcdp settings ({@code -D key=value}) over the bench's own
     * @param flink Flink settings ({@code -D flink.<key>=<value>}, without the prefix)
     * @param appReads app reads per second (HGETALL) during the measured rates, 0 for none
     */
    public record Settings(
            List<Integer> rates,
            int seconds,
            int warmupSeconds,
            int warmupMaxSeconds,
            boolean max,
            int parallelism,
            int persons,
            boolean anonymous,
            String bootstrap,
            String redisUrl,
            Path rulesFile,
            Path modelsDir,
            boolean learning,
            int appReads,
            double probesPerSecond,
            Map<String, String> settings,
            Map<String, String> flink) {}

    /**
     * One measured rate.
     *
     * @param phase {@code rate}, {@code ramp} (finding the maximum) or {@code 70% of max}
     * @param latency probe latency in ms, Kafka append to visible in Redis
     * @param lagEnd events appended to Kafka and not read by the job when the rate's time was up
     * @param reads app reads during the rate, in µs; null when there were none
     * @param cpuMicrosPerEvent CPU time of this JVM (the job, Kafka when in-JVM, the bench's own
     *     threads) per event processed while the rate was held
     * @param jitMillis time the JIT compilers spent while the rate was held (all compiler threads)
     * @param checkpoints the checkpoints triggered while the rate was held, with the slowest
     *     subtask per stage
     * @param stages Flink's latency markers while the rate was held, per stage of the events' way
     *     ({@link StageLatency}); empty when the markers are off, null when not measurable
     */
    public record Step(
            String phase,
            int rate,
            double producedPerSecond,
            double processedPerSecond,
            double cpuMicrosPerEvent,
            Latencies.Summary latency,
            long lagEnd,
            long lagMax,
            boolean keptUp,
            Latencies.Summary reads,
            long jitMillis,
            CheckpointStats.Window checkpoints,
            List<StageLatency.Stage> stages) {}

    /**
     * What a live bench run measured.
     *
     * @param maxRate the highest rate kept up with ({@code max}), else null
     * @param idleReads app reads on the idle Redis before the measured rates, in µs
     * @param pollsPerSecond the probe poller's round trips per second while probes were out
     * @param pollGapP99Micros the 99th percentile of the time between two polls: the resolution of
     *     the visibility time
     */
    public record Result(
            List<Step> steps,
            Integer maxRate,
            Latencies.Summary idleReads,
            double pollsPerSecond,
            long pollGapP99Micros,
            Map<String, String> settings,
            Map<String, String> flink) {}

    private final Settings s;
    private final PrintStream out;
    private final Probes probes = new Probes(32);
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private volatile boolean stop;
    private CheckpointStats checkpoints;

    private LiveBench(Settings s, PrintStream out) {
        this.s = s;
        this.out = out;
    }

    public static Result run(Settings s, PrintStream out) throws Exception {
        return new LiveBench(s, out).run();
    }

    /**
     * Whether a rate was kept up with: less than half a second of it waiting in Kafka at its end.
     * Each rate starts without a backlog, so this is how far the job fell behind while the rate was
     * held: at most 0.5 s in 15 s or more, a few percent of the rate.
     */
    static boolean keptUp(int rate, long lagEnd) {
        return lagEnd <= Math.max(rate / 2, 100);
    }

    /** The next rate of the ramp: 1.5 × the last, rounded to 100 events/s. */
    static int rampNext(int rate) {
        return (int) Math.max(100, Math.round(rate * RAMP_FACTOR / 100.0) * 100);
    }

    /**
     * The rate to try between the highest kept-up rate and the lowest not kept up, or -1 when they
     * are within 10 % of each other.
     */
    static int bisect(int keptUp, int notKeptUp) {
        if (notKeptUp - keptUp <= keptUp / 10) {
            return -1;
        }
        return (int) Math.round((keptUp + notKeptUp) / 200.0) * 100;
    }

    private Result run() throws Exception {
        Path work = WorkDirectory.create(null, "bench-live");
        InJvmMetrics.reset();
        LocalRedis localRedis = null;
        LocalKafka localKafka = null;
        try {
            if (s.redisUrl() == null) {
                localRedis = LocalRedis.start();
            }
            String redisUrl = localRedis != null ? localRedis.url() : s.redisUrl();
            String bootstrap;
            if (s.bootstrap() == null) {
                localKafka = LocalKafka.start(work.resolve("kafka"));
                bootstrap = localKafka.bootstrapServers();
            } else {
                bootstrap = s.bootstrap();
            }
            try (Jedis check = jedis(redisUrl)) {
                if (localRedis == null && check.dbSize() > 0) {
                    throw new IllegalArgumentException(
                            "the live bench needs an empty Redis; --redis has keys");
                }
            }
            // on an outside broker, topics of this run only, so that nothing of another run is
            // read
            String topicPrefix = s.bootstrap() == null ? "rtcdp." : "rtcdp.bench-" + runId + ".";
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put(RtcdpOptions.KAFKA_BOOTSTRAP.key(), bootstrap);
            settings.put(RtcdpOptions.REDIS_URL.key(), redisUrl);
            settings.put(RtcdpOptions.PARALLELISM.key(), Integer.toString(s.parallelism()));
            settings.put(RtcdpOptions.GROUP_ID.key(), "rtcdp-bench-" + runId);
            for (String t : TOPICS) {
                settings.put("kafka.topic." + t, topicPrefix + t);
            }
            if (s.rulesFile() != null) {
                Path r = work.resolve("rules.yaml");
                Files.writeString(
                        r,
                        Files.readString(s.rulesFile())
                                .replaceFirst("(?m)^tenant:.*$", "tenant: " + TENANT));
                settings.put(RtcdpOptions.RULES_FILES.key(), r.toString());
            }
            if (s.modelsDir() != null) {
                settings.put(RtcdpOptions.MODELS_DIR.key(), s.modelsDir().toString());
            }
            settings.put(RtcdpOptions.LEARNING_ENABLED.key(), Boolean.toString(s.learning()));
            settings.putAll(s.settings());
            RtcdpConfig cfg = ConfigLoader.create().commandLine(settings).load();
            createTopics(cfg, topicPrefix);

            Map<String, String> flink = new LinkedHashMap<>(s.flink());
            // the REST API on a known port, for the checkpoint statistics (CheckpointStats)
            flink.putIfAbsent("rest.bind-port", Integer.toString(ServerProcesses.freePort()));
            flink.putIfAbsent("web.checkpoints.history", "1000");
            StageLatency.configure(flink);
            StreamExecutionEnvironment env = Environments.localStreaming(cfg, work, flink);
            Streaming.build(cfg, env);
            JobClient job = env.executeAsync("rtcdp bench --live");
            String port = flink.get("rest.bind-port");
            checkpoints =
                    port.matches("[0-9]+")
                            ? new CheckpointStats(
                                    "http://" + Environments.LOOPBACK + ":" + port, job.getJobID())
                            : null;
            out.printf(
                    "live bench: the streaming job at parallelism %d, Kafka %s (events topic: %d"
                            + " partitions, LogAppendTime), Redis %s; buffer timeout %s,"
                            + " redis.flush-interval %s%s%n",
                    s.parallelism(),
                    s.bootstrap() == null ? "in-JVM" : s.bootstrap(),
                    s.parallelism(),
                    localRedis != null ? "local redis-server" : "--redis",
                    env.getConfiguration()
                            .toMap()
                            .getOrDefault("execution.buffer-timeout.interval", "100 ms"),
                    cfg.get(RtcdpOptions.REDIS_FLUSH_INTERVAL).toMillis() + " ms",
                    s.rulesFile() == null && s.modelsDir() == null
                            ? ""
                            : "; rules " + s.rulesFile() + ", models " + s.modelsDir());
            try {
                return measure(cfg, job, redisUrl);
            } finally {
                stop = true;
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        } finally {
            if (localKafka != null) {
                localKafka.close();
            }
            if (localRedis != null) {
                localRedis.close();
            }
            WorkDirectory.delete(work);
        }
    }

    private void createTopics(RtcdpConfig cfg, String prefix) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP));
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> topics = new ArrayList<>();
            topics.add(
                    new NewTopic(cfg.get(RtcdpOptions.EVENTS_TOPIC), s.parallelism(), (short) 1)
                            .configs(Map.of("message.timestamp.type", "LogAppendTime")));
            for (String t : TOPICS.subList(1, TOPICS.size())) {
                topics.add(new NewTopic(prefix + t, 1, (short) 1));
            }
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    private Result measure(RtcdpConfig cfg, JobClient job, String redisUrl) throws Exception {
        long start = System.nanoTime();
        while (!(InJvmMetrics.registered("eventsValid")
                && InJvmMetrics.registered("redisProfileWrites"))) {
            if (job.getJobStatus().get().isTerminalState()) {
                throw new IllegalStateException("the job ended before it started");
            }
            Thread.sleep(100);
        }
        out.printf("job started in %.1f s%n", (System.nanoTime() - start) / 1e9);
        String prefix = cfg.get(RtcdpOptions.KEY_PREFIX);
        Producer producer = new Producer(cfg);
        Poller poller = new Poller(redisUrl, prefix);
        AppReader reader = s.appReads() > 0 ? new AppReader(redisUrl, s.appReads()) : null;
        List<Thread> threads =
                List.of(
                        daemon(producer::run, "bench-producer"),
                        daemon(poller::run, "bench-poller"));
        threads.forEach(Thread::start);
        List<Step> steps = new ArrayList<>();
        Integer maxRate = null;
        Latencies.Summary idle = null;
        try {
            int warmRate = s.rates().get(0);
            if (s.warmupSeconds() > 0) {
                warmUp(producer, job, warmRate);
            }
            if (reader != null) {
                reader.loadKeys(prefix);
                Latencies idleReads = new Latencies();
                reader.start(idleReads);
                Thread.sleep(Math.max(5, s.seconds() / 2) * 1000L);
                reader.stop();
                idle = idleReads.summary();
                out.printf(
                        "app reads on the idle Redis: %s%n",
                        idle == null ? "none" : readsText(idle));
            }
            printHeader();
            if (!s.max()) {
                for (int rate : s.rates()) {
                    steps.add(print(hold(producer, job, "rate", rate, s.seconds(), reader)));
                }
            } else {
                int rate = s.rates().get(0);
                int good = -1;
                int bad = -1;
                while (bad < 0 && rate <= 1_000_000) {
                    Step st = print(hold(producer, job, "ramp", rate, s.seconds(), null));
                    steps.add(st);
                    if (st.keptUp()) {
                        good = rate;
                        rate = rampNext(rate);
                    } else if (good < 0 && rate > 100) {
                        // not even the first rate: start lower
                        rate = Math.max(100, rate / 2);
                    } else {
                        bad = rate;
                    }
                }
                if (good > 0 && bad > 0) {
                    int mid = bisect(good, bad);
                    if (mid > 0) {
                        Step st = print(hold(producer, job, "ramp", mid, s.seconds(), null));
                        steps.add(st);
                        if (st.keptUp()) {
                            good = mid;
                        }
                    }
                }
                if (good > 0) {
                    maxRate = good;
                    int at = Math.max(100, (int) Math.round(good * 0.7 / 100.0) * 100);
                    steps.add(print(hold(producer, job, "70% of max", at, s.seconds(), reader)));
                }
            }
        } finally {
            stop = true;
            for (Thread t : threads) {
                t.join(10_000);
            }
            if (reader != null) {
                reader.close();
            }
        }
        Result r =
                new Result(
                        steps,
                        maxRate,
                        idle,
                        poller.pollsPerSecond(),
                        poller.gaps.percentile(99),
                        s.settings(),
                        s.flink());
        out.printf(
                "probe visibility: polled %.0f times/s while probes were out (p99 gap between"
                        + " polls %d µs); probes lost %d%n",
                r.pollsPerSecond(), r.pollGapP99Micros(), probes.lost());
        if (maxRate != null) {
            out.printf(
                    "maximum sustainable rate: %d events/s (the highest rate kept up with)%n",
                    maxRate);
        }
        return r;
    }

    /**
     * The warm-up (not reported): {@code warmupSeconds} at {@code rate}, then on in steps of {@link
     * #JIT_WINDOW_SECONDS} until the JIT compilers are quiet ({@link #jitQuiet}) or {@code
     * warmupMaxSeconds} have passed. On two cores the C2 compiler works through the job's, Flink's
     * and the in-JVM broker's code for minutes, and while it does it takes most of a core (168 s of
     * compile time in the first four minutes at 2,000 events/s, 2026-12-03): a tail measured then
     * is the JIT's.
     */
    private void warmUp(Producer producer, JobClient job, int rate) throws Exception {
        out.printf(
                "warm-up: %d events/s for %d s, then until the JIT compilers are quiet (at most %d"
                        + " s; not reported)%n",
                rate, s.warmupSeconds(), s.warmupMaxSeconds());
        long t0 = System.nanoTime();
        long jit = jitMillis();
        hold(producer, job, "warm-up", rate, s.warmupSeconds(), null);
        int spent = s.warmupSeconds();
        long lastWindow = jitMillis() - jit;
        long lastWindowMillis = s.warmupSeconds() * 1000L;
        while (spent < s.warmupMaxSeconds() && !jitQuiet(lastWindow, lastWindowMillis)) {
            long from = jitMillis();
            long windowStart = System.nanoTime();
            hold(producer, job, "warm-up", rate, JIT_WINDOW_SECONDS, null);
            spent += JIT_WINDOW_SECONDS;
            lastWindow = jitMillis() - from;
            lastWindowMillis = (System.nanoTime() - windowStart) / 1_000_000;
        }
        out.printf(
                "warm-up took %.0f s; the JIT compiled for %d ms in its last %.0f s%n",
                (System.nanoTime() - t0) / 1e9, lastWindow, lastWindowMillis / 1000.0);
    }

    /** The window over which the warm-up judges the JIT compilers. */
    static final int JIT_WINDOW_SECONDS = 10;

    /**
     * Whether the JIT compilers are quiet: they compiled for less than 5 % of a window (of all
     * compiler threads together).
     */
    static boolean jitQuiet(long compileMillis, long windowMillis) {
        return compileMillis * 20 < windowMillis;
    }

    /** Time the JIT compilers of this JVM spent so far, in ms; 0 when the JVM does not tell. */
    static long jitMillis() {
        java.lang.management.CompilationMXBean c =
                java.lang.management.ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported()
                ? c.getTotalCompilationTime()
                : 0;
    }

    /**
     * Produces {@code rate} events/s for {@code seconds} (with probes), stops producing, and waits
     * until the job has read everything and every probe is seen.
     */
    private Step hold(
            Producer producer, JobClient job, String phase, int rate, int seconds, AppReader reader)
            throws Exception {
        Latencies latency = new Latencies();
        Latencies reads = reader == null ? null : new Latencies();
        long producedBefore = producer.acked.get();
        long processedBefore = processed();
        long cpuBefore = processCpuNanos();
        long jitBefore = jitMillis();
        long wallStart = System.currentTimeMillis();
        StageLatency.Snapshot markersBefore = StageLatency.snapshot();
        long t0 = System.nanoTime();
        if (reads != null) {
            reader.start(reads);
        }
        producer.start(rate, latency);
        long lagMax = 0;
        long end = t0 + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            Thread.sleep(250);
            lagMax = Math.max(lagMax, lag(producer));
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException("the job stopped: " + job.getJobStatus().get());
            }
        }
        producer.pause();
        List<StageLatency.Stage> stages =
                StageLatency.between(markersBefore, StageLatency.snapshot());
        if (reads != null) {
            reader.stop();
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        long wallEnd = System.currentTimeMillis();
        long jit = jitMillis() - jitBefore;
        long lagEnd = lag(producer);
        double produced = (producer.acked.get() - producedBefore) / sec;
        long processedCount = processed() - processedBefore;
        double processedRate = processedCount / sec;
        double cpuPerEvent = (processCpuNanos() - cpuBefore) / 1e3 / Math.max(1, processedCount);
        long drainEnd = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while ((producer.acked.get() > processed() || probes.outstanding() > 0)
                && System.nanoTime() < drainEnd) {
            Thread.sleep(100);
        }
        CheckpointStats.Window cps = null;
        if (checkpoints != null && !"warm-up".equals(phase)) {
            try {
                cps = checkpoints.between(wallStart, wallEnd);
            } catch (IOException e) {
                out.println("checkpoint statistics not read: " + e.getMessage());
            }
        }
        return new Step(
                phase,
                rate,
                produced,
                processedRate,
                cpuPerEvent,
                latency.summary(),
                lagEnd,
                Math.max(lagMax, lagEnd),
                keptUp(rate, lagEnd),
                reads == null ? null : reads.summary(),
                jit,
                cps,
                stages);
    }

    /**
     * Events appended to Kafka and not yet read by the job; never negative (the producer's
     * callbacks may come after the job read the events).
     */
    private static long lag(Producer producer) {
        return Math.max(0, producer.acked.get() - processed());
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }

    private static long processed() {
        return InJvmMetrics.sum("eventsValid") + InJvmMetrics.sum("eventsInvalid");
    }

    private void printHeader() {
        out.printf(
                "%-11s %8s %10s %10s %9s %7s %7s %7s %7s %8s %9s %8s %7s %s%n",
                "phase",
                "rate/s",
                "produced/s",
                "job ev/s",
                "CPU µs/ev",
                "probes",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "lag end",
                "kept up",
                "JIT ms",
                "app reads");
    }

    private Step print(Step st) {
        Latencies.Summary l = st.latency();
        out.printf(
                Locale.ROOT,
                "%-11s %8d %10.0f %10.0f %9.1f %7d %7s %7s %7s %8s %9d %8s %7d %s%n",
                st.phase(),
                st.rate(),
                st.producedPerSecond(),
                st.processedPerSecond(),
                st.cpuMicrosPerEvent(),
                l == null ? 0 : l.count(),
                l == null ? "-" : Long.toString(l.p50()),
                l == null ? "-" : Long.toString(l.p95()),
                l == null ? "-" : Long.toString(l.p99()),
                l == null ? "-" : Long.toString(l.max()),
                st.lagEnd(),
                st.keptUp() ? "yes" : "no",
                st.jitMillis(),
                st.reads() == null ? "" : readsText(st.reads()));
        if (st.checkpoints() != null) {
            out.println("  checkpoints: " + st.checkpoints().text(20));
        }
        if (st.stages() == null) {
            out.println("  latency markers: not measurable (a histogram's window filled)");
        } else if (!st.stages().isEmpty()) {
            out.println(
                    "  latency markers since the source, p50 / p99 ms (slowest subtask, markers): "
                            + StageLatency.text(st.stages()));
        }
        out.flush();
        return st;
    }

    static String readsText(Latencies.Summary r) {
        return String.format(
                Locale.ROOT,
                "%d HGETALL p50 %.2f ms, p99 %.2f ms",
                r.count(),
                r.p50() / 1000.0,
                r.p99() / 1000.0);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** A generated event as a record of {@code topic}, keyed by its person. */
    static ProducerRecord<byte[], byte[]> keyedByPerson(String topic, GeneratedRecord g) {
        return new ProducerRecord<>(
                topic,
                Integer.toString(g.person()).getBytes(StandardCharsets.UTF_8),
                g.json().getBytes(StandardCharsets.UTF_8));
    }

    static Jedis jedis(String url) {
        return new Jedis(URI.create(url));
    }

    /** A probe event of probe profile {@code k}: one {@code track} event of its own user id. */
    static String probeJson(String runId, int profile, long number, long ts) {
        return "{\"event_id\":\"probe-"
                + runId
                + "-"
                + profile
                + "-"
                + number
                + "\",\"tenant\":\""
                + TENANT
                + "\",\"type\":\"track\",\"name\":\"bench_probe\",\"ts\":"
                + ts
                + ",\"ids\":{\"user_id\":\""
                + probeUser(profile)
                + "\"}}";
    }

    static String probeUser(int profile) {
        return "bench-probe-" + profile;
    }

    /** Produces generated events at a set rate and probes among them, from one thread. */
    private final class Producer {
        final AtomicLong acked = new AtomicLong();
        private final String topic;
        private final Properties props = new Properties();
        private final Iterator<GeneratedRecord> records;

        /** Probe events' time: before every generated event, so that they move no clock. */
        private final long probeTs;

        private volatile int rate;
        private volatile Latencies into;
        private volatile long generation;

        Producer(RtcdpConfig cfg) {
            topic = cfg.get(RtcdpOptions.EVENTS_TOPIC);
            props.put(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP));
            props.put(
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName());
            props.put(
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName());
            props.put(ProducerConfig.LINGER_MS_CONFIG, "2");
            long now = System.currentTimeMillis();
            long from = now - Duration.ofDays(90).toMillis();
            probeTs = from - Duration.ofDays(1).toMillis();
            PopulationGenerator.Builder b =
                    PopulationGenerator.builder()
                            .seed(42)
                            .tenant(TENANT)
                            .persons(s.persons())
                            .events(500_000_000L)
                            .startMillis(from)
                            .duration(Duration.ofDays(90))
                            .badFraction(0)
                            .duplicateFraction(0);
            if (s.anonymous()) {
                b.alwaysUserId(false).sharedDevices(0.1, 3).reusedPhones(0.1);
            }
            records = b.build().iterator();
        }

        void start(int rate, Latencies into) {
            this.into = into;
            this.rate = rate;
            generation++;
        }

        void pause() {
            rate = 0;
            generation++;
        }

        void run() {
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
                long seen = -1;
                long t0 = 0;
                long n = 0;
                long probeEvery = 0;
                long nextProbe = 0;
                while (!stop) {
                    int r = rate;
                    if (generation != seen) {
                        seen = generation;
                        t0 = System.nanoTime();
                        n = 0;
                        double pps =
                                s.probesPerSecond() > 0
                                        ? s.probesPerSecond()
                                        : Math.max(5, 200.0 / Math.max(1, s.seconds()));
                        probeEvery = (long) (1e9 / pps);
                        nextProbe = t0 + probeEvery / 2;
                    }
                    if (r <= 0) {
                        LockSupport.parkNanos(1_000_000);
                        continue;
                    }
                    GeneratedRecord g = records.next();
                    producer.send(
                            keyedByPerson(topic, g),
                            (md, e) -> {
                                if (e == null) {
                                    acked.incrementAndGet();
                                }
                            });
                    n++;
                    long now = System.nanoTime();
                    if (now >= nextProbe) {
                        nextProbe += probeEvery;
                        sendProbe(producer);
                    }
                    long wait = t0 + n * 1_000_000_000L / r - now;
                    if (wait > 1_000_000) {
                        Thread.sleep(wait / 1_000_000);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void sendProbe(KafkaProducer<byte[], byte[]> producer) {
            Probes.Probe p = probes.next(into);
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            probeUser(p.profile()).getBytes(StandardCharsets.UTF_8),
                            probeJson(runId, p.profile(), p.number(), probeTs)
                                    .getBytes(StandardCharsets.UTF_8)),
                    (md, e) -> {
                        if (e == null) {
                            acked.incrementAndGet();
                            probes.appended(p, md.timestamp());
                        } else {
                            probes.failed(p);
                        }
                    });
        }
    }

    /**
     * Reads the probe profiles' {@code f.events_total} (their profile keys found through their id
     * keys) in one pipelined round trip, again and again while probes are out, with a 0.05 ms pause
     * between round trips.
     */
    private final class Poller {
        final Latencies gaps = new Latencies();
        private final String url;
        private final String prefix;
        private final String[] profileKeys = new String[probes.profiles()];
        private long polls;
        private long pollingNanos;

        Poller(String url, String prefix) {
            this.url = url;
            this.prefix = prefix;
        }

        void run() {
            try (Jedis j = jedis(url)) {
                long last = -1;
                while (!stop) {
                    int[] todo = probes.toPoll();
                    if (todo.length == 0) {
                        last = -1;
                        LockSupport.parkNanos(1_000_000);
                        continue;
                    }
                    long t = System.nanoTime();
                    if (last >= 0) {
                        gaps.add((t - last) / 1000);
                        pollingNanos += t - last;
                        polls++;
                    }
                    last = t;
                    poll(j, todo);
                    LockSupport.parkNanos(50_000);
                }
            }
        }

        private void poll(Jedis j, int[] todo) {
            Pipeline p = j.pipelined();
            List<Response<String>> replies = new ArrayList<>(todo.length);
            for (int k : todo) {
                replies.add(
                        profileKeys[k] == null
                                ? p.get(prefix + ":" + TENANT + ":id:user_id:" + probeUser(k))
                                : p.hget(profileKeys[k], "f.events_total"));
            }
            p.sync();
            long now = System.currentTimeMillis();
            for (int i = 0; i < todo.length; i++) {
                int k = todo[i];
                String v = replies.get(i).get();
                if (v == null) {
                    continue;
                }
                if (profileKeys[k] == null) {
                    // the id key names the probe profile's oneid; its hash is read from the next
                    // poll on (the first probe of each profile is in the warm-up)
                    profileKeys[k] = prefix + ":" + TENANT + ":profile:" + v;
                } else {
                    probes.observed(k, Long.parseLong(v), now);
                }
            }
        }

        double pollsPerSecond() {
            return pollingNanos == 0 ? 0 : polls * 1e9 / pollingNanos;
        }
    }

    /**
     * The app of the app reads: {@link AppReaderProcess}, a process of its own (a real app does not
     * share the job's garbage collections), driven over its standard input and output.
     */
    private static final class AppReader implements AutoCloseable {
        private final Process process;
        private final BufferedWriter to;
        private final BufferedReader from;
        private Latencies into;

        AppReader(String url, int rate) throws IOException {
            process =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-Xmx64m",
                                    "-XX:+UseSerialGC",
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    AppReaderProcess.class.getName(),
                                    url,
                                    Integer.toString(rate))
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
            to =
                    new BufferedWriter(
                            new OutputStreamWriter(
                                    process.getOutputStream(), StandardCharsets.UTF_8));
            from =
                    new BufferedReader(
                            new InputStreamReader(
                                    process.getInputStream(), StandardCharsets.UTF_8));
        }

        private String call(String command) throws IOException {
            to.write(command);
            to.newLine();
            to.flush();
            String answer = from.readLine();
            if (answer == null || answer.startsWith("error")) {
                throw new IOException(
                        "the app reader process did not answer " + command + ": " + answer);
            }
            return answer;
        }

        void loadKeys(String prefix) throws IOException {
            call("keys " + prefix + ":" + TENANT + ":profile:*");
        }

        void start(Latencies into) throws IOException {
            this.into = into;
            call("start");
        }

        void stop() throws IOException {
            String[] answer = call("stop").split(" ");
            for (int i = 2; i < answer.length; i++) {
                into.add(Long.parseLong(answer[i]));
            }
            into = null;
        }

        @Override
        public void close() throws Exception {
            to.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
