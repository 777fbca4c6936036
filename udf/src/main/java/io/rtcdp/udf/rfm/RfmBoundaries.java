package io.rtcdp.udf.rfm;

import io.rtcdp.udf.profile.Strings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * The quintile boundaries of one tenant: for each of recency (last order time, ms), frequency
 * (orders) and monetary (revenue, micros) the values at the normalized ranks {@link #PHI} = 0.2,
 * 0.4, 0.6 and 0.8, and the scoring rule that turns a profile's values into {@link RfmScore}s.
 *
 * <p>The boundary at rank φ is the inclusive quantile: the smallest value v whose share of profiles
 * with a value ≤ v is at least φ, i.e. the ⌈φ·n⌉-th smallest value. A value's score is {@code 1 +
 * the number of boundaries strictly below it} ({@link #quintile}); equal values always get equal
 * scores, and a larger value never gets a smaller score.
 *
 * <p>Immutable. Encodes to under 50 bytes for real data ({@link #write}), so it can be broadcast
 * and kept in operator state.
 */
public final class RfmBoundaries {
    /** The normalized ranks of the four boundaries. */
    public static final List<Double> PHI = List.of(0.2, 0.4, 0.6, 0.8);

    static final double[] PHI_ARRAY = {0.2, 0.4, 0.6, 0.8};

    /** Leading byte of {@link #write}; bump it when the encoding changes. */
    static final int FORMAT_VERSION = 1;

    private static final int B = 4;

    private final long n;
    private final long[] recency;
    private final long[] frequency;
    private final long[] monetary;

    private RfmBoundaries(long n, long[] recency, long[] frequency, long[] monetary) {
        this.n = n;
        this.recency = recency;
        this.frequency = frequency;
        this.monetary = monetary;
    }

    /**
     * Boundaries from their values.
     *
     * @param n the number of profiles they were computed from, ≥ 1
     * @param recency four non-decreasing last-order times (ms)
     * @param frequency four non-decreasing order counts
     * @param monetary four non-decreasing revenues (micros)
     * @throws IllegalArgumentException when an array does not hold 4 non-decreasing values
     */
    public static RfmBoundaries of(long n, long[] recency, long[] frequency, long[] monetary) {
        if (n < 1) {
            throw new IllegalArgumentException("RFM boundaries need n >= 1, got " + n);
        }
        return new RfmBoundaries(
                n,
                checked("recency", recency),
                checked("frequency", frequency),
                checked("monetary", monetary));
    }

    /**
     * The exact boundaries of {@code n} profiles' values: the ⌈φ·n⌉-th smallest value of each
     * dimension at each φ of {@link #PHI}, which is what a KLL sketch that holds every value gives
     * ({@link RfmSketch#boundaries()} up to k profiles). The first {@code n} entries of each array
     * are sorted in place.
     *
     * @throws IllegalArgumentException when n < 1 or an array is shorter than n
     */
    public static RfmBoundaries exact(long[] recency, long[] frequency, long[] monetary, int n) {
        if (n < 1 || recency.length < n || frequency.length < n || monetary.length < n) {
            throw new IllegalArgumentException("exact RFM boundaries of " + n + " profiles");
        }
        return of(n, exact(recency, n), exact(frequency, n), exact(monetary, n));
    }

    private static long[] exact(long[] values, int n) {
        Arrays.sort(values, 0, n);
        long[] b = new long[B];
        for (int i = 1; i <= B; i++) {
            long rank = ((long) i * n + B) / (B + 1); // ⌈i·n/5⌉, 1-based
            b[i - 1] = values[(int) rank - 1];
        }
        return b;
    }

    private static long[] checked(String what, long[] b) {
        if (b == null || b.length != B) {
            throw new IllegalArgumentException(
                    what + " needs " + B + " boundaries, got " + Arrays.toString(b));
        }
        for (int i = 1; i < B; i++) {
            if (b[i] < b[i - 1]) {
                throw new IllegalArgumentException(
                        what + " boundaries must not decrease: " + Arrays.toString(b));
            }
        }
        return b.clone();
    }

    /**
     * The score 1..5 of {@code value} against four non-decreasing boundaries: 1 + the number of
     * boundaries strictly below {@code value}.
     */
    public static int quintile(long[] boundaries, long value) {
        int s = 1;
        for (long b : boundaries) {
            if (b < value) {
                s++;
            }
        }
        return s;
    }

    /**
     * The scores of a profile with at least one order.
     *
     * @param recency time of its last order (ms); later is better
     * @param frequency its order count
     * @param monetary its revenue (micros)
     */
    public RfmScore score(long recency, long frequency, long monetary) {
        return RfmScore.of(
                quintile(this.recency, recency),
                quintile(this.frequency, frequency),
                quintile(this.monetary, monetary));
    }

    /** The number of profiles the boundaries were computed from. */
    public long n() {
        return n;
    }

    public long[] recency() {
        return recency.clone();
    }

    public long[] frequency() {
        return frequency.clone();
    }

    public long[] monetary() {
        return monetary.clone();
    }

    /**
     * Writes the version byte, n, then for each of recency, frequency and monetary the first
     * boundary (zig-zag varint) and the three gaps to the next (unsigned varints).
     */
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        Strings.writeVarLong(out, n);
        for (long[] b : new long[][] {recency, frequency, monetary}) {
            Strings.writeVarLong(out, (b[0] << 1) ^ (b[0] >> 63));
            for (int i = 1; i < B; i++) {
                // The gap of two ordered longs fits in 64 unsigned bits even when it overflows.
                Strings.writeVarLong(out, b[i] - b[i - 1]);
            }
        }
    }

    /** Reads boundaries written by {@link #write}. */
    public static RfmBoundaries read(DataInput in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != FORMAT_VERSION) {
            throw new IOException("unsupported RfmBoundaries format version " + version);
        }
        long n = Strings.readVarLong(in);
        if (n < 1) {
            throw new IOException("corrupt RfmBoundaries: n " + n);
        }
        long[][] all = new long[3][B];
        for (long[] b : all) {
            long z = Strings.readVarLong(in);
            b[0] = (z >>> 1) ^ -(z & 1);
            for (int i = 1; i < B; i++) {
                b[i] = b[i - 1] + Strings.readVarLong(in);
                if (b[i] < b[i - 1]) {
                    throw new IOException("corrupt RfmBoundaries: gap overflows");
                }
            }
        }
        return new RfmBoundaries(n, all[0], all[1], all[2]);
    }

    public byte[] toByteArray() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Boundaries from {@link #toByteArray()}.
     *
     * @throws IllegalArgumentException when the bytes are not exactly one encoding
     */
    public static RfmBoundaries fromByteArray(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            RfmBoundaries b = read(in);
            if (in.available() != 0) {
                throw new IllegalArgumentException(
                        "corrupt RfmBoundaries: " + in.available() + " trailing bytes");
            }
            return b;
        } catch (EOFException e) {
            throw new IllegalArgumentException("corrupt RfmBoundaries: truncated", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RfmBoundaries b
                && n == b.n
                && Arrays.equals(recency, b.recency)
                && Arrays.equals(frequency, b.frequency)
                && Arrays.equals(monetary, b.monetary);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(n);
        h = 31 * h + Arrays.hashCode(recency);
        h = 31 * h + Arrays.hashCode(frequency);
        return 31 * h + Arrays.hashCode(monetary);
    }

    @Override
    public String toString() {
        return "RfmBoundaries{n="
                + n
                + ", recency="
                + Arrays.toString(recency)
                + ", frequency="
                + Arrays.toString(frequency)
                + ", monetary="
                + Arrays.toString(monetary)
                + '}';
    }
}
