package io.rtcdp.operators.types;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.profile.Strings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An event's ids kept as the bytes {@link ProfileCommandSerializer#writeIds} writes, read into
 * {@link Id}s only when something reads the list. The dedupe stage keys events by tenant and event
 * id and never reads their ids; carried this way, its records pass their ids on as one copy of
 * bytes instead of reading each id into two strings and writing them again. The identity stage
 * reads them on its first look.
 *
 * <p>Immutable: a list like any other list of the same ids ({@code equals}, {@code hashCode}), its
 * bytes never change. Reading them is deterministic, so two threads that read the list at once both
 * see the same ids; in the job each record is on one thread.
 */
public final class EncodedIds extends AbstractList<Id> implements RandomAccess {
    private final byte[] bytes;

    /** The ids read from {@link #bytes}, on first use. */
    private List<Id> decoded;

    private EncodedIds(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * {@code ids} encoded, through {@code scratch} (cleared first); {@code ids} itself when it is
     * encoded already.
     */
    public static EncodedIds encode(List<Id> ids, DataOutputSerializer scratch) {
        if (ids instanceof EncodedIds e) {
            return e;
        }
        scratch.clear();
        try {
            ProfileCommandSerializer.writeIds(ids, scratch);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return new EncodedIds(scratch.getCopyOfBuffer());
    }

    /** Writes {@code ids} as their encoded length, then their encoding ({@link #read}). */
    static void write(List<Id> ids, DataOutputView out) throws IOException {
        // not ids.size() first: that would read encoded ids
        byte[] b =
                ids instanceof EncodedIds e
                        ? e.bytes
                        : encode(ids, new DataOutputSerializer(16 + 48 * ids.size())).bytes;
        Strings.writeVarInt(out, b.length);
        out.write(b);
    }

    /** Reads what {@link #write} wrote, without reading any id. */
    static EncodedIds read(DataInputView in) throws IOException {
        int n = Strings.readVarInt(in);
        if (n <= 0) {
            throw new IOException("encoded ids of length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new EncodedIds(b);
    }

    private List<Id> ids() {
        List<Id> ids = decoded;
        if (ids == null) {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            try {
                ids = List.copyOf(ProfileCommandSerializer.readIds(in));
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("corrupt encoded ids", e);
            }
            if (in.available() != 0) {
                throw new IllegalStateException(
                        "corrupt encoded ids: " + in.available() + " bytes after the last id");
            }
            decoded = ids;
        }
        return ids;
    }

    /**
     * Whether the ids were read from the bytes (for tests: a stage that passes them on does not).
     */
    boolean wasRead() {
        return decoded != null;
    }

    @Override
    public Id get(int index) {
        return ids().get(index);
    }

    @Override
    public int size() {
        return ids().size();
    }
}
