package io.rtcdp.operators.types;

import io.rtcdp.udf.rules.ContactMessage;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link ContactMessage}, in its own format ({@link ContactMessage#write}). */
public final class ContactMessageSerializer extends CodecSerializer<ContactMessage> {
    private static final long serialVersionUID = 1L;

    public static final ContactMessageSerializer INSTANCE = new ContactMessageSerializer();

    public static final TypeInformation<ContactMessage> TYPE_INFO =
            new CodecTypeInfo<>(ContactMessage.class, INSTANCE);

    private ContactMessageSerializer() {}

    @Override
    public void serialize(ContactMessage m, DataOutputView out) throws IOException {
        m.write(out);
    }

    @Override
    public ContactMessage deserialize(DataInputView in) throws IOException {
        return ContactMessage.read(in);
    }

    @Override
    public VersionedSnapshot<ContactMessage> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot naming this serializer; the format has no parameters. */
    public static final class Snapshot extends VersionedSnapshot<ContactMessage> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
