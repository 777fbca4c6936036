package io.rtcdp.operators.profile;

import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.VersionedSnapshot;
import io.rtcdp.udf.profile.Strings;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link ItemOrder}: tenant, bucket (varint), time, then {@code basket}, {@code
 * fresh} and {@code prior} each as a varint count followed by their strings.
 */
public final class ItemOrderSerializer extends CodecSerializer<ItemOrder> {
    private static final long serialVersionUID = 1L;

    public static final ItemOrderSerializer INSTANCE = new ItemOrderSerializer();

    /** The type of streams of item orders; never falls back to Kryo. */
    public static final TypeInformation<ItemOrder> TYPE_INFO =
            new CodecTypeInfo<>(ItemOrder.class, INSTANCE);

    private ItemOrderSerializer() {}

    @Override
    public void serialize(ItemOrder o, DataOutputView out) throws IOException {
        writeString(o.tenant(), out);
        Strings.writeVarInt(out, o.bucket());
        out.writeLong(o.ts());
        writeStrings(o.basket(), out);
        writeStrings(o.fresh(), out);
        writeStrings(o.prior(), out);
    }

    @Override
    public ItemOrder deserialize(DataInputView in) throws IOException {
        return new ItemOrder(
                readString(in),
                Strings.readVarInt(in),
                in.readLong(),
                readStrings(in),
                readStrings(in),
                readStrings(in));
    }

    @Override
    public VersionedSnapshot<ItemOrder> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot naming this serializer; the format has no parameters. */
    public static final class Snapshot extends VersionedSnapshot<ItemOrder> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
