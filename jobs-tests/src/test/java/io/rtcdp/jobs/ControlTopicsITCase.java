package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.testing.ServerProcesses;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.ml.ModelIo;
import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control topics trust no producer (docs/contract.md §4, §6.1, §7.5): on the running streaming
 * job, a model sent to the rules topic, a model for every tenant ({@code *}) sent to the models
 * topic, a rule set under another tenant's key, and a rule set and a model whose version is {@code
 * Long.MAX_VALUE} are all refused and counted by a metric, while the rule set and models in force
 * keep serving; ordinary next versions are then taken, so nothing was pinned.
 */
class ControlTopicsITCase {
    static final long START =
            OffsetDateTime.parse("2024-03-01T00:00:00Z").toInstant().toEpochMilli();
    static final String TENANT = "t1";

    // no shared MiniCluster: the job's own local cluster serves its metrics (as in MetricsITCase)
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();
    @RegisterExtension static final KafkaExtension KAFKA = RtcdpTopics.kafka();

    @TempDir static Path tmp;

    static final String RULES_V1 =
            "tenant: t1\nversion: 1\ntags:\n  - {name: v1_tag, when: \"f.events_total >= 1\"}\n";

    private long ts = START;
    private int sent;

    @Test
    void forgedControlRecordsAreRefusedCountedAndChangeNothing() throws Exception {
        Path models = tmp.resolve("models");
        double[] purchase = {0.3, 0.8, 0.2, -1.1};
        double[] churn = {-0.7, -0.4, -0.1, 0.6};
        ModelIo.write(
                ModelHotSwapITCase.model("purchase", 1, purchase), models.resolve("purchase"));
        ModelIo.write(ModelHotSwapITCase.model("churn", 1, churn), models.resolve("churn"));
        Path rules = Files.writeString(tmp.resolve("rules.yaml"), RULES_V1);

        int port = ServerProcesses.freePort();
        long now = START + Duration.ofDays(2).toMillis();
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> now).build())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.GROUP_ID, "control-topics-it")
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.MODELS_DIR, models.toString())
                        .set(RtcdpOptions.RULES_FILES, rules.toString())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .set(RtcdpOptions.METRICS_PORT, port)
                        // no model versions of the trainer's own in between
                        .set(RtcdpOptions.LEARNING_ENABLED, false)
                        .build();
        Configuration conf = Environments.localConfiguration(cfg, tmp.resolve("work"));
        conf.addAll(FlinkTestCluster.noRestarts());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env);
        JobClient job = env.executeAsync("control-topics-it");
        try {
            event();
            awaitProfile("the start-up rules and models", "v1_tag", "1");

            String t1Purchase2 =
                    ModelMessages.encode(TENANT, ModelHotSwapITCase.model("purchase", 2, purchase));
            String anyPurchase2 =
                    ModelMessages.encode(
                            ModelMessages.ANY_TENANT,
                            ModelHotSwapITCase.model("purchase", 2, purchase));
            String t1PurchaseMax =
                    ModelMessages.encode(
                            TENANT, ModelHotSwapITCase.model("purchase", Long.MAX_VALUE, purchase));
            KAFKA.send(
                    "rtcdp.rules",
                    List.of(
                            new String[] {TENANT, t1Purchase2}, // a model on the rules topic
                            new String[] {"t2", rules(2, "wrong_key_tag")}, // another tenant's key
                            new String[] {TENANT, rules(Long.MAX_VALUE, "pinned_tag")}));
            KAFKA.send(
                    "rtcdp.models",
                    List.of(
                            new String[] {"*/purchase", anyPurchase2}, // every tenant, from a topic
                            new String[] {TENANT, anyPurchase2}, // and under a wrong key too
                            new String[] {"t1/purchase", t1PurchaseMax}));

            MetricsITCase.Scrape s =
                    Await.until(
                            "every refusal counted",
                            Duration.ofSeconds(60),
                            () -> MetricsITCase.scrape(port),
                            x ->
                                    rejected(x, "wrong_topic") == 1
                                            && rejected(x, "wrong_key") == 1
                                            && rejected(x, "any_tenant") == 2
                                            // the decision stage's two subtasks both judge it
                                            && x.sum(operator("ruleSetsRejected")) == 2
                                            && x.sum(operator("modelsRejected")) == 2);
            assertThat(x(s, "ruleSetsApplied")).as("rule sets applied, per subtask").isEqualTo(2);
            assertThat(x(s, "modelsApplied")).as("models applied: two, per subtask").isEqualTo(4);

            // the versions in force serve on
            event();
            awaitProfile("the same versions after the refusals", "v1_tag", "1");
            assertThat(REDIS.client().hget(profileKey(), "tags")).doesNotContain("pinned_tag");

            // and ordinary next versions are taken
            KAFKA.send("rtcdp.rules", List.<String[]>of(new String[] {TENANT, rules(2, "v2_tag")}));
            KAFKA.send(
                    "rtcdp.models", List.<String[]>of(new String[] {"t1/purchase", t1Purchase2}));
            Await.until(
                    "the next rule set and model applied",
                    Duration.ofSeconds(60),
                    () -> {
                        event();
                        Map<String, String> h = REDIS.client().hgetAll(profileKey());
                        return "v2_tag".equals(h.get("tags"))
                                && "2".equals(h.get("model.purchase"));
                    });
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }

    private static String rules(long version, String tag) {
        return "tenant: t1\nversion: "
                + version
                + "\ntags:\n  - {name: "
                + tag
                + ", when: \"f.events_total >= 1\"}\n";
    }

    private static String operator(String name) {
        return "flink_taskmanager_job_task_operator_" + name;
    }

    private static long x(MetricsITCase.Scrape s, String name) {
        return s.sum(operator(name));
    }

    /** controlRecordsRejected of one reason, wherever the source registers it. */
    private static long rejected(MetricsITCase.Scrape s, String reason) {
        return (long)
                s.samples().stream()
                        .filter(x -> x.name().endsWith("_controlRecordsRejected"))
                        .filter(x -> reason.equals(x.labels().get("reason")))
                        .mapToDouble(MetricsITCase.Sample::value)
                        .sum();
    }

    private void event() throws Exception {
        ts += 1000;
        KAFKA.send(
                "rtcdp.events",
                List.<String[]>of(
                        new String[] {
                            "u1", TestEvents.track("e" + sent++, "u1", "product_viewed", ts, "")
                        }));
    }

    private static String profileKey() {
        RedisKeys keys = new RedisKeys("rtcdp");
        String oneid = REDIS.client().get(keys.id(TENANT, "user_id", "u1"));
        return oneid == null ? "none" : keys.profile(TENANT, oneid);
    }

    /**
     * Waits until the profile has every event sent, the tag and the purchase model version. The
     * start-up models and the events come by independent sources, and a version applies from a
     * profile's next change (contract §7.5): a profile whose events all arrived before the model
     * reached its subtask gets one more event every few seconds.
     */
    private void awaitProfile(String what, String tag, String purchaseVersion) {
        long[] nudged = {System.nanoTime()};
        Await.until(
                what,
                Duration.ofSeconds(60),
                () -> {
                    Map<String, String> h = REDIS.client().hgetAll(profileKey());
                    boolean complete = Integer.toString(sent).equals(h.get("f.events_total"));
                    if (complete
                            && !purchaseVersion.equals(h.get("model.purchase"))
                            && System.nanoTime() - nudged[0] > Duration.ofSeconds(3).toNanos()) {
                        event();
                        nudged[0] = System.nanoTime();
                    }
                    return h;
                },
                h ->
                        Integer.toString(sent).equals(h.get("f.events_total"))
                                && tag.equals(h.get("tags"))
                                && purchaseVersion.equals(h.get("model.purchase")));
    }
}
