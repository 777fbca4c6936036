package io.rtcdp.udf.bench;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.ml.FeatureVectorBuilder;
import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.MarketingScore;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.testing.Events;
import io.rtcdp.udf.testing.Models;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-update cost of scoring a profile as the decision stage does it, on 16 rendered profiles of
 * varied activity: {@code scoreBothModels} builds the input vector once, scores purchase and churn
 * with their reasons keys, formats both probabilities and ranks the purchase probability for the
 * marketing score. The other benchmarks are its parts and the forms they replaced ({@code
 * reasonsText} formats on every update, {@code doubleToString} is the old probability text).
 *
 * <p>Run: {@code java -cp <udf test classpath> org.openjdk.jmh.Main ScoringBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ScoringBench {
    private static final long T0 = 1_709_287_200_000L;
    private static final long DAY = 86_400_000L;

    private final String[][] rendered = new String[16][];
    private FeatureVectorBuilder builder;
    private LogisticModel purchase;
    private LogisticModel churn;
    private final double[] x = new double[ModelSpec.defaultFeatures().size()];
    private final long[] purchaseKey = new long[LogisticModel.REASONS_KEY_LENGTH];
    private final long[] churnKey = new long[LogisticModel.REASONS_KEY_LENGTH];
    private final MarketingScore marketing = new MarketingScore();
    private int n;

    private static Event track(long ts, String name, Long amount) {
        return Events.track(name)
                .eventId("e" + ts)
                .at(ts)
                .channel("web")
                .amountMicros(amount)
                .category("shoes")
                .build();
    }

    private static LogisticModel model(String name, SplittableRandom r) {
        return Models.random(name, 1, T0, r);
    }

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(3);
        purchase = model("purchase", r);
        churn = model("churn", r);
        builder = purchase.spec().builder();
        for (int p = 0; p < rendered.length; p++) {
            ProfileFeatures f = new ProfileFeatures();
            long t = T0;
            for (int e = 0; e < 3 + p * 3; e++) {
                t += r.nextLong(DAY / 24, 20 * DAY);
                boolean order = r.nextInt(6) == 0;
                f.add(
                        track(
                                t,
                                order ? Event.ORDER_COMPLETED : Event.PRODUCT_VIEWED,
                                order ? r.nextLong(1, 200) * 1_000_000L : null));
            }
            rendered[p] = FeatureVectorBuilder.renderBuffer();
            f.render(rendered[p]);
        }
        for (int i = 0; i < 10_000; i++) {
            marketing.score(r.nextDouble() * r.nextDouble(), 1);
        }
    }

    private String[] next() {
        return rendered[n++ & 15];
    }

    @Benchmark
    public long scoreBothModels() {
        builder.build(next(), x);
        double p = purchase.scoreWithReasonsKey(x, purchaseKey);
        double q = churn.scoreWithReasonsKey(x, churnKey);
        String a = LogisticModel.formatProbability(p);
        String b = LogisticModel.formatProbability(q);
        return marketing.score(p, 1) + a.length() + b.length() + purchaseKey[2] + churnKey[2];
    }

    @Benchmark
    public double[] buildVector() {
        builder.build(next(), x);
        return x;
    }

    @Benchmark
    public long reasonsKey() {
        builder.build(next(), x);
        purchase.reasonsKey(x, purchaseKey);
        return purchaseKey[2];
    }

    @Benchmark
    public String reasonsText() {
        builder.build(next(), x);
        return purchase.reasons(x);
    }

    @Benchmark
    public String formatProbability() {
        return LogisticModel.formatProbability(LogisticModel.sigmoid((n++ & 1023) / 100.0 - 5));
    }

    @Benchmark
    public String doubleToString() {
        return Double.toString(LogisticModel.sigmoid((n++ & 1023) / 100.0 - 5));
    }

    @Benchmark
    public int marketingScore() {
        return marketing.score(LogisticModel.sigmoid((n++ & 1023) / 100.0 - 5), 1);
    }
}
