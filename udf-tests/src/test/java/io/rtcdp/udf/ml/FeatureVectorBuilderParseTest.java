package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast decimal parse equals {@link Double#parseDouble} bit for bit, and fails as it does. */
class FeatureVectorBuilderParseTest {

    private static void same(String s) {
        assertThat(Double.doubleToRawLongBits(FeatureVectorBuilder.parseDecimal(s)))
                .as(s)
                .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(s)));
    }

    @Test
    void equalsParseDoubleOnRenderedAndOddForms() {
        for (String s :
                new String[] {
                    "0",
                    "-0",
                    "0.0",
                    "-0.0",
                    "1",
                    "12",
                    "1234.56",
                    "0.1",
                    "0.3",
                    "-3",
                    ".5",
                    "-.5",
                    "1.",
                    "+5",
                    "1e3",
                    "1E-3",
                    "NaN",
                    "-Infinity",
                    "123456789012345",
                    "1234567890123456",
                    "0.123456789012345",
                    "0.1234567890123456",
                    "9007199254740993",
                    "999999999999999.9",
                    "00012.50",
                    "1.7976931348623157e308",
                    "4.9e-324"
                }) {
            same(s);
        }
        SplittableRandom r = new SplittableRandom(19);
        for (int i = 0; i < 300_000; i++) {
            StringBuilder sb = new StringBuilder();
            if (r.nextInt(5) == 0) {
                sb.append('-');
            }
            int whole = r.nextInt(0, 17);
            for (int k = 0; k < whole; k++) {
                sb.append((char) ('0' + r.nextInt(10)));
            }
            if (r.nextBoolean()) {
                sb.append('.');
                for (int k = r.nextInt(0, 17); k > 0; k--) {
                    sb.append((char) ('0' + r.nextInt(10)));
                }
            }
            String s = sb.toString();
            boolean valid;
            try {
                Double.parseDouble(s);
                valid = true;
            } catch (NumberFormatException e) {
                valid = false;
            }
            if (valid) {
                same(s);
            } else {
                assertThatThrownBy(() -> FeatureVectorBuilder.parseDecimal(s))
                        .as(s)
                        .isInstanceOf(NumberFormatException.class);
            }
        }
        // money as profiles render it: cents exact
        for (long cents = -100_000; cents <= 100_000; cents += 7) {
            same(java.math.BigDecimal.valueOf(cents, 2).toPlainString());
        }
    }
}
