package io.rtcdp.udf.ml;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The online-learning state of one profile for one label: feature vectors taken at scoring times,
 * waiting until their horizon has passed in event time, then labelled.
 *
 * <p>A snapshot at t is labelled when event time reaches {@code t + horizon}: it saw an order when
 * some {@link #onOrder} had a time in {@code (t, t + horizon]}. Orders may arrive in any order
 * while the snapshot is pending; an order that arrives after the snapshot was labelled is not
 * counted (the operator's allowed lateness must be below the watermark delay).
 *
 * <p>Bounded: a snapshot is taken only when {@code minSpacing} has passed since the last one taken,
 * and at most {@code maxPending} wait; with spacing s and horizon h, {@code ceil(h / s) + 1}
 * suffices. Not thread-safe.
 */
public final class SnapshotLabeler {
    private static final int FORMAT = 1;

    private final LabelSpec label;
    private final long minSpacing;
    private final int maxPending;

    private long lastTaken = Long.MIN_VALUE;
    private long[] ts = new long[0];
    private double[][] xs = new double[0][];
    private boolean[] ordered = new boolean[0];
    private int size;

    public SnapshotLabeler(LabelSpec label, long minSpacingMillis, int maxPending) {
        if (minSpacingMillis < 1 || maxPending < 1) {
            throw new IllegalArgumentException("spacing and maxPending must be ≥ 1");
        }
        this.label = label;
        this.minSpacing = minSpacingMillis;
        this.maxPending = maxPending;
    }

    public LabelSpec label() {
        return label;
    }

    /** Snapshots waiting for their label. */
    public int pending() {
        return size;
    }

    /**
     * Takes a snapshot at {@code t} unless one was taken less than {@code minSpacing} before, t is
     * earlier than the last one, or {@code maxPending} are waiting.
     *
     * @return whether it was taken
     */
    public boolean offer(long t, double[] x) {
        if (size >= maxPending || (lastTaken != Long.MIN_VALUE && t - lastTaken < minSpacing)) {
            return false;
        }
        if (size == ts.length) {
            int grown = Math.min(maxPending, Math.max(2, 2 * size));
            ts = Arrays.copyOf(ts, grown);
            xs = Arrays.copyOf(xs, grown);
            ordered = Arrays.copyOf(ordered, grown);
        }
        ts[size] = t;
        xs[size] = x.clone();
        ordered[size] = false;
        size++;
        lastTaken = t;
        return true;
    }

    /** Counts an {@code order_completed} at {@code orderTs} for the pending snapshots. */
    public void onOrder(long orderTs) {
        long h = label.horizonMillis();
        for (int i = 0; i < size; i++) {
            if (orderTs > ts[i] && orderTs - ts[i] <= h) {
                ordered[i] = true;
            }
        }
    }

    /**
     * Counts the orders of another part of the same person that this labeler never saw (a profile
     * merged into this one), known only as its latest two order times ({@link Long#MIN_VALUE} for
     * none), and removes the snapshots whose label that leaves unknown: those not yet seen to order
     * and taken before {@code previousOrder}, as an order of that part before its previous one may
     * have fallen in their horizon. A snapshot whose horizon was still open when the part's orders
     * were last counted is never removed: its horizon holds {@code previousOrder} itself.
     *
     * @return how many snapshots were removed
     */
    public int absorbOrders(long lastOrder, long previousOrder) {
        if (lastOrder != Long.MIN_VALUE) {
            onOrder(lastOrder);
        }
        if (previousOrder != Long.MIN_VALUE) {
            onOrder(previousOrder);
        }
        return dropUnknownBefore(previousOrder);
    }

    /**
     * Removes the snapshots not yet seen to order that were taken before {@code knownAfter}: only
     * the orders after it are known, so their labels are not.
     *
     * @return how many were removed
     */
    public int dropUnknownBefore(long knownAfter) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (ordered[i] || ts[i] >= knownAfter) {
                ts[kept] = ts[i];
                xs[kept] = xs[i];
                ordered[kept] = ordered[i];
                kept++;
            }
        }
        int dropped = size - kept;
        Arrays.fill(xs, kept, size, null);
        size = kept;
        return dropped;
    }

    /** Event time of the last snapshot taken, {@link Long#MIN_VALUE} if none. */
    public long lastTaken() {
        return lastTaken;
    }

    /** Event time of the oldest pending snapshot, {@link Long#MAX_VALUE} if none. */
    public long oldestTaken() {
        return size == 0 ? Long.MAX_VALUE : ts[0];
    }

    /** Event time at which the oldest pending snapshot is due, {@link Long#MAX_VALUE} if none. */
    public long nextDue() {
        return size == 0 ? Long.MAX_VALUE : ts[0] + label.horizonMillis();
    }

    /**
     * Labels and removes the snapshots whose horizon ended at or before {@code now}, oldest first.
     */
    public List<LabelledSnapshot> advanceTo(long now) {
        int due = 0;
        while (due < size && ts[due] + label.horizonMillis() <= now) {
            due++;
        }
        if (due == 0) {
            return List.of();
        }
        List<LabelledSnapshot> out = new ArrayList<>(due);
        for (int i = 0; i < due; i++) {
            out.add(new LabelledSnapshot(ts[i], xs[i], label.label(ordered[i])));
        }
        System.arraycopy(ts, due, ts, 0, size - due);
        System.arraycopy(xs, due, xs, 0, size - due);
        System.arraycopy(ordered, due, ordered, 0, size - due);
        Arrays.fill(xs, size - due, size, null);
        size -= due;
        return out;
    }

    /** Writes the state (not the configuration): format, last taken, then each snapshot. */
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeLong(lastTaken);
        out.writeShort(size);
        int dim = size == 0 ? 0 : xs[0].length;
        out.writeShort(dim);
        for (int i = 0; i < size; i++) {
            out.writeLong(ts[i]);
            out.writeBoolean(ordered[i]);
            for (int j = 0; j < dim; j++) {
                out.writeFloat((float) xs[i][j]);
            }
        }
    }

    /**
     * The bytes {@link #write} writes, made at once into an array of their size: the decision stage
     * stores them on every update that takes or labels a snapshot, and a {@code DataOutputStream}
     * over a growing {@code ByteArrayOutputStream} writes each float as four synchronized
     * single-byte writes.
     */
    public byte[] toBytes() {
        int dim = size == 0 ? 0 : xs[0].length;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 + 8 + 2 + 2 + size * (9 + 4 * dim));
        b.put((byte) FORMAT);
        b.putLong(lastTaken);
        b.putShort((short) size);
        b.putShort((short) dim);
        for (int i = 0; i < size; i++) {
            b.putLong(ts[i]);
            b.put((byte) (ordered[i] ? 1 : 0));
            double[] x = xs[i];
            for (int j = 0; j < dim; j++) {
                // as DataOutput.writeFloat: the canonical NaN
                b.putInt(Float.floatToIntBits((float) x[j]));
            }
        }
        return b.array();
    }

    /**
     * Reads what {@link #write} wrote into a labeler of this configuration. Vectors round-trip as
     * float32 (7 significant digits), which is all a training sample needs.
     */
    public static SnapshotLabeler read(
            DataInput in, LabelSpec label, long minSpacingMillis, int maxPending)
            throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("unknown SnapshotLabeler format " + format);
        }
        SnapshotLabeler l = new SnapshotLabeler(label, minSpacingMillis, maxPending);
        l.lastTaken = in.readLong();
        int n = in.readUnsignedShort();
        int dim = in.readUnsignedShort();
        if (n > maxPending) {
            throw new IOException("SnapshotLabeler: " + n + " pending, more than " + maxPending);
        }
        l.ts = new long[n];
        l.xs = new double[n][];
        l.ordered = new boolean[n];
        for (int i = 0; i < n; i++) {
            l.ts[i] = in.readLong();
            l.ordered[i] = in.readBoolean();
            double[] x = new double[dim];
            for (int j = 0; j < dim; j++) {
                x[j] = in.readFloat();
            }
            l.xs[i] = x;
        }
        l.size = n;
        return l;
    }
}
