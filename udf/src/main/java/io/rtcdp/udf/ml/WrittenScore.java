package io.rtcdp.udf.ml;

import io.rtcdp.udf.profile.Strings;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * What the decision stage last wrote for one model on one profile ({@code score.<name>}, {@code
 * model.<name>}, {@code reasons.<name>}), in the form that is cheap to compare with a new scoring
 * and to keep in state on every update: the probability, the model version, and the reasons as a
 * {@link LogisticModel#reasonsKey}. Mutable.
 */
public final class WrittenScore {
    /** The probability as the model gave it; the field carries its rounding. */
    public double probability;

    /** The model version. */
    public long version;

    /**
     * The reasons' key under {@link #version}, or null when not known (a state kept before keys
     * were): the reasons are then written again at the next scoring.
     */
    public long[] reasons;

    public WrittenScore() {}

    public WrittenScore(double probability, long version, long[] reasons) {
        this.probability = probability;
        this.version = version;
        this.reasons = reasons;
    }

    public void write(DataOutput out) throws IOException {
        out.writeDouble(probability);
        out.writeLong(version);
        if (reasons == null) {
            out.writeByte(-1);
            return;
        }
        int found = (int) reasons[0];
        out.writeByte(found);
        for (int k = 0; k < found; k++) {
            Strings.writeVarLong(out, reasons[1 + 2 * k]);
            Strings.writeVarLong(out, reasons[2 + 2 * k]);
        }
    }

    public static WrittenScore read(DataInput in) throws IOException {
        WrittenScore w = new WrittenScore();
        w.probability = in.readDouble();
        w.version = in.readLong();
        int found = in.readByte();
        if (found >= 0) {
            if (found > LogisticModel.REASONS) {
                throw new IOException("corrupt reasons: " + found);
            }
            w.reasons = new long[LogisticModel.REASONS_KEY_LENGTH];
            w.reasons[0] = found;
            for (int k = 0; k < found; k++) {
                w.reasons[1 + 2 * k] = Strings.readVarLong(in);
                w.reasons[2 + 2 * k] = Strings.readVarLong(in);
            }
        }
        return w;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WrittenScore w
                && Double.compare(probability, w.probability) == 0
                && version == w.version
                && Arrays.equals(reasons, w.reasons);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(probability) * 31 + Long.hashCode(version);
    }

    @Override
    public String toString() {
        return "WrittenScore{"
                + probability
                + ", v"
                + version
                + ", "
                + Arrays.toString(reasons)
                + "}";
    }
}
