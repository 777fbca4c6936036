package io.rtcdp.udf.ml;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.DoublesSortedView;

/**
 * The 0–1000 marketing score of a tenant's profiles: the rank of a profile's purchase probability
 * among the purchase probabilities the tenant's current purchase model has given, times 1000, from
 * a streaming KLL sketch ({@code k} = 200, rank error about 1.3 %). A score of 800 or more is the
 * top fifth of the scores given.
 *
 * <p>Being a rank, the score keeps its meaning when a new model version moves every probability.
 * Each model version gets its own sketch; until the new version's sketch has seen {@link #WARM_UP}
 * scores, the rank is taken in the previous version's sketch (a new version is normally a small
 * online update of the old one), so the score does not jump at a version change. Only before any
 * version has seen {@link #WARM_UP} scores is the probability itself (× 1000) used.
 *
 * <p>Ranks are read from a sorted view of the sketch that is rebuilt after every 1 % of new scores
 * (at most every 1,000): rebuilding it on every score cost more than the two models together. The
 * view's staleness adds at most about 1 % of rank to the sketch's error. For the same reason new
 * scores reach the sketch in batches of {@value #BATCH} (its bulk update costs a fraction of one
 * update per score); the batch is always in before a view is built or the sketch is written.
 */
public final class MarketingScore {
    /** Scores of a model version given before that version's sketch is used. */
    public static final int WARM_UP = 200;

    private static final int K = 200;

    /** Marks the second serialized form (the first began with the model version, ≥ 0). */
    private static final long FORMAT_2 = -2;

    private long modelVersion;
    private KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(K);

    /** The last version's sketch that finished its warm-up, or null. */
    private KllDoublesSketch previous;

    /** Scores to add to {@link #sketch} in one bulk update. */
    static final int BATCH = 64;

    private final double[] batch = new double[BATCH];
    private int batched;

    /** The current version's sorted view: quantiles, their cumulative weights, and its n. */
    private transient double[] viewQuantiles;

    private transient long[] viewWeights;
    private transient long viewN;

    private transient double[] previousQuantiles;
    private transient long[] previousWeights;

    /** Records a purchase probability of model version {@code version} and returns its score. */
    public int score(double purchaseProbability, long version) {
        if (version != modelVersion) {
            flush();
            if (sketch.getN() >= WARM_UP) {
                previous = sketch;
                previousQuantiles = null;
            }
            modelVersion = version;
            sketch = KllDoublesSketch.newHeapInstance(K);
            viewQuantiles = null;
        }
        batch[batched++] = purchaseProbability;
        if (batched == BATCH) {
            flush();
        }
        long n = count();
        double rank;
        if (n >= WARM_UP) {
            if (viewQuantiles == null || n - viewN >= Math.max(1, Math.min(1000, viewN / 100))) {
                flush();
                DoublesSortedView view = sketch.getSortedView();
                viewQuantiles = view.getQuantiles();
                viewWeights = view.getCumulativeWeights();
                viewN = view.getN();
            }
            rank = rank(viewQuantiles, viewWeights, purchaseProbability);
        } else if (previous != null) {
            if (previousQuantiles == null) {
                DoublesSortedView view = previous.getSortedView();
                previousQuantiles = view.getQuantiles();
                previousWeights = view.getCumulativeWeights();
            }
            rank = rank(previousQuantiles, previousWeights, purchaseProbability);
        } else {
            rank = purchaseProbability;
        }
        return (int) Math.max(0, Math.min(1000, Math.round(rank * 1000)));
    }

    /**
     * The fraction of the view's weight at quantiles ≤ {@code p}, as {@code
     * DoublesSortedView.getRank(p, INCLUSIVE)} gives it.
     */
    static double rank(double[] quantiles, long[] cumulativeWeights, double p) {
        int lo = 0;
        int hi = quantiles.length; // first index with quantile > p
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (quantiles[mid] <= p) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == 0
                ? 0
                : cumulativeWeights[lo - 1] / (double) cumulativeWeights[quantiles.length - 1];
    }

    private void flush() {
        if (batched > 0) {
            sketch.update(batch, 0, batched);
            batched = 0;
        }
    }

    public long modelVersion() {
        return modelVersion;
    }

    /** Scores seen under the current model version. */
    public long count() {
        return sketch.getN() + batched;
    }

    /** Writes the sketches, the scores of the current batch added first. */
    public void write(DataOutput out) throws IOException {
        flush();
        out.writeLong(FORMAT_2);
        out.writeLong(modelVersion);
        writeSketch(out, sketch);
        out.writeBoolean(previous != null);
        if (previous != null) {
            writeSketch(out, previous);
        }
    }

    /** Reads what {@link #write} wrote, or the first form (version and sketch only). */
    public static MarketingScore read(DataInput in) throws IOException {
        MarketingScore s = new MarketingScore();
        long first = in.readLong();
        if (first >= 0) {
            s.modelVersion = first;
            s.sketch = readSketch(in);
            return s;
        }
        if (first != FORMAT_2) {
            throw new IOException("unsupported marketing-score format " + (-first));
        }
        s.modelVersion = in.readLong();
        s.sketch = readSketch(in);
        if (in.readBoolean()) {
            s.previous = readSketch(in);
        }
        return s;
    }

    private static void writeSketch(DataOutput out, KllDoublesSketch k) throws IOException {
        byte[] b = k.toByteArray();
        out.writeInt(b.length);
        out.write(b);
    }

    private static KllDoublesSketch readSketch(DataInput in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return KllDoublesSketch.heapify(Memory.wrap(b));
    }
}
