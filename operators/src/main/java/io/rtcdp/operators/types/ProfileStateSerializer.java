package io.rtcdp.operators.types;

import io.rtcdp.udf.profile.ProfileState;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of the profile state value. The encoding is {@link ProfileState}'s own, versioned by
 * its leading format byte, so the state can evolve without a serializer change.
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
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
