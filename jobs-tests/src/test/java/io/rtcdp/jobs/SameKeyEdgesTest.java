package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.runtime.partitioner.BroadcastPartitioner;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;
import org.apache.flink.streaming.runtime.partitioner.KeyGroupStreamPartitioner;
import org.junit.jupiter.api.Test;

/**
 * The stages keyed by the profile (tenant and oneid) after the profile stage take its records where
 * they are (RtcdpJob.sameKey): forward edges, no shuffle; the other keyed inputs are shuffled by
 * their key. Whether every record then meets its key's state is what the job's tests at parallelism
 * 4 show (a key outside a subtask's key groups fails the task).
 */
class SameKeyEdgesTest {

    @Test
    void theProfilesStagesTakeTheProfileStagesRecordsWithoutAShuffle() {
        StreamGraph g = graph();
        for (String stage : List.of("rfm", "next purchase", "decide")) {
            assertThat(inputs(g, stage))
                    .as(stage)
                    .isNotEmpty()
                    .allSatisfy(
                            e ->
                                    assertThat(e.getPartitioner())
                                            .as(describe(g, e))
                                            .isInstanceOfAny(
                                                    ForwardPartitioner.class,
                                                    BroadcastPartitioner.class));
        }
        // what reaches them from the profile stage: its changes, RFM inputs and items
        assertThat(forwardSources(g, "decide")).contains("profile", "rfm", "next purchase");
        assertThat(forwardSources(g, "rfm")).containsExactly("profile");
        assertThat(forwardSources(g, "next purchase")).containsExactly("profile");
    }

    @Test
    void stagesOfAnotherKeyAreStillShuffled() {
        StreamGraph g = graph();
        for (String stage : List.of("dedupe", "identity", "fragments", "profile", "rfm summary")) {
            assertThat(inputs(g, stage))
                    .as(stage)
                    .anySatisfy(
                            e ->
                                    assertThat(e.getPartitioner())
                                            .isInstanceOf(KeyGroupStreamPartitioner.class));
        }
    }

    private static StreamGraph graph() {
        return BufferTimeoutsTest.streamGraph(new Configuration());
    }

    private static List<StreamEdge> inputs(StreamGraph g, String name) {
        List<StreamEdge> in = new ArrayList<>();
        for (StreamNode n : g.getStreamNodes()) {
            if (n.getOperatorName().equals(name)) {
                in.addAll(n.getInEdges());
            }
        }
        return in;
    }

    private static List<String> forwardSources(StreamGraph g, String name) {
        List<String> from = new ArrayList<>();
        for (StreamEdge e : inputs(g, name)) {
            if (e.getPartitioner() instanceof ForwardPartitioner) {
                from.add(g.getStreamNode(e.getSourceId()).getOperatorName());
            }
        }
        return from;
    }

    private static String describe(StreamGraph g, StreamEdge e) {
        return g.getStreamNode(e.getSourceId()).getOperatorName()
                + " -> "
                + g.getStreamNode(e.getTargetId()).getOperatorName()
                + " "
                + e.getPartitioner();
    }
}
