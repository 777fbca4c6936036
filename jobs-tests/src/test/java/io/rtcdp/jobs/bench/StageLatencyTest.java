package io.rtcdp.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.jobs.InJvmMetrics.MarkerLatencies;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageLatencyTest {
    private static MarkerLatencies m(String source, String op, int subtask, long... millis) {
        return new MarkerLatencies(source, op, subtask, millis);
    }

    @Test
    void theDifferenceOfTwoWindowsIsWhatCameBetween() {
        assertThat(StageLatency.difference(new long[] {1, 2, 2, 5, 7, 9}, new long[] {2, 7}))
                .containsExactly(1, 2, 5, 9);
        assertThat(StageLatency.difference(new long[] {3, 4}, null)).containsExactly(3, 4);
        assertThat(StageLatency.difference(new long[] {3, 3}, new long[] {3, 3})).isEmpty();
    }

    @Test
    void eachStageShowsItsSlowestSubtaskInTheEventsOrder() {
        StageLatency.Snapshot before =
                StageLatency.snapshot(
                        List.of(
                                m(StageLatency.SOURCE, "identity", 0, 900, 900),
                                m(StageLatency.SOURCE, "identity", 1, 1)));
        StageLatency.Snapshot after =
                StageLatency.snapshot(
                        List.of(
                                m(StageLatency.SOURCE, "redis: Writer", 0, 30, 40, 50),
                                m(StageLatency.SOURCE, "identity", 0, 900, 10, 900, 20),
                                m(StageLatency.SOURCE, "identity", 1, 1, 5, 6, 7),
                                m(StageLatency.SOURCE, "route dead letters", 0, 1, 2),
                                m("Source: rules", "decide", 0, 99),
                                m(StageLatency.SOURCE, "profile", 1, 8)));
        List<StageLatency.Stage> stages = StageLatency.between(before, after);
        // the markers before the hold (900 ms) are not the hold's; operators off the events' way
        // and other sources are left out
        assertThat(stages)
                .extracting(StageLatency.Stage::name)
                .containsExactly("identity", "profile", "redis: Writer");
        StageLatency.Stage identity = stages.get(0);
        assertThat(identity.subtask()).isZero();
        assertThat(identity.millis().count()).isEqualTo(2);
        assertThat(identity.millis().p50()).isEqualTo(10);
        assertThat(identity.millis().max()).isEqualTo(20);
        assertThat(StageLatency.text(stages))
                .isEqualTo(
                        "identity 10 / 20 (#0, 2), profile 8 / 8 (#1, 1),"
                                + " redis: Writer 40 / 50 (#0, 3)");
    }

    @Test
    void aFilledWindowMakesTheHoldNotMeasurable() {
        long[] full = new long[StageLatency.HISTORY];
        StageLatency.Snapshot after =
                StageLatency.snapshot(List.of(m(StageLatency.SOURCE, "decide", 0, full)));
        assertThat(StageLatency.between(StageLatency.snapshot(List.of()), after)).isNull();
    }
}
