package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import io.rtcdp.udf.identity.UnionFindOracle;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * OneID end to end: a synthetic population with ground truth (cookies that log in later, devices
 * shared by a few persons, phone numbers re-used) replayed through the full pipeline at parallelism
 * 1 and 4 and in two arrival orders. Every id must map to exactly one oneid, the partition of ids
 * into profiles must equal an offline union-find over the same links with the same rules, and each
 * profile's totals must equal the sums over its events; also with the protection policy ({@code
 * ids.limit.user-id-evidence}) in a shuffled order, against the oracle with the same rule.
 */
class IdentityReplayITCase {
    static final long START =
            OffsetDateTime.parse("2024-05-01T00:00:00Z").toInstant().toEpochMilli();

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir static Path tmp;

    static PopulationGenerator gen;
    static List<GeneratedRecord> records;
    static ParserConfig parserConfig;
    static List<Event> events;
    static UnionFindOracle.Result oracle;

    /** The oracle with the protection policy of {@link #EVIDENCE} events. */
    static UnionFindOracle.Result protectedOracle;

    static final int EVIDENCE = 2;

    @BeforeAll
    static void generate() {
        gen =
                PopulationGenerator.builder()
                        .seed(5)
                        .tenant("acme")
                        .persons(800)
                        .events(40_000)
                        .startMillis(START)
                        .duration(Duration.ofDays(30))
                        .alwaysUserId(false)
                        .sharedDevices(0.2, 3)
                        .reusedPhones(0.2)
                        .duplicateFraction(0.01)
                        .outOfOrder(0.05, Duration.ofHours(1))
                        .build();
        records = new ArrayList<>();
        gen.iterator().forEachRemaining(records::add);
        long now = gen.suggestedNow();
        parserConfig = ParserConfig.builder().clock(() -> now).build();
        EventParser parser = new EventParser(parserConfig);
        events = new ArrayList<>();
        List<UnionFindOracle.Ev> evs = new ArrayList<>();
        for (GeneratedRecord r : records) {
            if (r.kind() == GeneratedRecord.Kind.VALID) {
                Event e = parser.parse(r.json().getBytes(StandardCharsets.UTF_8), "t").event();
                events.add(e);
                evs.add(new UnionFindOracle.Ev(e.eventId(), e.ids()));
            }
        }
        oracle = UnionFindOracle.of(evs);
        protectedOracle = UnionFindOracle.of(evs, EVIDENCE);
    }

    @ParameterizedTest(name = "parallelism {0}, {1} order, protection policy {2}")
    @CsvSource({"1, generated, 0", "4, generated, 0", "2, shuffled, 0", "2, shuffled, 2"})
    void profilesAreTheConnectedComponents(int parallelism, String order, int evidence)
            throws Exception {
        UnionFindOracle.Result oracle =
                evidence == 0 ? IdentityReplayITCase.oracle : protectedOracle;
        if (evidence > 0) {
            // the population has ids the policy protects: it quarantines fewer
            assertThat(protectedOracle.quarantined())
                    .hasSizeLessThan(IdentityReplayITCase.oracle.quarantined().size());
        }
        REDIS.flushAll();
        List<GeneratedRecord> input =
                order.equals("shuffled") ? PopulationGenerator.shuffled(records, 99) : records;
        String run = parallelism + "-" + order + "-" + evidence;
        Path file = tmp.resolve("events-" + run + ".jsonl");
        PopulationGenerator.writeJsonl(input.iterator(), file);
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(parserConfig)
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, parallelism)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .set(
                                RtcdpOptions.ID_LIMITS,
                                Map.of("user-id-evidence", Integer.toString(evidence)))
                        .build();
        Path conflicts = tmp.resolve("conflicts-" + run + ".jsonl");
        Replay.run(
                cfg,
                List.of(file),
                tmp.resolve("dlq.jsonl"),
                conflicts,
                tmp.resolve("work-" + run),
                FlinkTestCluster.noRestarts());

        RedisKeys keys = new RedisKeys("rtcdp");
        var redis = REDIS.client();

        // every id maps to exactly one oneid, and the ids of a oneid are one oracle group
        Map<String, Set<Id>> idsOf = new HashMap<>();
        for (Set<Id> group : oracle.partition()) {
            for (Id id : group) {
                String oneid = redis.get(keys.id("acme", id.type(), id.value()));
                assertThat(oneid).as("id key of %s", id).isNotNull();
                idsOf.computeIfAbsent(oneid, k -> new HashSet<>()).add(id);
            }
        }
        assertThat(new HashSet<>(idsOf.values())).isEqualTo(oracle.partition());

        // each profile's totals are the sums over the events of its group
        Map<Set<Id>, long[]> expected = new HashMap<>();
        for (Event e : events) {
            long[] t =
                    expected.computeIfAbsent(oracle.groupOf().get(e.eventId()), k -> new long[3]);
            t[0]++;
            if (e.isTrack(Event.ORDER_COMPLETED)) {
                t[1]++;
                t[2] += e.amountMicros() == null ? 0 : e.amountMicros();
            }
        }
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Set<Id>> g : idsOf.entrySet()) {
            Map<String, String> h = redis.hgetAll(keys.profile("acme", g.getKey()));
            long[] t = expected.getOrDefault(g.getValue(), new long[3]);
            String events = h.getOrDefault("f.events_total", "0");
            String orders = h.getOrDefault("f.orders_total", "0");
            String revenue = h.getOrDefault("f.revenue_total", "0");
            String expRevenue = SqlFeatureOracle.money(java.math.BigDecimal.valueOf(t[2], 6));
            if (!idCounts(g.getValue()).equals(h.get("ids"))) {
                mismatches.add(
                        g.getKey()
                                + ": ids "
                                + h.get("ids")
                                + ", expected "
                                + idCounts(g.getValue()));
            }
            if (!events.equals(Long.toString(t[0]))
                    || !orders.equals(Long.toString(t[1]))
                    || !revenue.equals(expRevenue)) {
                mismatches.add(
                        g.getKey()
                                + ": events "
                                + events
                                + "/"
                                + t[0]
                                + ", orders "
                                + orders
                                + "/"
                                + t[1]
                                + ", revenue "
                                + revenue
                                + "/"
                                + expRevenue);
            }
        }
        assertThat(mismatches).isEmpty();
        // merged-away profiles are gone: one hash per group; besides, only the quarantine
        // profiles of ids the protection policy released, without ids (docs/oneid.md)
        Set<String> released = new HashSet<>();
        for (String line : Files.readAllLines(conflicts)) {
            var c = KafkaPipelineITCase.JSON.readTree(line);
            if (c.get("reason").asText().equals("released")) {
                released.add(keys.profile("acme", c.get("other_oneid").asText()));
            }
        }
        assertThat(evidence > 0 || released.isEmpty()).isTrue();
        Set<String> hashes = new HashSet<>(redis.keys("rtcdp:acme:profile:*"));
        for (String oneid : idsOf.keySet()) {
            assertThat(hashes.remove(keys.profile("acme", oneid))).as(oneid).isTrue();
        }
        assertThat(released).containsAll(hashes);
        for (String h : hashes) {
            assertThat(redis.hget(h, "ids")).as(h).isNull();
        }
        if (!oracle.quarantined().isEmpty()) {
            assertThat(Files.readAllLines(conflicts)).isNotEmpty();
        }
    }

    /**
     * A TaskManager killed after the first checkpoint, the job restored from it: the final Redis
     * must be identical to a run without failures (every key and every field; {@code ver} and
     * {@code updated_at} count writes and wall-clock time, so they are left out).
     */
    @org.junit.jupiter.api.Test
    void aTaskManagerFailureLeavesTheSameRedis(
            @org.apache.flink.test.junit5.InjectMiniCluster
                    org.apache.flink.runtime.minicluster.MiniCluster cluster)
            throws Exception {
        Path file = tmp.resolve("events-failure.jsonl");
        PopulationGenerator.writeJsonl(records.iterator(), file);
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(parserConfig)
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(200))
                        .build();

        REDIS.flushAll();
        Replay.run(
                cfg,
                List.of(file),
                tmp.resolve("dlq-a.jsonl"),
                tmp.resolve("conflicts-a.jsonl"),
                tmp.resolve("work-a"),
                FlinkTestCluster.noRestarts());
        Map<String, Object> withoutFailure = REDIS.comparableContents();

        REDIS.flushAll();
        org.apache.flink.configuration.Configuration restarts =
                new org.apache.flink.configuration.Configuration();
        restarts.setString("restart-strategy.type", "fixed-delay");
        restarts.setString("restart-strategy.fixed-delay.attempts", "5");
        restarts.setString("restart-strategy.fixed-delay.delay", "200 ms");
        Path work = tmp.resolve("work-b");
        TaskManagerKiller killer =
                TaskManagerKiller.start(
                        cluster, work.resolve("checkpoints"), () -> REDIS.client().dbSize() >= 300);
        Replay.run(
                cfg,
                List.of(file),
                tmp.resolve("dlq-b.jsonl"),
                tmp.resolve("conflicts-b.jsonl"),
                work,
                restarts);
        killer.assertKilledBefore(System.nanoTime());

        Map<String, Object> withFailure = REDIS.comparableContents();
        assertThat(RedisServerExtension.differences(withoutFailure, withFailure, 50)).isEmpty();
    }

    /** The {@code ids} field of a profile with these ids: count per type, strongest first. */
    private static String idCounts(Set<Id> ids) {
        java.util.TreeMap<String, Integer> counts =
                new java.util.TreeMap<>(io.rtcdp.udf.event.IdTypes.STRENGTH);
        ids.forEach(id -> counts.merge(id.type(), 1, Integer::sum));
        StringBuilder sb = new StringBuilder();
        counts.forEach(
                (t, n) -> sb.append(sb.length() == 0 ? "" : ",").append(t).append(':').append(n));
        return sb.toString();
    }
}
