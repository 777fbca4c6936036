package io.rtcdp.operators.types;

import io.rtcdp.udf.rules.ContactRecord;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of the contact stage's {@link ContactRecord}, in its own format. */
public final class ContactRecordSerializer extends CodecSerializer<ContactRecord> {
    private static final long serialVersionUID = 1L;

    public static final ContactRecordSerializer INSTANCE = new ContactRecordSerializer();

    public static final TypeInformation<ContactRecord> TYPE_INFO =
            new CodecTypeInfo<>(ContactRecord.class, INSTANCE);

    private ContactRecordSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ContactRecord createInstance() {
        return new ContactRecord();
    }

    @Override
    public ContactRecord copy(ContactRecord from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(128);
            from.write(out);
            return ContactRecord.read(
                    new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void serialize(ContactRecord r, DataOutputView out) throws IOException {
        r.write(out);
    }

    @Override
    public ContactRecord deserialize(DataInputView in) throws IOException {
        return ContactRecord.read(in);
    }

    @Override
    public VersionedSnapshot<ContactRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot naming this serializer; the format has no parameters. */
    public static final class Snapshot extends VersionedSnapshot<ContactRecord> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
