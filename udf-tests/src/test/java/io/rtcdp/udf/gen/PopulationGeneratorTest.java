package io.rtcdp.udf.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtcdp.udf.event.ErrorCode;
import io.rtcdp.udf.gen.GeneratedRecord.Kind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PopulationGeneratorTest {

    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    /** Dense enough (about one event per 9 s) that nearly every held-back event is overtaken. */
    private static final PopulationGenerator GEN =
            PopulationGenerator.builder()
                    .seed(7)
                    .tenants("acme", "globex")
                    .persons(2_000)
                    .events(100_000)
                    .startMillis(1_735_689_600_000L) // 2025-01-01T00:00Z
                    .duration(Duration.ofDays(10))
                    .duplicateFraction(0.02)
                    .badFraction(0.01)
                    .outOfOrder(0.05, Duration.ofHours(1))
                    .beyondBound(0.005)
                    .build();

    private static List<GeneratedRecord> records;
    private static List<JsonNode> valid;
    private static List<GeneratedRecord> validRecords;

    @BeforeAll
    static void generate() throws IOException {
        records = new ArrayList<>();
        GEN.forEach(records::add);
        valid = new ArrayList<>();
        validRecords = new ArrayList<>();
        for (GeneratedRecord r : records) {
            if (r.kind() == Kind.VALID) {
                valid.add(ContractOracle.JSON.readTree(r.json()));
                validRecords.add(r);
            }
        }
    }

    @Test
    void sameSeedSameStreamOtherSeedOtherStream() {
        List<GeneratedRecord> again = new ArrayList<>();
        GEN.forEach(again::add);
        assertThat(again).isEqualTo(records);

        PopulationGenerator rebuilt =
                PopulationGenerator.builder()
                        .seed(7)
                        .tenants("acme", "globex")
                        .persons(2_000)
                        .events(20_000)
                        .startMillis(1_735_689_600_000L)
                        .duration(Duration.ofDays(10))
                        .build();
        assertThat(lines(rebuilt)).isEqualTo(lines(rebuilt));
        PopulationGenerator otherSeed =
                PopulationGenerator.builder()
                        .seed(8)
                        .tenants("acme", "globex")
                        .persons(2_000)
                        .events(20_000)
                        .startMillis(1_735_689_600_000L)
                        .duration(Duration.ofDays(10))
                        .build();
        // Not only the event ids: the times and the people differ.
        assertThat(validTimes(otherSeed)).isNotEqualTo(validTimes(rebuilt));
        assertThat(rebuilt.userIdOf(0)).isNotEqualTo(otherSeed.userIdOf(0));
    }

    @Test
    void kindCountsAreExactlyTheConfiguredFractions() {
        Map<Kind, Long> byKind =
                records.stream()
                        .collect(
                                Collectors.groupingBy(
                                        GeneratedRecord::kind, Collectors.counting()));
        assertThat(records).hasSize(100_000);
        assertThat(byKind)
                .containsEntry(Kind.DUPLICATE, 2_000L)
                .containsEntry(Kind.BAD, 1_000L)
                .containsEntry(Kind.VALID, 97_000L);
        assertThat(GEN.validCount()).isEqualTo(97_000);

        // The kinds are spread over the stream, not bunched: each tenth holds about its share.
        for (int tenth = 0; tenth < 10; tenth++) {
            List<GeneratedRecord> part = records.subList(tenth * 10_000, (tenth + 1) * 10_000);
            long bad = part.stream().filter(r -> r.kind() == Kind.BAD).count();
            long dup = part.stream().filter(r -> r.kind() == Kind.DUPLICATE).count();
            assertThat(bad).isBetween(60L, 140L);
            assertThat(dup).isBetween(140L, 260L);
        }
    }

    @Test
    void everyValidLineIsAValidContractEventInTheTimeRange() {
        List<String> wrong = new ArrayList<>();
        Set<String> types = new TreeSet<>();
        int iso = 0;
        for (int i = 0; i < valid.size(); i++) {
            GeneratedRecord r = validRecords.get(i);
            JsonNode e = valid.get(i);
            String code = ContractOracle.classify(r.json(), GEN.suggestedNow());
            long ts = ContractOracle.tsMillis(e.get("ts"));
            JsonNode ids = e.get("ids");
            Set<String> idTypes = new HashSet<>();
            ids.fieldNames().forEachRemaining(idTypes::add);
            if (code != null
                    || r.json().contains("\n")
                    || ts < GEN.startMillis()
                    || ts >= GEN.endMillis()
                    || !e.get("tenant").asText().equals(GEN.tenantOf(r.person()))
                    || !ids.path("user_id").asText().equals(GEN.userIdOf(r.person()))
                    || !ContractOracle.ID_TYPES.containsAll(idTypes)) {
                wrong.add(code + " " + r.json());
            }
            types.add(e.get("type").asText());
            if (e.get("ts").isTextual()) {
                iso++;
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(types).containsExactly("consent", "identify", "page", "track");
        assertThat((double) iso / valid.size()).isCloseTo(0.1, within(0.02));
    }

    @Test
    void eventsLookLikeAShop() {
        Map<String, Integer> names = new HashMap<>();
        Set<String> channels = new TreeSet<>();
        Set<String> categories = new TreeSet<>();
        Map<String, Integer> orderPerson = new HashMap<>();
        Map<String, String> orderAmount = new HashMap<>();
        for (int i = 0; i < valid.size(); i++) {
            JsonNode e = valid.get(i);
            if (e.path("name").asText().equals("order_completed")) {
                orderPerson.put(
                        e.get("props").get("order_id").asText(), validRecords.get(i).person());
                orderAmount.put(
                        e.get("props").get("order_id").asText(),
                        e.get("props").get("amount").asText());
            }
        }
        List<Double> amounts = new ArrayList<>();
        int refunds = 0;
        for (int i = 0; i < valid.size(); i++) {
            JsonNode e = valid.get(i);
            int person = validRecords.get(i).person();
            String type = e.get("type").asText();
            String name = type.equals("track") ? e.get("name").asText() : type;
            names.merge(name, 1, Integer::sum);
            channels.add(e.get("channel").asText());
            JsonNode props = e.path("props");
            if (props.has("category")) {
                categories.add(props.get("category").asText());
            }
            switch (name) {
                case "order_completed" -> {
                    assertThat(validRecords.get(i).json())
                            .containsPattern("\"amount\":\\d+\\.\\d\\d[,}]");
                    amounts.add(props.get("amount").asDouble());
                }
                case "order_refunded" -> {
                    // A refund is of an earlier order of the same person, for its amount.
                    refunds++;
                    String order = props.get("order_id").asText();
                    assertThat(orderPerson).containsEntry(order, person);
                    assertThat(props.get("amount").asText()).isEqualTo(orderAmount.get(order));
                }
                case "identify" ->
                        assertThat(iterable(e.get("traits").fieldNames()))
                                .containsExactly("city", "gender", "age_band", "member_level");
                case "consent" -> {
                    assertThat(e.get("consent").get("marketing").isBoolean()).isTrue();
                    assertThat(e.get("consent").get("personalization").isBoolean()).isTrue();
                }
                case "product_viewed" -> assertThat(props.get("sku").asText()).startsWith("SKU-");
                default -> {}
            }
        }
        assertThat(names.keySet())
                .contains(
                        "page",
                        "product_viewed",
                        "product_added",
                        "checkout_started",
                        "order_completed",
                        "order_refunded",
                        "search",
                        "app_opened",
                        "identify",
                        "consent",
                        "store_visit");
        assertThat(channels).containsExactly("app", "miniprogram", "store", "web");
        assertThat(categories).hasSize(20);
        // A funnel: many more views than carts, carts than checkouts, checkouts than orders.
        assertThat(names.get("product_viewed")).isGreaterThan(4 * names.get("product_added"));
        assertThat(names.get("product_added")).isGreaterThan(names.get("checkout_started"));
        assertThat(names.get("checkout_started")).isGreaterThan(names.get("order_completed") / 2);
        assertThat(refunds).isLessThan(names.get("order_completed") / 2).isPositive();
        amounts.sort(null);
        assertThat(amounts.get(amounts.size() / 10)).isLessThan(150.0);
        assertThat(amounts.get(amounts.size() * 9 / 10)).isGreaterThan(1000.0);
    }

    @Test
    void eventIdsAreUniqueAmongValidRecords() {
        Set<String> ids = new HashSet<>();
        for (JsonNode e : valid) {
            assertThat(ids.add(e.get("tenant").asText() + "/" + e.get("event_id").asText()))
                    .as("event id %s", e.get("event_id"))
                    .isTrue();
        }
    }

    @Test
    void duplicatesAreExactCopiesOfEarlierValidLines() {
        Map<String, Integer> seen = new HashMap<>();
        int duplicates = 0;
        for (GeneratedRecord r : records) {
            if (r.kind() == Kind.VALID) {
                seen.put(r.json(), r.person());
            } else if (r.kind() == Kind.DUPLICATE) {
                duplicates++;
                assertThat(seen).as(r.json()).containsEntry(r.json(), r.person());
                assertThat(r.expectedErrorCode()).isNull();
            }
        }
        assertThat(duplicates).isEqualTo(2_000);
    }

    @Test
    void idsOfAPersonNeverAppearOnAnotherPersonsEvents() {
        Map<String, Integer> owner = new HashMap<>();
        Map<Integer, Set<String>> idsOf = new HashMap<>();
        List<String> shared = new ArrayList<>();
        for (int i = 0; i < valid.size(); i++) {
            int person = validRecords.get(i).person();
            String tenant = valid.get(i).get("tenant").asText();
            JsonNode ids = valid.get(i).get("ids");
            for (Iterator<Map.Entry<String, JsonNode>> it = ids.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> id = it.next();
                String key =
                        tenant
                                + "/"
                                + id.getKey()
                                + ":"
                                + ContractOracle.normalise(id.getKey(), id.getValue().asText());
                Integer previous = owner.putIfAbsent(key, person);
                if (previous != null && previous != person) {
                    shared.add(key + " of persons " + previous + " and " + person);
                }
                idsOf.computeIfAbsent(person, p -> new HashSet<>()).add(key);
            }
        }
        assertThat(shared).isEmpty();
        // The varied spellings collapse: nobody has more ids than the population model allows.
        for (Set<String> ids : idsOf.values()) {
            Map<String, Long> perType =
                    ids.stream()
                            .collect(
                                    Collectors.groupingBy(
                                            k -> k.substring(k.indexOf('/') + 1, k.indexOf(':')),
                                            Collectors.counting()));
            assertThat(perType.getOrDefault("user_id", 0L)).isEqualTo(1);
            assertThat(perType.getOrDefault("phone", 0L)).isLessThanOrEqualTo(1);
            assertThat(perType.getOrDefault("email", 0L)).isLessThanOrEqualTo(1);
            assertThat(perType.getOrDefault("union_id", 0L)).isLessThanOrEqualTo(1);
            assertThat(perType.getOrDefault("device_id", 0L)).isLessThanOrEqualTo(2);
            assertThat(perType.getOrDefault("cookie_id", 0L)).isLessThanOrEqualTo(3);
        }
        // Phones and emails are written in several ways.
        Set<String> phoneShapes = new HashSet<>();
        Set<String> emailShapes = new HashSet<>();
        for (JsonNode e : valid) {
            JsonNode ids = e.get("ids");
            if (ids.has("phone")) {
                phoneShapes.add(ids.get("phone").asText().replaceAll("\\d", "9"));
            }
            if (ids.has("email")) {
                String m = ids.get("email").asText();
                emailShapes.add(
                        (m.startsWith(" ") ? "space " : "")
                                + (m.equals(m.toLowerCase()) ? "lower" : "upper"));
            }
        }
        assertThat(phoneShapes).hasSizeGreaterThanOrEqualTo(7);
        assertThat(emailShapes).contains("lower", "upper", "space lower");
    }

    @Test
    void keyingByStrongestIdGivesOneProfilePerPerson() {
        Map<String, Set<Integer>> personsByUserId = new HashMap<>();
        Set<Integer> persons = new HashSet<>();
        for (int i = 0; i < valid.size(); i++) {
            int person = validRecords.get(i).person();
            persons.add(person);
            personsByUserId
                    .computeIfAbsent(
                            valid.get(i).get("ids").get("user_id").asText(), k -> new HashSet<>())
                    .add(person);
        }
        assertThat(personsByUserId).hasSameSizeAs(persons);
        assertThat(personsByUserId.values()).allMatch(s -> s.size() == 1);
        assertThat(persons.size()).isGreaterThan(1_200);
    }

    @Test
    void displacementRespectsTheBoundExceptTheBeyondShare() {
        long bound = GEN.outOfOrderBoundMillis();
        long maxSeen = GEN.startMillis();
        int late = 0;
        int beyond = 0;
        long maxLateness = 0;
        for (JsonNode e : valid) {
            long ts = ContractOracle.tsMillis(e.get("ts"));
            long lateness = maxSeen - ts;
            if (lateness > 0) {
                late++;
                maxLateness = Math.max(maxLateness, lateness);
                if (lateness > bound) {
                    beyond++;
                }
            }
            maxSeen = Math.max(maxSeen, ts);
        }
        int n = valid.size();
        assertThat(maxLateness).isLessThanOrEqualTo(GEN.maxLatenessMillis()).isGreaterThan(bound);
        // 0.5 % of 97,000 = 485 beyond the bound; 5.5 % = 5,335 late in all. A held-back event
        // is late unless nothing was emitted during its delay, which at one event per 9 s is
        // rare.
        assertThat((double) beyond / n).isCloseTo(0.005, within(0.001));
        assertThat((double) late / n).isCloseTo(0.055, within(0.004));
        assertThat(late).isLessThanOrEqualTo((int) Math.round(n * 0.055 * 1.05));
    }

    @Test
    void withoutOutOfOrderValidEventsAreSortedByTime() throws IOException {
        PopulationGenerator g =
                PopulationGenerator.builder()
                        .seed(3)
                        .persons(300)
                        .events(30_000)
                        .outOfOrder(0, Duration.ofHours(1))
                        .beyondBound(0)
                        .build();
        long previous = Long.MIN_VALUE;
        for (GeneratedRecord r : g) {
            if (r.kind() == Kind.VALID) {
                long ts = ContractOracle.tsMillis(ContractOracle.JSON.readTree(r.json()).get("ts"));
                assertThat(ts).isGreaterThanOrEqualTo(previous);
                previous = ts;
            }
        }
    }

    @Test
    void badRecordsGetTheirExpectedCodeFromAnIndependentReading() {
        Map<String, Integer> byCode = new HashMap<>();
        for (GeneratedRecord r : records) {
            if (r.kind() == Kind.BAD) {
                assertThat(ContractOracle.classify(r.json(), GEN.suggestedNow()))
                        .as(r.json().length() > 300 ? r.json().substring(0, 300) : r.json())
                        .isEqualTo(r.expectedErrorCode());
                // ts_in_future holds for any clock in [now, now + 1 day).
                assertThat(ContractOracle.classify(r.json(), GEN.suggestedNow() + DAY - 1))
                        .isEqualTo(r.expectedErrorCode());
                assertThat(r.json()).doesNotContain("\n");
                assertThat(r.person()).isBetween(0, GEN.persons() - 1);
                byCode.merge(r.expectedErrorCode(), 1, Integer::sum);
            }
        }
        assertThat(byCode.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        ErrorCode.INPUT.stream().map(ErrorCode::code).toList());
    }

    @Test
    void shortStreamsStillCoverEveryBadCode() {
        PopulationGenerator g =
                PopulationGenerator.builder().persons(50).events(300).badFraction(0.04).build();
        Set<String> codes = new HashSet<>();
        for (GeneratedRecord r : g) {
            if (r.kind() == Kind.BAD) {
                codes.add(r.expectedErrorCode());
                assertThat(ContractOracle.classify(r.json(), g.suggestedNow()))
                        .isEqualTo(r.expectedErrorCode());
            }
        }
        assertThat(codes).hasSize(ErrorCode.INPUT.size());
    }

    @Test
    void anonymousModeKeepsUserIdForLoggedInEventsOnly() throws IOException {
        PopulationGenerator g =
                PopulationGenerator.builder()
                        .seed(11)
                        .persons(500)
                        .events(50_000)
                        .duplicateFraction(0)
                        .badFraction(0)
                        .alwaysUserId(false)
                        .build();
        int anonymous = 0;
        int total = 0;
        Map<String, Integer> owner = new HashMap<>();
        for (GeneratedRecord r : g) {
            JsonNode e = ContractOracle.JSON.readTree(r.json());
            assertThat(ContractOracle.classify(r.json(), g.suggestedNow())).isNull();
            JsonNode ids = e.get("ids");
            total++;
            if (!ids.has("user_id")) {
                anonymous++;
                assertThat(ids.size()).isEqualTo(1);
                assertThat(ids.fieldNames().next()).isIn("cookie_id", "device_id", "union_id");
                assertThat(e.path("name").asText()).isNotIn("order_completed", "checkout_started");
            } else {
                assertThat(ids.get("user_id").asText()).isEqualTo(g.userIdOf(r.person()));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = ids.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> id = it.next();
                String key =
                        id.getKey()
                                + ":"
                                + ContractOracle.normalise(id.getKey(), id.getValue().asText());
                assertThat(owner.computeIfAbsent(key, k -> r.person())).isEqualTo(r.person());
            }
        }
        assertThat((double) anonymous / total).isBetween(0.2, 0.8);
    }

    @Test
    void writesJsonlAndGzipByExtension(@TempDir Path dir) throws IOException {
        PopulationGenerator g = PopulationGenerator.builder().persons(100).events(5_000).build();
        List<String> expected = lines(g);
        Path plain = dir.resolve("events.jsonl");
        Path gz = dir.resolve("events.jsonl.gz");

        PopulationGenerator.writeJsonl(g.iterator(), plain);
        PopulationGenerator.writeJsonl(g.iterator(), gz);

        assertThat(Files.readAllLines(plain, StandardCharsets.UTF_8)).isEqualTo(expected);
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(
                                new GZIPInputStream(Files.newInputStream(gz)),
                                StandardCharsets.UTF_8))) {
            assertThat(r.lines().toList()).isEqualTo(expected);
        }
    }

    @Test
    void builderRejectsInvalidSettings() {
        assertThatThrownBy(() -> PopulationGenerator.builder().tenant("Acme").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> PopulationGenerator.builder().tenants("a", "a").build())
                .hasMessageContaining("distinct");
        assertThatThrownBy(() -> PopulationGenerator.builder().persons(0).build())
                .hasMessageContaining("persons");
        assertThatThrownBy(() -> PopulationGenerator.builder().badFraction(1.5).build())
                .hasMessageContaining("bad fraction");
        assertThatThrownBy(
                        () ->
                                PopulationGenerator.builder()
                                        .duplicateFraction(0.6)
                                        .badFraction(0.5)
                                        .build())
                .hasMessageContaining("exceed");
        assertThatThrownBy(
                        () -> PopulationGenerator.builder().outOfOrder(0.1, Duration.ZERO).build())
                .hasMessageContaining("bound");
        assertThatThrownBy(() -> PopulationGenerator.builder().duration(Duration.ZERO).build())
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> GEN.userIdOf(GEN.persons()))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void emptyStreamIsEmpty() {
        PopulationGenerator g = PopulationGenerator.builder().events(0).build();
        assertThat(g.iterator().hasNext()).isFalse();
    }

    private static List<Long> validTimes(PopulationGenerator g) {
        List<Long> out = new ArrayList<>();
        for (GeneratedRecord r : g) {
            if (r.kind() == Kind.VALID) {
                try {
                    out.add(
                            ContractOracle.tsMillis(
                                    ContractOracle.JSON.readTree(r.json()).get("ts")));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    private static List<String> lines(PopulationGenerator g) {
        List<String> out = new ArrayList<>();
        g.forEach(r -> out.add(r.json()));
        return out;
    }

    private static <T> Iterable<T> iterable(Iterator<T> it) {
        return () -> it;
    }
}
