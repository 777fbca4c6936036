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
        t.write(out);
    }

    @Override
    public Trigger deserialize(DataInputView in) throws IOException {
        return Trigger.read(in);
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
