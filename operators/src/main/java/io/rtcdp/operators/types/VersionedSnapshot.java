package io.rtcdp.operators.types;

import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of a {@link CodecSerializer}: which serializer (its class, the class name a
 * savepoint records) and which version of its format. Flink writes it into every savepoint next to
 * the state; on restore it reads the old one and asks the new serializer's snapshot whether the
 * state can be read ({@link #resolveSchemaCompatibility}):
 *
 * <ul>
 *   <li>the same version: compatible as is;
 *   <li>an older version the serializer names a reader for: the old snapshot's {@link
 *       #restoreSerializer()} is that reader. When the reader is the current serializer itself (it
 *       reads the old bytes, by the record's own format byte), compatible as is; otherwise
 *       compatible after migration: Flink reads all of the state with the reader and writes it
 *       again with the current serializer;
 *   <li>anything else, a version without a reader or newer than this one, or another serializer's
 *       snapshot: incompatible, and the job refuses state it would misread.
 * </ul>
 *
 * <p>The version is all a snapshot holds ({@link #writeSnapshot} writes nothing): its bytes are the
 * class name and the version {@link TypeSerializerSnapshot#writeVersionedSnapshot} writes. Versions
 * begin at {@link #FIRST_VERSION}, 3, so that savepoints from before the formats were versioned
 * restore as they are: they hold Flink's {@code SimpleTypeSerializerSnapshot} under the same class
 * names, whose version 3 has nothing after it either, byte for byte a version-3 snapshot here.
 *
 * <p>A subclass, one per serializer with a public no-argument constructor (Flink instantiates it by
 * name), states only the current version and the readers of older ones. How to add a version:
 * docs/operations.md, "Upgrading state: serializer versions".
 */
public abstract class VersionedSnapshot<T> implements TypeSerializerSnapshot<T> {
    /** The version of every format as it was when formats began to be versioned. */
    public static final int FIRST_VERSION = 3;

    private final TypeSerializer<T> current;
    private final int currentVersion;
    private final Map<Integer, TypeSerializer<T>> readers;

    /** The version this snapshot describes: the current one, or the one read from a savepoint. */
    private int version;

    /** The snapshot of a serializer whose format is still its first. */
    protected VersionedSnapshot(TypeSerializer<T> current) {
        this(current, FIRST_VERSION, Map.of());
    }

    /**
     * The snapshot of a serializer whose format is in its {@code currentVersion}.
     *
     * @param olderReaders for each older version still readable, the serializer that reads what it
     *     wrote (the current serializer itself when it reads those bytes too)
     */
    protected VersionedSnapshot(
            TypeSerializer<T> current,
            int currentVersion,
            Map<Integer, ? extends TypeSerializer<T>> olderReaders) {
        if (currentVersion < FIRST_VERSION) {
            throw new IllegalArgumentException("versions begin at " + FIRST_VERSION);
        }
        Map<Integer, TypeSerializer<T>> all = new HashMap<>(olderReaders);
        for (int older : all.keySet()) {
            if (older < FIRST_VERSION || older >= currentVersion) {
                throw new IllegalArgumentException(
                        "reader of version " + older + " is not of an older version");
            }
        }
        all.put(currentVersion, current);
        this.current = current;
        this.currentVersion = currentVersion;
        this.readers = Collections.unmodifiableMap(all);
        this.version = currentVersion;
    }

    @Override
    public final int getCurrentVersion() {
        return currentVersion;
    }

    /** The version this snapshot describes: what a savepoint holds, once read from it. */
    public final int version() {
        return version;
    }

    /** Every version the serializer reads, the current one included. */
    public final SortedSet<Integer> readableVersions() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(readers.keySet()));
    }

    @Override
    public final void writeSnapshot(DataOutputView out) {
        // The version, written by TypeSerializerSnapshot.writeVersionedSnapshot, is all there is.
    }

    /**
     * Keeps the version read. An unknown one is kept too, so that {@link
     * #resolveSchemaCompatibility} can call the state incompatible (there is nothing after it to
     * misread).
     */
    @Override
    public final void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
            throws IOException {
        version = readVersion;
    }

    /** The serializer that reads what this snapshot's version wrote. */
    @Override
    public final TypeSerializer<T> restoreSerializer() {
        TypeSerializer<T> reader = readers.get(version);
        if (reader == null) {
            throw new IllegalStateException(
                    current.getClass().getName()
                            + " reads versions "
                            + readableVersions()
                            + ", not "
                            + version);
        }
        return reader;
    }

    @Override
    public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
            TypeSerializerSnapshot<T> oldSnapshot) {
        if (oldSnapshot == null || oldSnapshot.getClass() != getClass()) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        int old = ((VersionedSnapshot<T>) oldSnapshot).version;
        TypeSerializer<T> reader = old <= currentVersion ? readers.get(old) : null;
        if (reader == null) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        return reader.equals(current)
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }

    @Override
    public final boolean equals(Object o) {
        return o != null
                && o.getClass() == getClass()
                && ((VersionedSnapshot<?>) o).version == version;
    }

    @Override
    public final int hashCode() {
        return 31 * getClass().hashCode() + version;
    }

    @Override
    public String toString() {
        return getClass().getName() + " v" + version;
    }
}
