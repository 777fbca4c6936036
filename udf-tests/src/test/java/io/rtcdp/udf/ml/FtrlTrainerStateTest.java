package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A trainer written and read back continues exactly as the original would have. */
class FtrlTrainerStateTest {
    private static final ModelSpec SPEC = ModelSpec.defaults("purchase");
    private static final int D = SPEC.features().size();

    private static double[] sample(Random r) {
        double[] x = new double[D];
        for (int i = 0; i < D; i++) {
            x[i] = r.nextGaussian() * (i + 1) + i;
        }
        return x;
    }

    private static FtrlTrainer roundTrip(FtrlTrainer t) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        t.write(new DataOutputStream(bytes));
        return FtrlTrainer.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    /** Trains both on the same further samples and compares the resulting models exactly. */
    private static void assertContinuesIdentically(FtrlTrainer a, FtrlTrainer b, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < 500; i++) {
            double[] x = sample(r);
            int y = r.nextBoolean() ? 1 : 0;
            a.update(x, y);
            b.update(x, y);
        }
        LogisticModel ma = a.toModel(7, 99);
        LogisticModel mb = b.toModel(7, 99);
        assertThat(mb.coefficients()).containsExactly(ma.coefficients());
        assertThat(mb.standardization().mean()).containsExactly(ma.standardization().mean());
        assertThat(mb.standardization().std()).containsExactly(ma.standardization().std());
        assertThat(mb.spec()).isEqualTo(ma.spec());
        assertThat(b.updates()).isEqualTo(a.updates());
        assertThat(b.params()).isEqualTo(a.params());
    }

    @Test
    void trainerFromAModelRoundTrips() throws IOException {
        Random r = new Random(1);
        double[] c = new double[D + 1];
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextGaussian();
        }
        double[] mean = new double[D];
        double[] std = new double[D];
        for (int i = 0; i < D; i++) {
            mean[i] = i;
            std[i] = i + 1;
        }
        LogisticModel m =
                new LogisticModel(
                        SPEC, 3, new Standardization(mean, std), c, 0, java.util.Map.of());
        FtrlTrainer t = FtrlTrainer.from(m, new FtrlTrainer.Params(0.1, 1, 0.5, 1e-3));
        for (int i = 0; i < 300; i++) {
            t.update(sample(r), r.nextBoolean() ? 1 : 0);
        }
        FtrlTrainer back = roundTrip(t);
        assertThat(back.updates()).isEqualTo(300);
        assertContinuesIdentically(t, back, 2);
        assertContinuesIdentically(t, t.copy(), 3);
    }

    @Test
    void theVersionsLearntOnAModelKeepItsOrderCalendar() throws IOException {
        OrderCalendar calendar = new OrderCalendar(14_000, new long[] {5, 0, 7, 9});
        ModelSpec spec = SPEC.withCalendar(calendar);
        double[] mean = new double[D];
        double[] std = new double[D];
        java.util.Arrays.fill(std, 1);
        LogisticModel m =
                new LogisticModel(
                        spec,
                        3,
                        new Standardization(mean, std),
                        new double[D + 1],
                        0,
                        java.util.Map.of());
        FtrlTrainer t = FtrlTrainer.from(m, FtrlTrainer.Params.defaults());
        Random r = new Random(4);
        for (int i = 0; i < 50; i++) {
            t.update(sample(r), r.nextBoolean() ? 1 : 0);
        }
        assertThat(t.toModel(4, 0).spec().calendar()).isEqualTo(calendar);
        // and across a checkpoint of the trainer
        assertThat(roundTrip(t).toModel(4, 0).spec()).isEqualTo(spec);
    }

    @Test
    void trainerInWarmupRoundTripsWithItsBuffer() throws IOException {
        FtrlTrainer t = FtrlTrainer.withWarmup(SPEC, FtrlTrainer.Params.defaults(), 200);
        Random r = new Random(4);
        for (int i = 0; i < 150; i++) {
            t.update(sample(r), r.nextBoolean() ? 1 : 0);
        }
        FtrlTrainer back = roundTrip(t);
        assertThat(back.standardization()).isNull();
        assertContinuesIdentically(t, back, 5);
    }

    @Test
    void unknownFormatIsRefused() {
        byte[] bytes = {9};
        assertThatThrownBy(
                        () ->
                                FtrlTrainer.read(
                                        new DataInputStream(new ByteArrayInputStream(bytes))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format 9");
    }
}
