package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job on a local MiniCluster configured as {@code rtcdp run}/{@code demo} configure
 * it ({@link Environments#localConfiguration} with a metrics port), fed through an in-JVM Kafka
 * with bad records, duplicates and identity merges: the Prometheus endpoint is scraped while the
 * job runs until the counts match what the generator made, and every metric of the operations
 * guide, and every metric the Grafana dashboard queries, must be in the scrape.
 */
class MetricsITCase {
    static final String OP = "flink_taskmanager_job_task_operator_";
    static final Path DASHBOARD =
            Path.of("../k8s/grafana/rtcdp-dashboard.json").toAbsolutePath().normalize();
    static final Path RULES = Path.of("../examples/rules/demo.yaml").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir static Path tmp;

    @RegisterExtension
    static final KafkaExtension KAFKA = RtcdpTopics.kafka().topic("rtcdp.events", 2);

    @Test
    void prometheusEndpointShowsEveryMetricWhileTheJobRuns() throws Exception {
        long now = System.currentTimeMillis();
        PopulationGenerator gen =
                PopulationGenerator.builder()
                        .seed(11)
                        .tenant("demo")
                        .persons(300)
                        .events(8_000)
                        .startMillis(now - Duration.ofDays(20).toMillis())
                        .duration(Duration.ofDays(20))
                        .alwaysUserId(false)
                        .sharedDevices(0.2, 3)
                        .reusedPhones(0.2)
                        .duplicateFraction(0.03)
                        .badFraction(0.03)
                        .build();
        List<GeneratedRecord> records = new ArrayList<>();
        for (Iterator<GeneratedRecord> it = gen.iterator(); it.hasNext(); ) {
            records.add(it.next());
        }
        Map<String, Long> badByCode = new TreeMap<>();
        long valid = 0;
        long duplicates = 0;
        for (GeneratedRecord r : records) {
            switch (r.kind()) {
                case BAD -> badByCode.merge(r.expectedErrorCode(), 1L, Long::sum);
                case DUPLICATE -> {
                    duplicates++;
                    valid++;
                }
                case VALID -> valid++;
            }
        }
        assertThat(duplicates).isPositive();
        assertThat(badByCode.values().stream().mapToLong(Long::longValue).sum()).isPositive();
        produce(records);

        long parseNow = gen.suggestedNow();
        int port = freePort();
        Path models = tmp.resolve("models");
        ScoresOracle.writeModels(models);
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> parseNow).build())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        // its own transactional id prefix: this job is cancelled, which may leave
                        // the Kafka sink's writer registered in this JVM and fail a later test's
                        // job of the same prefix ("Readable backchannel already exists")
                        .set(RtcdpOptions.GROUP_ID, "metrics-it")
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.RULES_FILES, RULES.toString())
                        .set(RtcdpOptions.MODELS_DIR, models.toString())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .set(RtcdpOptions.METRICS_PORT, port)
                        .build();
        Configuration conf = Environments.localConfiguration(cfg, tmp.resolve("work"));
        conf.addAll(FlinkTestCluster.noRestarts());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env);
        long started = System.nanoTime();
        JobClient job = env.executeAsync("metrics-it");
        var ended = job.getJobExecutionResult();
        try {
            Counts expected = new Counts(valid, duplicates, valid - duplicates, badByCode, true);
            Scrape[] last = new Scrape[1];
            try {
                Await.until(
                        "the counts to reach the input's, " + expected,
                        Duration.ofSeconds(90),
                        () -> {
                            last[0] = scrape(port);
                            if (ended.isDone()) {
                                ended.get(); // throws the job's failure
                                throw new AssertionError("the streaming job ended");
                            }
                            return Counts.of(last[0]);
                        },
                        expected::equals);
            } finally {
                if (last[0] != null) {
                    Files.write(Path.of("target/metrics-scrape-names.txt"), last[0].names());
                }
            }
            Scrape s = last[0];
            System.out.printf(
                    "MetricsITCase: counts complete after %d ms%n",
                    (System.nanoTime() - started) / 1_000_000);
            Files.writeString(Path.of("target/metrics-scrape.txt"), s.text);

            // events in, DLQ by code (all codes present, 0 for those that did not occur)
            assertThat(s.sum(OP + "eventsInvalid")).isEqualTo(sum(badByCode));
            assertThat(s.labelValues(OP + "errorCode_deadLetters", "errorCode"))
                    .containsAll(
                            java.util.Arrays.stream(io.rtcdp.udf.event.ErrorCode.values())
                                    .map(io.rtcdp.udf.event.ErrorCode::code)
                                    .toList());
            // identity: the scenarios share devices and reuse phones
            assertThat(s.sum(OP + "identityMerges")).isPositive();
            assertThat(s.has(OP + "identityConflicts")).isTrue();
            assertThat(s.has(OP + "identityQuarantines")).isTrue();
            // profiles: at most one per person, created and written
            assertThat(s.sum(OP + "profilesCreated")).isBetween(1L, (long) gen.persons() * 3);
            assertThat(s.sum(OP + "redisProfileWrites")).isPositive();
            assertThat(s.sum(OP + "redisIdWrites")).isPositive();
            // triggers of the demo rules: emitted, and cooldown/cap/consent counters present
            assertThat(s.sum(OP + "triggersEmitted")).isPositive();
            for (String m :
                    List.of(
                            "triggersSuppressedCooldown",
                            "triggersSuppressedCap",
                            "triggersSuppressedConsent")) {
                assertThat(s.has(OP + m)).as(m).isTrue();
            }
            // histograms: the flush latency and the freshness at the Redis write
            assertThat(s.sum(OP + "redisFlushMicros_count")).isPositive();
            assertThat(s.max(OP + "redisFlushMicros", "quantile", "0.5"))
                    .isBetween(1.0, 60_000_000.0);
            assertThat(s.sum(OP + "freshnessEventTimeLagMillis_count")).isPositive();
            // the events are at most 20 days (and the test's run) old, and none from the future
            assertThat(s.max(OP + "freshnessEventTimeLagMillis", "quantile", "0.999"))
                    .isBetween(0.0, (double) Duration.ofDays(21).toMillis());
            assertThat(s.max(OP + "freshnessEventTimeLagMillis", "quantile", "0.5")).isPositive();
            // through the job within the run's time
            double runMillis = (System.nanoTime() - started) / 1e6;
            assertThat(s.max(OP + "freshnessIngestLagMillis", "quantile", "0.999"))
                    .isBetween(0.0, runMillis);
            // scoring: both models of the directory, version ScoresOracle.VERSION
            assertThat(s.sum(OP + "scoringNanos_count")).isPositive();
            assertThat(s.max(OP + "scoringNanos", "quantile", "0.5")).isBetween(1.0, 1e9);
            assertThat(s.labelValues(OP + "model_version", "model")).contains("purchase", "churn");
            assertThat(s.max(OP + "model_version", "model", "purchase"))
                    .isEqualTo((double) ScoresOracle.VERSION);
            // the dashboard picks the profile sink's histograms by this operator name
            assertThat(s.labelValues(OP + "freshnessIngestLagMillis", "operator_name"))
                    .contains("redis:_Writer");

            // every metric the dashboard queries is in the scrape
            Set<String> queried = dashboardMetrics();
            assertThat(queried).isNotEmpty();
            Set<String> optional = Set.of();
            Set<String> missing = new TreeSet<>();
            for (String m : queried) {
                if (!s.has(m) && !optional.contains(m)) {
                    missing.add(m);
                }
            }
            assertThat(missing).as("dashboard metrics missing from the scrape").isEmpty();
        } finally {
            if (!ended.isDone()) {
                FlinkTestCluster.cancel(job);
            }
        }
    }

    private static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Dead letters by code, codes with none left out. */
    /** What the wait for the counts compares: the input's expected, a scrape's seen. */
    private record Counts(
            long valid,
            long duplicates,
            long counted,
            Map<String, Long> deadLetters,
            boolean ingestLagObserved) {
        static Counts of(Scrape s) {
            return new Counts(
                    s.sum(OP + "eventsValid"),
                    s.sum(OP + "eventsDuplicate"),
                    s.sum(OP + "eventsCounted"),
                    deadLettersByCode(s),
                    s.sum(OP + "freshnessIngestLagMillis_count") > 0);
        }
    }

    private static Map<String, Long> deadLettersByCode(Scrape s) {
        Map<String, Long> out = new TreeMap<>();
        for (Sample x : s.samples) {
            if (x.name.equals(OP + "errorCode_deadLetters") && x.value > 0) {
                out.merge(x.labels.get("errorCode"), (long) x.value, Long::sum);
            }
        }
        return out;
    }

    /** The metric names in the dashboard's PromQL expressions. */
    static Set<String> dashboardMetrics() throws IOException {
        JsonNode root = JSON.readTree(DASHBOARD.toFile());
        Set<String> names = new TreeSet<>();
        Pattern name = Pattern.compile("flink_[A-Za-z0-9_]+");
        for (JsonNode expr : root.findValues("expr")) {
            Matcher m = name.matcher(expr.asText());
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    private static void produce(List<GeneratedRecord> records) throws Exception {
        KAFKA.sendSpread("rtcdp.events", records.stream().map(GeneratedRecord::json).toList());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The endpoint's samples; empty while the reporter is not up yet. */
    static Scrape scrape(int port) throws InterruptedException {
        try {
            HttpResponse<String> r =
                    HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + port + "/metrics"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return Scrape.parse(r.statusCode() == 200 ? r.body() : "");
        } catch (IOException notYet) {
            return Scrape.parse("");
        }
    }

    record Sample(String name, Map<String, String> labels, double value) {}

    /** The Prometheus text format, as much of it as the reporter writes. */
    record Scrape(String text, List<Sample> samples) {
        private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        static Scrape parse(String text) {
            List<Sample> out = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                int space = line.lastIndexOf(' ');
                String name = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
                Map<String, String> labels = new HashMap<>();
                if (brace >= 0) {
                    Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}')));
                    while (m.find()) {
                        labels.put(m.group(1), m.group(2));
                    }
                }
                out.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
            }
            return new Scrape(text, out);
        }

        boolean has(String name) {
            return samples.stream().anyMatch(x -> x.name.equals(name));
        }

        long sum(String name) {
            return (long)
                    samples.stream()
                            .filter(x -> x.name.equals(name))
                            .mapToDouble(Sample::value)
                            .sum();
        }

        double max(String name, String label, String value) {
            return samples.stream()
                    .filter(x -> x.name.equals(name) && value.equals(x.labels.get(label)))
                    .filter(x -> !Double.isNaN(x.value))
                    .mapToDouble(Sample::value)
                    .max()
                    .orElse(Double.NaN);
        }

        Set<String> labelValues(String name, String label) {
            Set<String> out = new TreeSet<>();
            samples.stream()
                    .filter(x -> x.name.equals(name))
                    .forEach(x -> out.add(x.labels.get(label)));
            return out;
        }

        List<String> names() {
            return new ArrayList<>(new TreeSet<>(samples.stream().map(Sample::name).toList()));
        }
    }
}
