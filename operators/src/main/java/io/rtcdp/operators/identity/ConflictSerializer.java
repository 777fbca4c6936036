package io.rtcdp.operators.identity;

import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.VersionedSnapshot;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.identity.Conflict;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link Conflict}, the conflicts output of the identity resolver. */
public final class ConflictSerializer extends CodecSerializer<Conflict> {
    private static final long serialVersionUID = 1L;

    public static final ConflictSerializer INSTANCE = new ConflictSerializer();
    public static final CodecTypeInfo<Conflict> TYPE_INFO =
            new CodecTypeInfo<>(Conflict.class, INSTANCE);

    @Override
    public void serialize(Conflict c, DataOutputView out) throws IOException {
        writeString(c.tenant(), out);
        writeString(c.eventId(), out);
        out.writeLong(c.ts());
        writeString(c.refused().type(), out);
        writeString(c.refused().value(), out);
        writeNullableString(c.oneid(), out);
        writeNullableString(c.otherOneid(), out);
        writeString(c.reason(), out);
    }

    @Override
    public Conflict deserialize(DataInputView in) throws IOException {
        return new Conflict(
                readString(in),
                readString(in),
                in.readLong(),
                new Id(readString(in), readString(in)),
                readNullableString(in),
                readNullableString(in),
                readString(in));
    }

    @Override
    public VersionedSnapshot<Conflict> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the stateless singleton. */
    public static final class Snapshot extends VersionedSnapshot<Conflict> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
