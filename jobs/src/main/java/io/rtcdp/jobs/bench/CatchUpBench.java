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
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * {@code rtcdp bench --catch-up}: how long the streaming job takes to catch up on events already in
 * Kafka, against a replay of the same events from a file ({@link Bench}), side by side in rounds
 * that alternate which runs first.
 *
 * <p>The catch-up: the bench's events ({@link Bench#population}) are produced into the events topic
 * of an in-JVM broker (one partition per subtask, keyed by person; not timed), then the job of
 * {@code rtcdp run} ({@link Streaming#build}) starts on a local MiniCluster with a fresh local
 * redis-server. Its time runs from the job's submission (as the replay's does) until the profile
 * stage counted every event and holds no refresh for the end of the catch-up, the Redis sink holds
 * no buffered profile and its write count stood still for two polls 100 ms apart (the decide stage
 * and the sink's buffers drained). Afterwards, not timed, the profiles' {@code f.events_total} are
 * summed from Redis: every event must be there.
 */
public final class CatchUpBench {
    static final long POLL_MILLIS = 100;

    /** How long the job may go without counting an event before the bench gives up. */
    static final long STALL_MILLIS = 120_000;

    /**
     * Catch-up bench settings: those of the replay bench ({@code redisUrl} unused: each run gets a
     * fresh local Redis), how many rounds of one replay and one catch-up, and settings of the
     * streaming job over the bench's own (rtcdp keys, Flink's as {@code flink.<key>}).
     */
    public record Settings(Bench.Settings bench, int rounds, Map<String, String> job) {}

    /** One round: the replay's and the catch-up's measurements. */
    public record Round(int number, Bench.Result replay, Bench.Result catchUp) {
        /** The catch-up's time over the replay's. */
        public double ratio() {
            return catchUp.seconds() / replay.seconds();
        }
    }

    private CatchUpBench() {}

    public static List<Round> run(Settings s, PrintStream out) throws Exception {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        List<Round> rounds = new ArrayList<>();
        out.printf(
                "catch-up bench: %d events of %d profiles, parallelism %d%s%s; %d round(s) of one"
                        + " replay from a file and one catch-up from Kafka, the first run"
                        + " alternating%n",
                s.bench().events(),
                s.bench().profiles(),
                s.bench().parallelism(),
                s.bench().rulesFile() == null && s.bench().modelsDir() == null
                        ? ""
                        : ", rules " + s.bench().rulesFile() + ", models " + s.bench().modelsDir(),
                s.job().isEmpty() ? "" : ", streaming job settings " + shown(s.job()),
                s.rounds());
        for (int i = 1; i <= s.rounds(); i++) {
            Bench.Result replay;
            Bench.Result catchUp;
            if (i % 2 == 1) {
                replay = Bench.run(s.bench(), quiet);
                catchUp = catchUp(s.bench(), s.job(), out);
            } else {
                catchUp = catchUp(s.bench(), s.job(), out);
                replay = Bench.run(s.bench(), quiet);
            }
            Round r = new Round(i, replay, catchUp);
            rounds.add(r);
            out.println(line(r));
        }
        out.println(summary(rounds));
        return rounds;
    }

    /**
     * The settings as {@code key=value}, the values left out of rtcdp's secret settings ({@code
     * redis.url}, {@code default-secret}, …) and of those Flink counts as sensitive (passwords,
     * tokens, JAAS configurations).
     */
    static String shown(Map<String, String> job) {
        StringBuilder sb = new StringBuilder();
        job.forEach(
                (k, v) -> {
                    boolean hidden =
                            RtcdpOptions.isSecret(k)
                                    || org.apache.flink.configuration.GlobalConfiguration
                                            .isSensitive(k);
                    sb.append(sb.length() == 0 ? "" : " ").append(k).append('=');
                    sb.append(hidden ? "(hidden)" : v);
                });
        return sb.toString();
    }

    static String line(Round r) {
        return String.format(
                Locale.ROOT,
                "round %d: replay %.1f s (%.0f events/s, %.2f profile writes/event, %.1f µs"
                        + " CPU/event); catch-up %.1f s (%.0f events/s, %.2f profile"
                        + " writes/event, %.1f µs CPU/event with the in-JVM broker); catch-up /"
                        + " replay %.2f",
                r.number(),
                r.replay().seconds(),
                r.replay().eventsPerSecond(),
                r.replay().profileWritesPerEvent(),
                r.replay().cpuMicrosPerEvent(),
                r.catchUp().seconds(),
                r.catchUp().eventsPerSecond(),
                r.catchUp().profileWritesPerEvent(),
                r.catchUp().cpuMicrosPerEvent(),
                r.ratio());
    }

    static String summary(List<Round> rounds) {
        return String.format(
                Locale.ROOT,
                "median of %d round(s): replay %.1f s, catch-up %.1f s, catch-up / replay %.2f",
                rounds.size(),
                median(rounds, r -> r.replay().seconds()),
                median(rounds, r -> r.catchUp().seconds()),
                median(rounds, Round::ratio));
    }

    /** The median over the rounds of what {@code value} gives for each. */
    static double median(List<Round> rounds, java.util.function.Function<Round, Double> value) {
        double[] v = new double[rounds.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = value.apply(rounds.get(i));
        }
        java.util.Arrays.sort(v);
        return median(v);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** One catch-up run: produce, then time the streaming job until it caught up. */
    static Bench.Result catchUp(Bench.Settings s, Map<String, String> jobSettings, PrintStream out)
            throws Exception {
        Path work = WorkDirectory.create(null, "bench-catch-up");
        InJvmMetrics.reset();
        try (LocalKafka kafka = LocalKafka.start(work.resolve("kafka"));
                LocalRedis redis = LocalRedis.start()) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put(RtcdpOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
            settings.put(RtcdpOptions.REDIS_URL.key(), redis.url());
            settings.put(RtcdpOptions.PARALLELISM.key(), Integer.toString(s.parallelism()));
            settings.put(RtcdpOptions.GROUP_ID.key(), "rtcdp-bench-catch-up");
            Map<String, Integer> topics = new LinkedHashMap<>();
            for (String t : LiveBench.TOPICS) {
                settings.put("kafka.topic." + t, "rtcdp." + t);
                topics.put("rtcdp." + t, t.equals("events") ? s.parallelism() : 1);
            }
            if (s.rulesFile() != null) {
                Path r = work.resolve("rules.yaml");
                Files.writeString(
                        r,
                        Files.readString(s.rulesFile())
                                .replaceFirst("(?m)^tenant:.*$", "tenant: " + LiveBench.TENANT));
                settings.put(RtcdpOptions.RULES_FILES.key(), r.toString());
            }
            if (s.modelsDir() != null) {
                settings.put(RtcdpOptions.MODELS_DIR.key(), s.modelsDir().toString());
            }
            settings.put(RtcdpOptions.LEARNING_ENABLED.key(), Boolean.toString(s.learning()));
            settings.putAll(jobSettings);
            RtcdpConfig cfg = ConfigLoader.create().commandLine(settings).load();
            kafka.createTopics(topics);
            long events = produce(kafka, cfg.get(RtcdpOptions.EVENTS_TOPIC), s, out);

            StreamExecutionEnvironment env = Environments.localStreaming(cfg, work, Map.of());
            Streaming.build(cfg, env);
            Bench.ThreadCpu threadCpu = new Bench.ThreadCpu();
            long cpuBefore = Bench.processCpuNanos();
            long start = System.nanoTime();
            JobClient job = env.executeAsync("rtcdp bench --catch-up");
            double seconds;
            long cpu;
            long checkpoints;
            long failedCheckpoints;
            Phases phases;
            try {
                phases = awaitCaughtUp(job, events, threadCpu, start);
                seconds = (System.nanoTime() - start) / 1e9;
                cpu = Bench.processCpuNanos() - cpuBefore;
                checkpoints = InJvmMetrics.sum("numberOfCompletedCheckpoints");
                failedCheckpoints = InJvmMetrics.sum("numberOfFailedCheckpoints");
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            long writes = InJvmMetrics.sum("redisProfileWrites");
            long[] inRedis = eventsInRedis(redis.url(), cfg.get(RtcdpOptions.KEY_PREFIX));
            if (inRedis[1] != events) {
                throw new IllegalStateException(
                        String.format(
                                Locale.ROOT,
                                "the catch-up left %d events in %d profiles in Redis, not %d",
                                inRedis[1],
                                inRedis[0],
                                events));
            }
            out.printf(
                    Locale.ROOT,
                    "  catch-up: %d events into %d profiles in %.1f s (%s); checkpoints: %d"
                            + " completed, %d failed; profile refreshes by timers %d; the"
                            + " busiest threads' CPU per event: %s%n",
                    events,
                    inRedis[0],
                    seconds,
                    phases.describe(seconds),
                    checkpoints,
                    failedCheckpoints,
                    InJvmMetrics.sum("profileRefreshes"),
                    threadCpu.perEvent(events, 8));
            return new Bench.Result(
                    events,
                    inRedis[0],
                    seconds,
                    events / seconds,
                    0,
                    0,
                    writes / (double) events,
                    cpu / 1e3 / events);
        } finally {
            WorkDirectory.delete(work);
        }
    }

    /** Produces the bench's events, keyed by person; returns how many. Not timed. */
    private static long produce(LocalKafka kafka, String topic, Bench.Settings s, PrintStream out)
            throws Exception {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        PopulationGenerator gen = Bench.population(s, System.currentTimeMillis());
        long t0 = System.nanoTime();
        long n = 0;
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Iterator<GeneratedRecord> it = gen.iterator(); it.hasNext(); ) {
                GeneratedRecord g = it.next();
                producer.send(
                        LiveBench.keyedByPerson(topic, g),
                        (md, e) -> {
                            if (e != null) {
                                failed.compareAndSet(null, e);
                            }
                        });
                n++;
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException("producing the events failed", failed.get());
        }
        out.printf(
                Locale.ROOT,
                "  produced %d events into %s in %.1f s (not timed)%n",
                n,
                topic,
                (System.nanoTime() - t0) / 1e9);
        return n;
    }

    /**
     * Seconds from the job's submission to its first counted event, to the last counted event, and
     * to the end of what was held for the end of the catch-up (refreshes, marketing passes, the
     * Redis sink's buffer); the rest, to the end, is the last writes settling (at most one poll).
     */
    record Phases(double firstCounted, double allCounted, double released) {
        String describe(double total) {
            return String.format(
                    Locale.ROOT,
                    "start-up %.1f s, reading %.1f s, held work after the last event %.1f s,"
                            + " settling %.1f s",
                    firstCounted,
                    allCounted - firstCounted,
                    released - allCounted,
                    total - released);
        }
    }

    /**
     * Waits until the profile stage counted {@code events} events, holds no refresh for the end of
     * the catch-up, the Redis sink holds no buffered profile, and its write count stood still
     * between two polls.
     */
    private static Phases awaitCaughtUp(
            JobClient job, long events, Bench.ThreadCpu threadCpu, long start) throws Exception {
        double firstCounted = -1;
        double allCounted = -1;
        double released = -1;
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        long lastWrites = -1;
        while (true) {
            if (job.getJobStatus().get().isTerminalState()) {
                throw new IllegalStateException(
                        "the job ended before it caught up: " + job.getJobStatus().get());
            }
            long counted = InJvmMetrics.sum("eventsCounted");
            double now = (System.nanoTime() - start) / 1e9;
            if (counted > 0 && firstCounted < 0) {
                firstCounted = now;
            }
            if (counted >= events && allCounted < 0) {
                allCounted = now;
            }
            if (counted != lastCount) {
                lastCount = counted;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL_MILLIS * 1_000_000) {
                throw new IllegalStateException(
                        String.format(
                                Locale.ROOT,
                                "the job counted %d of %d events and nothing more in %d s",
                                counted,
                                events,
                                STALL_MILLIS / 1000));
            }
            // refreshes and marketing passes held while the backlog was read go out when the
            // catch-up ends: part of it
            if (counted >= events
                    && InJvmMetrics.sum("redisBufferedProfiles") == 0
                    && InJvmMetrics.sum("profileRefreshesHeld") == 0
                    && InJvmMetrics.sum("marketingPassesHeld") == 0) {
                if (released < 0) {
                    released = now;
                }
                long writes = InJvmMetrics.sum("redisProfileWrites");
                long checkpoints = InJvmMetrics.sum("numberOfCompletedCheckpoints");
                long failedCheckpoints = InJvmMetrics.sum("numberOfFailedCheckpoints");
                if (writes == lastWrites) {
                    return new Phases(firstCounted, allCounted, released);
                }
                lastWrites = writes;
            }
            threadCpu.sample();
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** {profiles, sum of their f.events_total} of tenant bench in Redis. */
    private static long[] eventsInRedis(String url, String prefix) {
        long profiles = 0;
        long total = 0;
        try (Jedis j = LiveBench.jedis(url)) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams params =
                    new ScanParams()
                            .match(prefix + ":" + LiveBench.TENANT + ":profile:*")
                            .count(1000);
            do {
                ScanResult<String> page = j.scan(cursor, params);
                cursor = page.getCursor();
                List<Response<String>> totals = new ArrayList<>();
                try (Pipeline p = j.pipelined()) {
                    for (String key : page.getResult()) {
                        totals.add(p.hget(key, "f.events_total"));
                    }
                    p.sync();
                }
                for (Response<String> t : totals) {
                    if (t.get() != null) {
                        profiles++;
                        total += Long.parseLong(t.get());
                    }
                }
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return new long[] {profiles, total};
    }
}
