package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code rtcdp bench --catch-up} end to end, tiny: one round of a replay and a catch-up of a few
 * thousand events. It asserts what was measured (the catch-up left every event in Redis, or the
 * bench fails), never how fast anything was (the machine is shared).
 */
class CatchUpBenchITCase {
    static final Pattern ROUND =
            Pattern.compile(
                    "round 1: replay ([0-9.]+) s .*; catch-up ([0-9.]+) s \\(.*\\); catch-up /"
                            + " replay ([0-9.]+)");

    @Test
    void oneRoundTimesTheReplayAndTheCatchUpOfTheSameEvents() {
        CliRun r =
                CliRun.of(
                        "bench",
                        "--catch-up",
                        "--rounds",
                        "1",
                        "--events",
                        "3000",
                        "--profiles",
                        "300",
                        "--parallelism",
                        "2",
                        "--warmup-events",
                        "0",
                        "-Dflink.execution.buffer-timeout.interval=100ms");
        assertThat(r.code()).as("exit code; stdout:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.out())
                .contains("streaming job settings flink.execution.buffer-timeout.interval=100ms")
                .contains("produced 3000 events into rtcdp.events")
                .containsPattern(
                        "catch-up: 3000 events into [0-9]+ profiles in [0-9.]+ s \\(start-up"
                                + " [0-9.]+ s, reading [0-9.]+ s, held work after the last event"
                                + " [0-9.]+ s, settling [0-9.]+ s\\); checkpoints: [0-9]+ completed, 0"
                                + " failed")
                .contains("median of 1 round(s)");
        Matcher m = ROUND.matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        double replay = Double.parseDouble(m.group(1));
        double catchUp = Double.parseDouble(m.group(2));
        assertThat(replay).isPositive();
        assertThat(catchUp).isPositive();
        // the times are printed to a tenth of a second, the ratio of the unrounded ones
        assertThat(Double.parseDouble(m.group(3)))
                .isCloseTo(catchUp / replay, org.assertj.core.data.Offset.offset(0.1));
    }

    @Test
    void badArgumentsAreOneLineAndExitTwo() {
        for (String[] args :
                new String[][] {
                    {"bench", "--catch-up", "--rounds", "0"},
                    {"bench", "--catch-up", "--live"},
                    {"bench", "--catch-up", "--redis", "redis://127.0.0.1:1"},
                    {"bench", "--rounds", "3"},
                    {"bench", "-Dflink.execution.buffer-timeout.interval=100ms"},
                    {"bench", "--catch-up", "-Dno.such.setting=1"},
                }) {
            CliRun r = CliRun.of(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(String.join(" ", args)).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
    }
}
