package io.rtcdp.operators.types;

import io.rtcdp.udf.ml.LearningMessage;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link LearningMessage}, in its own format ({@link LearningMessage#write}). */
public final class LearningMessageSerializer extends CodecSerializer<LearningMessage> {
    private static final long serialVersionUID = 1L;

    public static final LearningMessageSerializer INSTANCE = new LearningMessageSerializer();

    public static final TypeInformation<LearningMessage> TYPE_INFO =
            new CodecTypeInfo<>(LearningMessage.class, INSTANCE);

    private LearningMessageSerializer() {}

    @Override
    public void serialize(LearningMessage m, DataOutputView out) throws IOException {
        m.write(out);
    }

    @Override
    public LearningMessage deserialize(DataInputView in) throws IOException {
        return LearningMessage.read(in);
    }

    @Override
    public VersionedSnapshot<LearningMessage> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot naming this serializer; the format has no parameters. */
    public static final class Snapshot extends VersionedSnapshot<LearningMessage> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
