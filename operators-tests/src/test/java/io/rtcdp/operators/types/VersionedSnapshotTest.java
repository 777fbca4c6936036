package io.rtcdp.operators.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.ThrowingConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Flink is told on restore, for a serializer whose format has moved on: a count written as an
 * int by version 3 and as a long by version 4 (restored through Flink's own state backends), and a
 * text whose records carry their own format byte (version 4 reads version 3's records itself). A
 * savepoint holds a snapshot as its class name and version, so the old snapshots here are those
 * bytes, as the older release wrote them.
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

    /**
     * Which release of the count this JVM plays: release 1 wrote ints (version 3, its only one),
     * release 2 writes longs (version 4) and reads release 1's ints. Flink instantiates a snapshot
     * class by name, so the two releases share the class; the savepoint between them is real.
     */
    static volatile int release = 2;

    /** Snapshot of the count: version 4, and version 3 read by {@link CountV3}. */
    public static final class CountSnapshot extends VersionedSnapshot<Long> {
        public CountSnapshot() {
            super(
                    release == 1 ? CountV3.INSTANCE : Count.INSTANCE,
                    release == 1 ? 3 : 4,
                    release == 1 ? Map.of() : Map.of(3, CountV3.INSTANCE));
        }
    }

    /** Sums the values of each key (odd or even) in a value state of the given serializer. */
    static final class Sum extends KeyedProcessFunction<String, Long, Long> {
        private static final long serialVersionUID = 1L;
        private final CodecSerializer<Long> serializer;
        private transient ValueState<Long> sum;

        Sum(CodecSerializer<Long> serializer) {
            this.serializer = serializer;
        }

        @Override
        public void open(OpenContext context) {
            sum =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            "sum", new CodecTypeInfo<>(Long.class, serializer)));
        }

        @Override
        public void processElement(Long v, Context ctx, Collector<Long> out) throws Exception {
            Long had = sum.value();
            long now = (had == null ? 0 : had) + v;
            sum.update(now);
            out.collect(now);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Long, Long> harness(
            CodecSerializer<Long> serializer, boolean rocksDb) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, Long, Long> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new Sum(serializer)),
                        v -> v % 2 == 0 ? "even" : "odd",
                        Types.STRING);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    /**
     * A state written by release 1 restores into release 2 through Flink's own restore, on the heap
     * (which reads all state with the old snapshot's serializer) and on RocksDB (which migrates it
     * when the state is registered): the ints come back and go on as longs.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void flinkMigratesTheStateOfAnOlderRelease(boolean rocksDb) throws Exception {
        OperatorSubtaskState savepoint;
        release = 1;
        try (var h = harness(CountV3.INSTANCE, rocksDb)) {
            h.open();
            h.processElement(1L, 1);
            h.processElement(3L, 1);
            h.processElement(2L, 1);
            savepoint = h.snapshot(1, 1);
        } finally {
            release = 2;
        }
        try (var h = harness(Count.INSTANCE, rocksDb)) {
            h.initializeState(savepoint);
            h.open();
            h.processElement(5_000_000_001L, 2);
            h.processElement(4L, 2);
            assertThat(h.extractOutputValues()).containsExactly(5_000_000_005L, 6L);
            OperatorSubtaskState again = h.snapshot(2, 2);
            try (var next = harness(Count.INSTANCE, rocksDb)) {
                next.initializeState(again);
                next.open();
                next.processElement(1L, 3);
                assertThat(next.extractOutputValues()).containsExactly(5_000_000_006L);
            }
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
        return TypeSerializerSnapshot.readVersionedSnapshot(
                written(
                        out -> {
                            out.writeUTF(snapshotClass.getName());
                            out.writeInt(version);
                        }),
                VersionedSnapshotTest.class.getClassLoader());
    }

    /** What {@code write} writes, to be read. */
    private static DataInputDeserializer written(
            ThrowingConsumer<DataOutputSerializer, IOException> write) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        write.accept(out);
        return new DataInputDeserializer(out.getCopyOfBuffer());
    }

    private static <T> TypeSerializerSchemaCompatibility<T> restoring(
            TypeSerializer<T> current, TypeSerializerSnapshot<T> old) {
        return current.snapshotConfiguration().resolveSchemaCompatibility(old);
    }

    @Test
    void theCurrentVersionIsCompatibleAsIsAndWrittenAsClassNameAndVersion() throws IOException {
        DataInputDeserializer in =
                written(
                        out ->
                                TypeSerializerSnapshot.writeVersionedSnapshot(
                                        out, Count.INSTANCE.snapshotConfiguration()));
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

        TypeSerializer<Long> reader = old.restoreSerializer();
        assertThat(reader).isSameAs(CountV3.INSTANCE);
        assertThat(reader.deserialize(written(v3 -> v3.writeInt(42)))).isEqualTo(42L);
        assertThat(((VersionedSnapshot<Long>) old).version()).isEqualTo(3);
        assertThat(Count.INSTANCE.snapshotConfiguration().readableVersions()).containsExactly(3, 4);
    }

    @Test
    void anOlderVersionTheSerializerReadsItselfIsCompatibleAsIs() throws IOException {
        TypeSerializerSnapshot<String> old = saved(TextSnapshot.class, 3);
        assertThat(restoring(Text.INSTANCE, old).isCompatibleAsIs()).isTrue();

        DataInputDeserializer v3 =
                written(
                        out -> {
                            out.writeByte(3);
                            out.writeUTF("old");
                        });
        assertThat(old.restoreSerializer().deserialize(v3)).isEqualTo("old");
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
