package io.rtcdp.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rtcdp demo} as a user runs it: in a JVM of its own, with the launcher's log4j
 * configuration (not the tests'), from the repository root (the example rules and models), so that
 * what reaches the console is exactly what a user sees. Its console holds the demo's own output and
 * no line a library logged; those are in the log file it names.
 */
class DemoITCase {
    /** A level as log4j's, Kafka's and the JDK's log layouts write it. */
    private static final Pattern LOG_LEVEL =
            Pattern.compile("\\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE)\\b");

    private static final Pattern LOG_FILE = Pattern.compile("(?m)^ {2}log {5}(\\S+\\.log) ");

    @TempDir Path tmp;

    @Test
    void consoleHoldsTheDemoAndTheLibrariesLogToTheNamedFile() throws Exception {
        Path out = tmp.resolve("stdout.txt");
        Path err = tmp.resolve("stderr.txt");
        Process demo =
                new ProcessBuilder(
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
                                "demo",
                                "--persons",
                                "300",
                                "--rate",
                                "500",
                                "--duration",
                                "6s",
                                "--parallelism",
                                "1")
                        .directory(Path.of("").toAbsolutePath().getParent().toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        boolean ended = demo.waitFor(3, TimeUnit.MINUTES);
        if (!ended) {
            demo.destroyForcibly().waitFor();
        }
        String console = Files.readString(out, StandardCharsets.UTF_8);
        String errors = Files.readString(err, StandardCharsets.UTF_8);

        assertThat(ended).as("the demo ends after its duration; it printed:%n%s", console).isTrue();
        assertThat(demo.exitValue()).as("exit code; stderr:%n%s", errors).isZero();
        assertThat(errors).as("stderr").isBlank();
        List<String> logged = console.lines().filter(l -> LOG_LEVEL.matcher(l).find()).toList();
        assertThat(logged).as("library log lines on the console:%n%s", console).isEmpty();
        assertThat(console)
                .contains("produced", "processed", "lag", "demo stopped")
                .containsPattern("(?m)^(kept up|fell behind): ");

        Matcher named = LOG_FILE.matcher(console);
        assertThat(named.find()).as("the log file named on the console:%n%s", console).isTrue();
        Path logFile = Path.of(named.group(1));
        assertThat(logFile).isRegularFile();
        assertThat(Files.readString(logFile, StandardCharsets.UTF_8))
                .as("what Flink logged")
                .contains("org.apache.flink");
    }
}
