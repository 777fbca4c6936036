package io.rtcdp.udf.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdTypes;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.identity.OneIdInfo.MergeRecord;
import io.rtcdp.udf.identity.Resolution.Merge;
import io.rtcdp.udf.identity.Resolution.Quarantine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules of {@code docs/oneid.md}, one by one, on hand-written events. */
class IdentityGraphTest {
    private static final String T = "acme";

    private static final Id U1 = new Id(IdTypes.USER_ID, "u1");
    private static final Id U2 = new Id(IdTypes.USER_ID, "u2");
    private static final Id P1 = new Id(IdTypes.PHONE, "p1");
    private static final Id P2 = new Id(IdTypes.PHONE, "p2");
    private static final Id P3 = new Id(IdTypes.PHONE, "p3");
    private static final Id P4 = new Id(IdTypes.PHONE, "p4");
    private static final Id D1 = new Id(IdTypes.DEVICE_ID, "d1");
    private static final Id D2 = new Id(IdTypes.DEVICE_ID, "d2");
    private static final Id D3 = new Id(IdTypes.DEVICE_ID, "d3");
    private static final Id D4 = new Id(IdTypes.DEVICE_ID, "d4");
    private static final Id SHARED = new Id(IdTypes.DEVICE_ID, "family-tablet");
    private static final Id C1 = new Id(IdTypes.COOKIE_ID, "c1");
    private static final Id C2 = new Id(IdTypes.COOKIE_ID, "c2");
    private static final Id C9 = new Id(IdTypes.COOKIE_ID, "c9");

    /** Names profiles as the job does, with the development secret's key for tenant {@code T}. */
    static final OneIds ONEIDS = new OneIds(ParserConfig.defaults().tenantKeys());

    private final CountingStore counting = new CountingStore();
    private final InMemoryIdentityStore store = counting.inner;
    private IdentityGraph graph = new IdentityGraph(counting, IdLimits.defaults(), ONEIDS);
    private int seq;

    private void limits(Map<String, Integer> overrides) {
        graph = new IdentityGraph(counting, IdLimits.withOverrides(overrides), ONEIDS);
    }

    /** Resolves an event with the next event id, {@code e1}, {@code e2}, … */
    private Resolution event(long ts, Id... ids) {
        return graph.resolve(T, "e" + ++seq, ts, Arrays.asList(ids));
    }

    private String lastEvent() {
        return "e" + seq;
    }

    private static String natural(Id founder) {
        return ONEIDS.of(T, founder);
    }

    private static String quarantineOf(Id id) {
        return ONEIDS.quarantined(T, id);
    }

    private static Resolution to(String oneid) {
        return new Resolution(oneid, false, List.of(), List.of(), List.of(), List.of(), List.of());
    }

    private Conflict conflict(long ts, Id refused, String oneid, String other, String reason) {
        return new Conflict(T, lastEvent(), ts, refused, oneid, other, reason);
    }

    private Set<Set<Id>> partition() {
        Set<Set<Id>> out = new HashSet<>();
        store.profiles().values().forEach(p -> out.add(Set.copyOf(p.ids())));
        store.quarantinedIds().forEach(q -> out.add(Set.of(q)));
        return out;
    }

    // Rule 2: no id known.

    @Test
    void aNewProfileIsNamedByItsStrongestId() {
        Resolution r = event(100, C1, U1, D1, C1);

        String o = natural(U1);
        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                o,
                                true,
                                List.of(),
                                List.of(U1, D1, C1),
                                List.of(),
                                List.of(),
                                List.of()));
        assertThat(store.profiles())
                .isEqualTo(Map.of(o, OneIdInfo.founded(o, 100, List.of(U1, D1, C1))));
        assertThat(store.links()).isEqualTo(Map.of(U1, o, D1, o, C1, o));
    }

    @Test
    void aNewProfileRefusesIdsOverTheLimits() {
        Resolution r = event(5, P4, U2, P2, U1, P3, P1);

        String o = natural(U1);
        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                o,
                                true,
                                List.of(),
                                List.of(U1, P1, P2, P3),
                                List.of(
                                        new Quarantine(U2, null, quarantineOf(U2)),
                                        new Quarantine(P4, null, quarantineOf(P4))),
                                List.of(),
                                List.of(
                                        conflict(5, U2, o, null, "user_id_conflict"),
                                        conflict(5, P4, o, null, "limit:phone"))));
        assertThat(store.info(o).ids()).containsExactly(U1, P1, P2, P3);
        assertThat(store.quarantinedIds()).containsExactlyInAnyOrder(U2, P4);
    }

    @Test
    void aProfileHasAtMostSoManyCustomIdTypes() {
        limits(Map.of(IdLimits.CUSTOM_TYPES, 2));
        Id a = new Id("x_a", "1");
        Id b = new Id("x_b", "1");
        Id c = new Id("x_c", "1");
        Id b2 = new Id("x_b", "2");
        Resolution r = event(5, U1, a, b, c, b2);
        String o = natural(U1);
        // a second id of a type the profile has is within the type's limit; a third type is not
        assertThat(store.info(o).ids()).containsExactly(U1, a, b, b2);
        assertThat(r.conflicts()).containsExactly(conflict(5, c, o, null, "limit:custom_types"));

        // two profiles whose union would have three custom types stay apart
        Id c2 = new Id("x_c", "2");
        String other = event(6, D2, c2).oneid();
        Resolution join = event(7, D1, a, c2);
        assertThat(join.oneid()).isEqualTo(o);
        assertThat(store.info(o).ids()).doesNotContain(c2);
        assertThat(join.conflicts())
                .containsExactly(conflict(7, c2, o, other, "limit:custom_types"));
    }

    // Rule 3: all known ids in one profile.

    @Test
    void anEventOfOneKnownProfileCostsOneReadPerIdAndOneInfoRead() {
        String o = event(100, U1, D1, C1).oneid();

        counting.reset();
        assertThat(event(200, C1, U1, D1)).isEqualTo(to(o));
        assertThat(counting.reads).isEqualTo(4);
        assertThat(counting.writes).isZero();
        assertThat(store.info(o).firstSeen()).isEqualTo(100);

        // an earlier event moves first-seen back: one write
        counting.reset();
        assertThat(event(50, D1)).isEqualTo(to(o));
        assertThat(counting.reads).isEqualTo(2);
        assertThat(counting.writes).isEqualTo(1);
        assertThat(store.info(o)).isEqualTo(OneIdInfo.founded(o, 50, List.of(U1, D1, C1)));
    }

    @Test
    void newIdsJoinTheKnownProfile() {
        String o = event(100, U1).oneid();

        Resolution r = event(90, C1, U1, D1);

        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                o,
                                false,
                                List.of(),
                                List.of(D1, C1),
                                List.of(),
                                List.of(),
                                List.of()));
        assertThat(store.info(o)).isEqualTo(OneIdInfo.founded(o, 90, List.of(U1, D1, C1)));
        assertThat(store.oneidOf(C1)).isEqualTo(o);
    }

    @Test
    void anAnonymousProfileKeepsItsOneidAtLogin() {
        String o = event(10, C1).oneid();
        assertThat(o).isEqualTo(natural(C1));

        Resolution r = event(20, U1, C1);

        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                o, false, List.of(), List.of(U1), List.of(), List.of(), List.of()));
        assertThat(store.info(o).ids()).containsExactly(U1, C1);
    }

    // Rule 4: several profiles.

    @Test
    void aMergeKeepsTheOlderProfile() {
        String anonymous = event(100, C1).oneid();
        String member = event(50, U1).oneid();

        Resolution r = event(300, C1, U1);

        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                member,
                                false,
                                List.of(new Merge(anonymous, member, C1)),
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of()));
        assertThat(store.profiles())
                .isEqualTo(
                        Map.of(
                                member,
                                new OneIdInfo(
                                        member,
                                        50,
                                        List.of(U1, C1),
                                        List.of(new MergeRecord(anonymous, 300, C1)))));
        assertThat(store.aliasOf(anonymous)).isEqualTo(member);
        assertThat(store.links()).isEqualTo(Map.of(U1, member, C1, member));
    }

    @Test
    void theOlderProfileSurvivesEvenIfTheStrongestIdIsInTheYounger() {
        String anonymous = event(50, C1, D1).oneid();
        String member = event(100, U1).oneid();

        Resolution r = event(30, U1, C1);

        assertThat(r.oneid()).isEqualTo(anonymous);
        assertThat(r.merges()).containsExactly(new Merge(member, anonymous, U1));
        assertThat(store.info(anonymous))
                .isEqualTo(
                        new OneIdInfo(
                                anonymous,
                                30,
                                List.of(U1, D1, C1),
                                List.of(new MergeRecord(member, 30, U1))));
        assertThat(store.live(member)).isEqualTo(anonymous);
    }

    @Test
    void aFirstSeenTieGoesToTheSmallerOneid() {
        String a = event(50, C1).oneid();
        String b = event(50, C2).oneid();
        String smaller = a.compareTo(b) < 0 ? a : b;
        String larger = a.compareTo(b) < 0 ? b : a;

        Resolution r = event(60, C2, C1);

        assertThat(r.oneid()).isEqualTo(smaller);
        assertThat(r.merges())
                .containsExactly(new Merge(larger, smaller, larger.equals(a) ? C1 : C2));
    }

    @Test
    void profilesJoinOldestFirstWhileTheUnionStaysWithinTheLimits() {
        limits(Map.of("device_id", 3));
        String member = event(10, U1, D1, D2).oneid();
        String older = event(20, D3, C2).oneid();
        String younger = event(30, D4, C1).oneid();

        // the younger profile holds the event's stronger cookie: age decides, not strength
        Resolution r = event(40, C2, U1, C1);

        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                member,
                                false,
                                List.of(new Merge(older, member, C2)),
                                List.of(),
                                List.of(new Quarantine(C1, younger, quarantineOf(C1))),
                                List.of(),
                                List.of(conflict(40, C1, member, younger, "limit:device_id"))));
        assertThat(store.profiles())
                .isEqualTo(
                        Map.of(
                                member,
                                new OneIdInfo(
                                        member,
                                        10,
                                        List.of(U1, D1, D2, D3, C2),
                                        List.of(new MergeRecord(older, 40, C2))),
                                younger,
                                OneIdInfo.founded(younger, 30, List.of(D4))));
        assertThat(store.quarantinedIds()).containsExactly(C1);
    }

    @Test
    void theMergeHistoryFollowsChainsOfMergesAndIsBounded() {
        String a = event(30, C1).oneid();
        String b = event(20, C2).oneid();
        String c = event(10, U1).oneid();
        event(40, C1, C2);
        event(50, C2, U1);

        assertThat(store.info(c).merges())
                .containsExactly(new MergeRecord(a, 40, C1), new MergeRecord(b, 50, C2));
        assertThat(store.live(a)).isEqualTo(c);
        assertThat(store.aliases()).isEqualTo(Map.of(a, b, b, c));

        limits(Map.of("cookie_id", 1000));
        int n = OneIdInfo.MAX_MERGES + 6;
        List<String> absorbed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Id cookie = new Id(IdTypes.COOKIE_ID, String.format("k%03d", i));
            absorbed.add(event(100 + i, cookie).oneid());
            event(200 + i, U1, cookie);
        }
        List<MergeRecord> history = store.info(c).merges();
        assertThat(history).hasSize(OneIdInfo.MAX_MERGES);
        assertThat(history.get(history.size() - 1).mergedAway()).isEqualTo(absorbed.get(n - 1));
        assertThat(history.get(0).mergedAway()).isEqualTo(absorbed.get(n - OneIdInfo.MAX_MERGES));
    }

    // Rule 5: refused links and quarantine.

    @Test
    void aDeviceOfTwoUsersBelongsToNeither() {
        String first = event(10, U1, SHARED).oneid();

        Resolution r = event(20, SHARED, U2);

        String second = natural(U2);
        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                second,
                                true,
                                List.of(),
                                List.of(U2),
                                List.of(new Quarantine(SHARED, first, quarantineOf(SHARED))),
                                List.of(),
                                List.of(conflict(20, SHARED, second, first, "user_id_conflict"))));
        assertThat(store.info(first).ids()).containsExactly(U1);
        assertThat(partition()).containsExactlyInAnyOrder(Set.of(U1), Set.of(U2), Set.of(SHARED));

        // From now on the device links nothing: the user's events report it, cheaply.
        counting.reset();
        assertThat(event(30, U1, SHARED, C1))
                .isEqualTo(
                        new Resolution(
                                first,
                                false,
                                List.of(),
                                List.of(C1),
                                List.of(),
                                List.of(),
                                List.of(
                                        conflict(
                                                30,
                                                SHARED,
                                                first,
                                                quarantineOf(SHARED),
                                                Conflict.QUARANTINED))));
        counting.reset();
        event(31, U1, SHARED);
        assertThat(counting.writes).isZero();

        // alone it is a profile of its own; with a new id it founds nothing
        assertThat(event(40, SHARED)).isEqualTo(to(quarantineOf(SHARED)));
        Resolution withNew = event(50, SHARED, C9);
        assertThat(withNew.oneid()).isEqualTo(natural(C9));
        assertThat(withNew.founded()).isTrue();
        assertThat(withNew.linked()).containsExactly(C9);
    }

    @Test
    void aSharedDeviceEndsTheSameInEitherOrder() {
        event(10, U2, SHARED);
        event(20, U1, SHARED);

        assertThat(partition()).containsExactlyInAnyOrder(Set.of(U1), Set.of(U2), Set.of(SHARED));
        assertThat(store.info(natural(U2)).ids()).containsExactly(U2);
    }

    @Test
    void aLoginThroughASharedDeviceStillJoinsTheUsersAnonymousProfile() {
        String first = event(10, U1, SHARED).oneid();
        String anonymous = event(5, C1).oneid();

        Resolution r = event(20, U2, SHARED, C1);

        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                anonymous,
                                false,
                                List.of(),
                                List.of(U2),
                                List.of(new Quarantine(SHARED, first, quarantineOf(SHARED))),
                                List.of(),
                                List.of(
                                        conflict(
                                                20,
                                                SHARED,
                                                anonymous,
                                                first,
                                                "user_id_conflict"))));
        assertThat(partition())
                .containsExactlyInAnyOrder(Set.of(U1), Set.of(U2, C1), Set.of(SHARED));
    }

    @Test
    void aProfileThatLosesItsLastIdIsDropped() {
        limits(Map.of("device_id", 1));
        String member = event(10, U1, D1).oneid();
        String lone = event(20, D2).oneid();

        Resolution r = event(30, U1, D2);

        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                member,
                                false,
                                List.of(),
                                List.of(),
                                List.of(new Quarantine(D2, lone, quarantineOf(D2))),
                                List.of(lone),
                                List.of(conflict(30, D2, member, lone, "device_id_conflict"))));
        assertThat(store.profiles()).containsOnlyKeys(member);
    }

    @Test
    void anEventOfQuarantinedIdsGoesToTheProfileOfTheStrongest() {
        store.quarantine(D3);
        store.quarantine(D2);

        Resolution r = event(10, D3, D2);

        String home = quarantineOf(D2);
        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                home,
                                false,
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of(
                                        conflict(
                                                10,
                                                D3,
                                                home,
                                                quarantineOf(D3),
                                                Conflict.QUARANTINED))));
        assertThat(store.profiles()).isEmpty();
        assertThat(home).isNotEqualTo(natural(D2)).matches("o[0-9a-f]{20}");
    }

    @Test
    void aDeviceSeenWithAThousandUsersMergesNoneOfThem() {
        int merges = 0;
        List<Conflict> conflicts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Resolution r = event(i, new Id(IdTypes.USER_ID, "user" + i), SHARED);
            merges += r.merges().size();
            conflicts.addAll(r.conflicts());
        }

        assertThat(merges).isZero();
        assertThat(conflicts).hasSize(999);
        assertThat(conflicts).allMatch(c -> c.refused().equals(SHARED));
        assertThat(conflicts.get(0).reason()).isEqualTo("user_id_conflict");
        assertThat(conflicts.subList(1, 999)).allMatch(c -> c.reason().equals("quarantined"));
        assertThat(store.profiles()).hasSize(1000);
        assertThat(store.profiles().values()).allMatch(p -> p.ids().size() == 1);
        assertThat(store.quarantinedIds()).containsExactly(SHARED);
    }

    @Test
    void theEleventhDeviceIsRefusedAndReported() {
        String o = null;
        for (int i = 0; i < 10; i++) {
            Resolution r = event(i, U1, new Id(IdTypes.DEVICE_ID, "d" + i));
            assertThat(r.conflicts()).isEmpty();
            o = r.oneid();
        }
        Id eleventh = new Id(IdTypes.DEVICE_ID, "d10");

        Resolution r = event(10, eleventh, U1);

        assertThat(r)
                .isEqualTo(
                        new Resolution(
                                o,
                                false,
                                List.of(),
                                List.of(),
                                List.of(new Quarantine(eleventh, null, quarantineOf(eleventh))),
                                List.of(),
                                List.of(conflict(10, eleventh, o, null, "limit:device_id"))));
        assertThat(store.info(o).count(IdTypes.DEVICE_ID)).isEqualTo(10);
        assertThat(store.info(o).ids()).doesNotContain(eleventh);
    }

    // Oneids.

    @Test
    void aTakenOneidGetsADeterministicVariant() {
        // A live profile already named after U1 without holding it, and an alias named after U2:
        // what a hash collision, or an id removed from the graph, would leave.
        store.put(OneIdInfo.founded(natural(U1), 0, List.of(C9)));
        store.link(C9, natural(U1));
        store.alias(natural(U2), "o00000000000000000000");
        String firstVariant = ONEIDS.refounded(T, U1, "e1", 0);
        store.put(OneIdInfo.founded(firstVariant, 0, List.of(C2)));
        store.link(C2, firstVariant);

        Resolution r1 = event(10, U1);
        Resolution r2 = event(10, U2);

        assertThat(r1.oneid()).isEqualTo(ONEIDS.refounded(T, U1, "e1", 1));
        assertThat(r2.oneid()).isEqualTo(ONEIDS.refounded(T, U2, "e2", 0));
        assertThat(Set.of(r1.oneid(), r2.oneid(), natural(U1), natural(U2), firstVariant))
                .hasSize(5);
        assertThat(store.info(r1.oneid()).ids()).containsExactly(U1);
    }

    @Test
    void anEventWithoutIdsIsRejected() {
        assertThatThrownBy(() -> graph.resolve(T, "e0", 0, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLinkToAMissingProfileIsAnError() {
        store.link(C1, "o-gone");

        assertThatThrownBy(() -> event(0, C1)).isInstanceOf(IllegalStateException.class);
    }
}
