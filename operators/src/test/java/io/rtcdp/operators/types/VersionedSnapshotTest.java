package io.rtcdp.operators.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.junit.jupiter.api.Test;

/**
 * What Flink is told on restore, for a serializer whose format has moved on: a count written as an
 * int by version 3 and as a long by version 4, and a text whose records carry their own format byte
 * (version 4 reads version 3's records itself). A savepoint holds a snapshot as its class name and
 * version, so the old snapshots here are those bytes, as the older release wrote them.
 */
class VersionedSnapshotTest {

    /** Version 4 of the count: a long. */
    static final class Count extends CodecSerializer<Long> {
        private static final long serialVersionUID = 1L;
        static final Count INSTANCE = new Count();

        @Override
        public void serialize(Long v, DataOutputView out) throws IOException {
            out.writeLong(v);
        }

        @Override
        public Long deserialize(DataInputView in) throws IOException {
            return in.readLong();
        }

        @Override
        public VersionedSnapshot<Long> snapshotConfiguration() {
            return new CountSnapshot();
        }
    }

    /** The reader of version 3 of the count, an int, kept for restoring old state. */
    static final class CountV3 extends CodecSerializer<Long> {
        private static final long serialVersionUID = 1L;
        static final CountV3 INSTANCE = new CountV3();

        @Override
        public void serialize(Long v, DataOutputView out) throws IOException {
            out.writeInt(Math.toIntExact(v));
        }

        @Override
        public Long deserialize(DataInputView in) throws IOException {
            return (long) in.readInt();
        }

        @Override
        public VersionedSnapshot<Long> snapshotConfiguration() {
            return new CountSnapshot();
        }
    }

    /** Snapshot of the count: version 4, and version 3 read by {@link CountV3}. */
    public static final class CountSnapshot extends VersionedSnapshot<Long> {
        public CountSnapshot() {
            super(Count.INSTANCE, 4, Map.of(3, CountV3.INSTANCE));
        }
    }

    /** A text whose every record begins with its format byte; version 4 reads format 3 too. */
    static final class Text extends CodecSerializer<String> {
        private static final long serialVersionUID = 1L;
        static final Text INSTANCE = new Text();

        @Override
        public void serialize(String v, DataOutputView out) throws IOException {
            out.writeByte(4);
            writeString(v, out);
        }

        @Override
        public String deserialize(DataInputView in) throws IOException {
            return in.readByte() == 4 ? readString(in) : in.readUTF();
        }

        @Override
        public VersionedSnapshot<String> snapshotConfiguration() {
            return new TextSnapshot();
        }
    }

    /** Snapshot of the text: version 4, which reads version 3's records itself. */
    public static final class TextSnapshot extends VersionedSnapshot<String> {
        public TextSnapshot() {
            super(Text.INSTANCE, 4, Map.of(3, Text.INSTANCE));
        }
    }

    /** The bytes of a snapshot of this class and version, as a savepoint holds them. */
    private static <T> TypeSerializerSnapshot<T> saved(Class<?> snapshotClass, int version)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeUTF(snapshotClass.getName());
        out.writeInt(version);
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()),
                VersionedSnapshotTest.class.getClassLoader());
    }

    private static <T> TypeSerializerSchemaCompatibility<T> restoring(
            TypeSerializer<T> current, TypeSerializerSnapshot<T> old) {
        return current.snapshotConfiguration().resolveSchemaCompatibility(old);
    }

    @Test
    void theCurrentVersionIsCompatibleAsIsAndWrittenAsClassNameAndVersion() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, Count.INSTANCE.snapshotConfiguration());
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(in.readUTF()).isEqualTo(CountSnapshot.class.getName());
        assertThat(in.readInt()).isEqualTo(4);
        assertThat(in.available()).isZero();

        TypeSerializerSnapshot<Long> old = saved(CountSnapshot.class, 4);
        assertThat(restoring(Count.INSTANCE, old).isCompatibleAsIs()).isTrue();
        assertThat(old.restoreSerializer()).isSameAs(Count.INSTANCE);
    }

    @Test
    void anOlderVersionMigratesThroughItsReader() throws IOException {
        TypeSerializerSnapshot<Long> old = saved(CountSnapshot.class, 3);
        assertThat(restoring(Count.INSTANCE, old).isCompatibleAfterMigration()).isTrue();

        DataOutputSerializer v3 = new DataOutputSerializer(8);
        v3.writeInt(42);
        TypeSerializer<Long> reader = old.restoreSerializer();
        assertThat(reader).isSameAs(CountV3.INSTANCE);
        assertThat(reader.deserialize(new DataInputDeserializer(v3.getCopyOfBuffer())))
                .isEqualTo(42L);
        assertThat(((VersionedSnapshot<Long>) old).version()).isEqualTo(3);
        assertThat(Count.INSTANCE.snapshotConfiguration().readableVersions()).containsExactly(3, 4);
    }

    @Test
    void anOlderVersionTheSerializerReadsItselfIsCompatibleAsIs() throws IOException {
        TypeSerializerSnapshot<String> old = saved(TextSnapshot.class, 3);
        assertThat(restoring(Text.INSTANCE, old).isCompatibleAsIs()).isTrue();

        DataOutputSerializer v3 = new DataOutputSerializer(8);
        v3.writeByte(3);
        v3.writeUTF("old");
        assertThat(
                        old.restoreSerializer()
                                .deserialize(new DataInputDeserializer(v3.getCopyOfBuffer())))
                .isEqualTo("old");
    }

    @Test
    void aNewerOrUnknownVersionOrAnotherSerializersSnapshotIsIncompatible() throws IOException {
        TypeSerializerSnapshot<Long> newer = saved(CountSnapshot.class, 5);
        assertThat(restoring(Count.INSTANCE, newer).isIncompatible()).isTrue();
        assertThatThrownBy(newer::restoreSerializer)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reads versions [3, 4], not 5");

        TypeSerializerSnapshot<Long> unknown = saved(CountSnapshot.class, 2);
        assertThat(restoring(Count.INSTANCE, unknown).isIncompatible()).isTrue();

        TypeSerializerSnapshot<Long> other = saved(EventSerializer.Snapshot.class, 3);
        assertThat(restoring(Count.INSTANCE, other).isIncompatible()).isTrue();
    }

    @Test
    void readersMustBeOfOlderVersionsFromTheFirstOn() {
        assertThatThrownBy(
                        () ->
                                new VersionedSnapshot<>(
                                        Count.INSTANCE, 4, Map.of(4, CountV3.INSTANCE)) {})
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                new VersionedSnapshot<>(
                                        Count.INSTANCE, 4, Map.of(2, CountV3.INSTANCE)) {})
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VersionedSnapshot<>(Count.INSTANCE, 2, Map.of()) {})
                .isInstanceOf(IllegalArgumentException.class);
    }
}
