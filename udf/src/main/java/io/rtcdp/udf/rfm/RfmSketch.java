package io.rtcdp.udf.rfm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.datasketches.kll.KllLongsSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Accumulates the recency, frequency and monetary values of a tenant's profiles with orders in
 * three KLL quantile sketches (Apache DataSketches) and estimates their {@link RfmBoundaries}.
 *
 * <p>With the default {@code k} = {@value #DEFAULT_K} the normalized rank error of each boundary is
 * at most {@link #normalizedRankError(int) 0.28 %} with 99 % confidence, whatever the number of
 * profiles; up to {@code k} profiles the sketches hold every value and the boundaries are exact.
 * Sketches merge ({@link #merge}) as if all values had been added to one, within the same bound.
 *
 * <p>KLL compaction is randomized, so two sketches over the same values may differ slightly (each
 * within the bound). Not thread-safe.
 */
public final class RfmSketch {
    /** The KLL accuracy parameter used by {@link #RfmSketch()}. */
    public static final int DEFAULT_K = 1000;

    /** Leading byte of {@link #toByteArray}; bump it when the encoding changes. */
    static final int FORMAT_VERSION = 1;

    private final KllLongsSketch recency;
    private final KllLongsSketch frequency;
    private final KllLongsSketch monetary;

    public RfmSketch() {
        this(DEFAULT_K);
    }

    /**
     * An empty sketch with accuracy parameter {@code k}.
     *
     * @throws IllegalArgumentException when k is outside 8..65535
     */
    public RfmSketch(int k) {
        this(newKll(k), newKll(k), newKll(k));
    }

    private static KllLongsSketch newKll(int k) {
        if (k < 8 || k > KllLongsSketch.MAX_K) {
            throw new IllegalArgumentException(
                    "RFM sketch k must be 8.." + KllLongsSketch.MAX_K + ", got " + k);
        }
        return KllLongsSketch.newHeapInstance(k);
    }

    private RfmSketch(KllLongsSketch recency, KllLongsSketch frequency, KllLongsSketch monetary) {
        this.recency = recency;
        this.frequency = frequency;
        this.monetary = monetary;
    }

    /**
     * The normalized rank error of one boundary of a sketch with accuracy {@code k}, at 99 %
     * confidence (DataSketches' single-rank KLL bound, about 2.296 / k^0.9723).
     */
    public static double normalizedRankError(int k) {
        return KllLongsSketch.getNormalizedRankError(k, false);
    }

    /**
     * Adds one profile with at least one order.
     *
     * @param recency time of its last order (ms)
     * @param frequency its order count
     * @param monetary its revenue (micros)
     */
    public void add(long recency, long frequency, long monetary) {
        this.recency.update(recency);
        this.frequency.update(frequency);
        this.monetary.update(monetary);
    }

    /**
     * Adds {@code weight} profiles with {@code value} to one column (0 recency, 1 frequency, 2
     * monetary); the caller adds the same number of profiles to each column.
     */
    void update(int column, long value, long weight) {
        KllLongsSketch s = column == 0 ? recency : column == 1 ? frequency : monetary;
        if (weight == 1) {
            s.update(value);
        } else {
            s.update(value, weight);
        }
    }

    /** Adds every profile of {@code other}; {@code other} is not changed. */
    public void merge(RfmSketch other) {
        recency.merge(other.recency);
        frequency.merge(other.frequency);
        monetary.merge(other.monetary);
    }

    /** The number of profiles added. */
    public long n() {
        return recency.getN();
    }

    public boolean isEmpty() {
        return recency.isEmpty();
    }

    /** The accuracy parameter. */
    public int k() {
        return recency.getK();
    }

    /**
     * The normalized rank error of this sketch's boundaries at 99 % confidence; after merges of
     * sketches with different k it is that of the smallest.
     */
    public double normalizedRankError() {
        return recency.getNormalizedRankError(false);
    }

    /**
     * The estimated boundaries: the inclusive quantiles at {@link RfmBoundaries#PHI}.
     *
     * @throws IllegalStateException when no profile was added
     */
    public RfmBoundaries boundaries() {
        if (isEmpty()) {
            throw new IllegalStateException("no profile with an order: no RFM boundaries");
        }
        return RfmBoundaries.of(n(), quantiles(recency), quantiles(frequency), quantiles(monetary));
    }

    private static long[] quantiles(KllLongsSketch s) {
        return s.getQuantiles(RfmBoundaries.PHI_ARRAY, QuantileSearchCriteria.INCLUSIVE);
    }

    /**
     * The version byte, then the three KLL sketches in DataSketches' compact format, each after its
     * length (4 bytes, big-endian).
     */
    public byte[] toByteArray() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            for (KllLongsSketch s : new KllLongsSketch[] {recency, frequency, monetary}) {
                byte[] b = s.toByteArray();
                out.writeInt(b.length);
                out.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * A sketch from {@link #toByteArray()}, independent of {@code bytes}.
     *
     * @throws IllegalArgumentException when the bytes are not one such encoding
     */
    public static RfmSketch heapify(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readUnsignedByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException(
                        "unsupported RfmSketch format version " + version);
            }
            KllLongsSketch[] s = new KllLongsSketch[3];
            for (int i = 0; i < 3; i++) {
                int len = in.readInt();
                if (len < 0 || len > in.available()) {
                    throw new IllegalArgumentException("corrupt RfmSketch: length " + len);
                }
                byte[] b = new byte[len];
                in.readFully(b);
                try {
                    s[i] = KllLongsSketch.heapify(Memory.wrap(b));
                } catch (RuntimeException e) {
                    // DataSketches and its memory layer throw several unchecked kinds.
                    throw new IllegalArgumentException("corrupt RfmSketch: " + e.getMessage(), e);
                }
            }
            if (in.available() != 0) {
                throw new IllegalArgumentException(
                        "corrupt RfmSketch: " + in.available() + " trailing bytes");
            }
            if (s[0].getN() != s[1].getN() || s[0].getN() != s[2].getN()) {
                throw new IllegalArgumentException(
                        "corrupt RfmSketch: counts differ "
                                + s[0].getN()
                                + "/"
                                + s[1].getN()
                                + "/"
                                + s[2].getN());
            }
            return new RfmSketch(s[0], s[1], s[2]);
        } catch (EOFException e) {
            throw new IllegalArgumentException("corrupt RfmSketch: truncated", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "RfmSketch{k=" + k() + ", n=" + n() + '}';
    }
}
