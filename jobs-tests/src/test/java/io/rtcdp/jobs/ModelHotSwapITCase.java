package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.ml.FeatureSpec;
import io.rtcdp.udf.ml.LabelSpec;
import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.ModelIo;
import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.ml.Standardization;
import io.rtcdp.udf.profile.RedisKeys;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new model version published to the models topic while the streaming job runs scores every
 * profile from its next update on: each profile's {@code score.purchase} must equal a plain-Java
 * logistic regression of the new coefficients over the profile's features in Redis, while the churn
 * model of the models directory stays. A malformed version and one sent under another tenant's key
 * are never used.
 */
class ModelHotSwapITCase {
    static final long START =
            OffsetDateTime.parse("2024-03-01T00:00:00Z").toInstant().toEpochMilli();
    static final String TENANT = "t1";
    static final int PROFILES = 100;

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir static Path tmp;
    @RegisterExtension static final KafkaExtension KAFKA = RtcdpTopics.kafka();

    /** The models' inputs, written out here for the oracle: field, log1p, cap, missing. */
    private record Input(String field, boolean log, double cap, double missing) {}

    private static final List<Input> INPUTS =
            List.of(
                    new Input("f.events_total", false, 12, 0),
                    new Input("f.orders_total", true, Double.POSITIVE_INFINITY, 0),
                    new Input("f.revenue_total", true, Double.POSITIVE_INFINITY, 0));

    private static final double[] MEAN = {4.0, 0.9, 3.2};
    private static final double[] STD = {2.5, 0.6, 1.9};

    /** Coefficients, one per input then the intercept, by model name and version. */
    private static final double[] PURCHASE_V1 = {0.3, 0.8, 0.2, -1.1};

    private static final double[] PURCHASE_V2 = {-0.45, 1.7, -0.6, 0.35};
    private static final double[] PURCHASE_V5 = {0.05, -0.9, 1.25, -0.2};
    private static final double[] CHURN_V1 = {-0.7, -0.4, -0.1, 0.6};
    private static final double[] CHURN_V2 = {-0.2, -1.3, 0.4, 0.1};

    /** A model built from the same constants through the project's API (for writing only). */
    static LogisticModel model(String name, long version, double[] coefficients) {
        List<FeatureSpec> features = new ArrayList<>();
        for (Input in : INPUTS) {
            features.add(
                    new FeatureSpec(
                            in.field().substring(2),
                            in.log() ? FeatureSpec.Transform.LOG1P : FeatureSpec.Transform.IDENTITY,
                            in.cap(),
                            in.missing()));
        }
        return new LogisticModel(
                new ModelSpec(name, LabelSpec.defaultFor(name), features),
                version,
                new Standardization(MEAN, STD),
                coefficients,
                0,
                Map.of());
    }

    /** Plain-Java logistic regression over the profile hash. */
    static double expectedScore(Map<String, String> h, double[] c) {
        double margin = c[INPUTS.size()];
        for (int i = 0; i < INPUTS.size(); i++) {
            Input in = INPUTS.get(i);
            String v = h.get(in.field());
            double raw = v == null || v.isEmpty() ? in.missing() : Double.parseDouble(v);
            double x = Math.min(raw, in.cap());
            if (in.log()) {
                x = Math.log1p(Math.max(0, x));
            }
            margin += c[i] * (x - MEAN[i]) / STD[i];
        }
        return 1 / (1 + Math.exp(-margin));
    }

    /** Every profile's state of the test: its user id, events sent, next event number. */
    private static final class Profile {
        final String uid;
        int sent;
        String oneid;

        Profile(String uid) {
            this.uid = uid;
        }
    }

    private final Random rnd = new Random(7);
    private long ts = START;
    private final Set<Long> seenPurchaseVersions = new TreeSet<>();

    @Test
    void aNewModelVersionScoresEveryProfileFromItsNextUpdateOn() throws Exception {
        Path models = tmp.resolve("models");
        ModelIo.write(model("purchase", 1, PURCHASE_V1), models.resolve("purchase"));
        ModelIo.write(model("churn", 1, CHURN_V1), models.resolve("churn"));

        List<Profile> profiles = new ArrayList<>();
        for (int p = 0; p < PROFILES; p++) {
            profiles.add(new Profile("u" + p));
        }
        long now = START + Duration.ofDays(2).toMillis();
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> now).build())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.MODELS_DIR, models.toString())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .build();

        // batch 1: 1..4 views and 0..3 orders per profile
        sendBatch(profiles, 4, 3);

        Configuration conf = Environments.jobConfiguration(cfg);
        conf.addAll(FlinkTestCluster.noRestarts());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env);
        JobClient job = env.executeAsync("model-hot-swap-it");
        try {
            await(job, profiles, "v1", 1, PURCHASE_V1, 1, CHURN_V1, Duration.ofSeconds(60));

            // v2 of purchase for t1, then events touching every profile; churn stays v1
            send(
                    List.<String[]>of(
                            new String[] {
                                "t1/purchase", message(model("purchase", 2, PURCHASE_V2))
                            }));
            sendBatch(profiles, 2, 2);
            await(job, profiles, "v2", 2, PURCHASE_V2, 1, CHURN_V1, Duration.ofSeconds(45));

            // a malformed purchase v3 and a valid v4 of t1 under t2's key, then churn v2 as a
            // marker: one partition, so churn v2 in force means the two others were read, and
            // purchase must still be v2
            send(
                    List.of(
                            new String[] {"t1/purchase", malformed(3)},
                            new String[] {
                                "t2/purchase", message(model("purchase", 4, PURCHASE_V1))
                            },
                            new String[] {"t1/churn", message(model("churn", 2, CHURN_V2))}));
            sendBatch(profiles, 2, 2);
            await(job, profiles, "churn v2", 2, PURCHASE_V2, 2, CHURN_V2, Duration.ofSeconds(45));

            // then a valid purchase v5
            send(
                    List.<String[]>of(
                            new String[] {
                                "t1/purchase", message(model("purchase", 5, PURCHASE_V5))
                            }));
            sendBatch(profiles, 2, 2);
            await(job, profiles, "v5", 5, PURCHASE_V5, 2, CHURN_V2, Duration.ofSeconds(45));

            assertThat(seenPurchaseVersions)
                    .as("purchase versions ever seen")
                    .doesNotContain(3L, 4L);
            assertThat(REDIS.client().keys("rtcdp:t1:profile:*")).hasSize(PROFILES);
            assertThat(REDIS.client().keys("rtcdp:t2:*")).isEmpty();
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }

    /** The message of a model for tenant t1. */
    private static String message(LogisticModel m) throws Exception {
        return ModelMessages.encode(TENANT, m);
    }

    /**
     * A model message of version {@code version} whose data holds one coefficient too few for its
     * features: decodes as a model message but must be rejected.
     */
    private static String malformed(long version) throws Exception {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ModelIo.writeModelData(data, new double[] {2.0, 2.0, 2.0}, version);
        String good = ModelMessages.encode(TENANT, model("purchase", version, PURCHASE_V2));
        int at = good.indexOf("\"data\":\"");
        assertThat(at).isPositive();
        String broken =
                good.substring(0, at)
                        + "\"data\":\""
                        + Base64.getEncoder().encodeToString(data.toByteArray())
                        + "\"}";
        assertThat(ModelMessages.isModel(broken)).isTrue();
        return broken;
    }

    /**
     * Polls until every profile has all its events and {@code model.purchase}, {@code model.churn}
     * of the given versions with scores equal to the oracle of the given coefficients; fails after
     * {@code timeout} with the profiles that differ. A profile whose events all arrived before the
     * new model reached its subtask (the models and events sources are independent) gets one more
     * event every few seconds.
     */
    private void await(
            JobClient job,
            List<Profile> profiles,
            String what,
            long version,
            double[] purchase,
            long churnVersion,
            double[] churn,
            Duration timeout)
            throws Exception {
        var redis = REDIS.client();
        RedisKeys keys = new RedisKeys("rtcdp");
        long[] nextNudge = {System.nanoTime() + Duration.ofSeconds(3).toNanos()};
        Await.untilNone(
                what + " in every profile",
                timeout,
                () -> {
                    List<String> wrong = new ArrayList<>();
                    List<Profile> stale = new ArrayList<>();
                    for (Profile p : profiles) {
                        if (p.oneid == null) {
                            p.oneid = redis.get(keys.id(TENANT, "user_id", p.uid));
                        }
                        if (p.oneid == null) {
                            wrong.add(p.uid + ": no oneid");
                            continue;
                        }
                        Map<String, String> h = redis.hgetAll(keys.profile(TENANT, p.oneid));
                        String mp = h.get("model.purchase");
                        if (mp != null) {
                            seenPurchaseVersions.add(Long.parseLong(mp));
                        }
                        assertThat(seenPurchaseVersions)
                                .as("purchase versions seen, %s", p.uid)
                                .doesNotContain(3L, 4L);
                        String total = h.get("f.events_total");
                        if (total == null || Long.parseLong(total) != p.sent) {
                            wrong.add(p.uid + ": events_total " + total + " of " + p.sent);
                            continue;
                        }
                        String mc = h.get("model.churn");
                        if (!Long.toString(version).equals(mp)
                                || !Long.toString(churnVersion).equals(mc)) {
                            wrong.add(p.uid + ": model.purchase " + mp + ", model.churn " + mc);
                            stale.add(p);
                            continue;
                        }
                        // complete and on the right versions: the scores must be exact now
                        assertScore(p.uid, h, "purchase", purchase);
                        assertScore(p.uid, h, "churn", churn);
                        assertThat(h.get("reasons.purchase")).as("%s reasons", p.uid).isNotEmpty();
                        assertThat(h.get("score.marketing"))
                                .as("%s score.marketing", p.uid)
                                .isNotNull();
                    }
                    assertThat(job.getJobStatus().get().isTerminalState())
                            .as("job running")
                            .isFalse();
                    if (!stale.isEmpty() && System.nanoTime() > nextNudge[0]) {
                        sendBatch(stale, 1, 0);
                        nextNudge[0] = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                    }
                    return wrong;
                });
    }

    private static void assertScore(
            String uid, Map<String, String> h, String name, double[] coefficients) {
        String actual = h.get("score." + name);
        assertThat(actual).as("%s score.%s", uid, name).isNotNull();
        assertThat(Double.parseDouble(actual))
                .as("%s score.%s", uid, name)
                .isCloseTo(
                        expectedScore(h, coefficients), org.assertj.core.data.Offset.offset(1e-9));
    }

    /** Per profile 1..maxViews views and 0..maxOrders orders of 10..80.5, after all earlier. */
    private void sendBatch(List<Profile> profiles, int maxViews, int maxOrders) throws Exception {
        List<String[]> events = new ArrayList<>();
        for (Profile p : profiles) {
            int views = 1 + rnd.nextInt(maxViews);
            int orders = maxOrders == 0 ? 0 : rnd.nextInt(maxOrders + 1);
            for (int i = 0; i < views + orders; i++) {
                ts += 1000;
                String id = p.uid + "-" + p.sent;
                p.sent++;
                String json =
                        i < views
                                ? event(id, p.uid, "product_viewed", ts, "")
                                : event(
                                        id,
                                        p.uid,
                                        "order_completed",
                                        ts,
                                        ",\"props\":{\"amount\":"
                                                + (10 + rnd.nextInt(71))
                                                + ".5,\"order_id\":\"o"
                                                + id
                                                + "\"}");
                events.add(new String[] {p.uid, json});
            }
        }
        send("rtcdp.events", events);
    }

    private static String event(String id, String uid, String name, long ts, String extra) {
        return TestEvents.track(id, uid, name, ts, extra);
    }

    private static void send(List<String[]> keyed) throws Exception {
        send("rtcdp.models", keyed);
    }

    private static void send(String topic, List<String[]> keyed) throws Exception {
        KAFKA.send(topic, keyed);
    }
}
