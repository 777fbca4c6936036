package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rtcdp bench --live} end to end, tiny: one low rate for a few seconds through the streaming
 * job on an in-JVM Kafka and a local Redis. It asserts what was measured and that the figures are
 * consistent, never how fast anything was (the machine is shared).
 */
class LiveBenchITCase {
    @TempDir Path tmp;

    @Test
    void oneLowRateGivesProbeLatenciesLagAndAppReads() throws Exception {
        Path json = tmp.resolve("live.json");
        CliRun r =
                CliRun.of(
                        "bench",
                        "--live",
                        "--rates",
                        "200",
                        "--seconds",
                        "8",
                        "--warmup-seconds",
                        "4",
                        "--warmup-max-seconds",
                        "4",
                        "--parallelism",
                        "1",
                        "--profiles",
                        "2000",
                        "--probes-per-second",
                        "25",
                        "--app-reads",
                        "100",
                        "-Dflink.execution.buffer-timeout.interval=10ms",
                        "-Dredis.flush-interval=5ms",
                        // a checkpoint or two while the rate is held (one interval's pause)
                        "-Dcheckpoint.interval=2s",
                        "--json",
                        json.toString());
        assertThat(r.code()).as("exit code; stdout:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.out())
                .contains("buffer timeout 10ms", "redis.flush-interval 5 ms")
                .contains("p50 ms", "p99 ms", "CPU µs/ev", "kept up", "app reads on the idle Redis")
                .containsPattern("(?m)^rate +200 ")
                .containsPattern("(?m)^warm-up took [0-9]+ s; the JIT compiled for [0-9]+ ms")
                .containsPattern("(?m)^  checkpoints: [1-9][0-9]* completed, 0 failed")
                .containsPattern(
                        "(?m)^  latency markers since the source, p50 / p99 ms \\(slowest subtask,"
                                + " markers\\): .*identity [0-9]+ / [0-9]+ \\(#0, [1-9][0-9]*\\)");

        JsonNode res = new ObjectMapper().readTree(json.toFile());
        assertThat(res.get("steps")).hasSize(1);
        JsonNode step = res.get("steps").get(0);
        assertThat(step.get("phase").asText()).isEqualTo("rate");
        assertThat(step.get("rate").asInt()).isEqualTo(200);
        JsonNode lat = step.get("latency");
        // 25 probes/s for 8 s; a few may straddle the start
        assertThat(lat.get("count").asInt()).isGreaterThanOrEqualTo(150);
        assertThat(lat.get("p50").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(lat.get("p50").asLong()).isLessThanOrEqualTo(lat.get("p95").asLong());
        assertThat(lat.get("p95").asLong()).isLessThanOrEqualTo(lat.get("p99").asLong());
        assertThat(lat.get("p99").asLong()).isLessThanOrEqualTo(lat.get("max").asLong());
        assertThat(step.get("producedPerSecond").asDouble()).isPositive();
        assertThat(step.get("processedPerSecond").asDouble()).isPositive();
        assertThat(step.get("cpuMicrosPerEvent").asDouble()).isPositive();
        assertThat(step.get("lagMax").asLong()).isGreaterThanOrEqualTo(step.get("lagEnd").asLong());
        assertThat(step.get("keptUp").isBoolean()).isTrue();
        assertThat(step.get("reads").get("count").asInt()).isPositive();
        assertThat(res.get("idleReads").get("count").asInt()).isPositive();
        assertThat(step.get("jitMillis").asLong()).isNotNegative();
        // Flink's checkpoint statistics: every keyed stage took part, the profile stage with
        // RocksDB state (its synchronous part flushes the memtables, so it is not free)
        JsonNode cps = step.get("checkpoints");
        assertThat(cps.get("completed").asInt()).isPositive();
        assertThat(cps.get("failed").asInt()).isZero();
        assertThat(cps.get("stages").findValuesAsText("name"))
                .contains("dedupe", "identity", "fragments", "profile", "decide");
        for (JsonNode st : cps.get("stages")) {
            assertThat(st.get("syncMs").asLong()).as(st.toString()).isNotNegative();
            assertThat(st.get("asyncMs").asLong()).as(st.toString()).isNotNegative();
        }
        // where the time went, per stage: Flink's latency markers in the events' order
        JsonNode stages = step.get("stages");
        assertThat(stages.findValuesAsText("name")).contains("identity", "profile", "decide");
        for (JsonNode st : stages) {
            JsonNode m = st.get("millis");
            assertThat(m.get("count").asInt()).as(st.toString()).isPositive();
            assertThat(m.get("p50").asLong()).as(st.toString()).isNotNegative();
            assertThat(m.get("p50").asLong()).isLessThanOrEqualTo(m.get("p99").asLong());
            assertThat(m.get("p99").asLong()).isLessThanOrEqualTo(m.get("max").asLong());
            // a marker's way to a stage is part of a probe's way to Redis
            assertThat(m.get("p50").asLong()).isLessThanOrEqualTo(lat.get("max").asLong());
        }
        assertThat(res.get("maxRate").isNull()).isTrue();
        assertThat(res.get("pollsPerSecond").asDouble()).isPositive();
        assertThat(res.get("flink").get("execution.buffer-timeout.interval").asText())
                .isEqualTo("10ms");
    }

    @Test
    void badArgumentsAreOneLineAndExitTwo() {
        for (String[] args :
                new String[][] {
                    {"bench", "--live", "--rates", "0"},
                    {"bench", "--live", "--seconds", "0"},
                    {"bench", "--live", "-Dno.such.setting=1"},
                    {"bench", "--live", "--probes-per-second", "0"},
                    {"bench", "--rates", "1000"},
                    {"bench", "-Dflink.execution.buffer-timeout.interval=0ms"},
                }) {
            CliRun r = CliRun.of(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(String.join(" ", args)).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
    }
}
