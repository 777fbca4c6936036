package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reasons string against the obvious implementation: sort everything, String.format. */
class LogisticModelReasonsTest {

    private static String reference(LogisticModel m, double[] x) {
        double[] coefficients = m.coefficients();
        int n = coefficients.length - 1;
        double[] c = new double[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            c[i] = coefficients[i] * m.standardization().apply(i, x[i]);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(Math.abs(c[b]), Math.abs(c[a])));
        List<String> parts = new ArrayList<>();
        for (int k = 0; k < n && parts.size() < LogisticModel.REASONS; k++) {
            int i = order[k];
            if (c[i] == 0) {
                break;
            }
            parts.add(
                    m.spec().features().get(i).name()
                            + ':'
                            + String.format(Locale.ROOT, "%+.2f", c[i]));
        }
        return String.join(",", parts);
    }

    @Test
    void formatsLikeTheFormatterIncludingTiesAndSigns() {
        double[] cases = {
            0,
            -0.0,
            0.005,
            -0.005,
            0.015,
            0.125,
            -0.125,
            1.005,
            2.675,
            0.994999,
            0.995,
            9.995,
            99.995,
            123456.785,
            -1e-9,
            1e-9,
            0.0049999999,
            1e12 + 0.005,
            3.14159,
            -2.71828
        };
        SplittableRandom r = new SplittableRandom(7);
        List<Double> all = new ArrayList<>();
        for (double v : cases) {
            all.add(v);
        }
        for (int i = 0; i < 200_000; i++) {
            double v = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-3, 7));
            all.add(v);
            // exact ties on the third decimal, as the decimal form of a double shows them
            all.add(Math.round(v * 1000) / 1000.0 + (r.nextBoolean() ? 0 : 0.005));
        }
        for (double v : all) {
            StringBuilder sb = new StringBuilder();
            LogisticModel.appendSigned2(sb, v);
            assertThat(sb.toString()).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%+.2f", v));
        }
    }

    @Test
    void picksTheLargestContributionsInFeatureOrderOnTies() {
        ModelSpec spec = ModelSpec.defaults("purchase");
        int n = spec.features().size();
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 20_000; trial++) {
            double[] c = new double[n + 1];
            double[] x = new double[n];
            for (int i = 0; i <= n; i++) {
                // few distinct values, zeros included, so ties and exact zeros are common
                c[i] = r.nextInt(-3, 4) * 0.5;
            }
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(-2, 3);
            }
            LogisticModel m =
                    new LogisticModel(spec, 1, Standardization.identity(n), c, 0, Map.of());
            assertThat(m.reasons(x)).isEqualTo(reference(m, x));
        }
    }
}
