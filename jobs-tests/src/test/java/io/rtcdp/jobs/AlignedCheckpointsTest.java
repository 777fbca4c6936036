package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The identity stage keeps neither the events' numbers nor the events that wait for their turn
 * (docs/oneid.md, Dataflow): with unaligned checkpoints records in flight would come back with old
 * numbers, so the job refuses to be built on an environment that takes them.
 */
class AlignedCheckpointsTest {
    private static StreamExecutionEnvironment env(String unaligned) {
        Configuration c = new Configuration();
        if (unaligned != null) {
            c.setString("execution.checkpointing.unaligned.enabled", unaligned);
        }
        return new StreamExecutionEnvironment(c);
    }

    @Test
    void theJobRefusesUnalignedCheckpointsWithOneClearLine() {
        assertThatThrownBy(() -> Streaming.build(RtcdpConfig.builder().build(), env("true")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unaligned checkpoints (execution.checkpointing.unaligned.enabled) are not"
                                + " supported: rtcdp's identity stage needs aligned ones"
                                + " (docs/oneid.md, Dataflow)");
    }

    @Test
    void alignedCheckpointsAreTheDefaultAndMayBeNamed() {
        assertThatNoException()
                .isThrownBy(() -> Streaming.build(RtcdpConfig.builder().build(), env(null)));
        assertThatNoException()
                .isThrownBy(() -> Streaming.build(RtcdpConfig.builder().build(), env("false")));
    }
}
