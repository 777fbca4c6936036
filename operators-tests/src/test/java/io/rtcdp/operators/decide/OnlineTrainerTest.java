package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.Metrics;
import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.ml.Standardization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The online trainer learns synthetic logistic data whose true coefficients are known, in the loop
 * the job runs: each published version is broadcast back and serves (scores) the next examples.
 */
class OnlineTrainerTest {
    private static final String TENANT = "acme";
    private static final ModelSpec SPEC = ModelSpec.defaults("purchase");
    private static final int D = SPEC.features().size();

    /** True coefficients on standard-normal inputs, intercept last. */
    private static final double[] TRUE = {1.0, -0.8, 0.5, 0, 0.3, -0.5, 0, 0.7, -0.3, 0.2, -1.0};

    private static final int PUBLISH_EVERY = 20_000;

    /** Three versions published, then 10,500 examples served by the last. */
    private static final int N = 3 * PUBLISH_EVERY + OnlineTrainer.QUALITY_WINDOW + 500;

    /** The served model the trainer starts from: half the true weights, no intercept. */
    private static LogisticModel initial() {
        double[] c = new double[D + 1];
        for (int i = 0; i < D; i++) {
            c[i] = TRUE[i] / 2;
        }
        return new LogisticModel(SPEC, 1, Standardization.identity(D), c, 0, Map.of());
    }

    private static KeyedBroadcastOperatorTestHarness<String, LabelledExample, String, String>
            harness(OnlineTrainer trainer) throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(trainer, List.of(ProfileDecider.MODELS)),
                OnlineTrainer.KEY,
                Types.STRING,
                1,
                1,
                0);
    }

    /** Synthetic examples: x standard normal, y drawn from σ(TRUE·x); ts = index. */
    private static final class Data {
        final double[][] x = new double[N][D];
        final int[] y = new int[N];

        Data(long seed) {
            Random r = new Random(seed);
            for (int i = 0; i < N; i++) {
                double m = TRUE[D];
                for (int j = 0; j < D; j++) {
                    x[i][j] = r.nextGaussian();
                    m += TRUE[j] * x[i][j];
                }
                y[i] = r.nextDouble() < LogisticModel.sigmoid(m) ? 1 : 0;
            }
        }
    }

    /** Runs examples [from, to) through the loop; returns the messages published. */
    private static List<String> run(
            KeyedBroadcastOperatorTestHarness<String, LabelledExample, String, String> h,
            Data data,
            int from,
            int to,
            LogisticModel[] served,
            List<double[]> window)
            throws Exception {
        List<String> published = new ArrayList<>();
        for (int i = from; i < to; i++) {
            double p = served[0].score(data.x[i]);
            h.processElement(
                    new StreamRecord<>(
                            new LabelledExample(
                                    TENANT,
                                    "purchase",
                                    served[0].version(),
                                    p,
                                    data.x[i],
                                    data.y[i],
                                    1_000L + i)));
            if (window != null) {
                window.add(new double[] {served[0].version(), p, data.y[i]});
            }
            var out = h.extractOutputValues();
            if (out.size() > published.size()) {
                String text = out.get(out.size() - 1);
                published.add(text);
                // the job's loop: the models topic feeds the version back to decider and trainer
                h.processBroadcastElement(new StreamRecord<>(text));
                served[0] = ModelMessages.decode(text).model();
            }
        }
        return published;
    }

    private static double distance(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Test
    void publishedVersionsApproachTheTrueCoefficientsAndAreServed() throws Exception {
        OnlineTrainer trainer = new OnlineTrainer(PUBLISH_EVERY);
        Data data = new Data(7);
        List<double[]> seen = new ArrayList<>();
        LogisticModel[] served = {initial()};
        List<String> published;
        try (var h = harness(trainer)) {
            h.open();
            h.processBroadcastElement(new StreamRecord<>(ModelMessages.encode("*", initial())));
            published = run(h, data, 0, N, served, seen);
        }

        assertThat(published).hasSize(3);
        List<LogisticModel> models = new ArrayList<>();
        for (String text : published) {
            ModelMessages.Decoded m = ModelMessages.decode(text);
            assertThat(m.tenant()).isEqualTo(TENANT);
            assertThat(m.key()).isEqualTo("acme/purchase");
            models.add(m.model());
        }
        assertThat(models).extracting(LogisticModel::version).containsExactly(2L, 3L, 4L);
        assertThat(models)
                .extracting(LogisticModel::trainedUntil)
                .containsExactly(
                        1_000L + PUBLISH_EVERY - 1,
                        1_000L + 2 * PUBLISH_EVERY - 1,
                        1_000L + 3 * PUBLISH_EVERY - 1);
        // the decision stage accepts each published version over the one in force (for every
        // tenant, v1) and, holding the tenant's own model, scores the tenant with it from then on
        try (var decider =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new ProfileDecider(),
                                List.of(ProfileDecider.RULES, ProfileDecider.MODELS)),
                        ProfileDecider.KEY,
                        Types.STRING,
                        1,
                        1,
                        0)) {
            decider.open();
            decider.processBroadcastElement(
                    new StreamRecord<>(ModelMessages.encode("*", initial())));
            for (String text : published) {
                decider.processBroadcastElement(new StreamRecord<>(text));
                assertThat(decider.getBroadcastState(ProfileDecider.MODELS).get("acme/purchase"))
                        .isEqualTo(text);
            }
            // a duplicate (at-least-once sink) or older version changes nothing
            decider.processBroadcastElement(new StreamRecord<>(published.get(0)));
            assertThat(decider.getBroadcastState(ProfileDecider.MODELS).get("acme/purchase"))
                    .isEqualTo(published.get(2));
        }

        // the trainer keeps the served model's standardisation
        assertThat(models.get(2).standardization().std()).containsOnly(1.0);

        // each version is closer to the truth than the one served at the start, the last within
        // 0.1 of every coefficient: the sampling error of the MLE with 60,000 examples is ~0.015,
        // one pass of FTRL (rate alpha/(beta+sqrt Σg²)) adds some; TrainersTest holds FTRL from
        // zero to the same bound
        double start = distance(initial().coefficients(), TRUE);
        double previous = start;
        for (LogisticModel m : models) {
            double d = distance(m.coefficients(), TRUE);
            assertThat(d).as("version %d", m.version()).isLessThan(start);
            previous = d;
        }
        double[] last = models.get(2).coefficients();
        for (int i = 0; i <= D; i++) {
            assertThat(last[i]).as("coefficient %d", i).isCloseTo(TRUE[i], within(0.1));
        }
        assertThat(previous).isLessThan(0.1);

        // live quality: the last 10,000 (p, y) of the version served last (4), as reported
        OnlineTrainer.Stats stats = trainer.stats("purchase");
        assertThat(stats).isNotNull();
        assertThat(stats.servedVersion()).isEqualTo(4);
        assertThat(stats.tenant()).isEqualTo(TENANT);
        List<double[]> ofV4 = seen.stream().filter(s -> s[0] == 4).toList();
        assertThat(ofV4).hasSize(OnlineTrainer.QUALITY_WINDOW + 500);
        // reported at 10,000 pairs of v4 (every REPORT_EVERY): the first 10,000
        int n = OnlineTrainer.QUALITY_WINDOW;
        double[] p = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = ofV4.get(i)[1];
            y[i] = (int) ofV4.get(i)[2];
        }
        assertThat(stats.report().count()).isEqualTo(n);
        assertThat(stats.report().auc()).isEqualTo(Metrics.auc(p, y, n));
        assertThat(stats.report().logLoss()).isEqualTo(Metrics.logLoss(p, y, n));
        assertThat(stats.report().ece()).isEqualTo(Metrics.ece(p, y, n));
        // and the learned model ranks better than the one served at the start
        double[] p0 = new double[n];
        for (int i = 0; i < n; i++) {
            p0[i] = initial().score(data.x[3 * PUBLISH_EVERY + i]);
        }
        assertThat(stats.report().logLoss()).isLessThan(Metrics.logLoss(p0, y, n));
    }

    @Test
    void restoredTrainerPublishesWhatAnUninterruptedOneWould() throws Exception {
        Data data = new Data(11);
        int cut = PUBLISH_EVERY + PUBLISH_EVERY / 2;
        List<String> whole;
        LogisticModel[] served = {initial()};
        try (var h = harness(new OnlineTrainer(PUBLISH_EVERY))) {
            h.open();
            h.processBroadcastElement(new StreamRecord<>(ModelMessages.encode("*", initial())));
            whole = run(h, data, 0, 3 * PUBLISH_EVERY, served, null);
        }
        List<String> resumed = new ArrayList<>();
        served[0] = initial();
        OperatorSubtaskState snapshot;
        try (var h = harness(new OnlineTrainer(PUBLISH_EVERY))) {
            h.open();
            h.processBroadcastElement(new StreamRecord<>(ModelMessages.encode("*", initial())));
            resumed.addAll(run(h, data, 0, cut, served, null));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(new OnlineTrainer(PUBLISH_EVERY))) {
            h.initializeState(snapshot);
            h.open();
            resumed.addAll(run(h, data, cut, 3 * PUBLISH_EVERY, served, null));
        }
        assertThat(whole).hasSize(3);
        assertThat(resumed).isEqualTo(whole);
    }

    @Test
    void examplesWaitForAServedModelAndTheTenantsOwnModelWins() throws Exception {
        OnlineTrainer trainer = new OnlineTrainer(2);
        double[] x = new double[D];
        try (var h = harness(trainer)) {
            h.open();
            LabelledExample e = new LabelledExample(TENANT, "purchase", 1, 0.5, x, 1, 5);
            h.processElement(new StreamRecord<>(e));
            h.processElement(new StreamRecord<>(e));
            assertThat(h.extractOutputValues()).isEmpty();

            h.processBroadcastElement(new StreamRecord<>("tenant: acme\nversion: 1\n"));
            h.processBroadcastElement(new StreamRecord<>(ModelMessages.encode("*", initial())));
            LogisticModel own =
                    new LogisticModel(
                            SPEC, 7, initial().standardization(), new double[D + 1], 0, Map.of());
            h.processBroadcastElement(new StreamRecord<>(ModelMessages.encode(TENANT, own)));
            h.processElement(new StreamRecord<>(e));
            h.processElement(new StreamRecord<>(e));
            List<String> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            LogisticModel m = ModelMessages.decode(out.get(0)).model();
            // started from the tenant's own v7 (all zero): two positive examples with x = 0 move
            // only the intercept, up
            assertThat(m.version()).isEqualTo(8);
            double[] c = m.coefficients();
            assertThat(Arrays.copyOf(c, D)).containsOnly(0.0);
            assertThat(c[D]).isPositive();
        }
    }

    /**
     * Examples of a merged-away profile's snapshots ({@link MergedLearningStage}: served version 0,
     * no prediction) are learned from, from the served model, but not counted in the live quality
     * window, which the served predictions fill as before.
     */
    @Test
    void examplesWithoutAServedPredictionAreLearnedFromButNotJudged() throws Exception {
        OnlineTrainer trainer = new OnlineTrainer(OnlineTrainer.REPORT_EVERY);
        double[] x = new double[D];
        try (var h = harness(trainer)) {
            h.open();
            LogisticModel own =
                    new LogisticModel(
                            SPEC, 7, initial().standardization(), new double[D + 1], 0, Map.of());
            h.processBroadcastElement(new StreamRecord<>(ModelMessages.encode(TENANT, own)));
            LabelledExample handed =
                    new LabelledExample(TENANT, "purchase", 0, Double.NaN, x, 1, 5);
            for (int i = 0; i < OnlineTrainer.REPORT_EVERY; i++) {
                h.processElement(new StreamRecord<>(handed));
            }
            List<String> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            LogisticModel m = ModelMessages.decode(out.get(0)).model();
            assertThat(m.version()).isEqualTo(8); // learned on from the served v7
            assertThat(m.coefficients()[D]).isPositive();
            assertThat(trainer.stats("purchase")).isNull();

            LabelledExample served = new LabelledExample(TENANT, "purchase", 8, 0.5, x, 1, 6);
            for (int i = 0; i < OnlineTrainer.REPORT_EVERY; i++) {
                h.processElement(new StreamRecord<>(served));
            }
            assertThat(trainer.stats("purchase")).isNotNull();
            assertThat(trainer.stats("purchase").report().count())
                    .isEqualTo(OnlineTrainer.REPORT_EVERY);
        }
    }
}
