package io.rtcdp.jobs.demo;

import io.rtcdp.jobs.Environments;
import io.rtcdp.jobs.InJvmMetrics;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.jobs.Streaming;
import io.rtcdp.jobs.WorkDirectory;
import io.rtcdp.jobs.local.LocalRedis;
import io.rtcdp.testing.LocalKafka;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * {@code rtcdp demo}: an in-JVM Kafka broker, a local Redis, a synthetic population produced into
 * Kafka at a steady rate, and the streaming job on a local MiniCluster with RocksDB and
 * checkpoints; live progress from the job's own metrics, and one profile printed.
 */
public final class Demo {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);

    /**
     * Demo settings.
     *
     * @param metricsPort port of the Prometheus metrics endpoint, 0 for none
     */
    public record Settings(
            int persons,
            long events,
            int rate,
            Duration duration,
            int parallelism,
            int metricsPort) {

        /** Settings without a Prometheus endpoint. */
        public Settings(int persons, long events, int rate, Duration duration, int parallelism) {
            this(persons, events, rate, duration, parallelism, 0);
        }
    }

    private final Settings settings;
    private final PrintStream out;
    private final AtomicBoolean stop = new AtomicBoolean();

    public Demo(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /** Asks a running demo to stop (from a shutdown hook or a test). */
    public void stop() {
        stop.set(true);
    }

    /** Runs until the duration has passed or {@link #stop()} is called, then cleans up. */
    public void run() throws Exception {
        Path work = WorkDirectory.create(null, "demo");
        // next to the work dir, which is deleted at the end; the log stays for a look afterwards
        Path logFile = work.resolveSibling(work.getFileName() + ".log");
        out.println("rtcdp demo — work dir " + work);
        out.println("  log     " + logFile + " (what Flink, Kafka, RocksDB and Redis log)");
        InJvmMetrics.reset();
        try (LogFile log = LogFile.redirect(logFile);
                LocalRedis redis = LocalRedis.start();
                LocalKafka kafka = LocalKafka.start(work.resolve("kafka"))) {
            out.printf(
                    "  redis   %s (%s)%n",
                    redis.url(), redis.isEmbedded() ? "embedded" : "redis-server");
            out.println("  kafka   " + kafka.bootstrapServers() + " (in-JVM, KRaft)");
            kafka.createTopics(
                    Map.of(
                            "rtcdp.events", 4,
                            "rtcdp.dlq", 1,
                            "rtcdp.conflicts", 1,
                            "rtcdp.rules", 1,
                            "rtcdp.models", 1,
                            "rtcdp.commands", 1,
                            "rtcdp.audit", 1,
                            "rtcdp.triggers", 2));
            // the example rules of the demo population and the example models (trained on Online
            // Retail II), when run from the repository
            Path demoRules = Path.of("examples/rules/demo.yaml");
            Path demoModels = Path.of("examples/models");
            boolean withModels = Files.isReadable(demoModels.resolve("purchase/model.json"));

            long now = System.currentTimeMillis();
            long days = 60;
            PopulationGenerator gen =
                    PopulationGenerator.builder()
                            .seed(now)
                            .tenant("demo")
                            .persons(settings.persons())
                            .events(settings.events())
                            .startMillis(now - Duration.ofDays(days).toMillis())
                            .duration(Duration.ofDays(days))
                            .badFraction(0.005)
                            .duplicateFraction(0.01)
                            .alwaysUserId(false)
                            .sharedDevices(0.05, 3)
                            .reusedPhones(0.05)
                            .build();
            RtcdpConfig cfg =
                    RtcdpConfig.builder()
                            .parser(ParserConfig.builder().build())
                            .set(RtcdpOptions.KAFKA_BOOTSTRAP, kafka.bootstrapServers())
                            .set(RtcdpOptions.REDIS_URL, redis.url())
                            .set(RtcdpOptions.PARALLELISM, settings.parallelism())
                            .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(5))
                            .set(
                                    RtcdpOptions.RULES_FILES,
                                    Files.isReadable(demoRules) ? demoRules.toString() : null)
                            .set(RtcdpOptions.MODELS_DIR, withModels ? demoModels.toString() : null)
                            .set(RtcdpOptions.METRICS_PORT, settings.metricsPort())
                            .build();
            if (Files.isReadable(demoRules)) {
                out.println("  rules   " + demoRules);
            }
            if (withModels) {
                out.println("  models  " + demoModels + " (purchase, churn; learning online)");
            }
            StreamExecutionEnvironment env =
                    Environments.localStreaming(cfg, work, java.util.Map.of());
            Streaming.build(cfg, env);
            JobClient job = env.executeAsync("rtcdp demo");
            out.println("  flink   job " + job.getJobID() + " (local MiniCluster, RocksDB)");
            if (settings.metricsPort() > 0) {
                out.printf(
                        "  metrics http://127.0.0.1:%d/metrics (Prometheus)%n",
                        settings.metricsPort());
            }
            out.printf(
                    "  data    %d persons, %d events over %d days, produced at %d events/s%n%n",
                    settings.persons(), settings.events(), days, settings.rate());

            if (!awaitStages(job)) {
                return;
            }
            AtomicLong produced = new AtomicLong();
            Thread producer =
                    new Thread(() -> produce(kafka, gen.iterator(), produced), "producer");
            producer.setDaemon(true);
            producer.start();
            try {
                progress(redis, produced, job, logFile);
            } finally {
                stop.set(true);
                producer.join(5000);
                job.cancel().get();
            }
        } finally {
            deleteQuietly(work);
        }
        out.println("demo stopped; everything it started is shut down");
    }

    /**
     * Waits until the job's first and last stages (the parser, the Redis writer) have opened before
     * producing: a JVM starting Flink, RocksDB and the models on two cores takes seconds to tens of
     * seconds, and events produced in that time would be a backlog from the first line of the
     * table. Returns false if the demo was stopped or the job ended first.
     */
    private boolean awaitStages(JobClient job) throws Exception {
        long start = System.nanoTime();
        out.print("  waiting for the job's stages to start ...");
        out.flush();
        while (!(InJvmMetrics.registered("eventsValid")
                && InJvmMetrics.registered("redisProfileWrites"))) {
            if (stop.get() || job.getJobStatus().get().isTerminalState()) {
                out.println(" stopped");
                return false;
            }
            Thread.sleep(100);
        }
        out.printf(" started in %.1f s%n%n", (System.nanoTime() - start) / 1e9);
        return true;
    }

    private void produce(LocalKafka kafka, Iterator<GeneratedRecord> records, AtomicLong produced) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(2 << 20));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            long start = System.nanoTime();
            long n = 0;
            while (!stop.get() && records.hasNext()) {
                GeneratedRecord r = records.next();
                producer.send(
                        new ProducerRecord<>(
                                "rtcdp.events",
                                Integer.toString(r.person()).getBytes(StandardCharsets.UTF_8),
                                r.json().getBytes(StandardCharsets.UTF_8)));
                produced.incrementAndGet();
                n++;
                long due = start + n * 1_000_000_000L / settings.rate();
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) {
                    Thread.sleep(wait / 1_000_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void progress(LocalRedis redis, AtomicLong produced, JobClient job, Path logFile)
            throws Exception {
        long start = System.nanoTime();
        long end =
                settings.duration() == null
                        ? Long.MAX_VALUE
                        : start + settings.duration().toNanos();
        long lastProcessed = 0;
        long lastT = start;
        boolean shown = false;
        long processed = 0;
        out.printf(
                "%8s %10s %10s %10s %8s %8s %8s %9s %12s%n",
                "time",
                "produced",
                "processed",
                "events/s",
                "lag",
                "profiles",
                "merges",
                "DLQ",
                "redis writes");
        try (RedisClient client = RedisClient.create(redis.url())) {
            while (!stop.get() && System.nanoTime() < end) {
                Thread.sleep(2000);
                if (job.getJobStatus().get().isGloballyTerminalState()) {
                    out.println(
                            "the job stopped (" + job.getJobStatus().get() + "): see " + logFile);
                    break;
                }
                long t = System.nanoTime();
                processed = InJvmMetrics.sum("eventsValid") + InJvmMetrics.sum("eventsInvalid");
                double rate = (processed - lastProcessed) * 1e9 / (t - lastT);
                lastProcessed = processed;
                lastT = t;
                out.printf(
                        "%7.0fs %10d %10d %10.0f %8d %8d %8d %9d %12d%n",
                        (t - start) / 1e9,
                        produced.get(),
                        processed,
                        rate,
                        produced.get() - processed,
                        InJvmMetrics.sum("profilesCreated"),
                        InJvmMetrics.sum("identityMerges"),
                        InJvmMetrics.sum("eventsInvalid"),
                        InJvmMetrics.sum("redisProfileWrites"));
                if (!shown && (t - start) > 12e9) {
                    shown = printSampleProfile(client);
                }
            }
            if (!shown) {
                printSampleProfile(client);
            }
        }
        printVerdict(produced.get(), processed, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Says whether the pipeline kept up with the producer: the lag column is what it had not yet
     * read from Kafka; a lag of more than about four seconds of production at the end means the
     * rate is more than this machine processes.
     */
    private void printVerdict(long produced, long processed, double seconds) {
        long lag = produced - processed;
        out.println();
        if (lag <= 4L * settings.rate()) {
            out.printf(
                    "kept up: %d events produced, %d processed (lag %d at the end)%n",
                    produced, processed, lag);
        } else {
            out.printf(
                    "fell behind: %d events produced, %d processed, %d still in Kafka; it processed"
                            + " %.0f events/s on average (start-up included) against the"
                            + " producer's %d (--rate sets it)%n",
                    produced, processed, lag, processed / seconds, settings.rate());
        }
    }

    /** Prints a profile with orders, as an app would read it with HGETALL. */
    private boolean printSampleProfile(RedisClient client) {
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().match("rtcdp:demo:profile:*").count(500);
        do {
            ScanResult<String> page = client.scan(cursor, params);
            for (String key : page.getResult()) {
                Map<String, String> h = client.hgetAll(key);
                String orders = h.get("f.orders_total");
                if (orders != null && Long.parseLong(orders) >= 2) {
                    out.println();
                    out.println("HGETALL " + key);
                    new TreeMap<>(h).forEach((k, v) -> out.printf("  %-26s %s%n", k, v));
                    out.println();
                    return true;
                }
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return false;
    }

    private static void deleteQuietly(Path dir) {
        try {
            WorkDirectory.delete(dir);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not delete the demo's work directory {}", dir, e);
        }
    }
}
