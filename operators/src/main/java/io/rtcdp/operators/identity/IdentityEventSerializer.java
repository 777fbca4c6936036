package io.rtcdp.operators.identity;

import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.EventSerializer;
import io.rtcdp.operators.types.VersionedSnapshot;
import io.rtcdp.udf.profile.Strings;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link IdentityEvent}, the record into the identity stage: the event's head ({@link
 * EventSerializer#writeHead}), then its body's length and bytes, which are read as they are (one
 * copy, no field parsed). Records between operators only, never state.
 */
public final class IdentityEventSerializer extends CodecSerializer<IdentityEvent> {
    private static final long serialVersionUID = 1L;

    public static final IdentityEventSerializer INSTANCE = new IdentityEventSerializer();

    @Override
    public void serialize(IdentityEvent e, DataOutputView out) throws IOException {
        EventSerializer.writeHead(e.head(), out);
        Strings.writeVarInt(out, e.body().length);
        out.write(e.body());
    }

    @Override
    public IdentityEvent deserialize(DataInputView in) throws IOException {
        var head = EventSerializer.readHead(in);
        int n = Strings.readVarInt(in);
        if (n < 0) {
            throw new IOException("negative body length " + n);
        }
        byte[] body = new byte[n];
        in.readFully(body);
        return new IdentityEvent(head, body);
    }

    @Override
    public VersionedSnapshot<IdentityEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the stateless singleton (version 3, the first). */
    public static final class Snapshot extends VersionedSnapshot<IdentityEvent> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
