package io.rtcdp.operators.profile;

import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.VersionedSnapshot;
import io.rtcdp.udf.rec.PurchasedItems;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link ItemsObservation}: tenant, oneid, time, then a presence byte and, for
 * anything but a removal, the items ({@link PurchasedItems#write}, which carries its own format
 * byte).
 *
 * <p>Values are treated as immutable ({@link #copy} returns them): the items are not modified once
 * sent (see {@link ItemsObservation}).
 */
public final class ItemsObservationSerializer extends CodecSerializer<ItemsObservation> {
    private static final long serialVersionUID = 1L;

    public static final ItemsObservationSerializer INSTANCE = new ItemsObservationSerializer();

    /** The type of streams of items observations; never falls back to Kryo. */
    public static final TypeInformation<ItemsObservation> TYPE_INFO =
            new CodecTypeInfo<>(ItemsObservation.class, INSTANCE);

    private ItemsObservationSerializer() {}

    @Override
    public void serialize(ItemsObservation o, DataOutputView out) throws IOException {
        writeString(o.tenant(), out);
        writeString(o.oneid(), out);
        out.writeLong(o.asOf());
        if (o.items() == null) {
            out.writeBoolean(false);
        } else {
            out.writeBoolean(true);
            o.items().write(out);
        }
    }

    @Override
    public ItemsObservation deserialize(DataInputView in) throws IOException {
        String tenant = readString(in);
        String oneid = readString(in);
        long asOf = in.readLong();
        PurchasedItems items = in.readBoolean() ? PurchasedItems.read(in) : null;
        return new ItemsObservation(tenant, oneid, asOf, items);
    }

    @Override
    public VersionedSnapshot<ItemsObservation> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot naming this serializer; the format has no parameters. */
    public static final class Snapshot extends VersionedSnapshot<ItemsObservation> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
