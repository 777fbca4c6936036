package io.rtcdp.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchTest {
    @Test
    void busiestSubtaskShareOfEachStageInTheJobsOrder() {
        String line =
                Bench.busiestShares(
                        Map.of(
                                "fragments", new long[] {24, 26, 25, 25},
                                "identity", new long[] {0, 0, 100, 0},
                                "dedupe", new long[] {250, 250, 253, 247},
                                "decide -> redis: Writer", new long[] {10, 30},
                                "redis triggers: Writer -> redis triggers: Committer",
                                        new long[] {0, 0},
                                "dead letters: Writer", new long[] {7},
                                "Source: events -> route dead letters", new long[] {9, 0},
                                "rfm summary", new long[] {20, 30},
                                "rfm boundaries", new long[] {0, 3},
                                "rfm", new long[] {26, 24}));
        assertThat(line)
                .isEqualTo(
                        "dedupe 25.3 %, identity 100.0 % (serial), fragments 26.0 %,"
                                + " rfm summary 60.0 %, rfm boundaries 100.0 % (keyed by tenant: one"
                                + " summary per changed bucket per refresh), rfm 52.0 %, decide 75.0 %");
    }

    @Test
    void aTaskIsNamedByItsFirstOperator() {
        assertThat(Bench.stageName("decide -> redis: Writer")).isEqualTo("decide");
        assertThat(Bench.stageName("redis id keys: Writer")).isEqualTo("redis id keys");
        assertThat(
                        Bench.stageName(
                                "Sink: redis triggers: Writer -> Sink: redis triggers: Committer"))
                .isEqualTo("redis triggers");
        assertThat(Bench.busiestShares(Map.of("identity", new long[] {5})))
                .isEqualTo("none (parallelism 1)");
    }
}
