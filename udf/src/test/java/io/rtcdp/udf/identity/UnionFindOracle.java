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
 * <p>With the protection policy ({@link IdLimits#userIdEvidence()} = N, {@link #of(List, int)}): an
 * id used by two or more users, of which exactly one carried it in at least N events (counting the
 * events with exactly one {@code user_id}), is protected for that user: it is not quarantined, it
 * stays in that user's component, and the events of the other users do not link it (their other ids
 * still link each other). An id used by two or more users without such a user is quarantined as
 * before.
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
        return new UnionFindOracle().run(events, 0);
    }

    /** With the protection policy of {@code userIdEvidence} events (0: off). */
    public static Result of(List<Ev> events, int userIdEvidence) {
        return new UnionFindOracle().run(events, userIdEvidence);
    }

    /** The value of the event's one user_id, or null when it has none or several. */
    private static String userOf(Ev e) {
        String user = null;
        for (Id id : e.ids()) {
            if (id.type().equals(IdTypes.USER_ID)) {
                if (user != null && !user.equals(id.value())) {
                    return null;
                }
                user = id.value();
            }
        }
        return user;
    }

    private Result run(List<Ev> events, int threshold) {
        Map<Id, Map<String, Integer>> evidence = new HashMap<>();
        for (Ev e : events) {
            String user = userOf(e);
            if (user == null) {
                continue;
            }
            for (Id id : new HashSet<>(e.ids())) {
                if (!id.type().equals(IdTypes.USER_ID)) {
                    evidence.computeIfAbsent(id, k -> new HashMap<>()).merge(user, 1, Integer::sum);
                }
            }
        }
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
        Map<Id, String> protectedFor = new HashMap<>();
        usersWith.forEach(
                (id, users) -> {
                    if (users.size() >= 2) {
                        String only = null;
                        int reached = 0;
                        if (threshold > 0) {
                            for (Map.Entry<String, Integer> c :
                                    evidence.getOrDefault(id, Map.of()).entrySet()) {
                                if (c.getValue() >= threshold) {
                                    only = c.getKey();
                                    reached++;
                                }
                            }
                        }
                        if (reached == 1) {
                            protectedFor.put(id, only);
                        } else {
                            quarantined.add(id);
                        }
                    }
                });

        for (Ev e : events) {
            Id first = null;
            for (Id id : e.ids()) {
                if (quarantined.contains(id) || refusedIn(e, id, protectedFor)) {
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
                if (refusedIn(e, id, protectedFor)) {
                    continue;
                }
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

    /** Whether {@code id} is protected for a user other than the event's: it links nothing here. */
    private static boolean refusedIn(Ev e, Id id, Map<Id, String> protectedFor) {
        String owner = protectedFor.get(id);
        String user = userOf(e);
        return owner != null && user != null && !owner.equals(user);
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
