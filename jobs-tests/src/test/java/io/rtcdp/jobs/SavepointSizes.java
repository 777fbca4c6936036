package io.rtcdp.jobs;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorState;

/** The bytes a savepoint holds per operator, found by the operators' uids. */
final class SavepointSizes {
    private SavepointSizes() {}

    /**
     * Each uid's state size in the savepoint at {@code path}, summed over its subtasks; -1 for a
     * uid the savepoint has no state of.
     */
    static Map<String, Long> byUid(String path, List<String> uids) {
        Map<String, Long> sizes = new HashMap<>();
        for (OperatorState s : SavepointCheck.load(path).getOperatorStates()) {
            s.getOperatorUid().ifPresent(uid -> sizes.put(uid, s.getStateSize()));
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (String uid : uids) {
            out.put(uid, sizes.getOrDefault(uid, -1L));
        }
        return out;
    }
}
