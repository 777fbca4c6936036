package io.rtcdp.jobs;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;

/** The bytes a savepoint holds per operator, found by the operators' uids. */
final class SavepointSizes {
    private SavepointSizes() {}

    /** The operator id Flink derives from a uid (murmur3 of its UTF-8, as its graph hasher). */
    static OperatorID idOf(String uid) {
        return new OperatorID(
                Hashing.murmur3_128(0)
                        .newHasher()
                        .putString(uid, StandardCharsets.UTF_8)
                        .hash()
                        .asBytes());
    }

    /**
     * Each uid's state size in the savepoint at {@code path}, summed over its subtasks; -1 for a
     * uid the savepoint has no state of.
     */
    static Map<String, Long> byUid(String path, List<String> uids) {
        CheckpointMetadata metadata = SavepointCheck.load(path);
        Map<OperatorID, Long> sizes = new HashMap<>();
        for (OperatorState s : metadata.getOperatorStates()) {
            sizes.put(s.getOperatorID(), s.getStateSize());
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (String uid : uids) {
            out.put(uid, sizes.getOrDefault(idOf(uid), -1L));
        }
        return out;
    }
}
