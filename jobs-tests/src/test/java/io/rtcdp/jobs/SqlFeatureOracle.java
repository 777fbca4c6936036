package io.rtcdp.jobs;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Computes the default features of docs/contract.md §3.2 with SQL (the sqlite3 command-line shell)
 * from a table {@code ev(profile TEXT, ts INTEGER, name TEXT, amount_micros INTEGER, category TEXT,
 * skus INTEGER)} ({@code skus}: the different skus of the event's order lines, null or 0 without)
 * and each profile's {@code as_of}, independently of rtcdp's Java code.
 */
final class SqlFeatureOracle {
    private SqlFeatureOracle() {}

    /**
     * Runs {@code loadSql} (which must create and fill table {@code ev}), then computes the
     * features of every profile in {@code asOf} at its as_of. Returns profile → field → value, with
     * the field names and formats of the Redis hash (absent fields are absent).
     */
    static Map<String, Map<String, String>> compute(
            Path workDir, String loadSql, Map<String, Long> asOf) throws Exception {
        Path asOfCsv = workDir.resolve("asof.csv");
        StringBuilder sb = new StringBuilder();
        asOf.forEach((p, t) -> sb.append(p).append(',').append(t).append('\n'));
        Files.writeString(asOfCsv, sb.toString(), StandardCharsets.UTF_8);
        String sql =
                loadSql
                        + "\nCREATE TABLE asof(profile TEXT PRIMARY KEY, as_of INTEGER);\n"
                        + ".mode csv\n"
                        + ".import "
                        + asOfCsv
                        + " asof\n"
                        + "CREATE INDEX ev_p ON ev(profile);\n"
                        + ".mode list\n.separator |\n"
                        + String.join(
                                "\n",
                                "SELECT a.profile, a.as_of,",
                                " MIN(e.ts), MAX(e.ts), COUNT(*),",
                                " SUM(e.name = 'order_completed'),",
                                " COALESCE(SUM(CASE WHEN e.name = 'order_completed' THEN e.amount_micros"
                                        + " END), 0),",
                                " MAX(CASE WHEN e.name = 'order_completed' THEN e.ts END),",
                                // 30d / 90d: hour buckets
                                win("order_completed", "COUNT", 3600000L, 30L * 86400000L) + ",",
                                win("order_completed", "SUM", 3600000L, 30L * 86400000L) + ",",
                                win("order_completed", "COUNT", 3600000L, 90L * 86400000L) + ",",
                                win("order_completed", "SUM", 3600000L, 90L * 86400000L) + ",",
                                // 24h: minute buckets
                                win(null, "COUNT", 60000L, 86400000L) + ",",
                                win("product_viewed", "COUNT", 60000L, 86400000L) + ",",
                                win("product_added", "COUNT", 60000L, 86400000L) + ",",
                                win("order_completed", "COUNT", 60000L, 86400000L) + ",",
                                " (SELECT c.category FROM ev c WHERE c.profile = a.profile AND"
                                        + " c.category IS NOT NULL AND c.ts <= a.as_of AND (c.ts -"
                                        + " c.ts % 3600000) > a.as_of - 2592000000 GROUP BY c.category"
                                        + " ORDER BY COUNT(*) DESC, c.category ASC LIMIT 1),",
                                // the first order, and the second-latest (for the gaps)
                                " MIN(CASE WHEN e.name = 'order_completed' THEN e.ts END),",
                                " (SELECT o.ts FROM ev o WHERE o.profile = a.profile AND o.name ="
                                        + " 'order_completed' ORDER BY o.ts DESC LIMIT 1 OFFSET 1),",
                                // 180d / 365d: day buckets
                                win("order_completed", "COUNT", 86400000L, 180L * 86400000L) + ",",
                                win("order_completed", "SUM", 86400000L, 180L * 86400000L) + ",",
                                win("order_completed", "COUNT", 86400000L, 365L * 86400000L) + ",",
                                win("order_completed", "SUM", 86400000L, 365L * 86400000L) + ",",
                                // last year's next 90 days: as_of - 365 d < day <= as_of - 275 d
                                " (SELECT COUNT(*) FROM ev y WHERE y.profile = a.profile AND y.name ="
                                        + " 'order_completed' AND (y.ts - y.ts % 86400000) > a.as_of -"
                                        + " 31536000000 AND (y.ts - y.ts % 86400000) <= a.as_of -"
                                        + " 23760000000),",
                                // refunds; baskets: orders with items, their different items
                                " SUM(e.name = 'order_refunded'),",
                                " COALESCE(SUM(CASE WHEN e.name = 'order_refunded' THEN"
                                        + " e.amount_micros END), 0),",
                                " SUM(e.name = 'order_completed' AND e.skus > 0),",
                                " COALESCE(SUM(CASE WHEN e.name = 'order_completed' AND e.skus > 0"
                                        + " THEN e.skus END), 0),",
                                // different categories in the 30 days of hour buckets
                                " (SELECT COUNT(DISTINCT c.category) FROM ev c WHERE c.profile ="
                                        + " a.profile AND c.category IS NOT NULL AND c.ts <= a.as_of"
                                        + " AND (c.ts - c.ts % 3600000) > a.as_of - 2592000000)",
                                "FROM asof a JOIN ev e ON e.profile = a.profile",
                                "GROUP BY a.profile, a.as_of;")
                        + "\n";
        Path script = workDir.resolve("oracle.sql");
        Files.writeString(script, sql, StandardCharsets.UTF_8);
        Path db = workDir.resolve("oracle.db");
        Files.deleteIfExists(db);
        Path out = workDir.resolve("oracle.out");
        Process p =
                new ProcessBuilder("sqlite3", db.toString())
                        .redirectInput(script.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("sqlite3 failed: exit " + p.exitValue());
        }
        Map<String, Map<String, String>> result = new HashMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            String[] c = line.split("\\|", -1);
            long asOfMs = Long.parseLong(c[1]);
            Map<String, String> f = new HashMap<>();
            f.put("as_of", c[1]);
            f.put("first_seen", c[2]);
            f.put("last_seen", c[3]);
            f.put("f.events_total", c[4]);
            long orders = Long.parseLong(c[5]);
            f.put("f.orders_total", c[5]);
            BigDecimal revenue = micros(c[6]);
            f.put("f.revenue_total", money(revenue));
            if (orders > 0) {
                f.put(
                        "f.avg_order_value",
                        money(
                                revenue.divide(
                                        BigDecimal.valueOf(orders), 2, RoundingMode.HALF_EVEN)));
                f.put(
                        "f.days_since_last_order",
                        Long.toString(Math.floorDiv(asOfMs - Long.parseLong(c[7]), 86400000L)));
            }
            f.put("f.orders_30d", c[8]);
            f.put("f.revenue_30d", money(micros(c[9])));
            f.put("f.orders_90d", c[10]);
            f.put("f.revenue_90d", money(micros(c[11])));
            f.put("f.events_24h", c[12]);
            f.put("f.views_24h", c[13]);
            f.put("f.cart_adds_24h", c[14]);
            f.put("f.orders_24h", c[15]);
            if (!c[16].isEmpty()) {
                f.put("f.top_category_30d", c[16]);
            }
            if (orders > 0) {
                f.put("f.orders_180d", c[19]);
                f.put("f.revenue_180d", money(micros(c[20])));
                f.put("f.orders_365d", c[21]);
                f.put("f.revenue_365d", money(micros(c[22])));
                f.put("f.orders_next_90d_last_year", c[23]);
                f.put(
                        "f.order_trend_90d",
                        Long.toString(2 * Long.parseLong(c[10]) - Long.parseLong(c[19])));
            }
            long refunds = Long.parseLong(c[24]);
            if (refunds > 0) {
                f.put("f.refunds_total", c[24]);
                f.put("f.refunded_total", money(micros(c[25])));
            }
            long baskets = Long.parseLong(c[26]);
            if (baskets > 0) {
                f.put(
                        "f.avg_basket_items",
                        money(
                                new BigDecimal(c[27])
                                        .divide(
                                                BigDecimal.valueOf(baskets),
                                                2,
                                                RoundingMode.HALF_EVEN)));
            }
            if (!"0".equals(c[28])) {
                f.put("f.categories_30d", c[28]);
            }
            if (orders >= 2) {
                long first = Long.parseLong(c[17]);
                long last = Long.parseLong(c[7]);
                long previous = Long.parseLong(c[18]);
                BigDecimal day = BigDecimal.valueOf(86400000L);
                f.put(
                        "f.order_gap_days",
                        money(
                                BigDecimal.valueOf(last - first)
                                        .divide(
                                                day.multiply(BigDecimal.valueOf(orders - 1)),
                                                2,
                                                RoundingMode.HALF_EVEN)));
                f.put(
                        "f.last_order_gap_days",
                        money(
                                BigDecimal.valueOf(last - previous)
                                        .divide(day, 2, RoundingMode.HALF_EVEN)));
                if (last > first) {
                    f.put(
                            "f.order_gap_ratio",
                            money(
                                    BigDecimal.valueOf(asOfMs - last)
                                            .multiply(BigDecimal.valueOf(orders - 1))
                                            .divide(
                                                    BigDecimal.valueOf(last - first),
                                                    2,
                                                    RoundingMode.HALF_EVEN)));
                }
            }
            result.put(c[0], f);
        }
        return result;
    }

    /** A correlated sub-select: COUNT or SUM(amount) of events in the window at a.as_of. */
    private static String win(String name, String agg, long g, long w) {
        String what = agg.equals("COUNT") ? "COUNT(*)" : "COALESCE(SUM(x.amount_micros), 0)";
        return " (SELECT "
                + what
                + " FROM ev x WHERE x.profile = a.profile"
                + (name == null ? "" : " AND x.name = '" + name + "'")
                + " AND x.ts <= a.as_of AND (x.ts - x.ts % "
                + g
                + ") > a.as_of - "
                + w
                + ")";
    }

    private static BigDecimal micros(String sqlTotal) {
        return new BigDecimal(sqlTotal).movePointLeft(6);
    }

    /**
     * One row of table {@code ev} as CSV, from a generated event's JSON: profile, ts (epoch ms),
     * name (for track events), amount in micros, category, the different skus of {@code
     * props.items}.
     */
    static String eventRow(String profile, com.fasterxml.jackson.databind.JsonNode n) {
        var ts = n.get("ts");
        long t =
                ts.isNumber()
                        ? ts.asLong()
                        : java.time.OffsetDateTime.parse(ts.asText()).toInstant().toEpochMilli();
        String name = n.path("type").asText().equals("track") ? n.path("name").asText("") : "";
        var props = n.path("props");
        String amount = "";
        if (props.has("amount")) {
            amount =
                    new BigDecimal(props.get("amount").asText())
                            .movePointRight(6)
                            .setScale(0, RoundingMode.HALF_EVEN)
                            .toPlainString();
        }
        String category = props.has("category") ? props.get("category").asText().trim() : "";
        String quoted = category.isEmpty() ? "" : "\"" + category.replace("\"", "\"\"") + "\"";
        java.util.Set<String> skus = new java.util.HashSet<>();
        if (props.path("items").isArray()) {
            props.get("items").forEach(i -> skus.add(i.path("sku").asText()));
        }
        return profile
                + ","
                + t
                + ","
                + name
                + ","
                + amount
                + ","
                + quoted
                + ","
                + skus.size()
                + "\n";
    }

    /** SQL that loads a file of {@link #eventRow} lines into table {@code ev}. */
    static String loadEventRows(Path csv) {
        return String.join(
                "\n",
                "CREATE TABLE ev(profile TEXT, ts INTEGER, name TEXT, amount_micros INTEGER,"
                        + " category TEXT, skus INTEGER);",
                ".mode csv",
                ".import " + csv + " ev",
                "UPDATE ev SET category = NULL WHERE category = '';",
                "UPDATE ev SET amount_micros = NULL WHERE amount_micros = '';");
    }

    /** Every field where Redis differs from the oracle, one line each. */
    static List<String> mismatches(
            Map<String, Map<String, String>> expected, Map<String, Map<String, String>> actual) {
        List<String> out = new ArrayList<>();
        for (var e : expected.entrySet()) {
            Map<String, String> act = actual.get(e.getKey());
            for (String f : fields()) {
                if (!java.util.Objects.equals(e.getValue().get(f), act.get(f))) {
                    out.add(
                            e.getKey()
                                    + " "
                                    + f
                                    + ": expected "
                                    + e.getValue().get(f)
                                    + ", Redis "
                                    + act.get(f));
                }
            }
        }
        return out;
    }

    static String money(BigDecimal v) {
        return v.signum() == 0 ? "0" : v.stripTrailingZeros().toPlainString();
    }

    /** The feature fields the oracle computes, to compare with Redis. */
    static List<String> fields() {
        return new ArrayList<>(
                List.of(
                        "as_of",
                        "first_seen",
                        "last_seen",
                        "f.events_total",
                        "f.orders_total",
                        "f.revenue_total",
                        "f.avg_order_value",
                        "f.days_since_last_order",
                        "f.orders_30d",
                        "f.revenue_30d",
                        "f.orders_90d",
                        "f.revenue_90d",
                        "f.events_24h",
                        "f.views_24h",
                        "f.cart_adds_24h",
                        "f.orders_24h",
                        "f.top_category_30d",
                        "f.order_gap_days",
                        "f.last_order_gap_days",
                        "f.order_gap_ratio",
                        "f.orders_180d",
                        "f.revenue_180d",
                        "f.orders_365d",
                        "f.revenue_365d",
                        "f.orders_next_90d_last_year",
                        "f.order_trend_90d",
                        "f.refunds_total",
                        "f.refunded_total",
                        "f.avg_basket_items",
                        "f.categories_30d"));
    }
}
