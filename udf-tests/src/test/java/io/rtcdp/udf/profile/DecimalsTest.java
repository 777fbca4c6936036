package io.rtcdp.udf.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DecimalsTest {

    @Test
    void decimalTextMatchesBigDecimal() {
        assertThat(Decimals.decimal(12_500_000L, 6)).isEqualTo("12.5");
        assertThat(Decimals.decimal(0, 6)).isEqualTo("0");
        assertThat(Decimals.decimal(1, 6)).isEqualTo("0.000001");
        assertThat(Decimals.decimal(-500_000L, 6)).isEqualTo("-0.5");
        assertThat(Decimals.decimal(10_000_000L, 6)).isEqualTo("10");
        assertThat(Decimals.decimal(Long.MIN_VALUE, 6))
                .isEqualTo(bigDecimalText(Long.MIN_VALUE, 6));
        assertThat(Decimals.decimal(Long.MAX_VALUE, 2))
                .isEqualTo(bigDecimalText(Long.MAX_VALUE, 2));
    }

    @Property(tries = 2000)
    void decimalTextMatchesBigDecimalForAnyValue(
            @ForAll long unscaled, @ForAll @IntRange(min = 0, max = 2) int which) {
        int scale = new int[] {2, 4, 6}[which];
        assertThat(Decimals.decimal(unscaled, scale)).isEqualTo(bigDecimalText(unscaled, scale));
        assertThat(Decimals.decimal(unscaled / 1000 * 1000, scale))
                .isEqualTo(bigDecimalText(unscaled / 1000 * 1000, scale));
    }

    @Property(tries = 2000)
    void halfEvenDivisionMatchesBigDecimal(
            @ForAll @LongRange(min = -1_000_000_000_000L, max = 1_000_000_000_000L) long n,
            @ForAll @LongRange(min = 1, max = 1_000_000L) long d) {
        long expected =
                BigDecimal.valueOf(n)
                        .divide(BigDecimal.valueOf(d), 0, RoundingMode.HALF_EVEN)
                        .longValueExact();
        assertThat(Decimals.divideHalfEven(n, d)).isEqualTo(expected);
    }

    private static String bigDecimalText(long unscaled, int scale) {
        return BigDecimal.valueOf(unscaled, scale).stripTrailingZeros().toPlainString();
    }

    @Test
    void sharesSmallCountsOnly() {
        assertThat(Decimals.shared(0, 6)).isEqualTo("0");
        assertThat(Decimals.shared(1023, 0)).isEqualTo("1023").isSameAs(Decimals.shared(1023, 0));
        assertThat(Decimals.shared(1024, 0)).isNull();
        assertThat(Decimals.shared(-1, 0)).isNull();
        assertThat(Decimals.shared(5, 6)).isNull();
    }
}
