package io.rtcdp.udf.ml;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What the decision stage needs on every profile update to know whether a profile's {@link
 * SnapshotLabeler} has anything to do, without reading the snapshots themselves: when the last
 * snapshot was taken, how many wait, and when the oldest was taken. The snapshots are kept apart
 * and read only when {@link #idle} is false, which is about once per snapshot spacing per profile.
 */
public record LearningHead(long lastTaken, int pending, long oldestTaken) {

    /** The head of a labeler. */
    public static LearningHead of(SnapshotLabeler l) {
        return new LearningHead(l.lastTaken(), l.pending(), l.oldestTaken());
    }

    /** The head of a labeler in {@link SnapshotLabeler#write}'s encoding. */
    public static LearningHead ofEncoded(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        long last = buf.getLong(1);
        int pending = buf.getShort(9) & 0xffff;
        long oldest = pending > 0 ? buf.getLong(13) : Long.MAX_VALUE;
        return new LearningHead(last, pending, oldest);
    }

    /**
     * Whether an update at event time {@code asOf} leaves the labeler as it is: no snapshot is due
     * for its label, the spacing since the last one has not passed, and it is not an order that a
     * waiting snapshot must count.
     */
    public boolean idle(long asOf, boolean order, long spacingMillis, long horizonMillis) {
        if (order && pending > 0) {
            return false;
        }
        if (lastTaken == Long.MIN_VALUE || asOf - lastTaken >= spacingMillis) {
            return false;
        }
        return pending == 0 || oldestTaken + horizonMillis > asOf;
    }

    public void write(DataOutput out) throws IOException {
        out.writeLong(lastTaken);
        out.writeShort(pending);
        out.writeLong(oldestTaken);
    }

    public static LearningHead read(DataInput in) throws IOException {
        return new LearningHead(in.readLong(), in.readUnsignedShort(), in.readLong());
    }
}
