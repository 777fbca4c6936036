package io.rtcdp.operators.sink;

import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.VersionedSnapshot;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link ProfileUpdate}: tenant, oneid, ver, delete, then {@code set}, {@code unset}
 * and {@code ids} each as a length ({@code -1} for null) followed by their strings. Strings may be
 * null (Flink's string encoding carries that). Then the alias, the segment changes, the event time
 * and the ingest time. {@code set} keeps its iteration order, which is the field order of the Redis
 * hash.
 */
public final class ProfileUpdateSerializer extends CodecSerializer<ProfileUpdate> {
    private static final long serialVersionUID = 1L;

    public static final ProfileUpdateSerializer INSTANCE = new ProfileUpdateSerializer();

    /** The type of streams of profile updates; never falls back to Kryo. */
    public static final TypeInformation<ProfileUpdate> TYPE_INFO =
            new CodecTypeInfo<>(ProfileUpdate.class, INSTANCE);

    private ProfileUpdateSerializer() {}

    @Override
    public void serialize(ProfileUpdate u, DataOutputView out) throws IOException {
        writeString(u.tenant(), out);
        writeString(u.oneid(), out);
        out.writeLong(u.ver());
        out.writeBoolean(u.delete());
        Map<String, String> set = u.set();
        if (set == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(set.size());
            for (Map.Entry<String, String> e : set.entrySet()) {
                writeString(e.getKey(), out);
                writeString(e.getValue(), out);
            }
        }
        writeList(u.unset(), out);
        writeList(u.ids(), out);
        writeNullableString(u.aliasTo(), out);
        Map<String, Boolean> segments = u.segments();
        if (segments == null || segments.isEmpty()) {
            out.writeInt(0);
        } else {
            out.writeInt(segments.size());
            for (Map.Entry<String, Boolean> e : segments.entrySet()) {
                writeString(e.getKey(), out);
                out.writeBoolean(e.getValue());
            }
        }
        out.writeLong(u.eventTime());
        out.writeLong(u.ingestedAt());
    }

    @Override
    public ProfileUpdate deserialize(DataInputView in) throws IOException {
        // the tenant, field names and segment names take few values: shared strings, whose
        // hashes the Redis writer's maps then compute once
        String tenant = readSharedString(in);
        String oneid = readString(in);
        long ver = in.readLong();
        boolean delete = in.readBoolean();
        int n = in.readInt();
        Map<String, String> set = null;
        if (n >= 0) {
            // Sized so that n entries never trigger a rehash (load factor 0.75).
            set = new LinkedHashMap<>(n + (n + 2) / 3 + 1);
            for (int i = 0; i < n; i++) {
                set.put(readSharedString(in), readString(in));
            }
        }
        List<String> unset = readList(in, true);
        List<String> ids = readList(in, false);
        String aliasTo = readNullableString(in);
        int m = in.readInt();
        Map<String, Boolean> segments = Map.of();
        if (m > 0) {
            segments = new LinkedHashMap<>(m + (m + 2) / 3 + 1);
            for (int i = 0; i < m; i++) {
                segments.put(readSharedString(in), in.readBoolean());
            }
        }
        long eventTime = in.readLong();
        long ingestedAt = in.readLong();
        return new ProfileUpdate(
                tenant,
                oneid,
                ver,
                delete,
                set,
                unset,
                ids,
                aliasTo,
                segments,
                eventTime,
                ingestedAt);
    }

    private static void writeList(List<String> list, DataOutputView out) throws IOException {
        if (list == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(list.size());
        for (String s : list) {
            writeString(s, out);
        }
    }

    private static List<String> readList(DataInputView in, boolean shared) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            values[i] = shared ? readSharedString(in) : readString(in);
        }
        return Arrays.asList(values);
    }

    @Override
    public VersionedSnapshot<ProfileUpdate> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot naming this serializer; the format has no parameters. */
    public static final class Snapshot extends VersionedSnapshot<ProfileUpdate> {
        public Snapshot() {
            super(INSTANCE);
        }
    }
}
