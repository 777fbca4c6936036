package io.rtcdp.operators.types;

import io.rtcdp.operators.profile.RfmObservation;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link RfmObservation}: tenant, oneid and four longs. Records between two stages
 * only (never in state: unaligned checkpoints, which would keep records in flight, are not used).
 */
public final class RfmObservationSerializer extends CodecSerializer<RfmObservation> {
    private static final long serialVersionUID = 1L;

    public static final RfmObservationSerializer INSTANCE = new RfmObservationSerializer();

    public static final TypeInformation<RfmObservation> TYPE_INFO =
            new CodecTypeInfo<>(RfmObservation.class, INSTANCE);

    private RfmObservationSerializer() {}

    @Override
    public void serialize(RfmObservation o, DataOutputView out) throws IOException {
        writeString(o.tenant(), out);
        writeString(o.oneid(), out);
        out.writeLong(o.lastOrderTs());
        out.writeLong(o.orders());
        out.writeLong(o.revenueMicros());
        out.writeLong(o.firstOrderTs());
    }

    @Override
    public RfmObservation deserialize(DataInputView in) throws IOException {
        return new RfmObservation(
                readSharedString(in),
                readString(in),
                in.readLong(),
                in.readLong(),
                in.readLong(),
                in.readLong());
    }

    @Override
    public VersionedSnapshot<RfmObservation> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /**
     * Snapshot naming this serializer; the format has no parameters. Version 4 adds the first
     * order's time; records between operators only, never state, so older versions are not read.
     */
    public static final class Snapshot extends VersionedSnapshot<RfmObservation> {
        public Snapshot() {
            super(INSTANCE, 4, java.util.Map.of());
        }
    }
}
