package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.jobs.cli.CliRun;
import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.testing.ServerProcesses;
import io.rtcdp.udf.event.IdNormalizer;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.event.PiiHasher;
import io.rtcdp.udf.identity.IdCommand;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 on a real broker, redis-server and the streaming job on RocksDB: one forged event {@code
 * {user_id: mallory, phone: <alice's phone>}} quarantines alice's phone; {@code rtcdp ids release}
 * (its Java entry point, through the commands topic) releases it, and alice's next event links it
 * back; with the protection policy ({@code tenant.<t>.ids.limit.user-id-evidence}) the forged event
 * no longer detaches it. Commands that are not valid, or under another tenant's key, are refused
 * and counted.
 */
class QuarantineReleaseITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "quarantine-release-it-secret-0123456789";
    private static final String PHONE = "+8613800138000";

    // no shared MiniCluster: the job's own local cluster (RocksDB, checkpoints in the work
    // directory) serves its metrics (as in MetricsITCase)
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();
    @RegisterExtension static final KafkaExtension KAFKA = RtcdpTopics.kafka();

    @TempDir static Path tmp;

    private final RedisKeys keys = new RedisKeys("rtcdp");
    private int sent;

    @Test
    void aReleasedPhoneLinksBackAndAProtectedPhoneStays() throws Exception {
        int port = ServerProcesses.freePort();
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.DEFAULT_SECRET, SECRET)
                        .set(
                                RtcdpOptions.TENANT_SETTINGS,
                                Map.of("guarded.ids.limit.user-id-evidence", "2"))
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.GROUP_ID, "quarantine-release-it")
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .set(RtcdpOptions.METRICS_PORT, port)
                        .set(RtcdpOptions.LEARNING_ENABLED, false)
                        .build();
        Configuration conf = Environments.localConfiguration(cfg, tmp.resolve("work"));
        conf.addAll(FlinkTestCluster.noRestarts());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env);
        JobClient job = env.executeAsync("quarantine-release-it");
        try {
            // no policy: the forged event quarantines alice's phone
            String t = "open";
            String phone = phoneKey(cfg.parser(), t);
            event(t, "alice");
            event(t, "alice");
            String alice = awaitKey("alice's phone linked", phone, null);
            assertThat(alice).isEqualTo(oneidOf(t, "alice"));
            event(t, "mallory");
            String quarantine = awaitKey("the phone quarantined", phone, k -> !k.equals(alice));
            assertThat(quarantine).isNotEqualTo(oneidOf(t, "mallory"));
            assertThat(quarantine)
                    .isEqualTo(
                            new io.rtcdp.udf.identity.OneIds(cfg.parser().tenantKeys())
                                    .quarantined(
                                            t,
                                            new io.rtcdp.udf.event.Id(
                                                    "phone",
                                                    phone.substring(phone.lastIndexOf(':') + 1))));
            event(t, "alice");
            // the identity stage has taken alice's third event once her profile counts it; the
            // phone's id key, written by the same decision, must still name the quarantine
            Await.until(
                    "alice's third event counted",
                    Duration.ofSeconds(60),
                    () -> REDIS.client().hget(keys.profile(t, alice), "f.events_total"),
                    "3"::equals);
            assertThat(REDIS.client().get(phone)).as("still quarantined").isEqualTo(quarantine);

            // refused commands first: garbage, and a valid command under another tenant's key
            IdCommand forgedKey =
                    IdCommands.release(cfg, t, "phone:" + PHONE, System.currentTimeMillis());
            KAFKA.send(
                    "rtcdp.commands",
                    List.of(
                            new String[] {t, "{\"type\":\"release\"}"},
                            new String[] {"guarded", forgedKey.toJson()}));

            CliRun release =
                    CliRun.of(
                            "ids",
                            "release",
                            "--tenant",
                            t,
                            "--id",
                            "phone:" + PHONE,
                            "--bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "-Ddefault-secret=" + SECRET,
                            "--send");
            assertThat(release.code()).as(release.err()).isZero();
            assertThat(release.out()).startsWith("sent command ");

            List<JsonNode> released = awaitConflicts("the release recorded", t, "released", 1);
            assertThat(released.get(0).get("refused").asText())
                    .isEqualTo(phone.substring(phone.indexOf(":id:") + 4));
            assertThat(released.get(0).get("other_oneid").asText()).isEqualTo(quarantine);
            event(t, "alice");
            awaitKey("the phone linked back to alice", phone, k -> k.equals(alice));

            MetricsITCase.Scrape s =
                    Await.until(
                            "the commands counted",
                            Duration.ofSeconds(60),
                            () -> MetricsITCase.scrape(port),
                            x ->
                                    rejected(x, "malformed") == 1
                                            && rejected(x, "wrong_key") == 1
                                            && x.sum(operator("identityCommandsApplied")) == 1);
            assertThat(s.sum(operator("identityReleases"))).isEqualTo(1);

            // the policy: two events of alice protect the phone against mallory's one
            String g = "guarded";
            String guardedPhone = phoneKey(cfg.parser(), g);
            event(g, "alice");
            event(g, "alice");
            String guardedAlice = awaitKey("alice's phone linked", guardedPhone, null);
            event(g, "mallory");
            awaitConflicts("the forged link refused", g, "user_id_protected", 1);
            String mallory = oneidOf(g, "mallory");
            assertThat(mallory).isNotNull().isNotEqualTo(guardedAlice);
            assertThat(REDIS.client().get(guardedPhone)).isEqualTo(guardedAlice);
            assertThat(conflicts(g))
                    .extracting(c -> c.get("reason").asText())
                    .containsExactly("user_id_protected");
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }

    /** The id key of the test's phone in tenant {@code t}: the job's normalisation and HMAC. */
    private String phoneKey(ParserConfig pc, String t) {
        String normalised = IdNormalizer.normalize("phone", PHONE, pc.countryCodeFor(t));
        return keys.id(t, "phone", new PiiHasher(pc).protect(t, "phone", normalised));
    }

    private String oneidOf(String t, String user) {
        return REDIS.client().get(keys.id(t, "user_id", user));
    }

    private void event(String tenant, String user) throws Exception {
        String e =
                "{\"event_id\":\"e"
                        + sent++
                        + "\",\"tenant\":\""
                        + tenant
                        + "\",\"type\":\"track\",\"name\":\"product_viewed\",\"ts\":"
                        + System.currentTimeMillis()
                        + ",\"ids\":{\"user_id\":\""
                        + user
                        + "\",\"phone\":\""
                        + PHONE
                        + "\"}}";
        KAFKA.send("rtcdp.events", List.<String[]>of(new String[] {user, e}));
    }

    private String awaitKey(
            String what, String key, java.util.function.Predicate<String> condition) {
        return Await.until(
                what,
                Duration.ofSeconds(60),
                () -> REDIS.client().get(key),
                v -> v != null && (condition == null || condition.test(v)));
    }

    /** The conflict records of tenant {@code t}: the whole topic, read from its beginning. */
    private static List<JsonNode> conflicts(String t) throws Exception {
        java.util.Properties p = KAFKA.clientProperties();
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition("rtcdp.conflicts", 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (var r : c.poll(Duration.ofMillis(500))) {
                    JsonNode n = JSON.readTree(r.value());
                    if (n.get("tenant").asText().equals(t)) {
                        out.add(n);
                    }
                }
            }
        }
        return out;
    }

    private static List<JsonNode> awaitConflicts(String what, String t, String reason, int n) {
        return Await.until(
                what,
                Duration.ofSeconds(60),
                () ->
                        conflicts(t).stream()
                                .filter(c -> c.get("reason").asText().equals(reason))
                                .toList(),
                l -> l.size() >= n);
    }

    private static String operator(String name) {
        return "flink_taskmanager_job_task_operator_" + name;
    }

    /** commandRecordsRejected of one reason. */
    private static long rejected(MetricsITCase.Scrape s, String reason) {
        return (long)
                s.samples().stream()
                        .filter(x -> x.name().endsWith("_commandRecordsRejected"))
                        .filter(x -> reason.equals(x.labels().get("reason")))
                        .mapToDouble(MetricsITCase.Sample::value)
                        .sum();
    }
}
