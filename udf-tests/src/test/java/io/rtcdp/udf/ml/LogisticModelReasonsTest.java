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

    /** The three largest contributions as texts, before the length limit. */
    private static List<String> allReasons(LogisticModel m, double[] x) {
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
        return parts;
    }

    private static String reference(LogisticModel m, double[] x) {
        List<String> parts = allReasons(m, x);
        // the largest first, as many as fit in 64 bytes
        while (String.join(",", parts).getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                > LogisticModel.REASONS_MAX_BYTES) {
            parts.remove(parts.size() - 1);
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
        int shortened = 0;
        for (int trial = 0; trial < 20_000; trial++) {
            double[] c = new double[n + 1];
            double[] x = new double[n];
            for (int i = 0; i <= n; i++) {
                // few distinct values, zeros included, so ties and exact zeros are common
                // and now and then a large one, so that contributions of several whole digits
                // decide whether a reason still fits
                c[i] = r.nextInt(-3, 4) * (r.nextInt(8) == 0 ? 1234.5 : 0.5);
            }
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(-2, 3);
            }
            LogisticModel m =
                    new LogisticModel(spec, 1, Standardization.identity(n), c, 0, Map.of());
            String reasons = m.reasons(x);
            assertThat(reasons).isEqualTo(reference(m, x));
            assertThat(reasons.length()).isLessThanOrEqualTo(LogisticModel.REASONS_MAX_BYTES);
            if (!reasons.isEmpty() && reasons.split(",").length < allReasons(m, x).size()) {
                shortened++;
            }
        }
        // the limit was in play: texts whose third (or second) reason did not fit
        assertThat(shortened).isGreaterThan(500);
    }

    @Test
    void equalKeysExactlyWhenEqualTexts() {
        ModelSpec spec = ModelSpec.defaults("purchase");
        int n = spec.features().size();
        SplittableRandom r = new SplittableRandom(13);
        double[] c = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            c[i] = r.nextInt(-3, 4) * 0.5;
        }
        LogisticModel m = new LogisticModel(spec, 1, Standardization.identity(n), c, 0, Map.of());
        Map<String, long[]> keyOfText = new java.util.HashMap<>();
        Map<String, String> textOfKey = new java.util.HashMap<>();
        for (int trial = 0; trial < 50_000; trial++) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                // values near hundredths' ties and signed zeros, so keys differ in the last digit
                x[i] = r.nextInt(-40, 41) * 0.0025 + (r.nextBoolean() ? 0 : -0.0);
            }
            long[] key = new long[LogisticModel.REASONS_KEY_LENGTH];
            m.reasonsKey(x, key);
            String text = m.formatReasons(key);
            assertThat(text).isEqualTo(m.reasons(x)).isEqualTo(reference(m, x));
            long[] again = new long[LogisticModel.REASONS_KEY_LENGTH];
            assertThat(Double.doubleToRawLongBits(m.scoreWithReasonsKey(x, again)))
                    .isEqualTo(Double.doubleToRawLongBits(m.score(x)));
            assertThat(again).containsExactly(key);
            long[] seen = keyOfText.putIfAbsent(text, key);
            if (seen != null) {
                assertThat(key).as(text).containsExactly(seen);
            }
            String seenText = textOfKey.putIfAbsent(Arrays.toString(key), text);
            if (seenText != null) {
                assertThat(text).isEqualTo(seenText);
            }
        }
        assertThat(keyOfText.size()).isGreaterThan(1000);
    }

    @Test
    void probabilitiesAreWrittenToTwelvePlaces() {
        assertThat(LogisticModel.formatProbability(0)).isEqualTo("0");
        assertThat(LogisticModel.formatProbability(1)).isEqualTo("1");
        assertThat(LogisticModel.formatProbability(0.25)).isEqualTo("0.25");
        assertThat(LogisticModel.formatProbability(1e-12)).isEqualTo("0.000000000001");
        assertThat(LogisticModel.formatProbability(4e-13)).isEqualTo("0");
        assertThat(LogisticModel.formatProbability(1 - 1e-13)).isEqualTo("1");
        assertThat(LogisticModel.formatProbability(0.1234567890126)).isEqualTo("0.123456789013");
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < 200_000; i++) {
            double p = LogisticModel.sigmoid(r.nextDouble(-30, 30));
            String text = LogisticModel.formatProbability(p);
            assertThat(text).matches("0|1|0\\.\\d{0,11}[1-9]");
            assertThat(Math.abs(Double.parseDouble(text) - p))
                    .as(text)
                    .isLessThanOrEqualTo(5.1e-13);
        }
    }
}
