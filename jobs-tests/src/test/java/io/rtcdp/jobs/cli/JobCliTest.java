package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The cluster job jar's command line: {@code run} and {@code replay} only, with the tool's error
 * lines and exit codes.
 */
class JobCliTest {
    @Test
    void offersOnlyTheJobsAClusterRuns() {
        assertThat(new CommandLine(new JobCli()).getSubcommands().keySet())
                .containsExactlyInAnyOrder("run", "replay", "help");
    }

    @Test
    void badArgumentsExitWithTwoAndOneLine() {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(CommandLines.execute(new JobCli(), "demo")).isEqualTo(2);
            assertThat(CommandLines.execute(new JobCli())).isEqualTo(2);
            assertThat(CommandLines.execute(new JobCli(), "replay")).isEqualTo(2);
        } finally {
            System.setErr(err);
        }
        assertThat(buf.toString(StandardCharsets.UTF_8).lines())
                .hasSize(3)
                .allMatch(
                        l ->
                                l.startsWith("rtcdp: ")
                                        && l.matches(".*\\(see: rtcdp-job( replay)? --help\\)"));
    }
}
