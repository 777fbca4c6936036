package io.rtcdp.operators.types;

import io.rtcdp.udf.rules.Trigger;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link Trigger}, field by field in the order of docs/contract.md §5.1. */
public final class TriggerSerializer extends CodecSerializer<Trigger> {
    private static final long serialVersionUID = 1L;

    public static final TriggerSerializer INSTANCE = new TriggerSerializer();

    public static final TypeInformation<Trigger> TYPE_INFO =
            new CodecTypeInfo<>(Trigger.class, INSTANCE);

    private TriggerSerializer() {}

    @Override
    public void serialize(Trigger t, DataOutputView out) throws IOException {
        writeString(t.triggerId(), out);
        writeString(t.tenant(), out);
        writeString(t.oneid(), out);
        writeString(t.rule(), out);
        writeNullableString(t.action(), out);
        writeNullableString(t.channel(), out);
        out.writeBoolean(t.score() != null);
        if (t.score() != null) {
            out.writeDouble(t.score());
        }
        writeNullableString(t.reason(), out);
        writeNullableString(t.eventId(), out);
        out.writeLong(t.ts());
        out.writeLong(t.emittedAt());
    }

    @Override
    public Trigger deserialize(DataInputView in) throws IOException {
        String id = readString(in);
        String tenant = readString(in);
        String oneid = readString(in);
        String rule = readString(in);
        String action = readNullableString(in);
        String channel = readNullableString(in);
        Double score = in.readBoolean() ? in.readDouble() : null;
        String reason = readNullableString(in);
        String eventId = readNullableString(in);
        long ts = in.readLong();
        long emittedAt = in.readLong();
        return new Trigger(
                id, tenant, oneid, rule, action, channel, score, reason, eventId, ts, emittedAt);
    }

    @Override
    public VersionedSnapshot<Trigger> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot naming this serializer; the format has no parameters. */
    public static final class Snapshot extends VersionedSnapshot<Trigger> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
