package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Both trainers recover the coefficients of synthetic logistic data. */
class TrainersTest {
    private static final ModelSpec SPEC =
            new ModelSpec(
                    "purchase",
                    LabelSpec.purchase(),
                    List.of(
                            FeatureSpec.of("orders_total", FeatureSpec.Transform.IDENTITY),
                            FeatureSpec.of("revenue_total", FeatureSpec.Transform.IDENTITY),
                            FeatureSpec.of("tenure_days", FeatureSpec.Transform.IDENTITY)));

    // True coefficients on standard-normal inputs (std 1, mean 0), intercept last.
    private static final double[] TRUE = {1.5, -2.0, 0.0, -0.5};
    private static final int N = 200_000;

    private static double[][] x = new double[N][3];
    private static int[] y = new int[N];

    static {
        Random r = new Random(42);
        for (int i = 0; i < N; i++) {
            double m = TRUE[3];
            for (int j = 0; j < 3; j++) {
                x[i][j] = r.nextGaussian();
                m += TRUE[j] * x[i][j];
            }
            y[i] = r.nextDouble() < LogisticModel.sigmoid(m) ? 1 : 0;
        }
    }

    /** Coefficients in the original (unstandardised) scale, intercept last. */
    private static double[] raw(LogisticModel m) {
        double[] c = m.coefficients();
        Standardization s = m.standardization();
        double[] out = new double[4];
        out[3] = c[3];
        for (int j = 0; j < 3; j++) {
            out[j] = c[j] / s.std(j);
            out[3] -= c[j] * s.mean(j) / s.std(j);
        }
        return out;
    }

    @Test
    void batchRecoversCoefficientsWithin005() {
        LogisticModel m = new BatchTrainer(0).fit(SPEC, x, y, N, 1, 0);
        double[] c = raw(m);
        for (int j = 0; j < 4; j++) {
            assertThat(c[j]).as("coefficient %d", j).isCloseTo(TRUE[j], within(0.05));
        }
    }

    @Test
    void ftrlRecoversCoefficientsWithin01InOnePass() {
        FtrlTrainer t = FtrlTrainer.withWarmup(SPEC, new FtrlTrainer.Params(0.05, 1, 0, 0), 1000);
        for (int i = 0; i < N; i++) {
            t.update(x[i], y[i]);
        }
        double[] c = raw(t.toModel(3, 0));
        for (int j = 0; j < 4; j++) {
            assertThat(c[j]).as("coefficient %d", j).isCloseTo(TRUE[j], within(0.1));
        }
        assertThat(t.updates()).isEqualTo(N);
    }

    @Test
    void ftrlL1ZeroesTheUselessFeature() {
        FtrlTrainer t = FtrlTrainer.withWarmup(SPEC, new FtrlTrainer.Params(0.05, 1, 5, 0), 1000);
        for (int i = 0; i < N; i++) {
            t.update(x[i], y[i]);
        }
        double[] c = t.toModel(1, 0).coefficients();
        assertThat(c[2]).isZero();
        assertThat(c[0]).isPositive();
        assertThat(c[1]).isNegative();
    }

    @Test
    void ftrlContinuesFromAnInitialModel() {
        LogisticModel batch = new BatchTrainer(0).fit(SPEC, x, y, N, 1, 0);
        FtrlTrainer t = FtrlTrainer.from(batch, FtrlTrainer.Params.defaults());
        assertThat(t.toModel(1, 0).coefficients())
                .containsExactly(batch.coefficients(), within(1e-12));
    }
}
