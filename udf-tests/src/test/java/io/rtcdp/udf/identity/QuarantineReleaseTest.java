package io.rtcdp.udf.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdTypes;
import io.rtcdp.udf.identity.UnionFindOracle.Ev;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * Leaving quarantine (docs/oneid.md, Release and protection): an operator's release, and the
 * protection policy that keeps a user's id from being detached by another user's event, exact
 * against {@link UnionFindOracle} in every arrival order.
 */
class QuarantineReleaseTest {
    private static final String T = Replay.TENANT;
    private static final Id ALICE = new Id(IdTypes.USER_ID, "alice");
    private static final Id MALLORY = new Id(IdTypes.USER_ID, "mallory");
    private static final Id PHONE = new Id(IdTypes.PHONE, "p-alice");
    private static final Id COOKIE = new Id(IdTypes.COOKIE_ID, "c-alice");
    private static final Id EVIL_COOKIE = new Id(IdTypes.COOKIE_ID, "c-mallory");

    private static final IdLimits PROTECT_2 =
            IdLimits.withOverrides(Map.of(IdLimits.USER_ID_EVIDENCE, 2));

    private int seq;

    private Resolution event(Replay replay, Id... ids) {
        return replay.apply(new Ev("e" + ++seq, List.of(ids)), seq);
    }

    @Test
    void aForgedEventQuarantinesTheIdWithoutThePolicy() {
        Replay r = new Replay(IdLimits.defaults());
        event(r, ALICE, PHONE, COOKIE);
        event(r, ALICE, PHONE);
        Resolution forged = event(r, MALLORY, PHONE);

        assertThat(forged.conflicts()).extracting(Conflict::reason).contains("user_id_conflict");
        assertThat(r.store.quarantined(PHONE)).isTrue();
        assertThat(r.partition())
                .containsExactlyInAnyOrder(Set.of(ALICE, COOKIE), Set.of(MALLORY), Set.of(PHONE));
    }

    @Test
    void releaseLetsTheNextEventLinkTheIdAgain() {
        Replay r = new Replay(IdLimits.defaults());
        event(r, ALICE, PHONE, COOKIE);
        event(r, MALLORY, PHONE);
        assertThat(r.store.quarantined(PHONE)).isTrue();

        Conflict released = r.graph.release(T, "cmd-1", 99L, PHONE);

        assertThat(released)
                .isEqualTo(
                        new Conflict(
                                T,
                                "cmd-1",
                                99L,
                                PHONE,
                                null,
                                new io.rtcdp.udf.identity.OneIds(
                                                io.rtcdp.udf.event.ParserConfig.defaults()
                                                        .tenantKeys())
                                        .quarantined(T, PHONE),
                                Conflict.RELEASED));
        assertThat(r.store.quarantined(PHONE)).isFalse();
        assertThat(r.store.oneidOf(PHONE)).isNull();
        // released, not linked: nothing else moved
        assertThat(r.partition()).containsExactlyInAnyOrder(Set.of(ALICE, COOKIE), Set.of(MALLORY));

        Resolution back = event(r, ALICE, PHONE);
        assertThat(back.linked()).containsExactly(PHONE);
        assertThat(back.conflicts()).isEmpty();
        assertThat(r.store.oneidOf(PHONE)).isEqualTo(r.store.oneidOf(ALICE));
        r.checkGraph();
        // an event carrying the phone alone now goes to alice
        assertThat(event(r, PHONE).oneid()).isEqualTo(r.store.oneidOf(ALICE));
    }

    @Test
    void aReleasedIdWhoseProfileWasDroppedFoundsAProfileUnderANewOneid() {
        Replay r = new Replay(IdLimits.withOverrides(Map.of("device_id", 1)));
        Id d1 = new Id(IdTypes.DEVICE_ID, "d1");
        Id d2 = new Id(IdTypes.DEVICE_ID, "d2");
        event(r, ALICE, d1);
        Resolution alone = event(r, d2);
        // d2's profile is refused (a second device) and loses its only id: dropped
        Resolution refused = event(r, ALICE, d2);
        assertThat(refused.dropped()).containsExactly(alone.oneid());
        assertThat(r.store.aliasOf(alone.oneid()))
                .isEqualTo(
                        new io.rtcdp.udf.identity.OneIds(
                                        io.rtcdp.udf.event.ParserConfig.defaults().tenantKeys())
                                .quarantined(T, d2));

        assertThat(r.release("c1", 10L, d2)).isNotNull();
        Resolution again = event(r, d2);

        // the dropped oneid went to d2's quarantine profile downstream: it is not founded again
        assertThat(again.founded()).isTrue();
        assertThat(again.oneid()).isNotEqualTo(alone.oneid());
        r.checkFirstSeen();
    }

    @Test
    void releasingAnIdThatIsNotQuarantinedChangesNothing() {
        Replay r = new Replay(IdLimits.defaults());
        event(r, ALICE, PHONE);
        Map<Id, String> links = Map.copyOf(r.store.links());

        assertThat(r.graph.release(T, "cmd-1", 1L, PHONE)).isNull();
        assertThat(r.graph.release(T, "cmd-2", 1L, new Id(IdTypes.PHONE, "never-seen"))).isNull();
        assertThat(r.store.links()).isEqualTo(links);
    }

    @Test
    void withThePolicyAForgedEventDoesNotDetachAProtectedId() {
        Replay r = new Replay(PROTECT_2);
        event(r, ALICE, PHONE, COOKIE);
        event(r, ALICE, PHONE);
        String alice = r.store.oneidOf(ALICE);

        Resolution forged = event(r, MALLORY, PHONE, EVIL_COOKIE);

        assertThat(forged.quarantined()).isEmpty();
        assertThat(forged.conflicts())
                .containsExactly(
                        new Conflict(
                                T,
                                "e3",
                                3L,
                                PHONE,
                                forged.oneid(),
                                alice,
                                Conflict.USER_ID_PROTECTED));
        assertThat(r.store.oneidOf(PHONE)).isEqualTo(alice);
        assertThat(r.partition())
                .containsExactlyInAnyOrder(
                        Set.of(ALICE, PHONE, COOKIE), Set.of(MALLORY, EVIL_COOKIE));
    }

    @Test
    void withThePolicyTheForgedEventFirstIsUndoneByTheUsersEvidence() {
        Replay r = new Replay(PROTECT_2);
        event(r, MALLORY, PHONE);
        event(r, ALICE, PHONE, COOKIE);
        assertThat(r.store.quarantined(PHONE)).as("one event each: no evidence yet").isTrue();

        Resolution second = event(r, ALICE, PHONE);

        assertThat(second.released()).containsExactly(PHONE);
        assertThat(second.linked()).containsExactly(PHONE);
        assertThat(second.conflicts()).extracting(Conflict::reason).containsExactly("released");
        assertThat(r.partition())
                .containsExactlyInAnyOrder(Set.of(ALICE, PHONE, COOKIE), Set.of(MALLORY));
    }

    @Test
    void anIdBothUsersGaveEvidenceForIsQuarantined() {
        Replay r = new Replay(PROTECT_2);
        event(r, ALICE, PHONE);
        event(r, ALICE, PHONE);
        event(r, MALLORY, PHONE);
        assertThat(r.store.quarantined(PHONE)).isFalse();

        Resolution shared = event(r, MALLORY, PHONE);

        assertThat(shared.quarantined())
                .extracting(Resolution.Quarantine::id)
                .containsExactly(PHONE);
        assertThat(r.store.quarantined(PHONE)).isTrue();
    }

    @Test
    void theEvidenceIsCountedOnlyUpToTheThreshold() {
        Replay r = new Replay(PROTECT_2);
        for (int i = 0; i < 5; i++) {
            event(r, ALICE, PHONE);
        }
        assertThat(r.store.evidence(PHONE).counts()).isEqualTo(Map.of("alice", 2));
        assertThat(r.store.evidence(ALICE)).isEqualTo(UserEvidence.NONE);
        assertThat(UserEvidence.fromBytes(r.store.evidence(PHONE).toBytes()))
                .isEqualTo(r.store.evidence(PHONE));
    }

    @Test
    void withoutThePolicyNoEvidenceIsKept() {
        Replay r = new Replay(IdLimits.defaults());
        event(r, ALICE, PHONE);
        assertThat(r.store.evidence(PHONE)).isEqualTo(UserEvidence.NONE);
    }

    @Test
    void thePolicyNeedsAtLeastTwoEventsOrZeroForOff() {
        assertThatThrownBy(() -> IdLimits.withOverrides(Map.of(IdLimits.USER_ID_EVIDENCE, 1)))
                .hasMessageContaining("at least 2");
        assertThat(IdLimits.defaults().userIdEvidence()).isZero();
        assertThat(IdLimits.withOverrides(Map.of(IdLimits.USER_ID_EVIDENCE, 0)).userIdEvidence())
                .isZero();
        // one tenant can turn off a policy that is on for all
        TenantIdLimits limits =
                TenantIdLimits.of(
                        Map.of(IdLimits.USER_ID_EVIDENCE, 3),
                        Map.of("open", Map.of(IdLimits.USER_ID_EVIDENCE, 0)));
        assertThat(limits.forTenant("open").userIdEvidence()).isZero();
        assertThat(limits.forTenant("other").userIdEvidence()).isEqualTo(3);
    }

    /**
     * Histories of any shape (several user_ids per event, limits reached, ids reused) with the
     * policy on and releases in between: every step keeps the rules ({@link Replay} checks each).
     */
    @Property(tries = 300)
    void everyStepKeepsTheRulesWithThePolicyAndReleasesOnAnyHistory(
            @ForAll("steps") List<List<Id>> steps, @ForAll("thresholds") int threshold) {
        IdLimits limits =
                IdLimits.withOverrides(
                        Map.of(
                                IdLimits.USER_ID_EVIDENCE,
                                threshold,
                                "phone",
                                2,
                                "device_id",
                                2,
                                "cookie_id",
                                3));
        Replay replay = new Replay(limits);
        int releases = 0;
        for (int i = 0; i < steps.size(); i++) {
            List<Id> ids = steps.get(i);
            if (ids.size() == 1 && ids.get(0).type().equals(IdTypes.DEVICE_ID)) {
                // a lone device stands for an operator's release of it
                if (replay.release("c" + i, i, ids.get(0)) != null) {
                    releases++;
                }
            } else {
                replay.apply(new Ev("e" + i, ids), i % 7);
            }
        }
        replay.checkFirstSeen();
        Statistics.label("released by command").collect(releases > 0);
        Statistics.label("released by the policy")
                .collect(
                        replay.resolutions.values().stream()
                                .anyMatch(r -> !r.released().isEmpty()));
        Statistics.label("protected")
                .collect(
                        replay.resolutions.values().stream()
                                .flatMap(r -> r.conflicts().stream())
                                .anyMatch(c -> c.reason().equals(Conflict.USER_ID_PROTECTED)));
    }

    @Provide
    Arbitrary<List<List<Id>>> steps() {
        Arbitrary<Id> ids =
                Arbitraries.oneOf(
                        pool(IdTypes.USER_ID, "u", 3),
                        pool(IdTypes.PHONE, "p", 3),
                        pool(IdTypes.DEVICE_ID, "d", 4),
                        pool(IdTypes.COOKIE_ID, "c", 6));
        return ids.list().ofMinSize(1).ofMaxSize(4).list().ofMinSize(1).ofMaxSize(60);
    }

    private static Arbitrary<Id> pool(String type, String prefix, int n) {
        return Arbitraries.integers().between(0, n - 1).map(i -> new Id(type, prefix + i));
    }

    @Provide
    Arbitrary<IdentityWorld> worlds() {
        return IdentityWorld.worlds(10);
    }

    @Provide
    Arbitrary<Integer> thresholds() {
        return Arbitraries.integers().between(2, 3);
    }

    /** The protection policy's final graph is the oracle's in every arrival order. */
    @Property(tries = 300)
    void withThePolicyTheFinalGraphIsTheOraclesInEveryOrder(
            @ForAll("worlds") IdentityWorld world,
            @ForAll("thresholds") int threshold,
            @ForAll long orderSeed) {
        UnionFindOracle.Result expected = UnionFindOracle.of(world.events(), threshold);
        UnionFindOracle.Result unprotected = UnionFindOracle.of(world.events());
        IdLimits limits = IdLimits.withOverrides(Map.of(IdLimits.USER_ID_EVIDENCE, threshold));
        Random random = new Random(orderSeed);
        for (int k = 0; k < 6; k++) {
            List<Integer> order =
                    k == 0
                            ? IntStream.range(0, world.events().size()).boxed().toList()
                            : world.permutation(random);
            Replay replay = new Replay(limits);
            for (int i : order) {
                replay.apply(world.events().get(i), world.ts().get(i));
            }
            String at = "order " + order + " of " + world;
            assertThat(replay.partition()).as(at).isEqualTo(expected.partition());
            assertThat(replay.groupOf()).as(at).isEqualTo(expected.groupOf());
            assertThat(replay.store.quarantinedIds()).as(at).isEqualTo(expected.quarantined());
            replay.checkFirstSeen();
        }
        Statistics.label("protected ids")
                .collect(
                        unprotected.quarantined().size() > expected.quarantined().size()
                                ? "some"
                                : "none");
    }

    /**
     * The oracle with the policy against the worlds' truth: an id is quarantined exactly when it is
     * used by two users and at most... not one of them reached the threshold alone; a protected
     * id's group holds its user.
     */
    @Property(tries = 200)
    void thePolicysOracleProtectsExactlyTheIdsOfOneUsersEvidence(
            @ForAll("worlds") IdentityWorld world, @ForAll("thresholds") int threshold) {
        UnionFindOracle.Result result = UnionFindOracle.of(world.events(), threshold);
        UnionFindOracle.Result plain = UnionFindOracle.of(world.events());
        for (Id id : plain.quarantined()) {
            Map<Id, Integer> perUser = new java.util.HashMap<>();
            for (Ev e : world.events()) {
                if (e.ids().contains(id)) {
                    for (Id other : e.ids()) {
                        if (other.type().equals(IdTypes.USER_ID)) {
                            perUser.merge(other, 1, Integer::sum);
                        }
                    }
                }
            }
            List<Id> reached =
                    perUser.entrySet().stream()
                            .filter(en -> en.getValue() >= threshold)
                            .map(Map.Entry::getKey)
                            .toList();
            String why = id + " used " + perUser;
            if (reached.size() == 1) {
                assertThat(result.quarantined()).as(why).doesNotContain(id);
                Set<Id> group =
                        result.partition().stream()
                                .filter(g -> g.contains(id))
                                .findFirst()
                                .orElseThrow();
                assertThat(group).as(why).contains(reached.get(0));
            } else {
                assertThat(result.quarantined()).as(why).contains(id);
            }
        }
        // the policy never quarantines what the rules without it do not
        assertThat(plain.quarantined()).containsAll(result.quarantined());
    }
}
