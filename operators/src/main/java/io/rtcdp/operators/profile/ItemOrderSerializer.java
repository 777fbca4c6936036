package io.rtcdp.operators.profile;

import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.VersionedSnapshot;
import io.rtcdp.udf.profile.Strings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    /** Writes a list of strings: a varint count, then the strings. */
    static void writeStrings(List<String> list, DataOutputView out) throws IOException {
        Strings.writeVarInt(out, list.size());
        for (String s : list) {
            writeString(s, out);
        }
    }

    /** Reads what {@link #writeStrings} wrote, as an unmodifiable list. */
    static List<String> readStrings(DataInputView in) throws IOException {
        int n = Strings.readVarInt(in);
        if (n < 0) {
            throw new IOException("negative list length " + n);
        }
        if (n == 0) {
            return List.of();
        }
        List<String> list = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            list.add(readString(in));
        }
        return Collections.unmodifiableList(list);
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
