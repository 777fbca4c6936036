package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole learning loop through Kafka: the decision stage keeps snapshots of the profiles it
 * scores and labels them when their horizon has passed in event time, the online trainer learns
 * from them and publishes new model versions to the models topic, the job reads that topic back and
 * scores every profile with the newest version.
 *
 * <p>Half the profiles order every 4 days, half only browse, for 150 days of event time; the start
 * models know nothing (all coefficients 0). The versions on the topic must increase, must have
 * learned the difference (purchase up and churn down with orders), and every profile must end up
 * scored by the newest version of each model, its scores equal to a plain-Java computation of that
 * version's coefficients over the profile's features in Redis.
 */
class LearningLoopITCase {
    static final long DAY = 86_400_000L;
    static final long START =
            OffsetDateTime.parse("2024-01-01T00:00:00Z").toInstant().toEpochMilli();
    static final String TENANT = "t1";
    static final int PROFILES = 120;
    static final int DAYS = 150;

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir static Path tmp;
    @RegisterExtension static final KafkaExtension KAFKA = RtcdpTopics.kafka();

    /** The models' inputs, written out here for the oracle: field, log1p or not. */
    private record Input(String field, boolean log) {}

    private static final List<Input> INPUTS =
            List.of(
                    new Input("f.events_total", true),
                    new Input("f.orders_total", true),
                    new Input("f.revenue_total", true));

    private static final double[] MEAN = {2.5, 1.0, 3.0};
    private static final double[] STD = {1.0, 1.2, 2.5};

    private static LogisticModel blank(String name) {
        List<FeatureSpec> features = new ArrayList<>();
        for (Input in : INPUTS) {
            features.add(
                    FeatureSpec.of(
                            in.field().substring(2),
                            in.log()
                                    ? FeatureSpec.Transform.LOG1P
                                    : FeatureSpec.Transform.IDENTITY));
        }
        return new LogisticModel(
                new ModelSpec(name, LabelSpec.defaultFor(name), features),
                1,
                new Standardization(MEAN, STD),
                new double[INPUTS.size() + 1],
                0,
                Map.of());
    }

    /** Plain-Java logistic regression of a published version over the profile hash. */
    static double expectedScore(Map<String, String> h, LogisticModel m) {
        double[] c = m.coefficients();
        double margin = c[INPUTS.size()];
        for (int i = 0; i < INPUTS.size(); i++) {
            Input in = INPUTS.get(i);
            String v = h.get(in.field());
            double x = v == null || v.isEmpty() ? 0 : Double.parseDouble(v);
            if (in.log()) {
                x = Math.log1p(Math.max(0, x));
            }
            margin += c[i] * (x - MEAN[i]) / STD[i];
        }
        return 1 / (1 + Math.exp(-margin));
    }

    private final Map<String, Integer> sent = new HashMap<>();
    private long nudge = 0;

    @Test
    void theTrainersVersionsComeBackThroughKafkaAndScoreEveryProfile() throws Exception {
        Path models = tmp.resolve("models");
        ModelIo.write(blank("purchase"), models.resolve("purchase"));
        ModelIo.write(blank("churn"), models.resolve("churn"));
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(
                                ParserConfig.builder()
                                        .clock(() -> START + (DAYS + 10) * DAY)
                                        .build())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.MODELS_DIR, models.toString())
                        .set(RtcdpOptions.LEARNING_PUBLISH_EVERY, 100)
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .build();

        // every 4 days each profile views a product; buyers (even numbers) also order
        List<String[]> events = new ArrayList<>();
        for (int d = 0; d < DAYS; d += 4) {
            for (int p = 0; p < PROFILES; p++) {
                String uid = "u" + p;
                long ts = START + d * DAY + p * 1000L;
                events.add(new String[] {uid, event(uid, "product_viewed", ts, "")});
                if (p % 2 == 0) {
                    events.add(
                            new String[] {
                                uid,
                                event(
                                        uid,
                                        "order_completed",
                                        ts + 3_600_000L,
                                        ",\"props\":{\"amount\":25.5,\"order_id\":\"o"
                                                + uid
                                                + "-"
                                                + d
                                                + "\"}")
                            });
                }
            }
        }
        KAFKA.send("rtcdp.events", events);

        Configuration conf = Environments.jobConfiguration(cfg);
        conf.addAll(FlinkTestCluster.noRestarts());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env);
        JobClient job = env.executeAsync("learning-loop-it");
        Map<String, TreeMap<Long, LogisticModel>> published = new HashMap<>();
        try (KafkaConsumer<String, String> topic =
                KAFKA.committedReader("learning-loop-it", "rtcdp.models")) {
            RedisKeys keys = new RedisKeys("rtcdp");
            var redis = REDIS.client();

            // all events in the profiles, and the models topic quiet: every label was learned
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long quietSince = System.nanoTime();
            while (true) {
                if (poll(topic, published, Duration.ofMillis(500))) {
                    quietSince = System.nanoTime();
                }
                boolean complete = allEventsIn(redis, keys);
                if (complete && System.nanoTime() - quietSince > Duration.ofSeconds(5).toNanos()) {
                    break;
                }
                assertThat(job.getJobStatus().get().isTerminalState()).isFalse();
                assertThat(System.nanoTime())
                        .as("every event in Redis and the models topic quiet in time")
                        .isLessThan(deadline);
            }

            TreeMap<Long, LogisticModel> purchase = published.get(TENANT + "/purchase");
            TreeMap<Long, LogisticModel> churn = published.get(TENANT + "/churn");
            assertThat(purchase).as("purchase versions published").isNotNull();
            assertThat(churn).as("churn versions published").isNotNull();
            // about 15 labelled snapshots per profile for purchase, 7 for churn; 100 per version
            assertThat(purchase.size()).isGreaterThanOrEqualTo(10);
            assertThat(churn.size()).isGreaterThanOrEqualTo(4);
            assertThat(purchase.firstKey()).isGreaterThan(1L);
            LogisticModel lastPurchase = purchase.lastEntry().getValue();
            LogisticModel lastChurn = churn.lastEntry().getValue();
            // learned: orders raise the purchase probability and lower the churn probability
            assertThat(lastPurchase.coefficients()[1]).isPositive();
            assertThat(lastChurn.coefficients()[1]).isNegative();

            // one more view per profile: each is scored by the newest versions
            List<String> stale = new ArrayList<>();
            for (int p = 0; p < PROFILES; p++) {
                stale.add("u" + p);
            }
            while (true) {
                nudge(stale);
                long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                do {
                    poll(topic, published, Duration.ofMillis(200));
                    stale = staleProfiles(redis, keys, lastPurchase, lastChurn);
                } while (!stale.isEmpty() && System.nanoTime() < until);
                assertThat(published.get(TENANT + "/purchase").lastKey())
                        .as("no version after the topic was quiet")
                        .isEqualTo(lastPurchase.version());
                if (stale.isEmpty()) {
                    break;
                }
                assertThat(System.nanoTime())
                        .as("newest versions in every profile in time; e.g. %s", stale.get(0))
                        .isLessThan(deadline + Duration.ofSeconds(60).toNanos());
            }

            // and the newest purchase model separates buyers from browsers
            double buyers = 0;
            double browsers = 0;
            for (int p = 0; p < PROFILES; p++) {
                double s = Double.parseDouble(profile(redis, keys, "u" + p).get("score.purchase"));
                if (p % 2 == 0) {
                    buyers += s;
                } else {
                    browsers += s;
                }
            }
            System.out.printf(
                    "learning loop: %d purchase versions (%d..%d), %d churn versions (%d..%d);"
                            + " newest purchase coefficients %s, churn %s; mean score.purchase"
                            + " of buyers %.3f, of browsers %.3f%n",
                    purchase.size(),
                    purchase.firstKey(),
                    purchase.lastKey(),
                    churn.size(),
                    churn.firstKey(),
                    churn.lastKey(),
                    java.util.Arrays.toString(lastPurchase.coefficients()),
                    java.util.Arrays.toString(lastChurn.coefficients()),
                    buyers / (PROFILES / 2),
                    browsers / (PROFILES / 2));
            assertThat(buyers / (PROFILES / 2)).isGreaterThan(browsers / (PROFILES / 2) + 0.2);
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }

    /** Reads model versions off the topic; true if there were any. */
    private static boolean poll(
            KafkaConsumer<String, String> topic,
            Map<String, TreeMap<Long, LogisticModel>> published,
            Duration wait)
            throws Exception {
        boolean any = false;
        for (ConsumerRecord<String, String> r : topic.poll(wait)) {
            ModelMessages.Decoded m = ModelMessages.decode(r.value());
            assertThat(r.key()).isEqualTo(m.key());
            TreeMap<Long, LogisticModel> versions =
                    published.computeIfAbsent(m.key(), k -> new TreeMap<>());
            LogisticModel had = versions.get(m.model().version());
            if (had != null) {
                // at least once: a repeat must be the same version
                assertThat(m.model().coefficients()).containsExactly(had.coefficients());
            } else {
                assertThat(versions.isEmpty() || versions.lastKey() < m.model().version())
                        .as("versions of %s increase", m.key())
                        .isTrue();
            }
            versions.put(m.model().version(), m.model());
            any = true;
        }
        return any;
    }

    private boolean allEventsIn(redis.clients.jedis.RedisClient redis, RedisKeys keys) {
        for (int p = 0; p < PROFILES; p++) {
            Map<String, String> h = profile(redis, keys, "u" + p);
            int expected = (DAYS + 3) / 4 * (p % 2 == 0 ? 2 : 1);
            String total = h.get("f.events_total");
            if (total == null || Integer.parseInt(total) != expected) {
                return false;
            }
            sent.put("u" + p, expected);
        }
        return true;
    }

    private List<String> staleProfiles(
            redis.clients.jedis.RedisClient redis,
            RedisKeys keys,
            LogisticModel purchase,
            LogisticModel churn) {
        List<String> stale = new ArrayList<>();
        for (int p = 0; p < PROFILES; p++) {
            String uid = "u" + p;
            Map<String, String> h = profile(redis, keys, uid);
            if (!Long.toString(purchase.version()).equals(h.get("model.purchase"))
                    || !Long.toString(churn.version()).equals(h.get("model.churn"))
                    || !Integer.toString(sent.get(uid)).equals(h.get("f.events_total"))) {
                stale.add(uid);
                continue;
            }
            assertThat(Double.parseDouble(h.get("score.purchase")))
                    .as("%s score.purchase", uid)
                    .isCloseTo(
                            expectedScore(h, purchase), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(Double.parseDouble(h.get("score.churn")))
                    .as("%s score.churn", uid)
                    .isCloseTo(expectedScore(h, churn), org.assertj.core.data.Offset.offset(1e-9));
        }
        return stale;
    }

    private static Map<String, String> profile(
            redis.clients.jedis.RedisClient redis, RedisKeys keys, String uid) {
        String oneid = redis.get(keys.id(TENANT, "user_id", uid));
        return oneid == null ? Map.of() : redis.hgetAll(keys.profile(TENANT, oneid));
    }

    /**
     * A view for each of {@code uids}, a day (and a few seconds) after the last events at day 148.
     * It labels no snapshot and takes none, so the trainer publishes nothing more: snapshots are
     * taken 8 days apart from day 0 (events every 4 days, spacing 7), none has its 30- or 90-day
     * horizon end in (day 148, day 149], and day 149 is 5 days after the last snapshot.
     */
    private void nudge(List<String> uids) throws Exception {
        nudge++;
        List<String[]> events = new ArrayList<>();
        for (String uid : uids) {
            long ts = START + 149 * DAY + nudge * 1000L;
            events.add(new String[] {uid, event(uid, "product_viewed", ts, "")});
            sent.merge(uid, 1, Integer::sum);
        }
        KAFKA.send("rtcdp.events", events);
    }

    private static String event(String uid, String name, long ts, String extra) {
        return TestEvents.track(uid + "-" + name + "-" + ts, uid, name, ts, extra);
    }
}
