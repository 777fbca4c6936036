package io.rtcdp.jobs.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rtcdp run} as a platform team meets it, through the command line: a wrong broker address,
 * a missing topic, a missing config file are one line and exit 2; {@code --create-topics} creates
 * the topics and the job starts, says what it reads and writes and where it checkpoints, runs with
 * completed checkpoints and none failed, and listens on 127.0.0.1 only. Real in-JVM Kafka, real
 * redis-server; the healthy run is a child JVM, killed at the end.
 */
class OperabilityITCase {
    private static final String SECRET = "-Ddefault-secret=operability-secret-0123456789abcdef";

    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension().topic("rtcdp.events", 2);

    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir Path tmp;

    @Test
    void aWrongBrokerAddressIsOneLineAndExitTwoWithinAMinute() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        // the default wait is 30 s (kafka.check-timeout); a shorter one here keeps the build short
        assertThat(RtcdpOptions.KAFKA_CHECK_TIMEOUT.defaultValue())
                .isEqualTo(Duration.ofSeconds(30));
        long start = System.nanoTime();
        CliRun r =
                CliRun.of(
                        "run",
                        SECRET,
                        "-Dkafka.bootstrap-servers=127.0.0.1:" + closed,
                        "-Dkafka.check-timeout=4s");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().trim())
                .startsWith(
                        "rtcdp: no Kafka broker answered at 127.0.0.1:" + closed + " within 4 s")
                .doesNotContain("\n");
        assertThat(seconds).isLessThan(30);

        CliRun unresolvable =
                CliRun.of(
                        "run",
                        SECRET,
                        "-Dkafka.bootstrap-servers=nohost.invalid:9092",
                        "-Dkafka.check-timeout=4s");
        assertThat(unresolvable.code()).as(unresolvable.err()).isEqualTo(2);
        assertThat(unresolvable.err().trim())
                .startsWith("rtcdp: ")
                .contains("nohost.invalid:9092")
                .doesNotContain("\n");
    }

    @Test
    void missingTopicsAreExitTwoWithTheLinesThatCreateThem() {
        CliRun r =
                CliRun.of(
                        "run",
                        SECRET,
                        "-Dkafka.bootstrap-servers=" + KAFKA.bootstrapServers(),
                        "-Dkafka.topic.rules=m.rules");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        List<String> lines = r.err().trim().lines().toList();
        assertThat(lines.get(0))
                .startsWith("rtcdp: missing Kafka topics at " + KAFKA.bootstrapServers() + ": ")
                .contains("m.rules (kafka.topic.rules)", "rtcdp.dlq (kafka.topic.dlq)")
                .contains("--create-topics")
                .doesNotContain("rtcdp.events");
        // one create line per missing topic: all but the events topic
        assertThat(lines).hasSize(1 + 7);
        assertThat(lines.subList(1, lines.size()))
                .allSatisfy(l -> assertThat(l).startsWith("  kafka-topics.sh --bootstrap-server "))
                .anySatisfy(
                        l ->
                                assertThat(l)
                                        .endsWith(
                                                "--create --topic m.rules --partitions 1 --config"
                                                        + " cleanup.policy=compact"));
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aMissingConfigFileOrABadFlinkValueIsOneLineAndExitTwo() {
        CliRun missing = CliRun.of("run", "--config", tmp.resolve("none.properties").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().trim())
                .startsWith("rtcdp: ")
                .contains("none.properties: cannot read")
                .doesNotContain("\n");
        CliRun bad =
                CliRun.of("run", SECRET, "-Dflink.execution.buffer-timeout.interval=10 parsecs");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().trim())
                .startsWith(
                        "rtcdp: -D: setting 'flink.execution.buffer-timeout.interval' is '10"
                                + " parsecs': Flink cannot read it")
                .doesNotContain("\n");
    }

    @Test
    void createTopicsThenAHealthyStartCheckpointsWithoutFailureOnLoopbackOnly() throws Exception {
        int metricsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            metricsPort = s.getLocalPort();
        }
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path out = tmp.resolve("stdout.txt");
        Path err = tmp.resolve("stderr.txt");
        List<String> cmd = new ArrayList<>();
        cmd.addAll(
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx1g",
                        "--add-opens=java.base/java.util=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang=ALL-UNNAMED",
                        "--add-opens=java.base/java.nio=ALL-UNNAMED",
                        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                        "-Dlog4j2.configurationFile=log4j2.properties",
                        "-Djava.io.tmpdir=" + tmp,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.rtcdp.jobs.cli.RtcdpCli",
                        "run",
                        "--create-topics",
                        "--metrics-port",
                        Integer.toString(metricsPort),
                        SECRET,
                        "-Dkafka.bootstrap-servers=" + KAFKA.bootstrapServers(),
                        "-Dredis.url=" + REDIS.url(),
                        "-Dparallelism=1",
                        "-Dcheckpoint.interval=15s"));
        for (String t :
                new String[] {
                    "events", "dlq", "conflicts", "audit", "rules", "triggers", "models", "commands"
                }) {
            cmd.add("-Dkafka.topic." + t + "=c." + t);
        }
        Process run =
                new ProcessBuilder(cmd)
                        .directory(work.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        try {
            runTheJob(run, out, err, work, metricsPort);
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage()
                            + "\nstdout of rtcdp run:\n"
                            + Files.readString(out)
                            + "\nstderr of rtcdp run:\n"
                            + Files.readString(err),
                    e);
        } finally {
            run.destroy();
            if (!run.waitFor(30, TimeUnit.SECONDS)) {
                run.destroyForcibly().waitFor();
            }
        }
    }

    private void runTheJob(Process run, Path out, Path err, Path work, int metricsPort)
            throws Exception {
        {
            Await.until(
                    "the running line",
                    Duration.ofMinutes(3),
                    () -> {
                        assertThat(run.isAlive())
                                .as("rtcdp run ended; stderr:%n%s", Files.readString(err))
                                .isTrue();
                        return Files.readString(out).contains("rtcdp: running");
                    });
            String console = Files.readString(out, UTF_8);
            assertThat(console)
                    .contains("rtcdp: created Kafka topics ")
                    .contains("reads Kafka " + KAFKA.bootstrapServers())
                    .contains("events c.events", "rules c.rules", "commands c.commands")
                    .contains("group rtcdp)", "parallelism 1")
                    .contains("dlq c.dlq", "triggers c.triggers", "audit c.audit")
                    .contains("writes Redis redis://127.0.0.1:")
                    .containsPattern(
                            "checkpoints every 15000 ms to file:/+\\S*/work/rtcdp-state/checkpoints")
                    .contains("rtcdp: running (job ")
                    .contains("consuming c.events from the committed offsets of group rtcdp");
            Path state = work.resolve("rtcdp-state");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
                    .isEqualTo("rwx------");
            assertThat(cleanupPolicies())
                    .containsEntry("c.events", "delete")
                    .containsEntry("c.rules", "compact")
                    .containsEntry("c.models", "compact")
                    .containsEntry("c.triggers", "compact,delete")
                    .containsEntry("c.conflicts", "compact,delete")
                    .containsEntry("c.dlq", "delete");

            HttpClient http = HttpClient.newHttpClient();
            long[] counts = new long[2];
            Await.until(
                    "2 completed checkpoints",
                    Duration.ofMinutes(2),
                    () -> {
                        String metrics =
                                http.send(
                                                HttpRequest.newBuilder(
                                                                URI.create(
                                                                        "http://127.0.0.1:"
                                                                                + metricsPort
                                                                                + "/metrics"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.ofString())
                                        .body();
                        counts[0] =
                                metric(
                                        metrics,
                                        "flink_jobmanager_job_numberOfCompletedCheckpoints");
                        counts[1] =
                                metric(metrics, "flink_jobmanager_job_numberOfFailedCheckpoints");
                        return counts[0] >= 2;
                    });
            assertThat(counts[1])
                    .as("failed checkpoints; stderr:%n%s", Files.readString(err))
                    .isZero();
            assertThat(Files.readString(out)).contains("rtcdp: first checkpoint completed");

            List<String> listening = listeningAddresses(run.pid());
            assertThat(listening).as("sockets rtcdp run listens on").isNotEmpty();
            assertThat(listening)
                    .as("sockets rtcdp run listens on")
                    .allSatisfy(a -> assertThat(a).startsWith("127.0.0.1:"))
                    .contains("127.0.0.1:" + metricsPort);
            assertThat(Files.readString(err)).as("stderr").doesNotContain("checkpoint(s) failed");
            // little noise: of INFO lines only rtcdp's own (Flink's and Kafka's show WARN and up)
            assertThat(
                            Files.readString(err)
                                    .lines()
                                    .filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d INFO .*")))
                    .as("INFO lines on the console")
                    .allSatisfy(
                            l ->
                                    assertThat(l)
                                            .matches(
                                                    ".* INFO  (RunCommand|LoopbackPrometheusReporter) - .*"));
            try (var dirs = Files.list(state.resolve("checkpoints"))) {
                assertThat(dirs.toList()).as("a directory of the job's checkpoints").hasSize(1);
            }
        }
    }

    /**
     * A checkpoint that fails (it times out after 10 ms, {@code flink.*} passed through) shows on
     * the console with its cause, and so does the restart it causes (no failed checkpoint is
     * tolerated): what a platform team needs to see of a live job in trouble.
     */
    @Test
    void failedCheckpointsAndRestartsAreLoggedWithTheirCause() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("failing"));
        Path out = tmp.resolve("failing-stdout.txt");
        Path err = tmp.resolve("failing-stderr.txt");
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx1g",
                                "--add-opens=java.base/java.util=ALL-UNNAMED",
                                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                                "-Dlog4j2.configurationFile=log4j2.properties",
                                "-Djava.io.tmpdir=" + tmp,
                                "-cp",
                                System.getProperty("java.class.path"),
                                "io.rtcdp.jobs.cli.RtcdpCli",
                                "run",
                                "--create-topics",
                                SECRET,
                                "-Dkafka.bootstrap-servers=" + KAFKA.bootstrapServers(),
                                "-Dkafka.group-id=failing",
                                "-Dredis.url=" + REDIS.url(),
                                "-Dparallelism=1",
                                "-Dcheckpoint.interval=3s",
                                "-Dflink.execution.checkpointing.timeout=10 ms"));
        for (String t :
                new String[] {
                    "events", "dlq", "conflicts", "audit", "rules", "triggers", "models", "commands"
                }) {
            cmd.add("-Dkafka.topic." + t + "=f." + t);
        }
        Process run =
                new ProcessBuilder(cmd)
                        .directory(work.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        try {
            Await.until(
                    "a failed checkpoint and a restart on the console",
                    Duration.ofMinutes(4),
                    () -> {
                        String e = Files.readString(err);
                        return e.contains("rtcdp: the job restarted")
                                && e.contains("checkpoint(s) failed");
                    });
            String e = Files.readString(err);
            assertThat(e)
                    .contains("WARN  CheckpointFailureManager - Failed to trigger or complete")
                    .containsPattern("(?i)expired")
                    .contains("switched from state RUNNING to RESTARTING")
                    .containsPattern("(?m)^\\S+ WARN  RunCommand - rtcdp: the job restarted");
        } catch (AssertionError a) {
            throw new AssertionError(
                    a.getMessage()
                            + "\nstdout of rtcdp run:\n"
                            + Files.readString(out)
                            + "\nstderr of rtcdp run:\n"
                            + Files.readString(err),
                    a);
        } finally {
            run.destroy();
            if (!run.waitFor(30, TimeUnit.SECONDS)) {
                run.destroyForcibly().waitFor();
            }
        }
    }

    private static long metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*} ([0-9.eE+-]+)$").matcher(text);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    private static Map<String, String> cleanupPolicies() throws Exception {
        try (Admin admin = Admin.create(KAFKA.clientProperties())) {
            List<ConfigResource> rs = new ArrayList<>();
            for (String t :
                    new String[] {
                        "c.events", "c.rules", "c.models", "c.triggers", "c.conflicts", "c.dlq"
                    }) {
                rs.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
            }
            Map<ConfigResource, Config> configs = admin.describeConfigs(rs).all().get();
            Map<String, String> out = new java.util.TreeMap<>();
            configs.forEach((r, c) -> out.put(r.name(), c.get("cleanup.policy").value()));
            return out;
        }
    }

    /**
     * The addresses ({@code ip:port}) the process listens on with TCP: its socket inodes (from
     * {@code /proc/PID/fd}) matched against the listening sockets of {@code /proc/net/tcp} and
     * {@code tcp6}; an IPv4-mapped IPv6 address as IPv4, every other IPv6 one as {@code [hex]}.
     */
    static List<String> listeningAddresses(long pid) throws Exception {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                } catch (java.io.IOException e) {
                    // closed meanwhile
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String table : new String[] {"tcp", "tcp6"}) {
            Path p = Path.of("/proc", Long.toString(pid), "net", table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p).subList(1, Files.readAllLines(p).size())) {
                String[] f = line.trim().split("\\s+");
                if (!f[3].equals("0A") || !inodes.contains(f[9])) {
                    continue;
                }
                String[] local = f[1].split(":");
                out.add(address(local[0]) + ":" + Integer.parseInt(local[1], 16));
            }
        }
        return out;
    }

    private static String address(String hex) {
        if (hex.length() == 32 && hex.startsWith("0000000000000000FFFF0000")) {
            hex = hex.substring(24);
        }
        if (hex.length() == 8) {
            // little-endian IPv4
            return Integer.parseInt(hex.substring(6, 8), 16)
                    + "."
                    + Integer.parseInt(hex.substring(4, 6), 16)
                    + "."
                    + Integer.parseInt(hex.substring(2, 4), 16)
                    + "."
                    + Integer.parseInt(hex.substring(0, 2), 16);
        }
        return "[" + hex + "]";
    }
}
