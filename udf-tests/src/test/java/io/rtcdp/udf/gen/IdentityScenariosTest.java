package io.rtcdp.udf.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.gen.GeneratedRecord.Kind;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The identity scenarios of the generator (anonymous browsing, shared devices, recycled phones) and
 * their ground truth, checked against what the JSON lines carry, read with the independent {@link
 * ContractOracle}.
 */
class IdentityScenariosTest {

    private static final Set<String> ANONYMOUS_TYPES = Set.of("cookie_id", "device_id", "union_id");

    private static PopulationGenerator.Builder scenario() {
        return PopulationGenerator.builder()
                .seed(5)
                .tenants("acme", "globex")
                .persons(3_000)
                .events(120_000)
                .startMillis(1_735_689_600_000L)
                .duration(Duration.ofDays(30))
                .alwaysUserId(false)
                .sharedDevices(0.1, 4)
                .reusedPhones(0.1)
                .duplicateFraction(0.01)
                .badFraction(0.005);
    }

    private static final PopulationGenerator GEN =
            scenario().outOfOrder(0.05, Duration.ofHours(1)).beyondBound(0.005).build();

    /** The same valid events, emitted in the order they are generated. */
    private static final PopulationGenerator ORDERED =
            scenario().outOfOrder(0, Duration.ofHours(1)).beyondBound(0).build();

    private static List<GeneratedRecord> records;
    private static List<Event> events;
    private static List<Event> orderedEvents;

    /** What the records say: every id's persons, read from the JSON lines. */
    private static Map<Id, Set<Integer>> owners;

    /**
     * The devices of households, from the population model: used only logged in, even when only one
     * member happens to use it in the stream.
     */
    private static Set<Id> householdDevices;

    /** One valid record, read back. */
    private record Event(
            int person, String tenant, String channel, long ts, String userId, List<Id> ids) {}

    @BeforeAll
    static void generate() throws IOException {
        records = new ArrayList<>();
        GEN.forEach(records::add);
        events = validEvents(records);
        List<GeneratedRecord> ordered = new ArrayList<>();
        ORDERED.forEach(ordered::add);
        orderedEvents = validEvents(ordered);
        householdDevices = new HashSet<>();
        for (int p = 0; p < GEN.persons(); p++) {
            Person person = Person.of(GEN.identityPlan(), p);
            if (person.deviceShared) {
                householdDevices.add(new Id("device_id", person.devices[0]));
            }
        }
        owners = new HashMap<>();
        for (Event e : events) {
            for (Id id : e.ids()) {
                owners.computeIfAbsent(id, k -> new TreeSet<>()).add(e.person());
            }
        }
    }

    @Test
    void sameConfigurationSameRecordsAndGroundTruth() {
        List<GeneratedRecord> again = new ArrayList<>();
        GEN.forEach(again::add);
        assertThat(again).isEqualTo(records);
        PopulationGenerator rebuilt =
                scenario().outOfOrder(0.05, Duration.ofHours(1)).beyondBound(0.005).build();
        assertThat(rebuilt.idOwners()).isEqualTo(GEN.idOwners());
        // Displacement does not change which events there are, so neither does the truth.
        assertThat(ORDERED.idOwners()).isEqualTo(GEN.idOwners());
        assertThat(multiset(orderedEvents)).isEqualTo(multiset(events));

        PopulationGenerator otherSeed = scenario().seed(6).build();
        assertThat(otherSeed.idOwners()).isNotEqualTo(GEN.idOwners());
    }

    @Test
    void shuffledIsADeterministicPermutation() {
        List<GeneratedRecord> copy = List.copyOf(records);
        List<GeneratedRecord> a = PopulationGenerator.shuffled(records, 1);
        assertThat(PopulationGenerator.shuffled(records, 1)).isEqualTo(a);
        assertThat(records).isEqualTo(copy);
        assertThat(a).isNotEqualTo(records);
        assertThat(PopulationGenerator.shuffled(records, 2)).isNotEqualTo(a);
        assertThat(multiset(a)).isEqualTo(multiset(records));
        // Not rotated or reversed: hardly any record still follows the one it followed.
        Map<GeneratedRecord, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            position.put(records.get(i), i);
        }
        int kept = 0;
        for (int i = 1; i < a.size(); i++) {
            if (position.get(a.get(i)) == position.get(a.get(i - 1)) + 1) {
                kept++;
            }
        }
        assertThat(kept).isLessThan(10);
        assertThat(PopulationGenerator.shuffled(List.of(), 3)).isEmpty();
    }

    @Test
    void groundTruthIsWhatTheRecordsCarry() {
        Map<Id, List<Integer>> expected = new HashMap<>();
        owners.forEach((id, persons) -> expected.put(id, List.copyOf(persons)));
        assertThat(GEN.idOwners()).isEqualTo(expected);
        int shared = 0;
        for (Map.Entry<Id, Set<Integer>> e : owners.entrySet()) {
            boolean many = e.getValue().size() > 1;
            assertThat(GEN.isShared(e.getKey().type(), e.getKey().value()))
                    .as("%s", e.getKey())
                    .isEqualTo(many);
            if (many) {
                shared++;
            }
        }
        assertThat(shared).isGreaterThan(50);
        assertThat(GEN.isShared("device_id", "no-such-device")).isFalse();
        assertThat(GEN.isShared("user_id", GEN.userIdOf(0))).isFalse();
    }

    @Test
    void anonymousIdsAppearAnonymouslyBeforeTheyAppearWithTheUserId() {
        Map<Id, Integer> firstAnonymous = new HashMap<>();
        Map<Id, Integer> firstWithUser = new HashMap<>();
        Set<Integer> personsSeen = new HashSet<>();
        int firstEventsWithUser = 0;
        for (int i = 0; i < orderedEvents.size(); i++) {
            Event e = orderedEvents.get(i);
            if (personsSeen.add(e.person()) && e.userId() != null) {
                firstEventsWithUser++;
            }
            for (Id id : e.ids()) {
                if (ANONYMOUS_TYPES.contains(id.type())) {
                    (e.userId() == null ? firstAnonymous : firstWithUser).putIfAbsent(id, i);
                }
            }
        }
        // Every person starts anonymous: the login comes later.
        assertThat(firstEventsWithUser).isZero();
        List<String> wrong = new ArrayList<>();
        int linkedCookies = 0;
        int cookies = 0;
        for (Map.Entry<Id, Integer> e : firstWithUser.entrySet()) {
            Id id = e.getKey();
            if (householdDevices.contains(id)) {
                continue;
            }
            Integer anonymous = firstAnonymous.get(id);
            if (anonymous == null || anonymous > e.getValue()) {
                wrong.add(
                        id + " first anonymous at " + anonymous + ", with user at " + e.getValue());
            }
        }
        for (Id id : firstAnonymous.keySet()) {
            if (id.type().equals("cookie_id")) {
                cookies++;
                if (firstWithUser.containsKey(id)) {
                    linkedCookies++;
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(firstAnonymous.keySet()).doesNotContainAnyElementsOf(householdDevices);
        // Most anonymous cookies are later linked to their person by a login.
        assertThat(linkedCookies).isGreaterThan(cookies / 2);

        // In the displaced stream, the anonymous appearance is never later in event time.
        Map<Id, Long> anonymousTs = new HashMap<>();
        Map<Id, Long> userTs = new HashMap<>();
        for (Event e : events) {
            for (Id id : e.ids()) {
                if (ANONYMOUS_TYPES.contains(id.type()) && !householdDevices.contains(id)) {
                    (e.userId() == null ? anonymousTs : userTs).merge(id, e.ts(), Math::min);
                }
            }
        }
        userTs.forEach(
                (id, ts) -> assertThat(anonymousTs.get(id)).as("%s", id).isLessThanOrEqualTo(ts));

        int anonymousEvents = 0;
        for (Event e : events) {
            Set<String> types = e.ids().stream().map(Id::type).collect(Collectors.toSet());
            if (e.userId() == null) {
                anonymousEvents++;
                assertThat(e.ids()).hasSize(1);
                assertThat(types).isSubsetOf(ANONYMOUS_TYPES);
            } else {
                // After the login, the session's cookie, device or union id comes along.
                String anonymous =
                        switch (e.channel()) {
                            case "web" -> "cookie_id";
                            case "app" -> "device_id";
                            case "miniprogram" -> "union_id";
                            default -> null;
                        };
                Set<String> expected = new HashSet<>(types);
                expected.retainAll(ANONYMOUS_TYPES);
                assertThat(expected).isEqualTo(anonymous == null ? Set.of() : Set.of(anonymous));
            }
        }
        assertThat((double) anonymousEvents / events.size()).isBetween(0.2, 0.8);
    }

    @Test
    void sharedIdsOnlyEverComeWithTheirUsersUserId() {
        int sharedDevices = 0;
        int reusedPhones = 0;
        for (Map.Entry<Id, Set<Integer>> e : owners.entrySet()) {
            Set<Integer> persons = e.getValue();
            if (persons.size() < 2) {
                continue;
            }
            String type = e.getKey().type();
            assertThat(type).isIn("device_id", "phone");
            assertThat(persons.stream().map(GEN::tenantOf).distinct()).hasSize(1);
            if (type.equals("device_id")) {
                sharedDevices++;
                assertThat(persons).hasSizeLessThanOrEqualTo(GEN.sharedDeviceMaxPersons());
            } else {
                reusedPhones++;
                assertThat(persons).hasSize(2);
            }
        }
        assertThat(sharedDevices).isGreaterThan(20);
        assertThat(reusedPhones).isGreaterThan(20);

        Map<Id, Map<Integer, long[]>> useRange = new HashMap<>();
        for (Event e : events) {
            int sharedInEvent = 0;
            for (Id id : e.ids()) {
                if (owners.get(id).size() > 1) {
                    sharedInEvent++;
                    assertThat(e.userId()).as("%s", id).isEqualTo(GEN.userIdOf(e.person()));
                    long[] range =
                            useRange.computeIfAbsent(id, k -> new HashMap<>())
                                    .computeIfAbsent(
                                            e.person(), p -> new long[] {Long.MAX_VALUE, 0});
                    range[0] = Math.min(range[0], e.ts());
                    range[1] = Math.max(range[1], e.ts());
                }
            }
            // Each refused link of identity resolution is about one id.
            assertThat(sharedInEvent).isLessThanOrEqualTo(1);
        }
        // A recycled number: the first person stops using it before the second starts.
        useRange.forEach(
                (id, byPerson) -> {
                    if (id.type().equals("phone")) {
                        List<Integer> persons = new ArrayList<>(new TreeSet<>(byPerson.keySet()));
                        long giverLast = byPerson.get(persons.get(0))[1];
                        long receiverFirst = byPerson.get(persons.get(1))[0];
                        assertThat(giverLast).as("%s", id).isLessThan(receiverFirst);
                    }
                });
    }

    @Test
    void idsOfTwoPersonsNeverMeetExceptTheSharedOnes() {
        IdentityPlan plan = GEN.identityPlan();
        for (Event e : events) {
            Person person = Person.of(plan, e.person());
            for (Id id : e.ids()) {
                Set<Integer> persons = owners.get(id);
                if (persons.size() == 1) {
                    continue;
                }
                // Only what the population shares on purpose is used by several persons.
                boolean sharedDevice =
                        id.type().equals("device_id")
                                && person.deviceShared
                                && id.value().equals(person.devices[0]);
                boolean recycledPhone =
                        id.type().equals("phone")
                                && person.phoneShared
                                && id.value().equals("+86" + person.phone);
                assertThat(sharedDevice || recycledPhone).as("%s of %s", id, persons).isTrue();
            }
        }
    }

    @Test
    void personsUseOneToSixIdsWithinTheProfileLimits() {
        Map<Integer, Set<Id>> idsOf = new HashMap<>();
        for (Event e : events) {
            idsOf.computeIfAbsent(e.person(), p -> new HashSet<>()).addAll(e.ids());
        }
        Map<Integer, Integer> bySize = new HashMap<>();
        for (Set<Id> ids : idsOf.values()) {
            assertThat(ids.size()).isBetween(1, 6);
            bySize.merge(ids.size(), 1, Integer::sum);
            Map<String, Long> perType =
                    ids.stream().collect(Collectors.groupingBy(Id::type, Collectors.counting()));
            for (String type : List.of("user_id", "phone", "email", "union_id", "device_id")) {
                assertThat(perType.getOrDefault(type, 0L)).isLessThanOrEqualTo(1);
            }
            assertThat(perType.getOrDefault("cookie_id", 0L)).isLessThanOrEqualTo(2);
        }
        assertThat(bySize.keySet()).contains(1, 2, 3, 4, 5, 6);
    }

    @Test
    void sharingFractionsHoldOnThePopulation() {
        PopulationGenerator g =
                PopulationGenerator.builder()
                        .seed(9)
                        .tenants("a", "b", "c")
                        .persons(60_000)
                        .sharedDevices(0.1, 4)
                        .reusedPhones(0.2)
                        .build();
        Map<String, Set<Integer>> deviceUsers = new HashMap<>();
        Map<String, Set<Integer>> phoneUsers = new HashMap<>();
        for (int p = 0; p < g.persons(); p++) {
            Person person = Person.of(g.identityPlan(), p);
            for (String d : person.devices) {
                deviceUsers.computeIfAbsent(d, k -> new HashSet<>()).add(p);
            }
            if (person.phone != null) {
                phoneUsers.computeIfAbsent(person.phone, k -> new HashSet<>()).add(p);
            }
            assertThat(person.devices.length).isLessThanOrEqualTo(1);
            assertThat(person.cookies.length).isBetween(1, 2);
        }
        assertThat(shareOfShared(deviceUsers)).isCloseTo(0.1, within(0.01));
        assertThat(shareOfShared(phoneUsers)).isCloseTo(0.2, within(0.015));
        for (Set<Integer> users : deviceUsers.values()) {
            assertThat(users.size()).isBetween(1, 4);
            assertThat(users.stream().map(g::tenantOf).distinct()).hasSize(1);
        }
        for (Set<Integer> users : phoneUsers.values()) {
            assertThat(users.size()).isBetween(1, 2);
            assertThat(users.stream().map(g::tenantOf).distinct()).hasSize(1);
        }

        // Pairs can share every device, and every number can be recycled.
        PopulationGenerator all =
                PopulationGenerator.builder()
                        .persons(1_000)
                        .sharedDevices(1, 2)
                        .reusedPhones(1)
                        .build();
        Map<String, Set<Integer>> devices = new HashMap<>();
        Map<String, Set<Integer>> phones = new HashMap<>();
        for (int p = 0; p < all.persons(); p++) {
            Person person = Person.of(all.identityPlan(), p);
            for (String d : person.devices) {
                devices.computeIfAbsent(d, k -> new HashSet<>()).add(p);
            }
            phones.computeIfAbsent(person.phone, k -> new HashSet<>()).add(p);
        }
        assertThat(shareOfShared(devices)).isEqualTo(1.0);
        assertThat(shareOfShared(phones)).isEqualTo(1.0);
    }

    @Test
    void withAlwaysUserIdEveryEventStillCarriesIt() throws IOException {
        PopulationGenerator g =
                PopulationGenerator.builder()
                        .seed(13)
                        .persons(400)
                        .events(30_000)
                        .sharedDevices(0.2, 3)
                        .reusedPhones(0.2)
                        .build();
        List<GeneratedRecord> all = new ArrayList<>();
        g.forEach(all::add);
        int sharedSeen = 0;
        for (Event e : validEvents(all)) {
            assertThat(e.userId()).isEqualTo(g.userIdOf(e.person()));
            for (Id id : e.ids()) {
                if (g.isShared(id.type(), id.value())) {
                    sharedSeen++;
                }
            }
        }
        assertThat(sharedSeen).isPositive();
    }

    @Test
    void builderRejectsInvalidIdentitySettings() {
        assertThatThrownBy(() -> PopulationGenerator.builder().sharedDevices(0.1, 1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPersons");
        assertThatThrownBy(() -> PopulationGenerator.builder().sharedDevices(-0.1, 2).build())
                .hasMessageContaining("shared-device fraction");
        assertThatThrownBy(() -> PopulationGenerator.builder().sharedDevices(0.7, 4).build())
                .hasMessageContaining("more than households of up to 4");
        assertThatThrownBy(() -> PopulationGenerator.builder().reusedPhones(1.5).build())
                .hasMessageContaining("reused-phone fraction");
        PopulationGenerator max = PopulationGenerator.builder().sharedDevices(0.6, 4).build();
        assertThat(max.sharedDeviceFraction()).isEqualTo(0.6);
        assertThat(max.sharedDeviceMaxPersons()).isEqualTo(4);
        assertThat(max.reusedPhoneFraction()).isZero();
    }

    private static double shareOfShared(Map<String, Set<Integer>> users) {
        long shared = users.values().stream().filter(u -> u.size() > 1).count();
        return (double) shared / users.size();
    }

    private static <T> Map<T, Long> multiset(List<T> items) {
        return items.stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static List<Event> validEvents(List<GeneratedRecord> records) throws IOException {
        List<Event> out = new ArrayList<>();
        for (GeneratedRecord r : records) {
            if (r.kind() != Kind.VALID) {
                continue;
            }
            JsonNode n = ContractOracle.JSON.readTree(r.json());
            List<Id> ids = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.get("ids").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> id = it.next();
                ids.add(
                        new Id(
                                id.getKey(),
                                ContractOracle.normalise(id.getKey(), id.getValue().asText())));
            }
            JsonNode user = n.get("ids").get("user_id");
            out.add(
                    new Event(
                            r.person(),
                            n.get("tenant").asText(),
                            n.get("channel").asText(),
                            ContractOracle.tsMillis(n.get("ts")),
                            user == null ? null : user.asText(),
                            ids));
        }
        return out;
    }
}
