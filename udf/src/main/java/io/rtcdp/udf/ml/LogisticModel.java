package io.rtcdp.udf.ml;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A logistic-regression model version: {@code p = σ(Σ w[i]·(x[i] − mean[i]) / std[i] + w[n])} over
 * the {@link FeatureVectorBuilder} vector {@code x} of its features. The coefficient vector has one
 * entry per feature plus the intercept last, because Flink ML's model data (which rtcdp's files
 * use) has no separate intercept: a Flink ML model for rtcdp is trained with a constant 1 appended
 * to its standardised input.
 *
 * <p>Immutable and thread-safe. {@link #score(double[])} allocates nothing.
 */
public final class LogisticModel {
    /** How many features {@link #reasons} names at most. */
    public static final int REASONS = 3;

    /**
     * The longest {@link #reasons} text in bytes: Redis keeps a hash in its compact listpack
     * encoding only while every value is at most {@code hash-max-listpack-value} (64 by default)
     * bytes, and a hash that left it never comes back; a profile hash costs 2.3 to 3.3 times as
     * much memory in the other (hashtable) encoding. The reasons name as many of their features as
     * fit.
     */
    public static final int REASONS_MAX_BYTES = 64;

    private final ModelSpec spec;
    private final long version;
    private final Standardization standardization;
    private final double[] coefficients;
    private final long trainedUntil;
    private final Map<String, Double> metrics;

    /** Per feature, the UTF-8 length of its name. */
    private final int[] nameBytes;

    /**
     * @param coefficients one per feature, then the intercept
     * @param trainedUntil event time (epoch ms) up to which training data was used
     * @param metrics free-form quality numbers recorded at training (e.g. {@code auc}); may be
     *     empty
     */
    public LogisticModel(
            ModelSpec spec,
            long version,
            Standardization standardization,
            double[] coefficients,
            long trainedUntil,
            Map<String, Double> metrics) {
        int n = spec.features().size();
        if (standardization.size() != n) {
            throw new IllegalArgumentException(
                    "model "
                            + spec.name()
                            + " has "
                            + n
                            + " features but a standardisation of "
                            + standardization.size());
        }
        if (coefficients.length != n + 1) {
            throw new IllegalArgumentException(
                    "model "
                            + spec.name()
                            + " has "
                            + n
                            + " features, so "
                            + (n + 1)
                            + " coefficients (the intercept last), but the data has "
                            + coefficients.length);
        }
        for (double c : coefficients) {
            if (!Double.isFinite(c)) {
                throw new IllegalArgumentException(
                        "model " + spec.name() + " has a non-finite coefficient: " + c);
            }
        }
        if (version < 0) {
            throw new IllegalArgumentException("model version must be ≥ 0, got " + version);
        }
        this.spec = spec;
        this.version = version;
        this.standardization = standardization;
        this.coefficients = coefficients.clone();
        this.trainedUntil = trainedUntil;
        this.metrics = Map.copyOf(new LinkedHashMap<>(metrics));
        this.nameBytes = new int[n];
        for (int i = 0; i < n; i++) {
            nameBytes[i] =
                    spec.features()
                            .get(i)
                            .name()
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)
                            .length;
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public long version() {
        return version;
    }

    public Standardization standardization() {
        return standardization;
    }

    /** A copy: one per feature, then the intercept. */
    public double[] coefficients() {
        return coefficients.clone();
    }

    public long trainedUntil() {
        return trainedUntil;
    }

    public Map<String, Double> metrics() {
        return metrics;
    }

    /** A copy of this model with other metrics. */
    public LogisticModel withMetrics(Map<String, Double> newMetrics) {
        return new LogisticModel(
                spec, version, standardization, coefficients, trainedUntil, newMetrics);
    }

    /** The linear score (log-odds) of an input vector. */
    public double margin(double[] x) {
        int n = coefficients.length - 1;
        if (x.length != n) {
            throw new IllegalArgumentException(
                    "model " + spec.name() + " takes " + n + " features, got " + x.length);
        }
        double m = coefficients[n];
        for (int i = 0; i < n; i++) {
            m += coefficients[i] * standardization.apply(i, x[i]);
        }
        return m;
    }

    /** The probability of the label, in [0, 1]: the hot path, no allocation. */
    public double score(double[] x) {
        return sigmoid(margin(x));
    }

    /** {@code 1 / (1 + e^−m)}, without overflow. */
    public static double sigmoid(double m) {
        if (m >= 0) {
            return 1 / (1 + Math.exp(-m));
        }
        double e = Math.exp(m);
        return e / (1 + e);
    }

    /** Probability, version and reasons of one input vector. */
    public Scored scoreWithReasons(double[] x) {
        return new Scored(score(x), version, reasons(x));
    }

    /**
     * The {@value #REASONS} features with the largest |coefficient × standardised value|, largest
     * first (ties: feature order), as {@code name:+1.23,name:-0.80}; features contributing exactly
     * 0 are left out; the text names the largest of them, in that order, while it stays within
     * {@value #REASONS_MAX_BYTES} bytes.
     */
    public String reasons(double[] x) {
        long[] key = new long[REASONS_KEY_LENGTH];
        reasonsKey(x, key);
        return formatReasons(key);
    }

    /** Length of a {@link #reasonsKey}. */
    public static final int REASONS_KEY_LENGTH = 1 + 2 * REASONS;

    /**
     * What {@link #reasons} would say for {@code x}, as numbers: {@code key[0]} the number of
     * reasons, then per reason the feature index and the contribution in signed hundredths ({@code
     * cents << 1 | negative}, so {@code -0.00} and {@code +0.00} differ as their text does); unused
     * entries 0. Two keys are equal exactly when the texts are, for one model: the decision stage
     * compares keys and formats only a changed one. No allocation.
     *
     * @param key {@link #REASONS_KEY_LENGTH} longs, overwritten
     */
    public void reasonsKey(double[] x, long[] key) {
        marginWithReasons(x, key);
    }

    /**
     * {@link #score} and {@link #reasonsKey} of {@code x} in one pass over the features: the
     * probability is the same, bit for bit (the same terms added in the same order).
     */
    public double scoreWithReasonsKey(double[] x, long[] key) {
        return sigmoid(marginWithReasons(x, key));
    }

    private double marginWithReasons(double[] x, long[] key) {
        int n = coefficients.length - 1;
        if (x.length != n) {
            throw new IllegalArgumentException(
                    "model " + spec.name() + " takes " + n + " features, got " + x.length);
        }
        double m = coefficients[n];
        // the REASONS largest |contributions| by selection: n is small and this runs per update
        int[] top = new int[REASONS];
        double[] topValue = new double[REASONS];
        int found = 0;
        for (int i = 0; i < n; i++) {
            double c = coefficients[i] * standardization.apply(i, x[i]);
            m += c;
            if (c == 0) {
                continue;
            }
            double a = Math.abs(c);
            int at = found;
            while (at > 0 && Math.abs(topValue[at - 1]) < a) {
                at--;
            }
            if (at >= REASONS) {
                continue;
            }
            int last = Math.min(found, REASONS - 1);
            for (int k = last; k > at; k--) {
                top[k] = top[k - 1];
                topValue[k] = topValue[k - 1];
            }
            top[at] = i;
            topValue[at] = c;
            found = Math.min(found + 1, REASONS);
        }
        // as many of them as fit in REASONS_MAX_BYTES, largest first
        int bytes = 0;
        int fit = 0;
        while (fit < found) {
            long cents = signedCents(topValue[fit]);
            int more = (fit > 0 ? 1 : 0) + nameBytes[top[fit]] + 1 + signedCentsLength(cents);
            if (bytes + more > REASONS_MAX_BYTES) {
                break;
            }
            bytes += more;
            key[1 + 2 * fit] = top[fit];
            key[2 + 2 * fit] = cents;
            fit++;
        }
        key[0] = fit;
        for (int k = fit; k < REASONS; k++) {
            key[1 + 2 * k] = 0;
            key[2 + 2 * k] = 0;
        }
        return m;
    }

    /** The text of a {@link #reasonsKey} of this model. */
    public String formatReasons(long[] key) {
        int found = (int) key[0];
        StringBuilder sb = new StringBuilder(24 * found);
        for (int k = 0; k < found; k++) {
            if (k > 0) {
                sb.append(',');
            }
            sb.append(spec.features().get((int) key[1 + 2 * k]).name()).append(':');
            appendSignedCents(sb, key[2 + 2 * k]);
        }
        return sb.toString();
    }

    /**
     * Appends {@code v} as {@code String.format(Locale.ROOT, "%+.2f", v)} does (half-up on the
     * shortest decimal form of {@code v}), without a Formatter: this runs on every profile update.
     */
    static void appendSigned2(StringBuilder sb, double v) {
        appendSignedCents(sb, signedCents(v));
    }

    /**
     * {@code |v|} rounded to hundredths as {@code %+.2f} rounds it, shifted left, sign in bit 0.
     */
    static long signedCents(double v) {
        double a = Math.abs(v);
        double scaled = a * 100;
        double frac = scaled - Math.floor(scaled);
        long cents;
        if (scaled < 1e15 && Math.abs(frac - 0.5) > 1e-6) {
            cents = Math.round(scaled);
        } else {
            // near a tie, or huge: decide on the decimal form, as the Formatter does
            cents =
                    new java.math.BigDecimal(Double.toString(a))
                            .setScale(2, java.math.RoundingMode.HALF_UP)
                            .unscaledValue()
                            .longValueExact();
        }
        return cents << 1 | (v < 0 || (v == 0 && 1 / v < 0) ? 1 : 0);
    }

    /** The length of {@link #appendSignedCents}'s text: sign, whole part, point, two digits. */
    static int signedCentsLength(long signedCents) {
        long whole = (signedCents >>> 1) / 100;
        int digits = 1;
        while (whole >= 10) {
            whole /= 10;
            digits++;
        }
        return digits + 4;
    }

    private static void appendSignedCents(StringBuilder sb, long signedCents) {
        long cents = signedCents >>> 1;
        sb.append((signedCents & 1) != 0 ? '-' : '+');
        sb.append(cents / 100).append('.');
        long c = cents % 100;
        if (c < 10) {
            sb.append('0');
        }
        sb.append(c);
    }

    /**
     * A probability as the profile's {@code score.*} fields carry it: rounded to 12 decimal places,
     * trailing zeros dropped ({@code 0.25}, {@code 0.000000000001}, {@code 0}, {@code 1}). Cheaper
     * than {@link Double#toString} on this JDK and shorter in Redis; 12 places keep every score
     * within about 5e-13 of the model's probability.
     */
    public static String formatProbability(double p) {
        if (!(p > 0)) {
            return "0";
        }
        long u = Math.round(p * 1e12);
        if (u >= 1_000_000_000_000L) {
            return "1";
        }
        if (u == 0) {
            return "0";
        }
        int digits = 12;
        while (u % 10 == 0) {
            u /= 10;
            digits--;
        }
        char[] c = new char[2 + digits];
        c[0] = '0';
        c[1] = '.';
        for (int k = digits + 1; k >= 2; k--) {
            c[k] = (char) ('0' + u % 10);
            u /= 10;
        }
        return new String(c);
    }

    @Override
    public String toString() {
        return "LogisticModel{"
                + spec.name()
                + " v"
                + version
                + ", coefficients="
                + Arrays.toString(coefficients)
                + "}";
    }
}
