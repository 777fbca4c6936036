package io.rtcdp.operators.types;

import io.rtcdp.udf.rules.DecisionState;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of the decision stage's per-profile state, in {@link DecisionState}'s own format. Each
 * record begins with its format byte, which stays: the state can hold records of formats 1 to 11
 * side by side (one is written anew only when its profile is decided again), read record by record.
 * As for {@link ProfileStateSerializer}, a new record format is a new snapshot version read by this
 * serializer itself, so the state restores as is.
 */
public final class DecisionStateSerializer extends CodecSerializer<DecisionState> {
    private static final long serialVersionUID = 1L;

    public static final DecisionStateSerializer INSTANCE = new DecisionStateSerializer();

    public static final TypeInformation<DecisionState> TYPE_INFO =
            new CodecTypeInfo<>(DecisionState.class, INSTANCE);

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public DecisionState createInstance() {
        return new DecisionState();
    }

    @Override
    public DecisionState copy(DecisionState from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            from.write(out);
            return DecisionState.read(
                    new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void serialize(DecisionState s, DataOutputView out) throws IOException {
        s.write(out);
    }

    @Override
    public DecisionState deserialize(DataInputView in) throws IOException {
        return DecisionState.read(in);
    }

    @Override
    public VersionedSnapshot<DecisionState> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /**
     * Snapshot of the stateless singleton. Version 8: records of format 11 (the BG/NBD fit the
     * scores were computed with); version 7: records of format 10 (the watch of a profile that
     * absorbed another, for the merged-away profile's learning snapshots); version 6: format 9
     * (whether the contact history moved to the contact stage); version 5: format 8 (the profile's
     * bin of the tenant's marketing distribution); version 4: format 7 ({@code rec.next}). This
     * serializer reads the records of versions 3 to 7 as they are.
     */
    public static final class Snapshot extends VersionedSnapshot<DecisionState> {
        public Snapshot() {
            super(
                    INSTANCE,
                    8,
                    java.util.Map.of(
                            3, INSTANCE, 4, INSTANCE, 5, INSTANCE, 6, INSTANCE, 7, INSTANCE));
        }
    }
}
