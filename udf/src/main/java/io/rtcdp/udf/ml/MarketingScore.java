package io.rtcdp.udf.ml;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The 0–1000 marketing score of a tenant's profiles: the rank of a profile's purchase probability
 * among the purchase probabilities the tenant's current purchase model has given, times 1000, from
 * a streaming KLL sketch ({@code k} = 200, rank error about 1.3 %). A score of 800 or more is the
 * top fifth of the scores given. Being a rank, the score keeps its meaning when a new model version
 * moves every probability; the sketch starts again with each new model version, and until it has
 * seen {@link #WARM_UP} scores the probability itself (× 1000) is used.
 */
public final class MarketingScore {
    /** Scores given before the rank is used. */
    public static final int WARM_UP = 200;

    private long modelVersion;
    private KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(200);

    /** Records a purchase probability of model version {@code version} and returns its score. */
    public int score(double purchaseProbability, long version) {
        if (version != modelVersion) {
            modelVersion = version;
            sketch = KllDoublesSketch.newHeapInstance(200);
        }
        sketch.update(purchaseProbability);
        double rank =
                sketch.getN() < WARM_UP
                        ? purchaseProbability
                        : sketch.getRank(purchaseProbability, QuantileSearchCriteria.INCLUSIVE);
        return (int) Math.max(0, Math.min(1000, Math.round(rank * 1000)));
    }

    public long modelVersion() {
        return modelVersion;
    }

    public long count() {
        return sketch.getN();
    }

    public void write(DataOutput out) throws IOException {
        out.writeLong(modelVersion);
        byte[] b = sketch.toByteArray();
        out.writeInt(b.length);
        out.write(b);
    }

    public static MarketingScore read(DataInput in) throws IOException {
        MarketingScore s = new MarketingScore();
        s.modelVersion = in.readLong();
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        s.sketch = KllDoublesSketch.heapify(Memory.wrap(b));
        return s;
    }
}
