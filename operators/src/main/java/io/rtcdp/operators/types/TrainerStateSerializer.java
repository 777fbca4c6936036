package io.rtcdp.operators.types;

import io.rtcdp.operators.decide.TrainerState;
import io.rtcdp.udf.ml.FtrlTrainer;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link TrainerState}: the version bookkeeping, then {@link FtrlTrainer#write},
 * which begins with the trainer's own format byte (only format 1 exists). The byte stays, as
 * savepoints hold it; a new trainer format can be read record by record through it (as {@link
 * ProfileStateSerializer} does) or by a reader of the old snapshot version.
 */
public final class TrainerStateSerializer extends CodecSerializer<TrainerState> {
    private static final long serialVersionUID = 1L;

    public static final TrainerStateSerializer INSTANCE = new TrainerStateSerializer();

    public static final TypeInformation<TrainerState> TYPE_INFO =
            new CodecTypeInfo<>(TrainerState.class, INSTANCE);

    private TrainerStateSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TrainerState copy(TrainerState from) {
        return from.copy();
    }

    @Override
    public void serialize(TrainerState s, DataOutputView out) throws IOException {
        out.writeLong(s.baseVersion);
        out.writeLong(s.maxServedVersion);
        out.writeLong(s.lastPublished);
        out.writeLong(s.maxTs);
        out.writeLong(s.sincePublished);
        s.trainer.write(out);
    }

    @Override
    public TrainerState deserialize(DataInputView in) throws IOException {
        long base = in.readLong();
        long maxServed = in.readLong();
        long lastPublished = in.readLong();
        long maxTs = in.readLong();
        long since = in.readLong();
        TrainerState s = new TrainerState(FtrlTrainer.read(in), base);
        s.maxServedVersion = maxServed;
        s.lastPublished = lastPublished;
        s.maxTs = maxTs;
        s.sincePublished = since;
        return s;
    }

    @Override
    public VersionedSnapshot<TrainerState> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot naming this serializer; the format has no parameters. */
    public static final class Snapshot extends VersionedSnapshot<TrainerState> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
