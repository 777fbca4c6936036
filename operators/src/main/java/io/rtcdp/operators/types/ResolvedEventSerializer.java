package io.rtcdp.operators.types;

import io.rtcdp.udf.identity.ResolvedEvent;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link ResolvedEvent}. */
public final class ResolvedEventSerializer extends CodecSerializer<ResolvedEvent> {
    private static final long serialVersionUID = 1L;

    public static final ResolvedEventSerializer INSTANCE = new ResolvedEventSerializer();

    @Override
    public void serialize(ResolvedEvent r, DataOutputView out) throws IOException {
        writeString(r.oneid(), out);
        EventSerializer.INSTANCE.serialize(r.event(), out);
    }

    @Override
    public ResolvedEvent deserialize(DataInputView in) throws IOException {
        return new ResolvedEvent(readString(in), EventSerializer.INSTANCE.deserialize(in));
    }

    @Override
    public TypeSerializerSnapshot<ResolvedEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the stateless singleton. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ResolvedEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
