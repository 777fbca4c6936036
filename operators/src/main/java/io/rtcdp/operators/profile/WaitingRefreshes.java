package io.rtcdp.operators.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The profiles of one subtask whose refresh waits for its tenant's own watermark (another tenant's
 * events moved the shared watermark past it), or for its tenant to finish catching up on a backlog,
 * by tenant and refresh time: when the tenant's clock comes, or its catch-up ends, the profiles it
 * lets go are looked at again at once instead of at their next poll.
 *
 * <p>Held on the heap up to a limit and checkpointed with the subtask ({@link ProfileUpdater});
 * what is not here (above the limit) is still looked at by its poll. An entry may be stale (the
 * profile was refreshed, moved on or merged away since): looking at it again finds nothing to do.
 */
final class WaitingRefreshes {
    private final int limit;
    private final Map<String, TreeMap<Long, Set<String>>> byTenant = new HashMap<>();
    private int size;

    WaitingRefreshes(int limit) {
        this.limit = limit;
    }

    /**
     * Remembers that the profile of {@code key} waits for its tenant's watermark to reach {@code
     * due}; false if it could not be (the limit is reached).
     */
    boolean add(String tenant, long due, String key) {
        TreeMap<Long, Set<String>> waiting = byTenant.get(tenant);
        Set<String> keys = waiting == null ? null : waiting.get(due);
        if (keys != null && keys.contains(key)) {
            return true;
        }
        if (size >= limit) {
            return false;
        }
        if (waiting == null) {
            waiting = new TreeMap<>();
            byTenant.put(tenant, waiting);
        }
        if (keys == null) {
            keys = new LinkedHashSet<>();
            waiting.put(due, keys);
        }
        keys.add(key);
        size++;
        return true;
    }

    /**
     * Takes out the keys of the tenant's profiles that wait for a time at or before {@code
     * watermark}, earliest first.
     */
    List<String> takeDue(String tenant, long watermark) {
        TreeMap<Long, Set<String>> waiting = byTenant.get(tenant);
        if (waiting == null || waiting.isEmpty() || waiting.firstKey() > watermark) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Iterator<Map.Entry<Long, Set<String>>> it =
                waiting.headMap(watermark, true).entrySet().iterator();
        while (it.hasNext()) {
            Set<String> keys = it.next().getValue();
            out.addAll(keys);
            size -= keys.size();
            it.remove();
        }
        if (waiting.isEmpty()) {
            byTenant.remove(tenant);
        }
        return out;
    }

    /** The tenants with a remembered profile. */
    List<String> tenants() {
        return new ArrayList<>(byTenant.keySet());
    }

    /**
     * How many of the tenant's remembered profiles wait for a time at or before {@code watermark}.
     */
    int countDue(String tenant, long watermark) {
        TreeMap<Long, Set<String>> waiting = byTenant.get(tenant);
        if (waiting == null || waiting.isEmpty() || waiting.firstKey() > watermark) {
            return 0;
        }
        int n = 0;
        for (Set<String> keys : waiting.headMap(watermark, true).values()) {
            n += keys.size();
        }
        return n;
    }

    /** Every remembered profile: its tenant, the time it waits for, and its key. */
    void forEach(Entry entry) throws Exception {
        for (Map.Entry<String, TreeMap<Long, Set<String>>> t : byTenant.entrySet()) {
            for (Map.Entry<Long, Set<String>> due : t.getValue().entrySet()) {
                for (String key : due.getValue()) {
                    entry.accept(t.getKey(), due.getKey(), key);
                }
            }
        }
    }

    /** One remembered profile. */
    @FunctionalInterface
    interface Entry {
        void accept(String tenant, long due, String key) throws Exception;
    }

    /** How many profiles are remembered. */
    int size() {
        return size;
    }
}
