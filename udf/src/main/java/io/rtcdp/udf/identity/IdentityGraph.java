package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdTypes;
import io.rtcdp.udf.identity.OneIdInfo.MergeRecord;
import io.rtcdp.udf.identity.Resolution.Merge;
import io.rtcdp.udf.identity.Resolution.Quarantine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The OneID decision engine: resolves one tenant's events, one at a time in arrival order, to
 * profiles, keeping the identity graph in an {@link IdentityStore}. Implements the rules of {@code
 * docs/oneid.md}; where they leave a choice, this is what it does:
 *
 * <ul>
 *   <li><b>The event's anchor.</b> The event's strongest usable (not quarantined) id {@code h} is
 *       never refused: the event's profile is built around it (rule 5: the event goes to the
 *       profile of its strongest id). The anchor is {@code h}'s profile, or {@code h} alone when it
 *       is new. The event's other known profiles then join it oldest first (first-seen, then
 *       oneid), each if the union stays within the {@link IdLimits}; then its other new ids,
 *       strongest first, each if its type is below its limit. The survivor is the oldest of the
 *       profiles that joined (rule 4), so "merges keep the older profile" holds for every merge;
 *       when none is known, a profile is founded (rule 2). With no refusal this is rules 2–4 to the
 *       letter.
 *   <li><b>What is quarantined.</b> A refused new id is quarantined itself. A refused profile keeps
 *       its other ids and loses the event's ids in it: those are what carried the refused link
 *       (e.g. the device shared with another user's profile). So a device or phone seen with two
 *       users ends up in neither profile, whichever user came first, and a user's own anonymous
 *       profile still joins them at login. A profile that loses its last id is dropped.
 *   <li><b>Quarantined ids</b> link nothing and are never new again. An event whose ids are all
 *       quarantined goes to the quarantine profile of its strongest one, {@link
 *       OneIds#quarantined}. Each other quarantined id of an event is reported as a refused link
 *       with reason {@link Conflict#QUARANTINED}.
 *   <li><b>Release and protection</b> (docs/oneid.md). {@link #release} takes an id out of
 *       quarantine (an operator's command); its next event links it like a new id. With the
 *       protection policy ({@link IdLimits#userIdEvidence()} = N), each event with exactly one
 *       {@code user_id} U counts, up to N, as evidence for U of each of its other ids ({@link
 *       UserEvidence}); an id is protected for U when U alone reached N. A refused profile of U
 *       keeps a carrier protected for U (reason {@link Conflict#USER_ID_PROTECTED}) instead of
 *       losing it to quarantine, and a quarantined id that an event of U makes protected for U
 *       leaves quarantine and joins that event's profile ({@link Resolution#released()}, reason
 *       {@link Conflict#RELEASED}). Property-tested against {@code UnionFindOracle} in every
 *       arrival order.
 *   <li><b>Oneids.</b> A founded profile is named {@link OneIds#of}{@code (tenant, h)}. If that
 *       oneid is live or an alias (possible when {@code h} was released from quarantine after its
 *       profile was dropped, or on a hash collision), the name is {@link OneIds#refounded}{@code
 *       (tenant, h, event id, k)} with the smallest {@code k ≥ 0} not taken, so a replay still
 *       names it the same way.
 * </ul>
 *
 * <p>Cost: the common event, all of whose ids are known and in one profile, takes one {@link
 * IdentityStore#oneidOf} per id and one {@link IdentityStore#info}, and writes only if it is older
 * than the profile's first-seen time. A new id costs one more read ({@link
 * IdentityStore#quarantined}); a merge rewrites the links of the merged-away profile's ids.
 *
 * <p>Not thread-safe: one instance per operator instance.
 */
public final class IdentityGraph {
    private static final Comparator<Side> OLDEST_FIRST =
            Comparator.comparingLong((Side s) -> s.info.firstSeen())
                    .thenComparing(s -> s.info.oneid());

    private final IdentityStore store;
    private final IdLimits limits;
    private final OneIds oneIds;

    /**
     * @param oneIds names the profiles (keyed by the tenants' keys, so deterministic per tenant)
     */
    public IdentityGraph(IdentityStore store, IdLimits limits, OneIds oneIds) {
        this.store = store;
        this.limits = limits;
        this.oneIds = oneIds;
    }

    /**
     * Resolves one event and applies the result to the store.
     *
     * @param tenant the tenant (names the oneids)
     * @param eventId the event's id (names a profile only when its natural oneid is taken)
     * @param ts the event time, epoch ms
     * @param ids the event's ids, at least one; any order, duplicates ignored
     */
    public Resolution resolve(String tenant, String eventId, long ts, List<Id> ids) {
        int n = ids.size();
        if (n == 0) {
            throw new IllegalArgumentException("event " + eventId + " has no ids");
        }
        String user = limits.userIdEvidence() > 0 ? recordEvidence(ids) : null;
        String[] owners = new String[n];
        String only = null;
        boolean oneProfile = true;
        for (int i = 0; i < n; i++) {
            String o = store.oneidOf(ids.get(i));
            owners[i] = o;
            if (o == null) {
                oneProfile = false;
            } else if (only == null) {
                only = o;
            } else if (!only.equals(o)) {
                oneProfile = false;
            }
        }
        if (oneProfile) {
            OneIdInfo p = profile(only);
            if (ts < p.firstSeen()) {
                store.put(p.withFirstSeen(ts));
            }
            return Resolution.to(only);
        }
        return decide(tenant, eventId, ts, ids, owners, user);
    }

    /**
     * Releases {@code id} from quarantine (an operator's command, {@code rtcdp ids release}): it
     * links nothing until its next event, which links it like a new id (docs/oneid.md, Release).
     *
     * @return the record of the release (reason {@link Conflict#RELEASED}, no profile yet, the
     *     quarantine profile it leaves as the other side), or null when {@code id} is not
     *     quarantined (nothing changes)
     */
    public Conflict release(String tenant, String commandId, long ts, Id id) {
        if (!store.quarantined(id)) {
            return null;
        }
        store.release(id);
        return new Conflict(
                tenant, commandId, ts, id, null, oneIds.quarantined(tenant, id), Conflict.RELEASED);
    }

    /**
     * The protection policy's book-keeping: an event with exactly one {@code user_id} adds to the
     * evidence of each of its other ids for that {@code user_id} (up to the threshold).
     *
     * @return the event's {@code user_id} value, or null when it has none or several
     */
    private String recordEvidence(List<Id> ids) {
        String user = null;
        for (Id id : ids) {
            if (id.type().equals(IdTypes.USER_ID)) {
                if (user != null && !user.equals(id.value())) {
                    return null;
                }
                user = id.value();
            }
        }
        if (user == null) {
            return null;
        }
        int cap = limits.userIdEvidence();
        for (int i = 0; i < ids.size(); i++) {
            Id id = ids.get(i);
            if (id.type().equals(IdTypes.USER_ID) || ids.subList(0, i).contains(id)) {
                continue;
            }
            UserEvidence had = store.evidence(id);
            UserEvidence now = had.plus(user, cap);
            if (now != had) {
                store.evidence(id, now);
            }
        }
        return user;
    }

    /**
     * The {@code user_id} value {@code id} is protected for, or null (also when the policy is off).
     */
    private String protectedFor(Id id) {
        int threshold = limits.userIdEvidence();
        return threshold > 0 ? store.evidence(id).protectedFor(threshold) : null;
    }

    /** The value of the profile's {@code user_id}, or null. */
    private static String userOf(OneIdInfo info) {
        // sorted strongest first: a user_id is the first id
        Id first = info.ids().get(0);
        return first.type().equals(IdTypes.USER_ID) ? first.value() : null;
    }

    /** The event's ids with their profiles (null when not linked), strongest first, distinct. */
    private static int canonical(List<Id> ids, String[] owners, Id[] outIds, String[] outOwners) {
        int n = ids.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // insertion sort: a handful of ids, usually sorted already
        for (int i = 1; i < n; i++) {
            int x = order[i];
            int j = i - 1;
            while (j >= 0 && ids.get(order[j]).compareTo(ids.get(x)) > 0) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = x;
        }
        int m = 0;
        for (int i = 0; i < n; i++) {
            Id id = ids.get(order[i]);
            if (m > 0 && outIds[m - 1].equals(id)) {
                continue;
            }
            outIds[m] = id;
            outOwners[m] = owners[order[i]];
            m++;
        }
        return m;
    }

    private Resolution decide(
            String tenant,
            String eventId,
            long ts,
            List<Id> given,
            String[] givenOwners,
            String user) {
        Id[] ids = new Id[given.size()];
        String[] owners = new String[given.size()];
        int n = canonical(given, givenOwners, ids, owners);

        // Usable ids keep their strength order; quarantined ones are set aside.
        int u = 0;
        List<Id> held = List.of();
        List<Id> released = List.of();
        for (int i = 0; i < n; i++) {
            if (owners[i] == null && store.quarantined(ids[i])) {
                if (user != null && user.equals(protectedFor(ids[i]))) {
                    // the protection policy: this event made the id its user's by evidence
                    store.release(ids[i]);
                    if (released.isEmpty()) {
                        released = new ArrayList<>(1);
                    }
                    released.add(ids[i]);
                    ids[u] = ids[i];
                    owners[u] = null;
                    u++;
                    continue;
                }
                if (held.isEmpty()) {
                    held = new ArrayList<>(2);
                }
                held.add(ids[i]);
            } else {
                ids[u] = ids[i];
                owners[u] = owners[i];
                u++;
            }
        }
        if (u == 0) {
            return toQuarantineProfile(tenant, eventId, ts, held);
        }

        // The event's known profiles, each with the event's strongest id in it.
        List<Side> known = new ArrayList<>(4);
        for (int i = 0; i < u; i++) {
            if (owners[i] != null && side(known, owners[i]) == null) {
                known.add(new Side(profile(owners[i]), ids[i]));
            }
        }
        Id anchor = ids[0];
        Side home = owners[0] == null ? null : known.get(0);

        TypeCounts counts = new TypeCounts(limits);
        List<Side> united = new ArrayList<>(known.size());
        List<Id> linked = new ArrayList<>(u);
        if (home != null) {
            united.add(home);
            counts.addAll(home.info.ids());
        } else {
            counts.add(anchor.type(), 1);
            linked.add(anchor);
        }
        // the home, when known, is the first known profile: it holds the strongest id
        List<Side> others = new ArrayList<>(home == null ? known : known.subList(1, known.size()));
        others.sort(OLDEST_FIRST);
        List<Side> refused = List.of();
        for (Side s : others) {
            String over = counts.firstOver(s.info.ids());
            if (over == null) {
                counts.addAll(s.info.ids());
                united.add(s);
            } else {
                if (refused.isEmpty()) {
                    refused = new ArrayList<>(2);
                }
                s.reason = reason(over);
                refused.add(s);
            }
        }
        List<Id> refusedNew = List.of();
        List<String> refusedNewReasons = List.of();
        for (int i = 1; i < u; i++) {
            if (owners[i] != null) {
                continue;
            }
            Id id = ids[i];
            String over = counts.over(id.type());
            if (over == null) {
                counts.add(id.type(), 1);
                linked.add(id);
            } else {
                if (refusedNew.isEmpty()) {
                    refusedNew = new ArrayList<>(2);
                    refusedNewReasons = new ArrayList<>(2);
                }
                refusedNew.add(id);
                refusedNewReasons.add(reason(over));
            }
        }

        Side survivor = united.isEmpty() ? null : Collections.min(united, OLDEST_FIRST);
        String target =
                survivor == null ? newOneid(tenant, anchor, eventId) : survivor.info.oneid();

        List<Quarantine> quarantines = List.of();
        List<Conflict> conflicts = List.of();
        List<String> dropped = List.of();
        if (!refused.isEmpty() || !refusedNew.isEmpty() || !held.isEmpty() || !released.isEmpty()) {
            quarantines = new ArrayList<>(2);
            conflicts = new ArrayList<>(2);
            dropped = new ArrayList<>(0);
        }
        for (Side s : refused) {
            String from = s.info.oneid();
            String owner = userOf(s.info);
            List<Id> remaining = new ArrayList<>(s.info.ids());
            String lastSingle = null;
            for (int i = 0; i < u; i++) {
                if (from.equals(owners[i])) {
                    Id carrier = ids[i];
                    if (owner != null
                            && !owner.equals(user)
                            && owner.equals(protectedFor(carrier))) {
                        // protected: the id stays with its user, only this event's side loses
                        conflicts.add(
                                new Conflict(
                                        tenant,
                                        eventId,
                                        ts,
                                        carrier,
                                        target,
                                        from,
                                        Conflict.USER_ID_PROTECTED));
                        continue;
                    }
                    remaining.remove(carrier);
                    store.unlink(carrier);
                    store.quarantine(carrier);
                    String single = oneIds.quarantined(tenant, carrier);
                    lastSingle = single;
                    quarantines.add(new Quarantine(carrier, from, single));
                    conflicts.add(
                            new Conflict(tenant, eventId, ts, carrier, target, from, s.reason));
                }
            }
            if (remaining.size() == s.info.ids().size()) {
                continue; // every carrier was protected: the profile keeps its ids
            }
            if (remaining.isEmpty()) {
                store.remove(from);
                // its events go with the id to the id's own profile (the identity stage hands it
                // over, as a merge): so its oneid is not founded again once the id is released
                store.alias(from, lastSingle);
                dropped.add(from);
            } else {
                store.put(new OneIdInfo(from, s.info.firstSeen(), remaining, s.info.merges()));
            }
        }
        for (int i = 0; i < refusedNew.size(); i++) {
            Id id = refusedNew.get(i);
            store.quarantine(id);
            quarantines.add(new Quarantine(id, null, oneIds.quarantined(tenant, id)));
            conflicts.add(
                    new Conflict(tenant, eventId, ts, id, target, null, refusedNewReasons.get(i)));
        }
        for (Id id : released) {
            conflicts.add(
                    new Conflict(
                            tenant,
                            eventId,
                            ts,
                            id,
                            target,
                            oneIds.quarantined(tenant, id),
                            Conflict.RELEASED));
        }
        for (Id id : held) {
            conflicts.add(
                    new Conflict(
                            tenant,
                            eventId,
                            ts,
                            id,
                            target,
                            oneIds.quarantined(tenant, id),
                            Conflict.QUARANTINED));
        }

        List<Merge> merges = List.of();
        if (survivor == null) {
            store.put(OneIdInfo.founded(target, ts, linked));
        } else {
            List<Side> losers = new ArrayList<>(united);
            losers.remove(survivor);
            losers.sort(OLDEST_FIRST);
            if (!losers.isEmpty() || !linked.isEmpty() || ts < survivor.info.firstSeen()) {
                store.put(merged(survivor, losers, linked, ts));
            }
            if (!losers.isEmpty()) {
                merges = new ArrayList<>(losers.size());
            }
            for (Side l : losers) {
                String loser = l.info.oneid();
                for (Id id : l.info.ids()) {
                    store.link(id, target);
                }
                store.remove(loser);
                store.alias(loser, target);
                merges.add(new Merge(loser, target, l.via));
            }
        }
        for (Id id : linked) {
            store.link(id, target);
        }
        return new Resolution(
                target,
                survivor == null,
                merges,
                linked,
                quarantines,
                dropped,
                conflicts,
                released);
    }

    /** The survivor's info after absorbing {@code losers} and the new ids. */
    private static OneIdInfo merged(Side survivor, List<Side> losers, List<Id> linked, long ts) {
        OneIdInfo s = survivor.info;
        List<Id> ids = new ArrayList<>(s.ids().size() + linked.size() + 4 * losers.size());
        ids.addAll(s.ids());
        ids.addAll(linked);
        // the survivor is the oldest, so the losers' first-seen times cannot be smaller
        long firstSeen = Math.min(ts, s.firstSeen());
        List<MergeRecord> history = s.merges();
        if (!losers.isEmpty()) {
            history = new ArrayList<>(s.merges());
            for (Side l : losers) {
                ids.addAll(l.info.ids());
                history.addAll(l.info.merges());
                history.add(new MergeRecord(l.info.oneid(), ts, l.via));
            }
            if (history.size() > OneIdInfo.MAX_MERGES) {
                history = history.subList(history.size() - OneIdInfo.MAX_MERGES, history.size());
            }
        }
        Id[] sorted = ids.toArray(new Id[0]);
        Arrays.sort(sorted);
        return new OneIdInfo(s.oneid(), firstSeen, Arrays.asList(sorted), history);
    }

    private Resolution toQuarantineProfile(String tenant, String eventId, long ts, List<Id> held) {
        String target = oneIds.quarantined(tenant, held.get(0));
        List<Conflict> conflicts = new ArrayList<>(held.size() - 1);
        for (int i = 1; i < held.size(); i++) {
            Id id = held.get(i);
            conflicts.add(
                    new Conflict(
                            tenant,
                            eventId,
                            ts,
                            id,
                            target,
                            oneIds.quarantined(tenant, id),
                            Conflict.QUARANTINED));
        }
        return new Resolution(target, false, List.of(), List.of(), List.of(), List.of(), conflicts);
    }

    private String newOneid(String tenant, Id founder, String eventId) {
        String o = oneIds.of(tenant, founder);
        for (int attempt = 0; taken(o); attempt++) {
            o = oneIds.refounded(tenant, founder, eventId, attempt);
        }
        return o;
    }

    private boolean taken(String oneid) {
        return store.info(oneid) != null || store.aliasOf(oneid) != null;
    }

    private OneIdInfo profile(String oneid) {
        OneIdInfo p = store.info(oneid);
        if (p == null) {
            throw new IllegalStateException("an id is linked to " + oneid + ", which is not live");
        }
        return p;
    }

    private static Side side(List<Side> sides, String oneid) {
        for (Side s : sides) {
            if (s.info.oneid().equals(oneid)) {
                return s;
            }
        }
        return null;
    }

    /** A known profile of the event, the event's strongest id in it, and why it was refused. */
    private static final class Side {
        final OneIdInfo info;
        final Id via;
        String reason;

        Side(OneIdInfo info, Id via) {
            this.info = info;
            this.via = via;
        }
    }

    /** The conflict reason for a limit reached: a type's, or that of the number of custom types. */
    private String reason(String over) {
        return over.equals(IdLimits.CUSTOM_TYPES)
                ? "limit:custom_types"
                : Conflict.overLimit(over, limits.limit(over));
    }

    private static boolean isCustom(String type) {
        return IdTypes.rank(type) == IdTypes.BUILT_IN.size();
    }

    /** Ids per type of the profile being assembled; a few types, so arrays and a linear scan. */
    private static final class TypeCounts {
        private final IdLimits limits;
        private String[] types = new String[8];
        private int[] counts = new int[8];
        private int size;
        private int customTypes;

        TypeCounts(IdLimits limits) {
            this.limits = limits;
        }

        int get(String type) {
            for (int i = 0; i < size; i++) {
                if (types[i].equals(type)) {
                    return counts[i];
                }
            }
            return 0;
        }

        void add(String type, int k) {
            for (int i = 0; i < size; i++) {
                if (types[i].equals(type)) {
                    counts[i] += k;
                    return;
                }
            }
            if (size == types.length) {
                types = Arrays.copyOf(types, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            types[size] = type;
            counts[size] = k;
            size++;
            if (isCustom(type)) {
                customTypes++;
            }
        }

        /**
         * The limit one more id of {@code type} would break: the type ({@code null} if none) or
         * {@link IdLimits#CUSTOM_TYPES} for a custom type beyond the number of custom types.
         */
        String over(String type) {
            int n = get(type);
            if (n >= limits.limit(type)) {
                return type;
            }
            if (n == 0 && isCustom(type) && customTypes >= limits.customTypes()) {
                return IdLimits.CUSTOM_TYPES;
            }
            return null;
        }

        /** Adds sorted ids: one update per run of one type. */
        void addAll(List<Id> sortedIds) {
            int i = 0;
            while (i < sortedIds.size()) {
                String type = sortedIds.get(i).type();
                int end = runEnd(sortedIds, i);
                add(type, end - i);
                i = end;
            }
        }

        /**
         * The strongest type whose limit adding {@code sortedIds} would exceed, else {@link
         * IdLimits#CUSTOM_TYPES} if they would bring too many custom types, else null.
         */
        String firstOver(List<Id> sortedIds) {
            int i = 0;
            int newCustomTypes = 0;
            while (i < sortedIds.size()) {
                String type = sortedIds.get(i).type();
                int end = runEnd(sortedIds, i);
                int had = get(type);
                if (had + (end - i) > limits.limit(type)) {
                    return type;
                }
                if (had == 0 && isCustom(type)) {
                    newCustomTypes++;
                }
                i = end;
            }
            return customTypes + newCustomTypes > limits.customTypes()
                    ? IdLimits.CUSTOM_TYPES
                    : null;
        }

        private static int runEnd(List<Id> sortedIds, int start) {
            String type = sortedIds.get(start).type();
            int end = start + 1;
            while (end < sortedIds.size() && sortedIds.get(end).type().equals(type)) {
                end++;
            }
            return end;
        }
    }
}
