package io.rtcdp.udf.rfm;

import io.rtcdp.udf.profile.Strings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * The recency, frequency and monetary values of a part of a tenant's profiles with orders (one
 * bucket of them), in a form that merges with the other parts into the tenant's {@link
 * RfmBoundaries}: either <b>exact</b>, each value column as its distinct values and how many
 * profiles have each, or a <b>sketch</b> ({@link RfmSketch}) of a large part.
 *
 * <p>{@link #boundaries(Collection, long)} merges parts: exactly (the same boundaries as {@link
 * RfmBoundaries#exact} over all of the parts' profiles, whatever the parts and their order) when
 * every part is exact and they hold at most the given number of profiles, else by adding them all
 * to one KLL sketch (within its rank error; randomized).
 *
 * <p>Immutable. Encodes to a version byte, a kind byte and then either n and, per column, the
 * number of distinct values and each value (zig-zag varint of its gap to the one before) with its
 * count (varint), or the sketch's bytes.
 */
public final class RfmDistribution {
    /** Leading byte of {@link #toByteArray}; bump it when the encoding changes. */
    static final int FORMAT_VERSION = 1;

    private static final int EXACT = 0;
    private static final int SKETCH = 1;
    private static final int COLUMNS = 3;

    private static final RfmDistribution EMPTY =
            new RfmDistribution(0, new long[COLUMNS][0], new long[COLUMNS][0], null);

    private final long n;
    // exact: per column the distinct values ascending and the cumulative counts up to each
    private final long[][] values;
    private final long[][] cumulative;
    private final RfmSketch sketch;

    private RfmDistribution(long n, long[][] values, long[][] cumulative, RfmSketch sketch) {
        this.n = n;
        this.values = values;
        this.cumulative = cumulative;
        this.sketch = sketch;
    }

    /** No profiles. */
    public static RfmDistribution empty() {
        return EMPTY;
    }

    /**
     * The exact distribution of {@code n} profiles from each column's counts (value → number of
     * profiles with it; entries of count 0 are left out).
     *
     * @throws IllegalArgumentException when a count is negative or a column's counts do not add up
     *     to n
     */
    public static RfmDistribution exact(
            long n, Map<Long, Long> recency, Map<Long, Long> frequency, Map<Long, Long> monetary) {
        if (n == 0) {
            checkTotal("recency", 0, recency.entrySet());
            checkTotal("frequency", 0, frequency.entrySet());
            checkTotal("monetary", 0, monetary.entrySet());
            return EMPTY;
        }
        long[][] values = new long[COLUMNS][];
        long[][] cumulative = new long[COLUMNS][];
        int c = 0;
        for (Map<Long, Long> column : java.util.List.of(recency, frequency, monetary)) {
            checkTotal(NAMES[c], n, column.entrySet());
            long[][] sorted = sortedCounts(column);
            values[c] = sorted[0];
            cumulative[c] = sorted[1];
            c++;
        }
        return new RfmDistribution(n, values, cumulative, null);
    }

    private static final String[] NAMES = {"recency", "frequency", "monetary"};

    private static long[][] sortedCounts(Map<Long, Long> column) {
        long[] keys = new long[column.size()];
        int d = 0;
        for (Map.Entry<Long, Long> e : column.entrySet()) {
            if (e.getValue() > 0) {
                keys[d++] = e.getKey();
            }
        }
        keys = Arrays.copyOf(keys, d);
        Arrays.sort(keys);
        long[] cum = new long[d];
        long total = 0;
        for (int i = 0; i < d; i++) {
            total += column.get(keys[i]);
            cum[i] = total;
        }
        return new long[][] {keys, cum};
    }

    /**
     * A sketch of {@code n} profiles from each column's counts (value → number of profiles with
     * it), for parts too large to send exactly; the KLL sketch's weighted updates take each
     * distinct value once.
     *
     * @throws IllegalArgumentException when a count is negative or a column's counts do not add up
     *     to n
     */
    public static RfmDistribution sketched(
            long n,
            Iterable<Map.Entry<Long, Long>> recency,
            Iterable<Map.Entry<Long, Long>> frequency,
            Iterable<Map.Entry<Long, Long>> monetary) {
        checkTotal("recency", n, recency);
        checkTotal("frequency", n, frequency);
        checkTotal("monetary", n, monetary);
        if (n == 0) {
            return EMPTY;
        }
        RfmSketch s = new RfmSketch();
        int c = 0;
        for (Iterable<Map.Entry<Long, Long>> column :
                java.util.List.of(recency, frequency, monetary)) {
            for (Map.Entry<Long, Long> e : column) {
                if (e.getValue() > 0) {
                    s.update(c, e.getKey(), e.getValue());
                }
            }
            c++;
        }
        return new RfmDistribution(n, null, null, s);
    }

    private static void checkTotal(String what, long n, Iterable<Map.Entry<Long, Long>> counts) {
        long total = 0;
        for (Map.Entry<Long, Long> e : counts) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException(
                        what + " count of " + e.getKey() + " is negative: " + e.getValue());
            }
            total += e.getValue();
        }
        if (total != n) {
            throw new IllegalArgumentException(
                    what + " counts add up to " + total + ", not to the " + n + " profiles");
        }
    }

    /** The number of profiles. */
    public long n() {
        return n;
    }

    /** Whether the values are kept exactly (not in a sketch). */
    public boolean isExact() {
        return sketch == null;
    }

    /**
     * The boundaries of the union of {@code parts}; null when they hold no profile. Exact ({@link
     * RfmBoundaries#exact} over every profile of every part) when every part is exact and they hold
     * at most {@code exactUpTo} profiles together, so the result depends only on the values, not on
     * how they were split or in what order the parts come; else estimated from one KLL sketch of
     * all parts ({@link RfmSketch}: within its rank error, randomized).
     */
    public static RfmBoundaries boundaries(Collection<RfmDistribution> parts, long exactUpTo) {
        long total = 0;
        boolean exact = true;
        for (RfmDistribution p : parts) {
            total += p.n;
            exact &= p.isExact();
        }
        if (total == 0) {
            return null;
        }
        if (exact && total <= exactUpTo) {
            long[][] b = new long[COLUMNS][4];
            for (int c = 0; c < COLUMNS; c++) {
                for (int i = 1; i <= 4; i++) {
                    // the ⌈i·n/5⌉-th smallest value, as in RfmBoundaries.exact
                    b[c][i - 1] = smallestWithRank(parts, c, (i * total + 4) / 5);
                }
            }
            return RfmBoundaries.of(total, b[0], b[1], b[2]);
        }
        RfmSketch all = new RfmSketch();
        for (RfmDistribution p : parts) {
            if (p.sketch != null) {
                all.merge(p.sketch);
                continue;
            }
            for (int c = 0; c < COLUMNS; c++) {
                long before = 0;
                for (int i = 0; i < p.values[c].length; i++) {
                    all.update(c, p.values[c][i], p.cumulative[c][i] - before);
                    before = p.cumulative[c][i];
                }
            }
        }
        return all.boundaries();
    }

    /** The smallest value of column c that at least {@code rank} profiles of the parts reach. */
    private static long smallestWithRank(Collection<RfmDistribution> parts, int c, long rank) {
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (RfmDistribution p : parts) {
            long[] v = p.values[c];
            if (v.length > 0) {
                lo = Math.min(lo, v[0]);
                hi = Math.max(hi, v[v.length - 1]);
            }
        }
        // binary search over the values' range: the smallest x with #(≤ x) ≥ rank is a value
        while (lo < hi) {
            long mid = (lo & hi) + ((lo ^ hi) >> 1); // floor of the mean, without overflow
            long upTo = 0;
            for (RfmDistribution p : parts) {
                upTo += p.countUpTo(c, mid);
            }
            if (upTo >= rank) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The number of profiles with a value ≤ x in column c (exact parts only). */
    private long countUpTo(int c, long x) {
        long[] v = values[c];
        int i = Arrays.binarySearch(v, x);
        int after = i >= 0 ? i + 1 : -i - 1; // entries ≤ x
        return after == 0 ? 0 : cumulative[c][after - 1];
    }

    public byte[] toByteArray() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            if (sketch != null) {
                out.writeByte(SKETCH);
                out.write(sketch.toByteArray());
                return bytes.toByteArray();
            }
            out.writeByte(EXACT);
            Strings.writeVarLong(out, n);
            for (int c = 0; c < COLUMNS; c++) {
                long[] v = values[c];
                Strings.writeVarLong(out, v.length);
                long prev = 0;
                long before = 0;
                for (int i = 0; i < v.length; i++) {
                    long gap = v[i] - prev; // wraps for far-apart values; read back the same
                    Strings.writeVarLong(out, (gap << 1) ^ (gap >> 63));
                    Strings.writeVarLong(out, cumulative[c][i] - before);
                    prev = v[i];
                    before = cumulative[c][i];
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * A distribution from {@link #toByteArray()}.
     *
     * @throws IllegalArgumentException when the bytes are not exactly one encoding
     */
    public static RfmDistribution fromByteArray(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readUnsignedByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException(
                        "unsupported RfmDistribution format version " + version);
            }
            int kind = in.readUnsignedByte();
            if (kind == SKETCH) {
                RfmSketch s = RfmSketch.heapify(Arrays.copyOfRange(bytes, 2, bytes.length));
                return s.isEmpty() ? EMPTY : new RfmDistribution(s.n(), null, null, s);
            }
            if (kind != EXACT) {
                throw new IllegalArgumentException("corrupt RfmDistribution: kind " + kind);
            }
            long n = Strings.readVarLong(in);
            long[][] values = new long[COLUMNS][];
            long[][] cumulative = new long[COLUMNS][];
            for (int c = 0; c < COLUMNS; c++) {
                long d = Strings.readVarLong(in);
                if (d < 0 || d > n || d > bytes.length) {
                    throw new IllegalArgumentException("corrupt RfmDistribution: " + d + " values");
                }
                values[c] = new long[(int) d];
                cumulative[c] = new long[(int) d];
                long prev = 0;
                long before = 0;
                for (int i = 0; i < d; i++) {
                    long z = Strings.readVarLong(in);
                    long v = prev + ((z >>> 1) ^ -(z & 1));
                    long count = Strings.readVarLong(in);
                    if (count < 1 || (i > 0 && v <= prev)) {
                        throw new IllegalArgumentException(
                                "corrupt RfmDistribution: values out of order or count " + count);
                    }
                    values[c][i] = v;
                    cumulative[c][i] = before + count;
                    prev = v;
                    before += count;
                }
                if (before != n) {
                    throw new IllegalArgumentException(
                            "corrupt RfmDistribution: counts add up to " + before + ", not " + n);
                }
            }
            if (in.available() != 0) {
                throw new IllegalArgumentException(
                        "corrupt RfmDistribution: " + in.available() + " trailing bytes");
            }
            return n == 0 ? EMPTY : new RfmDistribution(n, values, cumulative, null);
        } catch (EOFException e) {
            throw new IllegalArgumentException("corrupt RfmDistribution: truncated", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "RfmDistribution{n=" + n + (isExact() ? ", exact}" : ", " + sketch + '}');
    }
}
