package io.rtcdp.udf.rules;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The contact-policy state of one trigger rule for one profile: whether its condition held at the
 * last evaluation (for the rising edge), when it last fired, and its most recent fire times (at
 * most the rule's cap, so the state stays bounded). All times are event-time ms.
 */
public final class TriggerState {
    /** {@link #lastFire()} of a rule that never fired. */
    public static final long NEVER = Long.MIN_VALUE;

    private static final byte FORMAT = 1;
    private static final long[] NONE = new long[0];

    boolean lastTrue;
    long lastFire = NEVER;

    /** Ascending; at most {@link RuleSet#MAX_CAP} entries. */
    long[] fires = NONE;

    public TriggerState() {}

    /**
     * @param fires ascending fire times, at most {@link RuleSet#MAX_CAP}
     */
    public TriggerState(boolean lastTrue, long lastFire, long[] fires) {
        if (fires.length > RuleSet.MAX_CAP) {
            throw new IllegalArgumentException(
                    "at most " + RuleSet.MAX_CAP + " fire times, got " + fires.length);
        }
        this.lastTrue = lastTrue;
        this.lastFire = lastFire;
        this.fires = fires.clone();
    }

    public boolean lastTrue() {
        return lastTrue;
    }

    public long lastFire() {
        return lastFire;
    }

    /** Recent fire times, ascending (a copy). */
    public long[] fires() {
        return fires.clone();
    }

    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeBoolean(lastTrue);
        out.writeLong(lastFire);
        out.writeByte(fires.length);
        for (long f : fires) {
            out.writeLong(f);
        }
    }

    public static TriggerState read(DataInput in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown TriggerState format " + format);
        }
        TriggerState s = new TriggerState();
        s.lastTrue = in.readBoolean();
        s.lastFire = in.readLong();
        int n = in.readUnsignedByte();
        s.fires = n == 0 ? NONE : new long[n];
        for (int i = 0; i < n; i++) {
            s.fires[i] = in.readLong();
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TriggerState s
                && lastTrue == s.lastTrue
                && lastFire == s.lastFire
                && Arrays.equals(fires, s.fires);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lastTrue, lastFire, Arrays.hashCode(fires));
    }

    @Override
    public String toString() {
        return "TriggerState{lastTrue="
                + lastTrue
                + ", lastFire="
                + lastFire
                + ", fires="
                + Arrays.toString(fires)
                + "}";
    }
}
