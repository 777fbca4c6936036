package io.rtcdp.udf.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdTypes;
import io.rtcdp.udf.identity.UnionFindOracle.Ev;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
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

/**
 * {@link IdentityGraph} against {@link UnionFindOracle} on random worlds in every order, and the
 * rules' invariants (checked by {@link Replay} after every event) on arbitrary histories.
 */
class IdentityGraphPropertiesTest {
    private static final int PERMUTATIONS = 6;

    @Provide
    Arbitrary<IdentityWorld> worlds() {
        return IdentityWorld.worlds(10);
    }

    @Property(tries = 300)
    void finalGraphIsTheOraclesInEveryOrder(
            @ForAll("worlds") IdentityWorld world, @ForAll long orderSeed) {
        UnionFindOracle.Result expected = UnionFindOracle.of(world.events());
        Random r = new Random(orderSeed);
        int merges = 0;
        int conflicts = 0;
        for (int k = 0; k < PERMUTATIONS; k++) {
            // the story order first, then shuffles
            List<Integer> order =
                    k == 0
                            ? IntStream.range(0, world.events().size()).boxed().toList()
                            : world.permutation(r);
            Replay replay = new Replay(IdLimits.defaults());
            for (int i : order) {
                replay.apply(world.events().get(i), world.ts().get(i));
            }
            String at = "order " + order + " of " + world;
            assertThat(replay.partition()).as(at).isEqualTo(expected.partition());
            assertThat(replay.groupOf()).as(at).isEqualTo(expected.groupOf());
            assertThat(replay.store.quarantinedIds()).as(at).isEqualTo(expected.quarantined());
            replay.checkFirstSeen();
            merges += replay.merges;
            conflicts += replay.conflicts;
        }
        Statistics.collect(merges > 0 ? "merges" : "no merge");
        Statistics.label("quarantine").collect(expected.quarantined().isEmpty() ? "none" : "some");
        Statistics.label("conflicts").collect(conflicts > 0);
    }

    /** Histories of any shape: several user_ids per event, counting limits hit, ids reused. */
    @Provide
    Arbitrary<List<Ev>> anyHistory() {
        Arbitrary<Id> ids =
                Arbitraries.oneOf(
                        pool(IdTypes.USER_ID, "u", 4),
                        pool(IdTypes.PHONE, "p", 4),
                        pool(IdTypes.EMAIL, "e", 3),
                        pool(IdTypes.UNION_ID, "w", 2),
                        pool(IdTypes.DEVICE_ID, "d", 6),
                        pool(IdTypes.COOKIE_ID, "c", 10),
                        pool(IdTypes.COOKIE_ID, "c", 10),
                        pool("x_crm", "k", 3));
        return ids.list()
                .ofMinSize(1)
                .ofMaxSize(4)
                .list()
                .ofMinSize(1)
                .ofMaxSize(60)
                .map(
                        lists -> {
                            List<Ev> out = new ArrayList<>();
                            for (List<Id> l : lists) {
                                out.add(new Ev("e" + out.size(), l));
                            }
                            return out;
                        });
    }

    private static Arbitrary<Id> pool(String type, String prefix, int n) {
        return Arbitraries.integers().between(0, n - 1).map(i -> new Id(type, prefix + i));
    }

    private static final IdLimits SMALL =
            IdLimits.withOverrides(
                    Map.of("phone", 2, "email", 1, "device_id", 2, "cookie_id", 3, "x_*", 1));

    @Property(tries = 500)
    void everyStepKeepsTheRulesOnAnyHistory(
            @ForAll("anyHistory") List<Ev> events, @ForAll("times") List<Long> times) {
        Replay replay = new Replay(SMALL);
        for (int i = 0; i < events.size(); i++) {
            replay.apply(events.get(i), times.get(i % times.size()));
        }
        replay.checkFirstSeen();
        Statistics.label("merges").collect(replay.merges > 0);
        Statistics.label("conflicts").collect(replay.conflicts > 0);
        Statistics.label("dropped")
                .collect(
                        replay.resolutions.values().stream().anyMatch(r -> !r.dropped().isEmpty()));
    }

    @Provide
    Arbitrary<List<Long>> times() {
        return Arbitraries.longs().between(0, 30).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 100)
    void theSameHistoryGivesTheSameDecisions(@ForAll("anyHistory") List<Ev> events) {
        Replay a = new Replay(SMALL);
        Replay b = new Replay(SMALL);
        for (int i = 0; i < events.size(); i++) {
            a.apply(events.get(i), i % 7);
            b.apply(events.get(i), i % 7);
        }
        assertThat(b.resolutionList()).isEqualTo(a.resolutionList());
        assertThat(b.store.profiles()).isEqualTo(a.store.profiles());
        assertThat(b.store.aliases()).isEqualTo(a.store.aliases());
    }

    /**
     * The oracle against the worlds' ground truth, so that a wrong oracle cannot agree with a wrong
     * engine: a shared id is quarantined exactly when two of its holders used it, no group holds
     * two persons' own ids, and a person's login events share one group.
     */
    @Property(tries = 300)
    void oracleAgreesWithTheWorldsGroundTruth(@ForAll("worlds") IdentityWorld world) {
        UnionFindOracle.Result result = UnionFindOracle.of(world.events());
        Map<Id, Integer> ownerOf = new HashMap<>();
        Map<Id, Set<Id>> usersOfShared = new HashMap<>();
        for (int p = 0; p < world.persons().size(); p++) {
            IdentityWorld.Person person = world.persons().get(p);
            for (Id id : person.own()) {
                ownerOf.put(id, p);
            }
            if (person.user() != null) {
                ownerOf.put(person.user(), p);
            }
        }
        for (Ev e : world.events()) {
            Id user = null;
            for (Id id : e.ids()) {
                if (id.type().equals(IdTypes.USER_ID)) {
                    user = id;
                }
            }
            for (Id id : e.ids()) {
                if (!ownerOf.containsKey(id)) {
                    usersOfShared.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(user);
                }
            }
        }
        usersOfShared.forEach(
                (id, users) ->
                        assertThat(result.quarantined().contains(id))
                                .as("%s used by %s", id, users)
                                .isEqualTo(users.size() >= 2));
        for (Set<Id> group : result.partition()) {
            assertThat(group.stream().filter(ownerOf::containsKey).map(ownerOf::get).distinct())
                    .as("owners in %s", group)
                    .hasSizeLessThanOrEqualTo(1);
        }
        for (Ev e : world.events()) {
            for (Id id : e.ids()) {
                if (id.type().equals(IdTypes.USER_ID)) {
                    assertThat(result.groupOf().get(e.eventId())).contains(id);
                }
            }
        }
    }
}
