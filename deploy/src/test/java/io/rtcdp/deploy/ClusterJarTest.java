package io.rtcdp.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster job jar, {@code jobs/target/rtcdp-job.jar} (what {@code k8s/Dockerfile} ships and
 * {@code scripts/local-cluster} submits), listed: it holds rtcdp's job and what a Flink cluster
 * lacks, and none of what the cluster has (Flink's runtime, RocksDB, logging) or what only local
 * runs need (the Kafka broker, embedded Redis, the demo). And every rtcdp class in it resolves,
 * method bodies included ({@code jdeps --missing-deps}), against the jar plus Flink's own
 * classpath, the one {@code scripts/local-cluster} starts the cluster with.
 */
class ClusterJarTest {
    static final Path REPO = Path.of(System.getProperty("rtcdp.repo", "..")).toAbsolutePath();
    static final Path JAR = REPO.resolve("jobs/target/rtcdp-job.jar");
    static final Path FLINK_LIB = REPO.resolve("deploy/target/flink-lib.classpath");

    /** Prefixes of entries that must not be in the jar, with what they are. */
    static final List<List<String>> FORBIDDEN =
            List.of(
                    List.of("org/apache/flink/runtime/", "Flink's runtime"),
                    List.of(
                            "org/apache/flink/streaming/api/environment/",
                            "Flink's DataStream API"),
                    List.of("org/apache/flink/configuration/", "Flink's core"),
                    List.of("org/apache/flink/state/rocksdb/", "Flink's RocksDB state backend"),
                    List.of("org/rocksdb/", "RocksDB"),
                    List.of("kafka/server/", "the Kafka broker"),
                    List.of("org/apache/kafka/raft/", "the Kafka broker (KRaft)"),
                    List.of("org/apache/kafka/controller/", "the Kafka broker (controller)"),
                    List.of("org/apache/kafka/common/test/", "Kafka's in-JVM test cluster"),
                    List.of("scala/", "Scala (the broker's)"),
                    List.of("redis/embedded/", "embedded Redis"),
                    List.of("org/apache/logging/", "log4j (the cluster's)"),
                    List.of("org/slf4j/", "slf4j (the cluster's)"),
                    List.of("io/rtcdp/jobs/demo/", "the demo"),
                    List.of("io/rtcdp/jobs/bench/", "the bench"),
                    List.of("io/rtcdp/jobs/local/", "the local in-JVM Kafka, Redis and metrics"),
                    List.of("io/rtcdp/jobs/cli/RtcdpCli", "the rtcdp tool's command line"),
                    List.of("io/rtcdp/testing/", "test support"));

    /** Entries the cluster needs from the jar. */
    static final List<String> REQUIRED =
            List.of(
                    "io/rtcdp/jobs/cli/JobCli.class",
                    "io/rtcdp/jobs/cli/RunCommand.class",
                    "io/rtcdp/jobs/cli/ReplayCommand.class",
                    "io/rtcdp/jobs/Streaming.class",
                    "io/rtcdp/operators/sink/RedisProfileSink.class",
                    "io/rtcdp/udf/event/Event.class",
                    "org/apache/flink/connector/kafka/source/KafkaSource.class",
                    "org/apache/kafka/clients/consumer/KafkaConsumer.class",
                    "redis/clients/jedis/RedisClient.class",
                    "dev/cel/runtime/CelRuntime.class",
                    "org/apache/datasketches/kll/KllDoublesSketch.class",
                    "org/apache/flink/ml/servable/api/DataFrame.class",
                    "picocli/CommandLine.class");

    static Set<String> entries;

    @BeforeAll
    static void list() throws IOException {
        assertThat(JAR).as("the cluster jar (mvn package builds it)").isRegularFile();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            entries = jar.stream().map(e -> e.getName()).collect(Collectors.toSet());
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.rtcdp.jobs.cli.JobCli");
        }
    }

    @Test
    void holdsNothingTheClusterHasOrOnlyLocalRunsNeed() {
        for (List<String> forbidden : FORBIDDEN) {
            assertThat(entries.stream().filter(e -> e.startsWith(forbidden.get(0))).limit(5))
                    .as("%s (%s) in %s", forbidden.get(1), forbidden.get(0), JAR)
                    .isEmpty();
        }
    }

    @Test
    void holdsTheJobAndWhatTheClusterLacks() {
        assertThat(entries).containsAll(REQUIRED);
    }

    @Test
    void isTensOfMegabytes() throws IOException {
        assertThat(Files.size(JAR)).as("bytes of %s", JAR).isBetween(5L << 20, 64L << 20);
    }

    @Test
    void everyRtcdpClassResolvesAgainstTheJarAndFlinksClasspath() throws IOException {
        assertThat(FLINK_LIB).as("Flink's classpath (written by the deploy build)").isRegularFile();
        String flink = Files.readString(FLINK_LIB).trim();
        String missing = jdeps("--class-path", flink);
        assertThat(missing).as("jdeps --missing-deps").isBlank();
        // the check can fail: without Flink's classpath, rtcdp's Flink imports are missing
        assertThat(jdeps()).contains("org.apache.flink.configuration.Configuration");
    }

    /** {@code jdeps --missing-deps} over the jar's io.rtcdp classes; its output lines. */
    private static String jdeps(String... classPath) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--multi-release",
                                "17",
                                "--missing-deps",
                                "-include",
                                "io\\.rtcdp\\..*"));
        args.addAll(List.of(classPath));
        args.add(JAR.toString());
        int code =
                jdeps.run(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        args.toArray(String[]::new));
        assertThat(code).as("jdeps exit code; stderr: %s", err).isZero();
        return out.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.startsWith("Warning: split package"))
                .collect(Collectors.joining("\n"));
    }
}
