package io.rtcdp.operators.types;

import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.profile.Strings;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link Parsed}: a valid event or a dead letter. */
public final class ParsedSerializer extends CodecSerializer<Parsed> {
    private static final long serialVersionUID = 1L;

    public static final ParsedSerializer INSTANCE = new ParsedSerializer();

    @Override
    public void serialize(Parsed p, DataOutputView out) throws IOException {
        if (p.isValid()) {
            out.writeBoolean(true);
            EventSerializer.INSTANCE.serialize(p.event(), out);
        } else {
            out.writeBoolean(false);
            DeadLetterSerializer.INSTANCE.serialize(p.deadLetter(), out);
        }
    }

    @Override
    public Parsed deserialize(DataInputView in) throws IOException {
        return in.readBoolean()
                ? Parsed.ok(EventSerializer.INSTANCE.deserialize(in))
                : Parsed.bad(DeadLetterSerializer.INSTANCE.deserialize(in));
    }

    @Override
    public VersionedSnapshot<Parsed> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Snapshot of the stateless singleton. Version 4 embeds events of {@link EventSerializer}
     * version 4 (with order lines), version 5 those of version 5 (with the text signal); records
     * between operators only, never state, so older versions are not read.
     */
    public static final class Snapshot extends VersionedSnapshot<Parsed> {
        public Snapshot() {
            super(INSTANCE, 5, java.util.Map.of());
        }
    }

    /** Serializer of {@link DeadLetter}; records between operators only, never state. */
    public static final class DeadLetterSerializer extends CodecSerializer<DeadLetter> {
        private static final long serialVersionUID = 1L;

        public static final DeadLetterSerializer INSTANCE = new DeadLetterSerializer();

        @Override
        public void serialize(DeadLetter d, DataOutputView out) throws IOException {
            writeString(d.error(), out);
            writeString(d.message(), out);
            writeString(d.payload(), out);
            writeString(d.source(), out);
            Strings.writeVarLong(out, d.payloadBytes());
        }

        @Override
        public DeadLetter deserialize(DataInputView in) throws IOException {
            return new DeadLetter(
                    readString(in),
                    readString(in),
                    readString(in),
                    readString(in),
                    Strings.readVarLong(in));
        }

        @Override
        public VersionedSnapshot<DeadLetter> snapshotConfiguration() {
            return new DeadLetterSnapshot();
        }
    }

    /** Snapshot of {@link DeadLetterSerializer}. */
    public static final class DeadLetterSnapshot extends VersionedSnapshot<DeadLetter> {
        public DeadLetterSnapshot() {
            super(DeadLetterSerializer.INSTANCE);
        }
    }
}
