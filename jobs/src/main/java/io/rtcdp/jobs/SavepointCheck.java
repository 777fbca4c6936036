package io.rtcdp.jobs;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What a savepoint holds against the job that is to restore from it ({@code rtcdp run
 * --from-savepoint}). Flink restores state by operator uid and, unless told to ignore it, refuses a
 * savepoint that has state for an operator the new job lacks. A replay's savepoint always has such
 * state: its file source and file sinks ({@link RtcdpJob#HISTORY_SOURCE_UID}, {@link
 * RtcdpJob#FILE_SINK_UID_SUFFIX}), whose progress in files the streaming job has no use for. This
 * check lets exactly those go and nothing else: any other operator's state without an operator in
 * the job (a profile or identity stage renamed or removed) stops the start, so that state is never
 * dropped silently.
 */
public final class SavepointCheck {
    private SavepointCheck() {}

    /**
     * The uids whose state a streaming job may leave behind: the replay's file source and sinks.
     */
    static boolean droppable(String uid) {
        return uid.equals(RtcdpJob.HISTORY_SOURCE_UID)
                || uid.endsWith(RtcdpJob.FILE_SINK_UID_SUFFIX);
    }

    /**
     * Sets {@code conf} to restore the job from the savepoint (or retained checkpoint) at {@code
     * path}, after checking it against the job {@code build} adds to an environment: whether the
     * savepoint's state of operators the job lacks may be ignored, which {@code conf} then says.
     *
     * @throws IllegalArgumentException (one line: exit code 2) when there is no savepoint at {@code
     *     path}, or it holds state of an operator the job lacks that is not a replay's file source
     *     or sink, or the changelog state backend is on without a claim mode (Flink's changelog
     *     backend restores only in CLAIM mode, which gives Flink the snapshot to delete)
     */
    public static void restoreFrom(
            String path,
            Configuration conf,
            java.util.function.Consumer<StreamExecutionEnvironment> build) {
        if (Environments.changelogEnabled(conf)
                && !conf.containsKey("execution.state-recovery.claim-mode")) {
            throw Environments.restoreNeedsClaim(path);
        }
        StreamExecutionEnvironment graphOnly =
                new StreamExecutionEnvironment(new Configuration(conf));
        build.accept(graphOnly);
        Set<OperatorID> ids = new HashSet<>();
        for (JobVertex v : graphOnly.getStreamGraph().getJobGraph().getVertices()) {
            for (OperatorIDPair p : v.getOperatorIDs()) {
                ids.add(p.getGeneratedOperatorID());
                p.getUserDefinedOperatorID().ifPresent(ids::add);
            }
        }
        List<String> left = unclaimed(load(path), ids);
        List<String> refused = left.stream().filter(uid -> !droppable(uid)).toList();
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException(
                    "the savepoint "
                            + path
                            + " holds state of operators this job does not have: "
                            + String.join(", ", refused)
                            + (refused.contains(RtcdpJob.HISTORY_THEN_LIVE_SOURCE_UID)
                                    ? " (it was taken by a job run with --history: give the same"
                                            + " --history files)"
                                    : " (docs/operations.md, Savepoint upgrades)")
                            + "; it would be lost, so the job does not start from it");
        }
        conf.setString("execution.state-recovery.path", path);
        // only the replay's file source and sinks are left behind, if anything
        conf.setString(
                "execution.state-recovery.ignore-unclaimed-state",
                Boolean.toString(!left.isEmpty()));
    }

    /**
     * The uids (or, where the savepoint does not name one, the operator ids) of the operators with
     * state in {@code savepoint} that are not among {@code jobOperators}.
     */
    static List<String> unclaimed(CheckpointMetadata savepoint, Set<OperatorID> jobOperators) {
        List<String> out = new ArrayList<>();
        for (OperatorState s : savepoint.getOperatorStates()) {
            if (jobOperators.contains(s.getOperatorID()) || !hasState(s)) {
                continue;
            }
            // Flink 2.x savepoints name each operator's uid; an id without one is never droppable
            out.add(s.getOperatorUid().orElse("operator " + s.getOperatorID()));
        }
        out.sort(null);
        return out;
    }

    private static boolean hasState(OperatorState s) {
        if (s.isFullyFinished()) {
            // a bounded source that ended (start-up rules of other files): nothing to restore
            return false;
        }
        if (s.getCoordinatorState() != null) {
            return true;
        }
        for (OperatorSubtaskState st : s.getStates()) {
            if (st.hasState()) {
                return true;
            }
        }
        return false;
    }

    /** The metadata of the savepoint (or retained checkpoint) at {@code path}. */
    static CheckpointMetadata load(String path) {
        try {
            CompletedCheckpointStorageLocation location =
                    AbstractFsCheckpointStorageAccess.resolveCheckpointPointer(path);
            try (DataInputStream in =
                    new DataInputStream(location.getMetadataHandle().openInputStream())) {
                return Checkpoints.loadCheckpointMetadata(
                        in, SavepointCheck.class.getClassLoader(), location.getExternalPointer());
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "no savepoint at " + path + ": " + e.getMessage(), e);
        }
    }
}
