package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.profile.RedisKeys;
import io.rtcdp.udf.retail.RetailImporter;
import io.rtcdp.udf.testing.RetailOrders;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the whole UCI Online Retail II data set through the full pipeline into a real
 * redis-server and compares every customer's default features with an independent SQL computation
 * over the same CSV (sqlite3), at the {@code as_of} read back from Redis; with the example rule
 * set, also every customer's tags, segments, segment sets and RFM score ({@link
 * RetailRulesOracle}).
 */
class RetailReplayITCase {
    static final Path RULES = Path.of("../examples/rules/retail.yaml").toAbsolutePath().normalize();

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir Path tmp;

    @Test
    void everyCustomersFeaturesEqualTheSqlComputation() throws Exception {
        Path csv = RetailOrders.csv();
        Path events = RetailOrders.imported().events();
        RetailImporter.Stats stats = RetailOrders.imported().stats();
        assertThat(stats.customers()).isEqualTo(5942);
        // no invoice's items were cut to fit an event: the SQL oracle counts them all
        assertThat(stats.itemsCut()).isZero();

        // the Redis setting operations.md recommends: hashes with values up to 512 bytes
        // (rec.next's
        // ten items) stay in the compact listpack encoding
        REDIS.client().configSet("hash-max-listpack-value", "512");
        Path models = tmp.resolve("models");
        ScoresOracle.writeModels(models);
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
                        .set(RtcdpOptions.RULES_FILES, RULES.toString())
                        .set(RtcdpOptions.MODELS_DIR, models.toString())
                        .build();
        Replay.Summary summary =
                Replay.run(
                        cfg,
                        List.of(events),
                        tmp.resolve("dlq.jsonl"),
                        tmp.resolve("conflicts.jsonl"),
                        tmp.resolve("work"),
                        FlinkTestCluster.noRestarts());
        assertThat(summary.invalid()).isZero();
        assertThat(summary.duplicates()).isZero();
        assertThat(summary.valid()).isEqualTo(stats.invoices());

        var redis = REDIS.client();
        Profiles p = assertFeaturesEqualSql(csv, tmp, redis);
        Map<String, Map<String, String>> actual = p.actual();
        Map<String, String> oneidOf = p.oneidOf();
        // the oracle compared refunds and baskets for many customers, not for none
        assertThat(actual.values().stream().filter(h -> h.containsKey("f.refunds_total")))
                .as("customers with refunds")
                .hasSizeGreaterThan(1000);
        assertThat(actual.values().stream().filter(h -> h.containsKey("f.avg_basket_items")))
                .as("customers with baskets")
                .hasSizeGreaterThan(5000);
        // and a rule reads them (examples/rules/retail.yaml, checked by RetailRulesOracle)
        assertThat(
                        actual.values().stream()
                                .filter(
                                        h ->
                                                h.getOrDefault("tags", "")
                                                        .contains("frequent_returner")))
                .as("customers tagged frequent_returner")
                .hasSizeGreaterThan(100);
        RetailRulesOracle.check(redis, actual, oneidOf, events);
        ScoresOracle.check(actual);
        // every customer is a profile of the one tenant: ranked among all of them (§7.4)
        ScoresOracle.checkMarketingRanks(actual, 0.01);
        // with that setting every profile hash is still in the compact encoding (a hash that left
        // it never comes back), and the reasons fit Redis's default limit of 64 bytes (§7.2)
        RedisKeys keys = new RedisKeys("rtcdp");
        Map<String, Long> encodings = new java.util.TreeMap<>();
        for (String oneid : oneidOf.values()) {
            encodings.merge(redis.objectEncoding(keys.profile("retail", oneid)), 1L, Long::sum);
        }
        assertThat(encodings).as("profile hashes by encoding").containsOnlyKeys("listpack");
        long shortened = 0;
        for (Map<String, String> h : actual.values()) {
            for (String m : List.of("reasons.purchase", "reasons.churn", "reasons.marketing")) {
                String reasons = h.get(m);
                assertThat(reasons).as(m).isNotNull();
                assertThat(reasons.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                        .as("%s %s", m, reasons)
                        .isLessThanOrEqualTo(64);
                shortened += reasons.split(",").length < 3 ? 1 : 0;
            }
        }
        // this model's names are long enough that three reasons often do not fit
        assertThat(shortened).as("reasons shortened to fit").isPositive();
    }

    /** Every customer's profile hash in Redis, and its oneid. */
    record Profiles(Map<String, Map<String, String>> actual, Map<String, String> oneidOf) {}

    /**
     * Reads every customer's profile of tenant {@code retail} from {@code redis} and asserts that
     * its default features equal the SQL computation over the whole CSV at its {@code as_of}, with
     * one profile per customer and nothing else.
     */
    static Profiles assertFeaturesEqualSql(
            Path csv, Path tmp, redis.clients.jedis.RedisClient redis) throws Exception {
        // as_of of every customer, read back from Redis through the customer's id key
        RedisKeys keys = new RedisKeys("rtcdp");
        Map<String, String> oneidOf = new HashMap<>();
        Map<String, Map<String, String>> actual = new HashMap<>();
        Map<String, Long> asOf = new HashMap<>();
        for (String customer : customers(csv)) {
            String oneid = redis.get(keys.id("retail", "user_id", customer));
            assertThat(oneid).as("id key of customer %s", customer).isNotNull();
            Map<String, String> hash = redis.hgetAll(keys.profile("retail", oneid));
            oneidOf.put(customer, oneid);
            actual.put(customer, hash);
            asOf.put(customer, Long.parseLong(hash.get("as_of")));
        }
        assertThat(actual).hasSize(5942);
        assertThat(new TreeSet<>(oneidOf.values())).hasSize(5942);
        assertThat(redis.keys("rtcdp:retail:profile:*")).hasSize(5942);

        Path raw = tmp.resolve("raw.csv");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(csv));
                OutputStream out = Files.newOutputStream(raw)) {
            in.transferTo(out);
        }
        String sum =
                "SUM(CAST(quantity AS INTEGER) * CAST(ROUND(CAST(unit_price AS REAL) * 1000) AS"
                        + " INTEGER))";
        String load =
                String.join(
                        "\n",
                        ".mode csv",
                        ".import " + raw + " raw",
                        "CREATE TABLE ev AS SELECT customer_id AS profile,",
                        " CAST(strftime('%s', MIN(invoice_date)) AS INTEGER) * 1000 AS ts,",
                        " CASE WHEN invoice LIKE 'C%' THEN 'order_refunded' ELSE 'order_completed'"
                                + " END AS name,",
                        // a refund's amount is positive (contract §8, import-retail)
                        " (CASE WHEN invoice LIKE 'C%' THEN ABS("
                                + sum
                                + ") ELSE "
                                + sum
                                + " END)"
                                + " * 1000 AS amount_micros,",
                        " NULL AS category,",
                        // the items: lines of a product's stock code (five digits first), a
                        // quantity other than 0 and a price of 0 or more
                        " COUNT(DISTINCT CASE WHEN trim(stock_code) GLOB"
                                + " '[0-9][0-9][0-9][0-9][0-9]*' AND CAST(quantity AS INTEGER) <>"
                                + " 0 AND CAST(unit_price AS REAL) >= 0 THEN trim(stock_code) END)"
                                + " AS skus",
                        "FROM raw WHERE customer_id <> '' GROUP BY invoice, customer_id;");
        Map<String, Map<String, String>> expected = SqlFeatureOracle.compute(tmp, load, asOf);
        assertThat(expected).hasSize(5942);

        List<String> mismatches = new ArrayList<>();
        for (String customer : expected.keySet()) {
            Map<String, String> exp = expected.get(customer);
            Map<String, String> act = actual.get(customer);
            for (String field : SqlFeatureOracle.fields()) {
                if (!java.util.Objects.equals(exp.get(field), act.get(field))) {
                    mismatches.add(
                            customer
                                    + " "
                                    + field
                                    + ": expected "
                                    + exp.get(field)
                                    + ", Redis "
                                    + act.get(field));
                }
            }
            if (!"user_id:1".equals(act.get("ids"))
                    || !oneidOf.get(customer).equals(act.get("oneid"))) {
                mismatches.add(customer + " ids/oneid: " + act.get("ids") + " " + act.get("oneid"));
            }
        }
        assertThat(mismatches).as("mismatches (first shown)").isEmpty();

        return new Profiles(actual, oneidOf);
    }

    /** Distinct customer ids of the CSV, read with a plain split independent of the importer. */
    private static TreeSet<String> customers(Path csv) throws Exception {
        TreeSet<String> out = new TreeSet<>();
        try (var r =
                new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                                new GZIPInputStream(Files.newInputStream(csv)),
                                java.nio.charset.StandardCharsets.UTF_8))) {
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                // customer_id is the third field from the end; descriptions may contain commas
                String[] f = line.split(",");
                String c = f[f.length - 3];
                if (!c.isEmpty()) {
                    out.add(c);
                }
            }
        }
        return out;
    }
}
