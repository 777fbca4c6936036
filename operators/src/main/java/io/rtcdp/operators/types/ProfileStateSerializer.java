package io.rtcdp.operators.types;

import io.rtcdp.udf.profile.ProfileState;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of the profile state value, in {@link ProfileState}'s own encoding. Each record begins
 * with its format byte, and that byte stays: the profile state can hold records of several formats
 * side by side (2, 3 and 4 are read; a record is written anew only when its profile changes, and no
 * restore ever rewrote them all), so the reader has to tell them apart record by record. A new
 * record format is still a new version of this serializer's snapshot (the golden bytes pin the
 * current one), whose reader of the older versions is this serializer itself: Flink restores the
 * state as is and the old records stay until their profiles change.
 */
public final class ProfileStateSerializer extends CodecSerializer<ProfileState> {
    private static final long serialVersionUID = 1L;

    public static final ProfileStateSerializer INSTANCE = new ProfileStateSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ProfileState createInstance() {
        return new ProfileState();
    }

    @Override
    public ProfileState copy(ProfileState from) {
        // Only the heap backend copies values; a byte round trip keeps this exact and simple.
        try {
            org.apache.flink.core.memory.DataOutputSerializer out =
                    new org.apache.flink.core.memory.DataOutputSerializer(256);
            from.write(out);
            return ProfileState.read(
                    new org.apache.flink.core.memory.DataInputDeserializer(
                            out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void serialize(ProfileState s, DataOutputView out) throws IOException {
        s.write(out);
    }

    @Override
    public ProfileState deserialize(DataInputView in) throws IOException {
        return ProfileState.read(in);
    }

    @Override
    public VersionedSnapshot<ProfileState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the stateless singleton. */
    public static final class Snapshot extends VersionedSnapshot<ProfileState> {
        // version 4: features may hold the items of orders (a flag; version 3 reads as is);
        // 5: features may hold the text features (their format 2; 3 and 4 read as they are);
        // 6: the first and previous order times (their format 3; 3 to 5 read as they are);
        // 7: features may hold traits (a part of their format 3; 3 to 6 read as they are);
        // 8: the day buckets of the long windows (a part of their format 3; 3 to 7 read as
        // states without them, whose long windows are left out until known);
        // 9: the refunds and baskets (format byte raised by 3; 3 to 8 read as states without
        // them, whose refund and basket fields are left out)
        public Snapshot() {
            super(
                    INSTANCE,
                    9,
                    java.util.Map.of(
                            3, INSTANCE, 4, INSTANCE, 5, INSTANCE, 6, INSTANCE, 7, INSTANCE, 8,
                            INSTANCE));
        }
    }
}
