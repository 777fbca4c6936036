package io.rtcdp.operators.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.types.SerializerSamples.Case;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of every hand-written serializer ({@link SerializerSamples#all}): values round trip
 * and copy, the serializer duplicates and restores from its snapshot, and its formats are pinned by
 * golden bytes.
 *
 * <p>Golden files live in {@code src/test/resources/serializer-golden/<Serializer>/}: {@code
 * v<N>.bin} holds the samples one after another as format version N wrote them, {@code
 * snapshot-v<N>.bin} the serializer's snapshot of version N as a savepoint holds it ({@link
 * TypeSerializerSnapshot#writeVersionedSnapshot}: the snapshot's class name and version). The
 * current version must write exactly its file's bytes, so a format that changes without a new
 * version fails here; every older version's file must still restore to the samples through the
 * serializer its snapshot restores, the way Flink reads an old savepoint. The files of version 3
 * were written by the serializers as they were before their snapshots carried versions (Flink's
 * {@code SimpleTypeSerializerSnapshot}), so their restore is that of the savepoints of then.
 *
 * <p>The files are written only when a format version is added (docs/operations.md, "Upgrading
 * state: serializer versions"): bump the version, keep a reader of the old one, then run
 *
 * <pre>
 * mvn -B -o verify -pl operators-tests -am -Dtest=SerializerContractTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Drtcdp.golden.write=true
 * </pre>
 *
 * <p>It writes the files of each current version that has none and never overwrites a file: the
 * bytes of a released version are what savepoints hold and must not change.
 */
class SerializerContractTest {
    /** The golden files, read and written in the module's sources (the test runs in the module). */
    static final Path GOLDEN = Path.of("src/test/resources/serializer-golden");

    private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.bin");

    static Stream<Case<?>> cases() {
        return SerializerSamples.all().stream();
    }

    /** A serializer added to the job is added to {@link SerializerSamples#all} too. */
    @Test
    void everyCodecSerializerIsUnderContract() throws IOException {
        Pattern subclass = Pattern.compile("class (\\w+) extends CodecSerializer<");
        List<String> declared = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("../operators/src/main/java"))) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Matcher m = subclass.matcher(Files.readString(f));
                while (m.find()) {
                    declared.add(m.group(1));
                }
            }
        }
        assertThat(SerializerSamples.all().stream().map(Case::name))
                .containsExactlyInAnyOrderElementsOf(declared);
    }

    @ParameterizedTest
    @MethodSource("cases")
    <T> void everySampleRoundTrips(Case<T> c) throws IOException {
        TypeSerializer<T> s = c.serializer();
        for (T sample : c.samples()) {
            DataInputDeserializer in = new DataInputDeserializer(bytes(s, List.of(sample)));
            assertEquivalent(c, s.deserialize(in), sample);
            assertThat(in.available()).as("bytes left").isZero();
            in = new DataInputDeserializer(bytes(s, List.of(sample)));
            assertEquivalent(c, s.deserialize(s.createInstance(), in), sample);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    <T> void valuesAndBytesCopy(Case<T> c) throws IOException {
        TypeSerializer<T> s = c.serializer();
        for (T sample : c.samples()) {
            T copy = s.copy(sample);
            assertEquivalent(c, copy, sample);
            assertEquivalent(c, s.copy(sample, s.createInstance()), sample);
            if (!s.isImmutableType()) {
                assertThat(copy).as("a copy of a mutable value").isNotSameAs(sample);
            }
            DataInputDeserializer in = new DataInputDeserializer(bytes(s, List.of(sample)));
            DataOutputSerializer copied = new DataOutputSerializer(256);
            s.copy(in, copied);
            assertThat(in.available()).as("bytes left").isZero();
            DataInputDeserializer back = new DataInputDeserializer(copied.getCopyOfBuffer());
            assertEquivalent(c, s.deserialize(back), sample);
            assertThat(back.available()).as("bytes left after the copy").isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void duplicatesAndJavaSerializationGiveAnEqualSerializer(Case<?> c) throws Exception {
        TypeSerializer<?> s = c.serializer();
        assertThat(s.duplicate()).isEqualTo(s).hasSameHashCodeAs(s);
        assertThat(InstantiationUtil.clone(s)).isEqualTo(s).hasSameHashCodeAs(s);
        assertThat(s.equals(null)).isFalse();
        assertThat(s.snapshotConfiguration()).isEqualTo(s.snapshotConfiguration());
    }

    @ParameterizedTest
    @MethodSource("cases")
    <T> void snapshotRestoresCompatibleAsIs(Case<T> c) throws IOException {
        TypeSerializer<T> s = c.serializer();
        TypeSerializerSnapshot<T> read = readSnapshot(snapshotBytes(s));
        assertThat(read).isEqualTo(s.snapshotConfiguration());
        assertThat(read.restoreSerializer()).isEqualTo(s);
        TypeSerializerSchemaCompatibility<T> compatibility =
                s.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertThat(compatibility.isCompatibleAsIs()).as(compatibility.toString()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theCurrentVersionWritesItsGoldenBytes(Case<?> c) throws IOException {
        TypeSerializer<?> s = c.serializer();
        int version = s.snapshotConfiguration().getCurrentVersion();
        Path dir = GOLDEN.resolve(c.name());
        Path samples = dir.resolve("v" + version + ".bin");
        assertThat(samples)
                .as(
                        "golden bytes of version %d of %s; for a new version run the test with"
                                + " -Drtcdp.golden.write=true (see its Javadoc)",
                        version, c.name())
                .exists();
        assertThat(bytes(c))
                .as(
                        "%s writes other bytes than its version %d did: a format change needs a"
                                + " new version and a reader of the old one",
                        c.name(), version)
                .isEqualTo(Files.readAllBytes(samples));
        assertThat(snapshotBytes(s))
                .as("the snapshot of %s as savepoints hold it", c.name())
                .isEqualTo(Files.readAllBytes(dir.resolve("snapshot-v" + version + ".bin")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyVersionsGoldenBytesRestoreToTheSamples(Case<?> c) throws IOException {
        List<Integer> versions = goldenVersions(c);
        assertThat(versions)
                .as("golden files of every version %s reads", c.name())
                .containsExactlyElementsOf(
                        c.serializer().snapshotConfiguration().readableVersions());
        for (int version : versions) {
            restoresVersion(c, version);
        }
    }

    private static <T> void restoresVersion(Case<T> c, int version) throws IOException {
        Path dir = GOLDEN.resolve(c.name());
        TypeSerializerSnapshot<T> old =
                readSnapshot(Files.readAllBytes(dir.resolve("snapshot-v" + version + ".bin")));
        TypeSerializerSchemaCompatibility<T> compatibility =
                c.serializer().snapshotConfiguration().resolveSchemaCompatibility(old);
        assertThat(compatibility.isIncompatible())
                .as("%s restores version %d: %s", c.name(), version, compatibility)
                .isFalse();
        if (version == c.serializer().snapshotConfiguration().getCurrentVersion()) {
            assertThat(compatibility.isCompatibleAsIs()).isTrue();
        }
        TypeSerializer<T> reader = old.restoreSerializer();
        DataInputDeserializer in =
                new DataInputDeserializer(Files.readAllBytes(dir.resolve("v" + version + ".bin")));
        // An older version's file holds the samples there were then: the first ones.
        int read = 0;
        while (in.available() > 0) {
            assertThat(read)
                    .as("more values in v%d of %s than samples", version, c.name())
                    .isLessThan(c.samples().size());
            assertEquivalent(
                    c,
                    reader.deserialize(in),
                    c.asRestored().apply(version, c.samples().get(read++)));
        }
        assertThat(read).as("values in v%d of %s", version, c.name()).isPositive();
    }

    /**
     * Writes the golden files of every serializer's current version that has none. Runs only with
     * {@code -Drtcdp.golden.write=true}, when a version is added; never overwrites a file.
     */
    @Test
    @EnabledIfSystemProperty(named = "rtcdp.golden.write", matches = "true")
    void writeGoldenFilesOfNewVersions() throws IOException {
        for (Case<?> c : SerializerSamples.all()) {
            int version = c.serializer().snapshotConfiguration().getCurrentVersion();
            Path dir = Files.createDirectories(GOLDEN.resolve(c.name()));
            Path samples = dir.resolve("v" + version + ".bin");
            Path snapshot = dir.resolve("snapshot-v" + version + ".bin");
            if (!Files.exists(samples) && !Files.exists(snapshot)) {
                Files.write(samples, bytes(c));
                Files.write(snapshot, snapshotBytes(c.serializer()));
            }
        }
    }

    private static List<Integer> goldenVersions(Case<?> c) throws IOException {
        List<Integer> versions = new ArrayList<>();
        try (Stream<Path> files = Files.list(GOLDEN.resolve(c.name()))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = VERSION_FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    versions.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        versions.sort(null);
        return versions;
    }

    private static <T> void assertEquivalent(Case<T> c, T actual, T expected) throws IOException {
        switch (c.same()) {
            case EQUALS -> assertThat(actual).isEqualTo(expected);
            case FIELDS -> assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
            case BYTES ->
                    assertThat(bytes(c.serializer(), List.of(actual)))
                            .isEqualTo(bytes(c.serializer(), List.of(expected)));
        }
    }

    private static <T> byte[] bytes(Case<T> c) throws IOException {
        return bytes(c.serializer(), c.samples());
    }

    private static <T> byte[] bytes(TypeSerializer<T> s, List<T> values) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (T v : values) {
            s.serialize(v, out);
        }
        return out.getCopyOfBuffer();
    }

    static byte[] snapshotBytes(TypeSerializer<?> s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, s.snapshotConfiguration());
        return out.getCopyOfBuffer();
    }

    static <T> TypeSerializerSnapshot<T> readSnapshot(byte[] bytes) throws IOException {
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(bytes), SerializerContractTest.class.getClassLoader());
    }
}
