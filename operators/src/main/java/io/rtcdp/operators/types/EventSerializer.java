package io.rtcdp.operators.types;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.profile.Strings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link Event}, the record between ingest, dedupe, identity and profile. Events are
 * sent between operators and kept in state only as the bytes of {@code VerdictGate}'s waiting
 * records (empty under the job's aligned checkpoints), whose format names this serializer's
 * version; so a new version needs a reader of the old one only there (unaligned checkpoints, which
 * persist records in flight, are not used). Counts are varints: neither ids nor traits are limited
 * to 65535 by the encoding.
 */
public final class EventSerializer extends CodecSerializer<Event> {
    private static final long serialVersionUID = 1L;

    public static final EventSerializer INSTANCE = new EventSerializer();

    @Override
    public void serialize(Event e, DataOutputView out) throws IOException {
        writeString(e.tenant(), out);
        writeString(e.eventId(), out);
        out.writeByte(e.type().ordinal());
        writeNullableString(e.name(), out);
        out.writeLong(e.ts());
        writeNullableString(e.channel(), out);
        List<Id> ids = e.ids();
        Strings.writeVarInt(out, ids.size());
        for (Id id : ids) {
            writeString(id.type(), out);
            writeString(id.value(), out);
        }
        if (e.amountMicros() == null) {
            out.writeBoolean(false);
        } else {
            out.writeBoolean(true);
            out.writeLong(e.amountMicros());
        }
        writeNullableString(e.category(), out);
        writeNullableString(e.orderId(), out);
        out.writeByte(tri(e.consentMarketing()));
        out.writeByte(tri(e.consentPersonalization()));
        Map<String, String> traits = e.traits();
        Strings.writeVarInt(out, traits.size());
        for (Map.Entry<String, String> t : traits.entrySet()) {
            writeString(t.getKey(), out);
            writeString(t.getValue(), out);
        }
        writeNullableString(e.propsJson(), out);
        out.writeLong(e.ingestedAt());
    }

    @Override
    public Event deserialize(DataInputView in) throws IOException {
        String tenant = readString(in);
        String eventId = readString(in);
        EventType type = EventType.ofOrdinal(in.readByte());
        String name = readNullableString(in);
        long ts = in.readLong();
        String channel = readNullableString(in);
        int n = Strings.readVarInt(in);
        List<Id> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(new Id(readString(in), readString(in)));
        }
        Long amount = in.readBoolean() ? in.readLong() : null;
        String category = readNullableString(in);
        String orderId = readNullableString(in);
        Boolean cm = untri(in.readByte());
        Boolean cp = untri(in.readByte());
        int nt = Strings.readVarInt(in);
        Map<String, String> traits = nt == 0 ? Map.of() : new HashMap<>(nt * 2);
        for (int i = 0; i < nt; i++) {
            traits.put(readString(in), readString(in));
        }
        String props = readNullableString(in);
        long ingestedAt = in.readLong();
        return new Event(
                tenant,
                eventId,
                type,
                name,
                ts,
                channel,
                ids,
                amount,
                category,
                orderId,
                cm,
                cp,
                traits,
                props,
                ingestedAt);
    }

    private static int tri(Boolean b) {
        return b == null ? 0 : (b ? 2 : 1);
    }

    private static Boolean untri(byte b) {
        return b == 0 ? null : b == 2;
    }

    @Override
    public VersionedSnapshot<Event> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the stateless singleton. */
    public static final class Snapshot extends VersionedSnapshot<Event> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
