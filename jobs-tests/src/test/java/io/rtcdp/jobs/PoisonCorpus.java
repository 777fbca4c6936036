package io.rtcdp.jobs;

import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * What an attacker or a buggy producer sends (issue 17), mixed into the events of two ordinary
 * tenants: {@code alpha}, whose history ended 200 days before {@link #NOW}, and {@code gamma}, live
 * until just before it. Each poison record has the dead-letter code it must get; the hostile but
 * valid events of tenant {@code mallory} must be processed within the bounds of state.
 */
final class PoisonCorpus {
    static final long NOW = Instant.parse("2025-06-01T12:00:00Z").toEpochMilli();
    static final long DAY = 86_400_000L;
    static final long MINUTE = 60_000L;
    static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** A record that is not a valid event, and the code its dead letter must have. */
    record Poison(String name, byte[] bytes, String code) {
        /** The start of the record, as a dead letter's payload starts. */
        String prefix() {
            String text = new String(bytes, 0, Math.min(bytes.length, 400), StandardCharsets.UTF_8);
            return text.substring(0, Math.min(text.length(), 60));
        }
    }

    /** The ordinary tenants' valid events (with their duplicates): the run without poison. */
    final List<String> clean = new ArrayList<>();

    /** The ordinary tenants' valid events, each once (no duplicates). */
    final List<String> valid = new ArrayList<>();

    /** The poison records. */
    final List<Poison> poison = new ArrayList<>();

    /** Mallory's valid but hostile events. */
    final List<String> hostile = new ArrayList<>();

    /** Mallory's live events, far ahead of the other tenants' event time. */
    final List<String> live = new ArrayList<>();

    /** Events the ordinary tenants' persons have, by tenant and user id: tenant/user → count. */
    final java.util.Map<String, Integer> validPerUser = new java.util.HashMap<>();

    PoisonCorpus() {
        add(generator("alpha", 11, NOW - 400 * DAY));
        add(generator("gamma", 12, NOW - 40 * DAY - 2 * DAY));
        poison();
        hostile();
    }

    private static PopulationGenerator generator(String tenant, long seed, long start) {
        return PopulationGenerator.builder()
                .seed(seed)
                .tenant(tenant)
                .persons(120)
                .events(4_000)
                .startMillis(start)
                .duration(Duration.ofDays(40))
                .duplicateFraction(0.02)
                .outOfOrder(0.05, Duration.ofHours(1))
                .badFraction(0)
                .build();
    }

    private void add(PopulationGenerator gen) {
        for (Iterator<GeneratedRecord> it = gen.iterator(); it.hasNext(); ) {
            GeneratedRecord r = it.next();
            clean.add(r.json());
            if (r.kind() == GeneratedRecord.Kind.VALID) {
                valid.add(r.json());
                try {
                    var n = JSON.readTree(r.json());
                    validPerUser.merge(
                            n.get("tenant").asText() + "/" + n.get("ids").get("user_id").asText(),
                            1,
                            Integer::sum);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static String event(String id, String tenant, String rest) {
        return "{\"event_id\":\""
                + id
                + "\",\"tenant\":\""
                + tenant
                + "\",\"type\":\"track\",\"name\":\"product_viewed\","
                + rest
                + "}";
    }

    private static String ts(long t) {
        return "\"ts\":" + t;
    }

    private void poison(String name, String code, String json) {
        poison.add(new Poison(name, json.getBytes(StandardCharsets.UTF_8), code));
    }

    private void poison() {
        long t = NOW - 5 * DAY;
        // a megabyte of control characters: oversize, and its dead letter must fit Kafka
        byte[] ctl = new byte[1_000_000];
        java.util.Arrays.fill(ctl, (byte) 1);
        poison.add(new Poison("control-megabyte", ctl, "oversize"));
        poison(
                "item-price-exponent",
                "invalid_item",
                event(
                                "poison-item-exp",
                                "mallory",
                                ts(t)
                                        + ",\"ids\":{\"user_id\":\"m1\"},\"props\":{\"items\":"
                                        + "[{\"sku\":\"s\",\"quantity\":1,\"price\":1E+2147483647}]}")
                        .replace("\"product_viewed\"", "\"order_completed\""));
        poison(
                "amount-exponent",
                "invalid_field",
                event(
                        "poison-amount-exp",
                        "mallory",
                        ts(t)
                                + ",\"ids\":{\"user_id\":\"m1\"},\"props\":{\"amount\":1E+2147483647}"));
        poison(
                "ts-exponent",
                "bad_ts",
                event(
                        "poison-ts-exp",
                        "mallory",
                        "\"ts\":1E+2147483647,\"ids\":{\"user_id\":\"m1\"}"));
        poison(
                "ts-float-huge",
                "bad_ts",
                event("poison-ts-huge", "mallory", "\"ts\":1e300,\"ids\":{\"user_id\":\"m1\"}"));
        poison(
                "ts-future",
                "ts_in_future",
                event(
                        "poison-ts-future",
                        "alpha",
                        ts(NOW + 365 * DAY) + ",\"ids\":{\"user_id\":\"a-intruder\"}"));
        poison(
                "event-id-nul",
                "invalid_field",
                "{\"event_id\":\"poison-nul\\u0000x\",\"tenant\":\"mallory\",\"type\":\"page\","
                        + ts(t)
                        + ",\"ids\":{\"user_id\":\"m1\"}}");
        poison(
                "id-newline",
                "invalid_field",
                event(
                        "poison-id-newline",
                        "mallory",
                        ts(t) + ",\"ids\":{\"cookie_id\":\"a\\nb\",\"user_id\":\"m1\"}"));
        poison(
                "id-braces",
                "invalid_field",
                event(
                        "poison-id-braces",
                        "gamma",
                        ts(t) + ",\"ids\":{\"cookie_id\":\"a{slot}b\"}"));
        poison(
                "raw-nul",
                "bad_json",
                "{\"event_id\":\"poison-raw-nul\",\"tenant\":\"mallory\",\"x\":\"\u0000\"}");
        StringBuilder ids = new StringBuilder("{");
        for (int i = 0; i < 3_000; i++) {
            ids.append(i == 0 ? "" : ",").append("\"x_t").append(i).append("\":\"v\"");
        }
        poison(
                "ids-3000",
                "invalid_field",
                event("poison-ids-3000", "mallory", ts(t) + ",\"ids\":" + ids + "}"));
        ids = new StringBuilder("{\"user_id\":\"m1\"");
        for (int i = 0; i < 32; i++) {
            ids.append(",\"x_t").append(i).append("\":\"v\"");
        }
        poison(
                "ids-33",
                "invalid_field",
                event("poison-ids-33", "mallory", ts(t) + ",\"ids\":" + ids + "}"));
        poison(
                "category-1k",
                "invalid_field",
                event(
                        "poison-category-1k",
                        "gamma",
                        ts(t)
                                + ",\"ids\":{\"user_id\":\"g-intruder\"},\"props\":{\"category\":\""
                                + "c".repeat(1024)
                                + "\"}"));
        poison(
                "category-60k",
                "invalid_field",
                event(
                        "poison-category-60k",
                        "mallory",
                        ts(t)
                                + ",\"ids\":{\"user_id\":\"m1\"},\"props\":{\"category\":\""
                                + "c".repeat(60_000)
                                + "\"}"));
        poison(
                "channel-1k",
                "invalid_field",
                event(
                        "poison-channel-1k",
                        "mallory",
                        ts(t)
                                + ",\"channel\":\""
                                + "w".repeat(1024)
                                + "\",\"ids\":{\"user_id\":\"m1\"}"));
        StringBuilder traits = new StringBuilder("{");
        for (int i = 0; i < 100; i++) {
            traits.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":\"v\"");
        }
        poison(
                "traits-100",
                "invalid_field",
                "{\"event_id\":\"poison-traits-100\",\"tenant\":\"mallory\",\"type\":\"identify\","
                        + ts(t)
                        + ",\"ids\":{\"user_id\":\"m1\"},\"traits\":"
                        + traits
                        + "}}");
        poison(
                "trait-1k",
                "invalid_field",
                "{\"event_id\":\"poison-trait-1k\",\"tenant\":\"mallory\",\"type\":\"identify\","
                        + ts(t)
                        + ",\"ids\":{\"user_id\":\"m1\"},\"traits\":{\"note\":\""
                        + "n".repeat(1000)
                        + "\"}}");
        for (int i = 0; i < 2; i++) {
            poison(
                    "amount-9e12-" + i,
                    "invalid_field",
                    "{\"event_id\":\"poison-9e12-"
                            + i
                            + "\",\"tenant\":\"gamma\",\"type\":\"track\","
                            + "\"name\":\"order_completed\","
                            + ts(t)
                            + ",\"ids\":{\"user_id\":\"g-intruder\"},\"props\":{\"amount\":9e12}}");
        }
        poison(
                "deep-nesting",
                "bad_json",
                event(
                        "poison-deep",
                        "mallory",
                        ts(t)
                                + ",\"ids\":{\"user_id\":\"m1\"},\"props\":"
                                + "[".repeat(5_000)
                                + "]".repeat(5_000)));
        byte[] badUtf8 =
                event("poison-utf8", "mallory", ts(t) + ",\"ids\":{\"user_id\":\"m1XX\"}")
                        .getBytes(StandardCharsets.UTF_8);
        int at = new String(badUtf8, StandardCharsets.UTF_8).indexOf("XX");
        badUtf8[at] = (byte) 0xc3;
        badUtf8[at + 1] = (byte) 0x28;
        poison.add(new Poison("bad-utf8", badUtf8, "bad_json"));
        poison(
                "tenant-control",
                "invalid_field",
                "{\"event_id\":\"poison-tenant\",\"tenant\":\"gam\\u0007ma\",\"type\":\"page\","
                        + ts(t)
                        + ",\"ids\":{\"user_id\":\"g1\"}}");
    }

    /** Mallory's valid events that try to grow state without bound or to move time. */
    private void hostile() {
        long t = NOW - 10 * DAY;
        String pad = "z".repeat(56);
        // one profile, a new category of the longest length in every event
        for (int i = 0; i < 2_000; i++) {
            hostile.add(
                    event(
                            "h-cat-" + i,
                            "mallory",
                            ts(t + i * MINUTE)
                                    + ",\"ids\":{\"user_id\":\"m1\"},\"props\":{\"category\":\""
                                    + String.format("c%07d%s", i, pad)
                                    + "\"}"));
        }
        // the largest orders there are, until the sums would overflow
        for (int i = 0; i < 12; i++) {
            hostile.add(
                    "{\"event_id\":\"h-big-"
                            + i
                            + "\",\"tenant\":\"mallory\",\"type\":\"track\",\"name\":\"order_completed\","
                            + ts(t + i * MINUTE)
                            + ",\"ids\":{\"user_id\":\"m2\"},\"props\":{\"amount\":1000000000000}}");
        }
        // ever new custom id types on one profile
        for (int i = 0; i < 20; i++) {
            StringBuilder ids = new StringBuilder("{\"user_id\":\"m3\"");
            for (int k = 0; k < 5; k++) {
                ids.append(",\"x_t").append(i * 5 + k).append("\":\"v").append(i).append('"');
            }
            hostile.add(
                    event("h-types-" + i, "mallory", ts(t + i * MINUTE) + ",\"ids\":" + ids + "}"));
        }
        // ever new traits on one profile
        for (int i = 0; i < 100; i++) {
            hostile.add(
                    "{\"event_id\":\"h-trait-"
                            + i
                            + "\",\"tenant\":\"mallory\",\"type\":\"identify\","
                            + ts(t + i * MINUTE)
                            + ",\"ids\":{\"user_id\":\"m4\"},\"traits\":{\"t"
                            + i
                            + "\":\"v\"}}");
        }
        // an id value that tries to forge a merge history entry: m5's profile, then the cookie's,
        // then the event that merges the younger (the cookie's) into the older
        String forged = "k,oEVIL@1 via user_id:admin%";
        hostile.add(event("h-forge-1", "mallory", ts(t) + ",\"ids\":{\"user_id\":\"m5\"}"));
        hostile.add(
                event(
                        "h-forge-2",
                        "mallory",
                        ts(t + MINUTE) + ",\"ids\":{\"cookie_id\":\"" + forged + "\"}"));
        hostile.add(
                event(
                        "h-forge-3",
                        "mallory",
                        ts(t + 2 * MINUTE)
                                + ",\"ids\":{\"user_id\":\"m5\",\"cookie_id\":\""
                                + forged
                                + "\"}"));
        // live events an hour before now (one per partition when streamed): the shared
        // watermark jumps ahead of alpha's and gamma's data
        for (int i = 0; i < 4; i++) {
            live.add(
                    event(
                            "h-now-" + i,
                            "mallory",
                            ts(NOW - 3_600_000L - i) + ",\"ids\":{\"user_id\":\"m6\"}"));
        }
    }

    /**
     * The clean events with the poison and the hostile events mixed in at seeded places, each list
     * in its own order (the live events not included).
     */
    List<byte[]> mixed(long seed) {
        List<byte[]> extra = new ArrayList<>();
        for (Poison p : poison) {
            extra.add(p.bytes());
        }
        for (String h : hostile) {
            extra.add(h.getBytes(StandardCharsets.UTF_8));
        }
        java.util.Collections.shuffle(extra.subList(0, poison.size()), new Random(seed));
        // places in the clean events, ascending: the hostile events keep their order
        Random r = new Random(seed + 1);
        int[] at = new int[extra.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = r.nextInt(clean.size() + 1);
        }
        java.util.Arrays.sort(at);
        List<byte[]> out = new ArrayList<>(clean.size() + extra.size());
        int k = 0;
        for (int i = 0; i <= clean.size(); i++) {
            while (k < at.length && at[k] == i) {
                out.add(extra.get(k++));
            }
            if (i < clean.size()) {
                out.add(clean.get(i).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
