package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Savepoints map state by operator uid: every operator of the streaming job (with and without
 * {@code --history}) and of the replay has one, and docs/operations.md's table lists exactly those,
 * so an operator added without documenting its uid (or a uid renamed) fails here.
 */
class OperatorUidsTest {
    static final Path OPERATIONS = Path.of("../docs/operations.md");

    @Test
    void operationsMdListsEveryOperatorUidOfTheStreamingJobAndTheReplay() throws Exception {
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.LEARNING_ENABLED, true)
                        .set(RtcdpOptions.RULES_FILES, "../examples/rules/demo.yaml")
                        .build();
        Path file = Path.of("events.jsonl");
        List<String> missing = new ArrayList<>();
        Set<String> uids = new TreeSet<>();
        // without start-up rules and models, the start-up source has the plain uid
        uids.addAll(uids(e -> Streaming.build(RtcdpConfig.builder().build(), e), missing));
        uids.addAll(uids(e -> Streaming.build(cfg, e), missing));
        uids.addAll(uids(e -> Streaming.build(cfg, e, List.of(file)), missing));
        uids.addAll(
                uids(
                        e ->
                                Replay.addTo(
                                        e,
                                        RtcdpJob.builder(cfg),
                                        List.of(file),
                                        Path.of("dlq.jsonl"),
                                        Path.of("conflicts.jsonl"),
                                        Path.of("triggers.jsonl"),
                                        Path.of("audit.jsonl"),
                                        "uids-test"),
                        missing));
        assertThat(missing).as("operators without a uid").isEmpty();
        assertThat(documented()).containsExactlyInAnyOrderElementsOf(uids);
    }

    @Test
    void theStartUpControlsUidNamesItsContent() {
        assertThat(RtcdpJob.initialControlUid(List.of())).isEqualTo("rules-initial");
        String a = RtcdpJob.initialControlUid(List.of("rules v1"));
        assertThat(a).matches("rules-initial-[0-9a-f]{12}");
        assertThat(RtcdpJob.initialControlUid(List.of("rules v1"))).isEqualTo(a);
        assertThat(RtcdpJob.initialControlUid(List.of("rules v2"))).isNotEqualTo(a);
        // the texts' boundaries count: ["ab", "c"] is not ["a", "bc"]
        assertThat(RtcdpJob.initialControlUid(List.of("ab", "c")))
                .isNotEqualTo(RtcdpJob.initialControlUid(List.of("a", "bc")));
    }

    /**
     * The uids of the operators {@code build} adds; the names of those without one to {@code
     * missing}.
     */
    private static Set<String> uids(
            Consumer<StreamExecutionEnvironment> build, List<String> missing) {
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(new Configuration());
        build.accept(env);
        Set<String> out = new TreeSet<>();
        for (StreamNode n : env.getStreamGraph().getStreamNodes()) {
            if (n.getTransformationUID() == null) {
                missing.add(n.getOperatorName());
            } else {
                // the start-up control's uid names its content (RtcdpJob.initialControlUid)
                out.add(
                        n.getTransformationUID()
                                .replaceFirst(
                                        "^" + RtcdpJob.INITIAL_CONTROL_UID + "-[0-9a-f]{12}$",
                                        RtcdpJob.INITIAL_CONTROL_UID + "-<hash>"));
            }
        }
        return out;
    }

    /** The first column of the uid table in docs/operations.md, "Savepoint upgrades". */
    private static Set<String> documented() throws Exception {
        String text = Files.readString(OPERATIONS);
        int start = text.indexOf("| uid | operator | state |");
        assertThat(start).as("the uid table in " + OPERATIONS).isPositive();
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("^\\| `([^`]+)` \\|", Pattern.MULTILINE).matcher(text);
        int end = text.indexOf("\n\n", start);
        m.region(start, end);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
