package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdTypes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The final identity graph of a whole list of events, computed offline and without regard to order,
 * for the histories in which {@code docs/oneid.md} says the result is order independent: the only
 * refused links are of the {@code user_id} kind, and every event carrying an id used by two users
 * also carries a {@code user_id}.
 *
 * <p>An id that appears in events with two different {@code user_id}s is quarantined: a profile of
 * its own. The other ids form the connected components of the co-occurrence links of the events
 * with quarantined ids taken out (union-find). An event belongs to the component of its strongest
 * non-quarantined id, or to the singleton of its strongest id if all are quarantined.
 *
 * <p>Written from the rules, independently of {@link IdentityGraph}.
 */
public final class UnionFindOracle {

    public record Ev(String eventId, List<Id> ids) {}

    /**
     * @param partition every id's group: components and quarantine singletons
     * @param groupOf the group of each event, by event id
     * @param quarantined the quarantined ids
     */
    public record Result(
            Set<Set<Id>> partition, Map<String, Set<Id>> groupOf, Set<Id> quarantined) {}

    private final Map<Id, Id> parent = new HashMap<>();

    private UnionFindOracle() {}

    public static Result of(List<Ev> events) {
        return new UnionFindOracle().run(events);
    }

    private Result run(List<Ev> events) {
        Map<Id, Set<Id>> usersWith = new HashMap<>();
        for (Ev e : events) {
            for (Id id : e.ids()) {
                Set<Id> users = usersWith.computeIfAbsent(id, k -> new HashSet<>());
                for (Id other : e.ids()) {
                    if (other.type().equals(IdTypes.USER_ID) && !other.equals(id)) {
                        users.add(other);
                    }
                }
            }
        }
        Set<Id> quarantined = new HashSet<>();
        usersWith.forEach(
                (id, users) -> {
                    if (users.size() >= 2) {
                        quarantined.add(id);
                    }
                });

        for (Ev e : events) {
            Id first = null;
            for (Id id : e.ids()) {
                if (quarantined.contains(id)) {
                    continue;
                }
                find(id);
                if (first == null) {
                    first = id;
                } else {
                    union(first, id);
                }
            }
        }

        Map<Id, Set<Id>> byRoot = new LinkedHashMap<>();
        for (Id id : parent.keySet()) {
            byRoot.computeIfAbsent(find(id), k -> new HashSet<>()).add(id);
        }
        Map<Id, Set<Id>> groupOfId = new HashMap<>();
        for (Set<Id> group : byRoot.values()) {
            for (Id id : group) {
                groupOfId.put(id, group);
            }
        }
        for (Id q : quarantined) {
            groupOfId.put(q, Set.of(q));
        }
        Set<Set<Id>> partition = new HashSet<>(groupOfId.values());

        Map<String, Set<Id>> groupOf = new HashMap<>();
        for (Ev e : events) {
            Id strongestUsable = null;
            Id strongestQuarantined = null;
            for (Id id : e.ids()) {
                if (quarantined.contains(id)) {
                    if (strongestQuarantined == null || id.compareTo(strongestQuarantined) < 0) {
                        strongestQuarantined = id;
                    }
                } else if (strongestUsable == null || id.compareTo(strongestUsable) < 0) {
                    strongestUsable = id;
                }
            }
            Id anchor = strongestUsable != null ? strongestUsable : strongestQuarantined;
            groupOf.put(e.eventId(), groupOfId.get(anchor));
        }
        return new Result(partition, groupOf, quarantined);
    }

    private Id find(Id id) {
        Id p = parent.putIfAbsent(id, id);
        if (p == null || p.equals(id)) {
            return id;
        }
        Id root = find(p);
        parent.put(id, root);
        return root;
    }

    private void union(Id a, Id b) {
        Id ra = find(a);
        Id rb = find(b);
        if (!ra.equals(rb)) {
            parent.put(ra, rb);
        }
    }
}
