package io.rtcdp.udf.profile;

import java.math.BigDecimal;

/**
 * Decimal text of the rendered features, the same as {@code BigDecimal.valueOf(unscaled, scale)
 * .stripTrailingZeros().toPlainString()} but without the intermediate objects, and with shared
 * strings for the small counts that most fields hold.
 */
public final class Decimals {
    /** Decimal strings of small counts, shared so rendering counts allocates nothing. */
    private static final String[] SMALL = new String[1024];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = Integer.toString(i);
        }
    }

    private Decimals() {}

    /**
     * {@code a + b}, held at {@link Long#MAX_VALUE} or {@link Long#MIN_VALUE} instead of wrapping
     * around: sums of amounts stay on the right side of zero even for absurd inputs.
     */
    static long addSaturating(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** A shared string for {@code unscaled × 10^-scale} when there is one, else null. */
    static String shared(long unscaled, int scale) {
        if (unscaled == 0 || (scale == 0 && unscaled > 0 && unscaled < SMALL.length)) {
            return SMALL[(int) unscaled];
        }
        return null;
    }

    /** The text of {@code unscaled × 10^-scale}. */
    static String text(long unscaled, int scale) {
        return scale == 0 ? Long.toString(unscaled) : decimal(unscaled, scale);
    }

    /** {@code BigDecimal.valueOf(unscaled, scale).stripTrailingZeros().toPlainString()}. */
    public static String decimal(long unscaled, int scale) {
        long pow = scale == 6 ? 1_000_000L : scale == 4 ? 10_000L : scale == 2 ? 100L : 0;
        if (pow == 0 || unscaled == Long.MIN_VALUE) {
            return BigDecimal.valueOf(unscaled, scale).stripTrailingZeros().toPlainString();
        }
        long abs = Math.abs(unscaled);
        long frac = abs % pow;
        if (frac == 0) {
            return Long.toString(unscaled / pow);
        }
        int digits = scale;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        StringBuilder sb = new StringBuilder(24);
        if (unscaled < 0) {
            sb.append('-');
        }
        sb.append(abs / pow).append('.');
        long p = 1;
        for (int d = 1; d < digits; d++) {
            p *= 10;
        }
        for (; p > frac; p /= 10) {
            sb.append('0');
        }
        return sb.append(frac).toString();
    }

    /** {@code n / d} rounded half-even, for {@code d > 0}. */
    static long divideHalfEven(long n, long d) {
        long q = Math.floorDiv(n, d);
        long twiceRest = 2 * (n - q * d);
        if (twiceRest > d || (twiceRest == d && (q & 1) != 0)) {
            q++;
        }
        return q;
    }
}
