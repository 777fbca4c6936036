package io.rtcdp.operators.types;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.operators.sink.ProfileUpdateSerializer;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.profile.ProfileValues;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link ProfileChange}: tenant, oneid, then a presence byte and the value of each of
 * update, values ({@link ProfileValues#write}), cause and rfm (a count and nullable strings), then
 * the pending bits, rec (a nullable string), traits (a varint of the count + 1, 0 for null, then
 * names and values in the map's order), merged (a varint count, then the oneids) and the part's
 * latest two order times. Traits read back as an unmodifiable sorted map.
 */
public final class ProfileChangeSerializer extends CodecSerializer<ProfileChange> {
    private static final long serialVersionUID = 1L;

    public static final ProfileChangeSerializer INSTANCE = new ProfileChangeSerializer();

    public static final TypeInformation<ProfileChange> TYPE_INFO =
            new CodecTypeInfo<>(ProfileChange.class, INSTANCE);

    private ProfileChangeSerializer() {}

    @Override
    public void serialize(ProfileChange c, DataOutputView out) throws IOException {
        writeString(c.tenant(), out);
        writeString(c.oneid(), out);
        ProfileUpdate u = c.update();
        out.writeBoolean(u != null);
        if (u != null) {
            ProfileUpdateSerializer.INSTANCE.serialize(u, out);
        }
        ProfileValues v = c.values();
        out.writeBoolean(v != null);
        if (v != null) {
            v.write(out);
        }
        Event e = c.cause();
        out.writeBoolean(e != null);
        if (e != null) {
            EventSerializer.INSTANCE.serialize(e, out);
        }
        writeArray(c.rfm(), out);
        out.writeLong(c.pending());
        writeNullableString(c.rec(), out);
        Map<String, String> traits = c.traits();
        if (traits == null) {
            io.rtcdp.udf.profile.Strings.writeVarInt(out, 0);
        } else {
            io.rtcdp.udf.profile.Strings.writeVarInt(out, traits.size() + 1);
            for (Map.Entry<String, String> t : traits.entrySet()) {
                writeString(t.getKey(), out);
                writeString(t.getValue(), out);
            }
        }
        writeStrings(c.merged(), out);
        out.writeLong(c.partLastOrder());
        out.writeLong(c.partPreviousOrder());
    }

    @Override
    public ProfileChange deserialize(DataInputView in) throws IOException {
        String tenant = readSharedString(in);
        String oneid = readString(in);
        ProfileUpdate u =
                in.readBoolean() ? ProfileUpdateSerializer.INSTANCE.deserialize(in) : null;
        ProfileValues values = in.readBoolean() ? ProfileValues.read(in) : null;
        Event e = in.readBoolean() ? EventSerializer.INSTANCE.deserialize(in) : null;
        String[] rfm = readArray(in);
        long pending = in.readLong();
        String rec = readNullableString(in);
        int n = io.rtcdp.udf.profile.Strings.readVarInt(in) - 1;
        Map<String, String> traits = null;
        if (n == 0) {
            traits = Collections.emptySortedMap();
        } else if (n > 0) {
            TreeMap<String, String> m = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                m.put(readString(in), readString(in));
            }
            traits = Collections.unmodifiableSortedMap(m);
        }
        java.util.List<String> merged = readStrings(in);
        long partLast = in.readLong();
        long partPrevious = in.readLong();
        return new ProfileChange(
                tenant,
                oneid,
                u,
                values,
                e,
                rfm,
                pending,
                rec,
                traits,
                merged,
                partLast,
                partPrevious);
    }

    private static void writeArray(String[] a, DataOutputView out) throws IOException {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(a.length);
        for (String s : a) {
            writeNullableString(s, out);
        }
    }

    private static String[] readArray(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        String[] a = new String[n];
        for (int i = 0; i < n; i++) {
            a[i] = readNullableString(in);
        }
        return a;
    }

    @Override
    public VersionedSnapshot<ProfileChange> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /**
     * Snapshot naming this serializer; the format has no parameters. Version 4 embeds events of
     * {@link EventSerializer} version 4 (with order lines), version 5 adds {@code rec}, version 6
     * embeds events of version 5 (with the text signal), version 7 adds {@code traits} and {@code
     * merged}, version 8 the part's latest two order times ({@code partLastOrder}, {@code
     * partPreviousOrder}), version 9 writes the pending bits as a long (more than 31 feature
     * slots); records between operators only, never state, so older versions are not read.
     */
    public static final class Snapshot extends VersionedSnapshot<ProfileChange> {
        public Snapshot() {
            super(INSTANCE, 9, java.util.Map.of());
        }
    }
}
