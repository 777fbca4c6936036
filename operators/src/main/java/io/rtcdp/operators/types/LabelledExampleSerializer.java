package io.rtcdp.operators.types;

import io.rtcdp.operators.decide.LabelledExample;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link LabelledExample}. */
public final class LabelledExampleSerializer extends CodecSerializer<LabelledExample> {
    private static final long serialVersionUID = 1L;

    public static final LabelledExampleSerializer INSTANCE = new LabelledExampleSerializer();

    public static final TypeInformation<LabelledExample> TYPE_INFO =
            new CodecTypeInfo<>(LabelledExample.class, INSTANCE);

    private LabelledExampleSerializer() {}

    @Override
    public void serialize(LabelledExample e, DataOutputView out) throws IOException {
        writeString(e.tenant(), out);
        writeString(e.model(), out);
        out.writeLong(e.servedVersion());
        out.writeDouble(e.servedProbability());
        out.writeInt(e.x().length);
        for (double v : e.x()) {
            out.writeDouble(v);
        }
        out.writeByte(e.label());
        out.writeLong(e.ts());
    }

    @Override
    public LabelledExample deserialize(DataInputView in) throws IOException {
        String tenant = readSharedString(in);
        String model = readSharedString(in);
        long version = in.readLong();
        double p = in.readDouble();
        double[] x = new double[in.readInt()];
        for (int i = 0; i < x.length; i++) {
            x[i] = in.readDouble();
        }
        int label = in.readByte();
        long ts = in.readLong();
        return new LabelledExample(tenant, model, version, p, x, label, ts);
    }

    @Override
    public VersionedSnapshot<LabelledExample> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot naming this serializer; the format has no parameters. */
    public static final class Snapshot extends VersionedSnapshot<LabelledExample> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
