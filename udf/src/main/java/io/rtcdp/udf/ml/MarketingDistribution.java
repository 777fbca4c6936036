package io.rtcdp.udf.ml;

import com.carrotsearch.hppc.IntLongHashMap;
import com.carrotsearch.hppc.cursors.IntLongCursor;
import io.rtcdp.udf.profile.ByteArrayInput;
import io.rtcdp.udf.profile.Strings;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * How a tenant's current purchase probabilities are distributed, one count per profile: the
 * distribution {@code score.marketing} ranks in. Counts are kept in {@link #BINS} bins of the
 * probability's log-odds, {@value #STEPS_PER_UNIT} per unit between {@value #MIN_LOGIT} and {@value
 * #MAX_LOGIT} (a bin is about 1 % of relative change of the odds) and one bin below and above that
 * range.
 *
 * <p>A distribution is exact up to its bins and mergeable: the decision stage's subtasks each count
 * the profiles they hold (a count may go below zero on one subtask after a rescale, when a profile
 * counted elsewhere leaves here; the sum over subtasks is what holds) and the sum is the tenant's.
 * A profile's score is its <em>mid-rank</em>: the share of the tenant's profiles below its bin plus
 * half of those in its bin, so profiles with equal probabilities share one score and the score is
 * within half of its bin's share of the exact mid-rank.
 *
 * <p>The counts are a primitive open-addressing map (bin → count): there is about one bin per
 * scored profile, and the decision stage moves a profile between two bins at every purchase
 * scoring. A boxed map took ~80 bytes of heap per bin and three objects to reach per move; this one
 * takes 16–32 bytes and two array slots ({@code MarketingDistributionBench}).
 */
public final class MarketingDistribution {
    public static final int MIN_LOGIT = -12;
    public static final int MAX_LOGIT = 12;
    public static final int STEPS_PER_UNIT = 10_000_000;

    /** The bins: below {@link #MIN_LOGIT}, the steps between, {@link #MAX_LOGIT} and above. */
    public static final int BINS = (MAX_LOGIT - MIN_LOGIT) * STEPS_PER_UNIT + 2;

    private static final byte FORMAT = 1;

    /** Count per bin, for the bins that are not zero. */
    private final IntLongHashMap counts = new IntLongHashMap();

    /** The bin of a probability (0 and 1 in the outer bins). */
    public static int bin(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("not a probability: " + p);
        }
        double logit = Math.log(p) - Math.log1p(-p);
        if (logit < MIN_LOGIT) {
            return 0;
        }
        if (logit >= MAX_LOGIT) {
            return BINS - 1;
        }
        return 1 + Math.min(BINS - 3, (int) Math.floor((logit - MIN_LOGIT) * STEPS_PER_UNIT));
    }

    /** Adds {@code delta} profiles (negative: removes) to a bin. */
    public void add(int bin, long delta) {
        if (bin < 0 || bin >= BINS) {
            throw new IllegalArgumentException("bin " + bin + " out of range");
        }
        int slot = counts.indexOf(bin);
        if (slot < 0) {
            if (delta != 0) {
                counts.indexInsert(slot, bin, delta);
            }
            return;
        }
        long c = counts.indexGet(slot) + delta;
        if (c == 0) {
            counts.indexRemove(slot);
        } else {
            counts.indexReplace(slot, c);
        }
    }

    /** Adds every count of {@code other}. */
    public void addAll(MarketingDistribution other) {
        for (IntLongCursor c : other.counts) {
            add(c.key, c.value);
        }
    }

    public long count(int bin) {
        return counts.get(bin);
    }

    public long total() {
        long t = 0;
        for (IntLongCursor c : counts) {
            t += c.value;
        }
        return t;
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /** Bins that are not zero. */
    public int size() {
        return counts.size();
    }

    public MarketingDistribution copy() {
        MarketingDistribution d = new MarketingDistribution();
        d.addAll(this);
        return d;
    }

    private int[] sortedBins() {
        int[] bins = counts.keys().toArray();
        Arrays.sort(bins);
        return bins;
    }

    /** A read-only view for ranking; later changes to this distribution do not reach it. */
    public Ranks ranks() {
        int[] bins = sortedBins();
        long[] c = new long[bins.length];
        for (int i = 0; i < bins.length; i++) {
            c[i] = counts.get(bins[i]);
        }
        return new Ranks(bins, c);
    }

    /**
     * The largest difference between the cumulative shares of two distributions over the bins (the
     * Kolmogorov distance of their binned forms): how far any profile's score can move from one to
     * the other, as a share. 1 when either is empty.
     */
    public static double distance(Ranks a, Ranks b) {
        if (a.total <= 0 || b.total <= 0) {
            return 1;
        }
        double max = 0;
        int i = 0;
        int j = 0;
        while (i < a.bins.length || j < b.bins.length) {
            int bin =
                    Math.min(
                            i < a.bins.length ? a.bins[i] : Integer.MAX_VALUE,
                            j < b.bins.length ? b.bins[j] : Integer.MAX_VALUE);
            while (i < a.bins.length && a.bins[i] <= bin) {
                i++;
            }
            while (j < b.bins.length && b.bins[j] <= bin) {
                j++;
            }
            // the shares up to and including this bin
            double d = Math.abs(a.below[i] / (double) a.total - b.below[j] / (double) b.total);
            max = Math.max(max, d);
        }
        return max;
    }

    /** The bins that are not zero, in order: (gap to the previous bin, count) as varints. */
    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + counts.size() * 3);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT);
            int[] bins = sortedBins();
            Strings.writeVarLong(out, bins.length);
            int previous = 0;
            for (int b : bins) {
                Strings.writeVarLong(out, b - previous);
                long c = counts.get(b);
                Strings.writeVarLong(out, (c << 1) ^ (c >> 63));
                previous = b;
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ranks of what {@link #toBytes} wrote, without building the distribution. */
    public static Ranks ranksFromBytes(byte[] bytes) {
        Decoded d = decode(bytes);
        return new Ranks(d.bins, d.counts);
    }

    public static MarketingDistribution fromBytes(byte[] bytes) {
        Decoded decoded = decode(bytes);
        MarketingDistribution d = new MarketingDistribution();
        for (int i = 0; i < decoded.bins.length; i++) {
            d.add(decoded.bins[i], decoded.counts[i]);
        }
        return d;
    }

    private record Decoded(int[] bins, long[] counts) {}

    private static Decoded decode(byte[] bytes) {
        try {
            ByteArrayInput in = new ByteArrayInput(bytes);
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IOException("unknown marketing distribution format " + format);
            }
            long n = Strings.readVarLong(in);
            if (n < 0 || n > BINS) {
                throw new IOException(n + " bins");
            }
            int[] bins = new int[(int) n];
            long[] counts = new long[(int) n];
            long bin = 0;
            for (int i = 0; i < n; i++) {
                bin += Strings.readVarLong(in);
                long z = Strings.readVarLong(in);
                if (bin < 0 || bin >= BINS || (i > 0 && bin <= bins[i - 1])) {
                    throw new IOException("bin " + bin + " out of range or order");
                }
                bins[i] = (int) bin;
                counts[i] = (z >>> 1) ^ -(z & 1);
            }
            return new Decoded(bins, counts);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt marketing distribution", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MarketingDistribution d && d.counts.equals(counts);
    }

    @Override
    public int hashCode() {
        return counts.hashCode();
    }

    /** Cumulative counts of a distribution, for scoring in O(log bins). */
    public static final class Ranks {
        /** The bins with profiles, in order. */
        private final int[] bins;

        /** below[i]: profiles in bins before bins[i]; below[bins.length] is the total. */
        private final long[] below;

        private final long total;

        private Ranks(int[] bins, long[] counts) {
            this.bins = bins;
            below = new long[bins.length + 1];
            for (int i = 0; i < bins.length; i++) {
                // a bin below zero (a rescale's transient) counts as empty
                below[i + 1] = below[i] + Math.max(0, counts[i]);
            }
            total = below[bins.length];
        }

        /** Profiles counted. */
        public long total() {
            return total;
        }

        /** The mid-rank of a probability's bin, a share in [0, 1]; NaN when empty. */
        public double midRank(double p) {
            if (total <= 0) {
                return Double.NaN;
            }
            int i = Arrays.binarySearch(bins, bin(p));
            if (i >= 0) {
                return (below[i] + (below[i + 1] - below[i]) / 2.0) / total;
            }
            return below[-i - 1] / (double) total;
        }

        /** {@code score.marketing}: the mid-rank × 1000, rounded. */
        public int score(double p) {
            double r = midRank(p);
            return (int) Math.max(0, Math.min(1000, Math.round(r * 1000)));
        }
    }
}
