package io.rtcdp.operators.types;

import io.rtcdp.udf.profile.Strings;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base of rtcdp's hand-written serializers for immutable (or copied-by-codec) record types. A
 * subclass writes the bytes; this class supplies the rest of the {@code TypeSerializer} contract.
 * Each subclass is a stateless singleton with its own {@link VersionedSnapshot}, so savepoints name
 * the serializer class and the version of its format, and never fall back to Kryo. Its bytes are
 * pinned per version by {@code SerializerContractTest}'s golden files: a change of format is a new
 * version with a reader of the old one (docs/operations.md, "Upgrading state: serializer
 * versions").
 */
public abstract class CodecSerializer<T> extends TypeSerializerSingleton<T> {
    private static final long serialVersionUID = 1L;

    /** Whether values are immutable; when false {@link #copy(Object)} must be overridden. */
    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public T createInstance() {
        return null;
    }

    @Override
    public T copy(T from) {
        return from;
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    /**
     * Equal to any instance of the same class ({@code TypeSerializerSingleton}'s throws on null).
     */
    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    /**
     * The snapshot of this serializer: a {@link VersionedSnapshot}, so that Flink sees the version
     * of the format on restore.
     */
    @Override
    public abstract VersionedSnapshot<T> snapshotConfiguration();

    /** Writes a nullable string: a presence byte, then UTF. */
    public static void writeNullableString(String s, DataOutputView out) throws IOException {
        if (s == null) {
            out.writeBoolean(false);
        } else {
            out.writeBoolean(true);
            writeString(s, out);
        }
    }

    public static String readNullableString(DataInputView in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }

    /** Writes a string of any length: varint byte length, then UTF-8 ({@link Strings}). */
    public static void writeString(String s, DataOutputView out) throws IOException {
        Strings.write(out, s);
    }

    public static String readString(DataInputView in) throws IOException {
        return Strings.read(in);
    }

    /** {@link #readString} for a field of few distinct values ({@link Strings#readShared}). */
    public static String readSharedString(DataInputView in) throws IOException {
        return Strings.readShared(in);
    }

    /** {@link #readNullableString} for a field of few distinct values. */
    public static String readNullableSharedString(DataInputView in) throws IOException {
        return in.readBoolean() ? Strings.readShared(in) : null;
    }

    /** Writes a list of strings: a varint count, then each as {@link #writeString}. */
    public static void writeStrings(java.util.List<String> list, DataOutputView out)
            throws IOException {
        Strings.writeVarInt(out, list.size());
        for (String s : list) {
            writeString(s, out);
        }
    }

    /** Reads what {@link #writeStrings} wrote; the empty list without an allocation. */
    public static java.util.List<String> readStrings(DataInputView in) throws IOException {
        int n = Strings.readVarInt(in);
        if (n < 0) {
            throw new IOException("negative list length " + n);
        }
        if (n == 0) {
            return java.util.List.of();
        }
        java.util.List<String> list = new java.util.ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            list.add(readString(in));
        }
        return java.util.Collections.unmodifiableList(list);
    }
}
