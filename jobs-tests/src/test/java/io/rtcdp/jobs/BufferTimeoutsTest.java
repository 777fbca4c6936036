package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The streaming job's buffer timeout (10 ms by default, for freshness) applies to the tasks on an
 * event's own path to Redis; the periodic statistics, learning, contact history and control sources
 * flush at most every 100 ms (RtcdpJob.offEventPathBufferTimeout).
 */
class BufferTimeoutsTest {
    static final String[] EVENT_PATH = {
        "Source: events",
        "Source: commands (topic)",
        "route dead letters",
        "identity split",
        "commands split",
        "dedupe",
        "identity",
        "fragments",
        "profile",
        "rfm",
        "next purchase",
        "decide"
    };

    static final String[] OFF_EVENT_PATH = {
        "rfm summary",
        "rfm boundaries",
        "bgnbd fit",
        "item statistics",
        "item tables",
        "merged learning",
        "online trainer",
        "contact",
        "Source: rules (start-up)",
        "rules (start-up)",
        "Source: rules (topic)",
        "Source: models (topic)"
    };

    @Test
    void theEventPathKeepsTheJobsTimeoutAndTheRestFlushesAtMostEvery100Ms() {
        Map<String, Long> t = timeouts("10 ms");
        for (String name : EVENT_PATH) {
            assertThat(t).as(name).containsEntry(name, 10L);
        }
        for (String name : OFF_EVENT_PATH) {
            assertThat(t).as(name).containsEntry(name, 100L);
        }
    }

    @Test
    void aLongerTimeoutOfTheJobAppliesEverywhere() {
        assertThat(timeouts("250 ms").values()).containsOnly(250L);
        // a job that flushes only full buffers keeps that
        assertThat(RtcdpJob.offEventPathBufferTimeout(-1)).isEqualTo(-1);
        assertThat(RtcdpJob.offEventPathBufferTimeout(0)).isEqualTo(100);
    }

    /** The buffer timeout of each operator of the streaming job (learning on, demo rules). */
    private static Map<String, Long> timeouts(String jobTimeout) {
        Configuration flink = new Configuration();
        flink.setString("execution.buffer-timeout.interval", jobTimeout);
        Map<String, Long> out = new TreeMap<>();
        for (StreamNode n : streamGraph(flink).getStreamNodes()) {
            if (!n.getOperatorName().endsWith("Writer")
                    && !n.getOperatorName().endsWith("Committer")) {
                out.merge(n.getOperatorName(), n.getBufferTimeout(), Math::min);
            }
        }
        assertThat(out).containsKeys(EVENT_PATH).containsKeys(OFF_EVENT_PATH);
        return out;
    }

    /** The streaming job's graph with learning on and the demo rules, in these Flink settings. */
    static StreamGraph streamGraph(Configuration flink) {
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(flink);
        Streaming.build(
                RtcdpConfig.builder()
                        .set(RtcdpOptions.LEARNING_ENABLED, true)
                        .set(RtcdpOptions.RULES_FILES, "../examples/rules/demo.yaml")
                        .build(),
                env);
        return env.getStreamGraph();
    }
}
