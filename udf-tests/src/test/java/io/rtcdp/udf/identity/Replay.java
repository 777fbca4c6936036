package io.rtcdp.udf.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.identity.Resolution.Merge;
import io.rtcdp.udf.identity.Resolution.Quarantine;
import io.rtcdp.udf.identity.UnionFindOracle.Ev;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Feeds events to an {@link IdentityGraph} over an {@link InMemoryIdentityStore} and checks, after
 * every event, that the step obeyed the rules and that the whole graph is consistent; then reads
 * the final graph back as a partition, for comparison with {@link UnionFindOracle}.
 */
final class Replay {
    static final String TENANT = "acme";

    final InMemoryIdentityStore store = new InMemoryIdentityStore();
    final IdLimits limits;
    final IdentityGraph graph;
    final OneIds oneIds = new OneIds(io.rtcdp.udf.event.ParserConfig.defaults().tenantKeys());
    final Map<String, Resolution> resolutions = new LinkedHashMap<>();
    private final Map<String, Long> tsOf = new HashMap<>();
    private final Set<Id> seen = new HashSet<>();
    int merges;
    int conflicts;

    Replay(IdLimits limits) {
        this.limits = limits;
        this.graph = new IdentityGraph(store, limits, oneIds);
    }

    Resolution apply(Ev e, long ts) {
        Map<String, OneIdInfo> before = new HashMap<>(store.profiles());
        Map<Id, String> linksBefore = new HashMap<>(store.links());
        Set<Id> quarantinedBefore = new HashSet<>(store.quarantinedIds());
        Set<String> aliasesBefore = new HashSet<>(store.aliases().keySet());

        Resolution r = graph.resolve(TENANT, e.eventId(), ts, e.ids());

        resolutions.put(e.eventId(), r);
        tsOf.put(e.eventId(), ts);
        seen.addAll(e.ids());
        merges += r.merges().size();
        conflicts += r.conflicts().size();
        checkStep(e, r, before, linksBefore, quarantinedBefore, aliasesBefore);
        checkGraph();
        return r;
    }

    /**
     * An operator's release of {@code id}: checks that only a quarantined id leaves quarantine,
     * that nothing else changes, and the graph after it.
     */
    Conflict release(String commandId, long ts, Id id) {
        boolean was = store.quarantined(id);
        Map<Id, String> linksBefore = new HashMap<>(store.links());
        Map<String, OneIdInfo> before = new HashMap<>(store.profiles());
        Conflict c = graph.release(TENANT, commandId, ts, id);
        assertThat(c != null).as("release of %s", id).isEqualTo(was);
        assertThat(store.quarantined(id)).isFalse();
        // a quarantined id had no link and has none; any other id keeps its link
        assertThat(store.links()).isEqualTo(linksBefore);
        assertThat(store.profiles()).isEqualTo(before);
        if (c != null) {
            assertThat(c.reason()).isEqualTo(Conflict.RELEASED);
            assertThat(c.otherOneid()).isEqualTo(oneIds.quarantined(TENANT, id));
            // released: as if never seen, until its next event
            seen.remove(id);
        }
        checkGraph();
        return c;
    }

    private void checkStep(
            Ev e,
            Resolution r,
            Map<String, OneIdInfo> before,
            Map<Id, String> linksBefore,
            Set<Id> quarantinedBefore,
            Set<String> aliasesBefore) {
        String at = "event " + e + " → " + r;
        // ids the protection policy released from quarantine are usable again for this event
        for (Id id : r.released()) {
            assertThat(quarantinedBefore).as(at).contains(id);
            assertThat(e.ids()).as(at).contains(id);
        }
        quarantinedBefore = new HashSet<>(quarantinedBefore);
        quarantinedBefore.removeAll(r.released());
        Set<Id> protectedIds = new HashSet<>();
        for (Conflict c : r.conflicts()) {
            if (c.reason().equals(Conflict.USER_ID_PROTECTED)) {
                protectedIds.add(c.refused());
            }
        }
        Id strongestUsable = null;
        Id strongestHeld = null;
        for (Id id : e.ids()) {
            if (quarantinedBefore.contains(id)) {
                strongestHeld = min(strongestHeld, id);
            } else {
                strongestUsable = min(strongestUsable, id);
            }
        }
        if (strongestUsable == null) {
            assertThat(r.oneid()).as(at).isEqualTo(oneIds.quarantined(TENANT, strongestHeld));
            assertThat(store.profiles()).as(at).isEqualTo(before);
            assertThat(r.merges()).as(at).isEmpty();
        } else {
            // The event's strongest usable id is never refused and anchors the event's profile.
            assertThat(store.oneidOf(strongestUsable)).as(at).isEqualTo(r.oneid());
            assertThat(r.founded())
                    .as(at)
                    .isEqualTo(
                            !before.containsKey(r.oneid()) && !aliasesBefore.contains(r.oneid()));
        }

        // Every link of the event is made or refused: each of its ids is now in the event's
        // profile or quarantined, or stays in the profile it is protected for.
        for (Id id : e.ids()) {
            assertThat(
                            r.oneid().equals(store.oneidOf(id))
                                    || store.quarantined(id)
                                    || protectedIds.contains(id))
                    .as("%s: %s", at, id)
                    .isTrue();
        }

        Set<String> losers = new HashSet<>();
        for (Merge m : r.merges()) {
            OneIdInfo loser = before.get(m.loser());
            OneIdInfo survivor = before.get(m.survivor());
            assertThat(loser).as(at).isNotNull();
            assertThat(survivor).as(at).isNotNull();
            assertThat(m.survivor()).as(at).isEqualTo(r.oneid());
            // merges keep the older profile: earlier first-seen, ties by smaller oneid
            boolean older =
                    survivor.firstSeen() < loser.firstSeen()
                            || survivor.firstSeen() == loser.firstSeen()
                                    && survivor.oneid().compareTo(loser.oneid()) < 0;
            assertThat(older).as("%s: %s older than %s", at, survivor, loser).isTrue();
            assertThat(loser.ids()).as(at).contains(m.via());
            assertThat(e.ids()).as(at).contains(m.via());
            assertThat(store.info(m.loser())).as(at).isNull();
            assertThat(store.aliasOf(m.loser())).as(at).isEqualTo(m.survivor());
            losers.add(m.loser());
        }

        assertThat(store.quarantinedIds()).as(at).containsAll(quarantinedBefore);
        for (Conflict c : r.conflicts()) {
            assertThat(c.eventId()).as(at).isEqualTo(e.eventId());
            assertThat(c.oneid()).as(at).isEqualTo(r.oneid());
            assertThat(e.ids()).as(at).contains(c.refused());
            if (c.reason().equals(Conflict.USER_ID_PROTECTED)) {
                // it stays where it was, in a profile of another user_id
                assertThat(store.oneidOf(c.refused())).as(at).isEqualTo(c.otherOneid());
                assertThat(linksBefore.get(c.refused())).as(at).isEqualTo(c.otherOneid());
                assertThat(c.otherOneid()).as(at).isNotEqualTo(r.oneid());
            } else if (c.reason().equals(Conflict.RELEASED)) {
                assertThat(r.released()).as(at).contains(c.refused());
                assertThat(
                                r.oneid().equals(store.oneidOf(c.refused()))
                                        || store.quarantined(c.refused()))
                        .as(at)
                        .isTrue();
            } else {
                assertThat(store.quarantined(c.refused())).as(at).isTrue();
            }
        }
        Set<Id> quarantinedNow = new HashSet<>();
        for (Quarantine q : r.quarantined()) {
            assertThat(linksBefore.get(q.id())).as(at).isEqualTo(q.from());
            assertThat(quarantinedBefore).as(at).doesNotContain(q.id());
            assertThat(q.singleton()).isEqualTo(oneIds.quarantined(TENANT, q.id()));
            quarantinedNow.add(q.id());
        }
        Set<Id> newlyQuarantined = new HashSet<>(store.quarantinedIds());
        newlyQuarantined.removeAll(quarantinedBefore);
        assertThat(newlyQuarantined).as(at).isEqualTo(quarantinedNow);

        for (Id id : r.linked()) {
            assertThat(linksBefore).as(at).doesNotContainKey(id);
            assertThat(quarantinedBefore).as(at).doesNotContain(id);
            assertThat(store.oneidOf(id)).as(at).isEqualTo(r.oneid());
        }
        // Nothing else moves: an id keeps its profile unless that profile was merged away or the
        // id was quarantined.
        for (Map.Entry<Id, String> l : linksBefore.entrySet()) {
            String now = store.oneidOf(l.getKey());
            if (quarantinedNow.contains(l.getKey())) {
                assertThat(now).as(at).isNull();
            } else if (losers.contains(l.getValue())) {
                assertThat(now).as(at).isEqualTo(r.oneid());
            } else {
                assertThat(now).as(at).isEqualTo(l.getValue());
            }
        }
        for (String oneid : before.keySet()) {
            if (store.info(oneid) == null) {
                assertThat(losers.contains(oneid) || r.dropped().contains(oneid))
                        .as("%s: %s vanished", at, oneid)
                        .isTrue();
            }
        }
        for (String d : r.dropped()) {
            assertThat(before).as(at).containsKey(d);
            assertThat(store.info(d)).as(at).isNull();
        }
    }

    /** Every id is in exactly one live profile or quarantined; limits hold everywhere. */
    void checkGraph() {
        for (Map.Entry<Id, String> l : store.links().entrySet()) {
            OneIdInfo p = store.info(l.getValue());
            assertThat(p).as("profile of %s", l).isNotNull();
            assertThat(p.ids()).as("ids of profile of %s", l).contains(l.getKey());
        }
        for (OneIdInfo p : store.profiles().values()) {
            for (Id id : p.ids()) {
                assertThat(store.oneidOf(id)).as("link of %s in %s", id, p).isEqualTo(p.oneid());
            }
            for (Id id : p.ids()) {
                assertThat(p.count(id.type()))
                        .as("%s ids in %s", id.type(), p)
                        .isLessThanOrEqualTo(limits.limit(id.type()));
            }
            assertThat(store.aliasOf(p.oneid())).as("live %s is an alias", p).isNull();
        }
        for (Id q : store.quarantinedIds()) {
            assertThat(store.oneidOf(q)).as("quarantined %s", q).isNull();
        }
        for (Id id : seen) {
            assertThat(store.oneidOf(id) != null || store.quarantined(id))
                    .as("%s is nowhere", id)
                    .isTrue();
        }
    }

    /** The final groups: live profiles' ids and quarantine singletons. */
    Set<Set<Id>> partition() {
        Set<Set<Id>> out = new HashSet<>();
        for (OneIdInfo p : store.profiles().values()) {
            out.add(Set.copyOf(p.ids()));
        }
        for (Id q : store.quarantinedIds()) {
            out.add(Set.of(q));
        }
        return out;
    }

    /** The final group of each event: the profile it went to, followed through merges. */
    Map<String, Set<Id>> groupOf() {
        Map<String, Id> singletons = new HashMap<>();
        for (Id q : store.quarantinedIds()) {
            singletons.put(oneIds.quarantined(TENANT, q), q);
        }
        Map<String, Set<Id>> out = new HashMap<>();
        resolutions.forEach(
                (eventId, r) -> {
                    String live = store.live(r.oneid());
                    if (live != null) {
                        out.put(eventId, Set.copyOf(store.info(live).ids()));
                    } else {
                        Id q = singletons.get(r.oneid());
                        assertThat(q).as("%s went to %s, now nowhere", eventId, r).isNotNull();
                        out.put(eventId, Set.of(q));
                    }
                });
        return out;
    }

    /**
     * Each live profile's first-seen time is the earliest time of the events that went to it or to
     * a profile merged into it.
     */
    void checkFirstSeen() {
        Map<String, Long> earliest = new HashMap<>();
        resolutions.forEach(
                (eventId, r) -> {
                    String live = store.live(r.oneid());
                    if (live != null) {
                        earliest.merge(live, tsOf.get(eventId), Math::min);
                    }
                });
        Map<String, Long> firstSeen = new HashMap<>();
        store.profiles().forEach((o, p) -> firstSeen.put(o, p.firstSeen()));
        assertThat(firstSeen).isEqualTo(earliest);
    }

    List<Resolution> resolutionList() {
        return new ArrayList<>(resolutions.values());
    }

    private static Id min(Id a, Id b) {
        return a == null || b.compareTo(a) < 0 ? b : a;
    }
}
