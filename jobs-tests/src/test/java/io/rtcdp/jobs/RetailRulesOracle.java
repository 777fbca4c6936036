package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.udf.rfm.RfmSegments;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import redis.clients.jedis.UnifiedJedis;

/**
 * An independent evaluation of {@code examples/rules/retail.yaml}, written by hand in Java over the
 * features read back from Redis, and of RFM quintiles computed exactly over the same customers.
 */
final class RetailRulesOracle {
    private static final double[] PHI = {0.2, 0.4, 0.6, 0.8};

    private RetailRulesOracle() {}

    static void check(
            UnifiedJedis redis,
            Map<String, Map<String, String>> profiles,
            Map<String, String> oneidOf,
            Path events)
            throws Exception {
        List<String> mismatches = new ArrayList<>();
        Map<String, Set<String>> members = new TreeMap<>();
        for (String s : List.of("vip", "vip_lapsed", "champions", "win_back_pool")) {
            members.put(s, new TreeSet<>());
        }
        for (Map.Entry<String, Map<String, String>> e : profiles.entrySet()) {
            Map<String, String> h = e.getValue();
            TreeSet<String> tags = new TreeSet<>();
            double rev90 = num(h, "f.revenue_90d");
            if (rev90 >= 1000.0) {
                tags.add("high_value");
            }
            if (num(h, "f.orders_90d") >= 5) {
                tags.add("frequent_buyer");
            }
            if (num(h, "f.orders_total") == 1) {
                tags.add("one_time_buyer");
            }
            if (has(h, "f.avg_order_value") && num(h, "f.avg_order_value") >= 500.0) {
                tags.add("big_basket");
            }
            if (has(h, "f.days_since_last_order") && num(h, "f.days_since_last_order") > 90) {
                tags.add("lapsed");
            }
            if (has(h, "f.days_since_last_order") && num(h, "f.days_since_last_order") <= 30) {
                tags.add("recent_buyer");
            }
            if (has(h, "f.refunds_total") && num(h, "f.refunds_total") >= 3) {
                tags.add("frequent_returner");
            }
            TreeSet<String> segments = new TreeSet<>();
            if (tags.contains("high_value") && tags.contains("frequent_buyer")) {
                segments.add("vip");
            }
            if (tags.contains("lapsed") && num(h, "f.revenue_total") >= 2000.0) {
                segments.add("vip_lapsed");
            }
            if ("champions".equals(h.get("rfm.segment"))) {
                segments.add("champions");
            }
            if (tags.contains("lapsed") && !tags.contains("one_time_buyer")) {
                segments.add("win_back_pool");
            }
            String expTags = tags.isEmpty() ? null : String.join(",", tags);
            String expSegments = segments.isEmpty() ? null : String.join(",", segments);
            if (!java.util.Objects.equals(expTags, h.get("tags"))
                    || !java.util.Objects.equals(expSegments, h.get("segments"))) {
                mismatches.add(
                        e.getKey()
                                + ": expected tags "
                                + expTags
                                + " segments "
                                + expSegments
                                + ", Redis "
                                + h.get("tags")
                                + " / "
                                + h.get("segments"));
            }
            for (String s : segments) {
                members.get(s).add(oneidOf.get(e.getKey()));
            }
        }
        assertThat(mismatches).as("tag/segment mismatches (first shown)").isEmpty();
        for (Map.Entry<String, Set<String>> m : members.entrySet()) {
            String key = "rtcdp:retail:segment:" + m.getKey();
            assertThat(redis.smembers(key)).as("members of %s", key).isEqualTo(m.getValue());
            assertThat(redis.scard(key)).isEqualTo(m.getValue().size());
        }
        assertThat(members.get("vip")).isNotEmpty();
        assertThat(members.get("win_back_pool")).isNotEmpty();
        checkRfm(profiles, lastOrders(events));
    }

    /**
     * RFM: each score equals the score from exact quintiles, except where the value lies within 1 %
     * of rank of a quintile boundary (the sketch's allowed error); the segment follows the map.
     */
    private static void checkRfm(
            Map<String, Map<String, String>> profiles, Map<String, Long> lastOrder) {
        List<String> buyers = new ArrayList<>();
        for (var e : profiles.entrySet()) {
            if (num(e.getValue(), "f.orders_total") > 0) {
                buyers.add(e.getKey());
            }
        }
        int n = buyers.size();
        long[] r = new long[n];
        long[] f = new long[n];
        long[] m = new long[n];
        for (int i = 0; i < n; i++) {
            Map<String, String> h = profiles.get(buyers.get(i));
            r[i] = lastOrder.get(buyers.get(i));
            f[i] = (long) num(h, "f.orders_total");
            m[i] = Math.round(num(h, "f.revenue_total") * 1e6);
        }
        long[][] values = {r, f, m};
        String[] fields = {"rfm.r", "rfm.f", "rfm.m"};
        int beyond = 0;
        int differing = 0;
        for (int d = 0; d < 3; d++) {
            long[] sorted = values[d].clone();
            Arrays.sort(sorted);
            long[] bounds = new long[4];
            for (int q = 0; q < 4; q++) {
                bounds[q] = sorted[(int) Math.ceil(PHI[q] * n) - 1];
            }
            for (int i = 0; i < n; i++) {
                long v = values[d][i];
                int exact = 1;
                for (long b : bounds) {
                    if (b < v) {
                        exact++;
                    }
                }
                String actual = profiles.get(buyers.get(i)).get(fields[d]);
                if (actual != null && Integer.parseInt(actual) == exact) {
                    continue;
                }
                differing++;
                double lo = lowerBound(sorted, v) / (double) n;
                double hi = upperBound(sorted, v) / (double) n;
                boolean nearBoundary = false;
                for (double phi : PHI) {
                    nearBoundary |= lo - 0.01 <= phi && phi <= hi + 0.01;
                }
                if (actual == null || !nearBoundary) {
                    beyond++;
                }
            }
        }
        assertThat(beyond).as("RFM scores off by more than 1 %% rank").isZero();
        assertThat(differing).as("RFM scores differing from exact quintiles").isLessThan(n / 50);
        for (String c : buyers) {
            Map<String, String> h = profiles.get(c);
            assertThat(h.get("rfm.segment"))
                    .isEqualTo(
                            RfmSegments.of(
                                    Integer.parseInt(h.get("rfm.r")),
                                    Integer.parseInt(h.get("rfm.f")),
                                    Integer.parseInt(h.get("rfm.m"))));
        }
    }

    /** Event time of each customer's last {@code order_completed}, from the event file. */
    private static Map<String, Long> lastOrders(Path events) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, Long> last = new HashMap<>();
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(
                                new GZIPInputStream(Files.newInputStream(events)),
                                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode e = json.readTree(line);
                if ("order_completed".equals(e.path("name").asText())) {
                    last.merge(
                            e.path("ids").path("user_id").asText(),
                            e.path("ts").isNumber()
                                    ? e.path("ts").asLong()
                                    : java.time.Instant.parse(e.path("ts").asText()).toEpochMilli(),
                            Math::max);
                }
            }
        }
        return last;
    }

    private static int lowerBound(long[] sorted, long v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int upperBound(long[] sorted, long v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static boolean has(Map<String, String> h, String f) {
        String v = h.get(f);
        return v != null && !v.isEmpty();
    }

    private static double num(Map<String, String> h, String f) {
        String v = h.get(f);
        return v == null || v.isEmpty() ? 0 : Double.parseDouble(v);
    }
}
