package io.rtcdp.operators.identity;

import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.EventSerializer;
import io.rtcdp.operators.types.VersionedSnapshot;
import io.rtcdp.udf.profile.Strings;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link IdentityEvent}, the record into the dedupe and identity stages: the event's
 * head with its ids as bytes ({@link EventSerializer#writeHeadWithIdBytes}), then its body's length
 * and bytes, its origin and place, and the dedupe stage's verdict (with the failure, if any). The
 * ids and the body are read as they are (one copy each, no field parsed): the dedupe stage reads
 * neither, the identity stage the ids when it first looks at them ({@link
 * io.rtcdp.operators.types.EncodedIds}), the fragment stage the body. Records between operators
 * only, never state: a format change needs no reader of the old one (version 4 added origin, place
 * and verdict; version 5 the ids as bytes).
 */
public final class IdentityEventSerializer extends CodecSerializer<IdentityEvent> {
    private static final long serialVersionUID = 1L;

    public static final IdentityEventSerializer INSTANCE = new IdentityEventSerializer();

    private static final IdentityEvent.Verdict[] VERDICTS = IdentityEvent.Verdict.values();

    @Override
    public void serialize(IdentityEvent e, DataOutputView out) throws IOException {
        EventSerializer.writeHeadWithIdBytes(e.head(), out);
        Strings.writeVarInt(out, e.body().length);
        out.write(e.body());
        Strings.writeVarInt(out, e.origin());
        Strings.writeVarLong(out, e.seq());
        out.writeByte(e.verdict().ordinal());
        if (e.verdict() == IdentityEvent.Verdict.FAILED) {
            writeString(e.failure(), out);
        }
    }

    @Override
    public IdentityEvent deserialize(DataInputView in) throws IOException {
        var head = EventSerializer.readHeadKeepingIdBytes(in);
        int n = Strings.readVarInt(in);
        if (n < 0) {
            throw new IOException("negative body length " + n);
        }
        byte[] body = new byte[n];
        in.readFully(body);
        int origin = Strings.readVarInt(in);
        long seq = Strings.readVarLong(in);
        int v = in.readUnsignedByte();
        if (v >= VERDICTS.length) {
            throw new IOException("unknown verdict " + v);
        }
        IdentityEvent.Verdict verdict = VERDICTS[v];
        String failure = verdict == IdentityEvent.Verdict.FAILED ? readString(in) : null;
        return new IdentityEvent(head, body, origin, seq, verdict, failure);
    }

    @Override
    public VersionedSnapshot<IdentityEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the stateless singleton (version 5: the ids as bytes). */
    public static final class Snapshot extends VersionedSnapshot<IdentityEvent> {
        public Snapshot() {
            super(INSTANCE, 5, java.util.Map.of());
        }
    }
}
