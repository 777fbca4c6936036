package io.rtcdp.udf.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.testing.Events;
import io.rtcdp.udf.text.TextIntent;
import io.rtcdp.udf.text.TextSentiment;
import io.rtcdp.udf.text.TextSignal;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileFeaturesTest {
    private static final int FIELDS = ProfileFields.FEATURE_FIELDS.size();

    private static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    private static Event event(String iso, EventType type, String name, Long amount, String cat) {
        return event(iso, type, name, amount, cat, null, null);
    }

    private static Event event(
            String iso,
            EventType type,
            String name,
            Long amount,
            String cat,
            Boolean marketing,
            Boolean personalization) {
        return Events.of(type)
                .name(name)
                .eventId("e-" + iso)
                .at(t(iso))
                .channel("web")
                .amountMicros(amount)
                .category(cat)
                .consent(marketing, personalization)
                .build();
    }

    private static Event track(String iso, String name, Long amount, String cat) {
        return event(iso, EventType.TRACK, name, amount, cat);
    }

    /** Ten events over four days: views and cart adds in three categories, two orders. */
    static List<Event> typicalEvents() {
        return List.of(
                track("2024-03-01T10:00:00Z", Event.PRODUCT_VIEWED, null, "shoes"),
                track("2024-03-01T10:02:30Z", Event.PRODUCT_VIEWED, null, "shoes"),
                track("2024-03-01T10:05:00Z", Event.PRODUCT_ADDED, null, "shoes"),
                event(
                        "2024-03-01T10:07:10Z",
                        EventType.TRACK,
                        Event.ORDER_COMPLETED,
                        59_900_000L,
                        "shoes",
                        true,
                        null),
                event("2024-03-02T20:00:00Z", EventType.PAGE, null, null, null),
                track("2024-03-03T09:00:00Z", Event.PRODUCT_VIEWED, null, "bags"),
                track("2024-03-03T09:01:00Z", Event.PRODUCT_VIEWED, null, "bags"),
                track("2024-03-03T09:03:00Z", Event.PRODUCT_ADDED, null, "bags"),
                track("2024-03-04T08:00:00Z", Event.PRODUCT_VIEWED, null, "socks"),
                track("2024-03-04T08:30:00Z", Event.ORDER_COMPLETED, 12_500_000L, "socks"));
    }

    static ProfileFeatures typical() {
        ProfileFeatures f = new ProfileFeatures();
        typicalEvents().forEach(f::add);
        return f;
    }

    private static Map<String, String> rendered(ProfileFeatures f) {
        String[] out = new String[FIELDS];
        f.render(out);
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < FIELDS; i++) {
            m.put(ProfileFields.FEATURE_FIELDS.get(i), out[i]);
        }
        return m;
    }

    private static Map<String, String> fields(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String name : ProfileFields.FEATURE_FIELDS) {
            m.put(name, null);
        }
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void rendersATypicalProfile() {
        ProfileFeatures f = typical();

        assertThat(rendered(f))
                .isEqualTo(
                        fields(
                                "as_of", "" + t("2024-03-04T08:30:00Z"),
                                "first_seen", "" + t("2024-03-01T10:00:00Z"),
                                "last_seen", "" + t("2024-03-04T08:30:00Z"),
                                "f.events_total", "10",
                                "f.orders_total", "2",
                                "f.revenue_total", "72.4",
                                "f.avg_order_value", "36.2",
                                "f.days_since_last_order", "0",
                                "f.orders_30d", "2",
                                "f.revenue_30d", "72.4",
                                "f.orders_90d", "2",
                                "f.revenue_90d", "72.4",
                                "f.events_24h", "5",
                                "f.views_24h", "3",
                                "f.cart_adds_24h", "1",
                                "f.orders_24h", "1",
                                "f.top_category_30d", "shoes",
                                "consent.marketing", "1",
                                // 2 d 22 h 22 min 50 s between the two orders
                                "f.order_gap_days", "2.93",
                                "f.last_order_gap_days", "2.93",
                                "f.order_gap_ratio", "0",
                                "f.orders_180d", "2",
                                "f.revenue_180d", "72.4",
                                "f.orders_365d", "2",
                                "f.revenue_365d", "72.4",
                                "f.orders_next_90d_last_year", "0",
                                "f.order_trend_90d", "2",
                                // shoes, bags, socks
                                "f.categories_30d", "3"));
        // The oldest minute bucket still in the 24 h window is 2024-03-03T09:00.
        assertThat(f.nextChange()).isEqualTo(t("2024-03-04T09:00:00Z"));
        assertThat(f.firstSeen()).isEqualTo(t("2024-03-01T10:00:00Z"));
        assertThat(f.lastSeen()).isEqualTo(f.asOf());
        assertThat(f.lastOrderTs()).isEqualTo(t("2024-03-04T08:30:00Z"));
    }

    /**
     * Refunds and baskets (contract 2.15): counted whatever the order of events, summed on merges,
     * kept through the encoding; a state written before them (format 1, 2 or 3 itself) leaves their
     * fields out for good, also after new refunds and merges.
     */
    @Test
    void refundsAndBasketsAreKeptAndAnOlderStateLeavesThemOut() throws IOException {
        Event refund =
                Events.track(Event.ORDER_REFUNDED)
                        .at(t("2024-03-05T10:00:00Z"))
                        .amountMicros(12_500_000L)
                        .items(new OrderItem("a", null, 1, 12_500_000L))
                        .build();
        Event basket =
                Events.track(Event.ORDER_COMPLETED)
                        .at(t("2024-03-02T10:00:00Z"))
                        .amountMicros(30_000_000L)
                        .items(
                                new OrderItem("a", null, 1, 10_000_000L),
                                new OrderItem("b", null, 2, 5_000_000L),
                                // the same sku again: one item
                                new OrderItem("a", null, 1, 10_000_000L))
                        .build();
        Event small =
                Events.track(Event.ORDER_COMPLETED)
                        .at(t("2024-03-01T10:00:00Z"))
                        .amountMicros(1_000_000L)
                        .items(new OrderItem("c", null, 1, 1_000_000L))
                        .build();
        Event plain = track("2024-03-03T10:00:00Z", Event.ORDER_COMPLETED, 5_000_000L, null);
        ProfileFeatures f = of(List.of(refund, basket, plain));
        ProfileFeatures g = of(List.of(small));
        f.merge(g);
        ProfileFeatures all = of(List.of(small, plain, refund, basket));
        assertThat(f).isEqualTo(all);
        // 3 items over 2 orders with items; the order without items does not count
        assertThat(rendered(all))
                .containsEntry("f.refunds_total", "1")
                .containsEntry("f.refunded_total", "12.5")
                .containsEntry("f.avg_basket_items", "1.5")
                .containsEntry("f.orders_total", "3");
        byte[] bytes = bytes(all);
        assertThat(bytes[0])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.FORMAT_WITH_PARTS
                                        + ProfileFeatures.FORMAT_BREADTH_KNOWN));
        assertThat(read(bytes)).isEqualTo(all).hasSameHashCodeAs(all);

        // a profile with neither, written before them: the format byte without the offset
        ProfileFeatures older = of(List.of(plain));
        byte[] old = bytes(older);
        old[0] -= ProfileFeatures.FORMAT_BREADTH_KNOWN;
        ProfileFeatures restored = read(old);
        ProfileFeatures expected = older.copy();
        expected.forgetBreadth();
        assertThat(restored).isEqualTo(expected).isNotEqualTo(older);
        restored.add(refund);
        restored.add(basket);
        restored.merge(of(List.of(small)));
        assertThat(rendered(restored))
                .containsEntry("f.refunds_total", null)
                .containsEntry("f.refunded_total", null)
                .containsEntry("f.avg_basket_items", null)
                .containsEntry("f.orders_total", "3");
        // nothing of them is kept: the same state as the known one's with them forgotten
        ProfileFeatures same = of(List.of(plain, refund, basket));
        same.merge(of(List.of(small)));
        same.forgetBreadth();
        assertThat(restored).isEqualTo(same);
        assertThat(bytes(restored)[0]).isEqualTo((byte) ProfileFeatures.FORMAT_WITH_PARTS);
        assertThat(read(bytes(restored))).isEqualTo(restored);
        // an empty profile knows them whatever its format
        ProfileFeatures empty = new ProfileFeatures();
        empty.advanceTo(t("2024-03-01T00:00:00Z"));
        byte[] emptyOld = bytes(empty);
        emptyOld[0] -= ProfileFeatures.FORMAT_BREADTH_KNOWN;
        ProfileFeatures fresh = read(emptyOld);
        fresh.add(refund);
        assertThat(rendered(fresh)).containsEntry("f.refunds_total", "1");
    }

    /**
     * The gaps between orders (issue 14): the mean over all of them, the last one, and the time
     * since the last order against the mean, whatever order the orders arrive in and however the
     * profile's parts were merged.
     */
    @Test
    void orderGapsFollowTheOrdersInAnyArrivalOrderAndAcrossMerges() {
        Event a = track("2024-01-01T00:00:00Z", Event.ORDER_COMPLETED, 10_000_000L, null);
        Event b = track("2024-01-11T00:00:00Z", Event.ORDER_COMPLETED, 10_000_000L, null);
        Event c = track("2024-01-31T00:00:00Z", Event.ORDER_COMPLETED, 10_000_000L, null);
        Event later = track("2024-02-15T00:00:00Z", Event.PRODUCT_VIEWED, null, null);
        for (List<Event> order : List.of(List.of(a, b, c, later), List.of(later, c, a, b))) {
            ProfileFeatures f = new ProfileFeatures();
            order.forEach(f::add);
            assertThat(rendered(f))
                    .containsEntry("f.order_gap_days", "15")
                    .containsEntry("f.last_order_gap_days", "20")
                    .containsEntry("f.order_gap_ratio", "1");
        }
        // c and a in one part, b in the other: the last gap is b to c
        ProfileFeatures ac = new ProfileFeatures();
        ac.add(a);
        ac.add(c);
        ProfileFeatures bl = new ProfileFeatures();
        bl.add(b);
        bl.add(later);
        ac.merge(bl);
        assertThat(rendered(ac))
                .containsEntry("f.order_gap_days", "15")
                .containsEntry("f.last_order_gap_days", "20")
                .containsEntry("f.order_gap_ratio", "1");
        // one order: no gaps; two at once: gaps of 0 and no ratio
        ProfileFeatures one = new ProfileFeatures();
        one.add(a);
        assertThat(rendered(one)).containsEntry("f.order_gap_days", null);
        ProfileFeatures twice = new ProfileFeatures();
        twice.add(a);
        twice.add(track("2024-01-01T00:00:00Z", Event.ORDER_COMPLETED, 1L, null));
        assertThat(rendered(twice))
                .containsEntry("f.order_gap_days", "0")
                .containsEntry("f.last_order_gap_days", "0")
                .containsEntry("f.order_gap_ratio", null);
    }

    /**
     * A state written before the order times were kept (format 1) with two orders: its gaps are
     * unknown and stay left out, also after more orders and merges; it is written as before.
     */
    @Test
    void aStateWithoutOrderTimesLeavesTheGapsOut() throws IOException {
        ProfileFeatures f = new ProfileFeatures();
        f.add(track("2024-01-01T00:00:00Z", Event.ORDER_COMPLETED, 10_000_000L, null));
        f.add(track("2024-01-11T00:00:00Z", Event.ORDER_COMPLETED, 10_000_000L, null));
        byte[] now = bytes(f);
        assertThat(now[0])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.FORMAT_WITH_PARTS
                                        + ProfileFeatures.FORMAT_BREADTH_KNOWN));
        // format 1: the same without the parts byte, the two order times (ten days back from the
        // last order each: varints of 5 bytes) and the day buckets (one byte: all in the hours)
        byte[] old = java.util.Arrays.copyOf(now, now.length - 1 - 5 - 5 - 1);
        old[0] = (byte) ProfileFeatures.FORMAT_WITHOUT_TEXTS;
        ProfileFeatures restored = read(old);
        ProfileFeatures expected = f.copy();
        expected.forgetOrderTimes();
        expected.forgetBreadth();
        expected.forgetLongWindows();
        assertThat(restored).isEqualTo(expected);
        assertThat(rendered(restored))
                .containsEntry("f.orders_total", "2")
                .containsEntry("f.order_gap_days", null)
                .containsEntry("f.last_order_gap_days", null);
        assertThat(read(bytes(restored))).isEqualTo(restored);
        restored.add(track("2024-01-21T00:00:00Z", Event.ORDER_COMPLETED, 10_000_000L, null));
        ProfileFeatures merged = new ProfileFeatures();
        merged.add(track("2024-01-05T00:00:00Z", Event.ORDER_COMPLETED, 10_000_000L, null));
        merged.merge(restored);
        assertThat(rendered(merged)).containsEntry("f.order_gap_days", null);
        // one order's time is the last order's: known in any format
        ProfileFeatures single = new ProfileFeatures();
        single.add(track("2024-01-01T00:00:00Z", Event.ORDER_COMPLETED, 10_000_000L, null));
        assertThat(bytes(single)[0])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.FORMAT_WITH_PARTS
                                        + ProfileFeatures.FORMAT_BREADTH_KNOWN));
        ProfileFeatures more = read(bytes(single));
        more.add(track("2024-01-03T00:00:00Z", Event.ORDER_COMPLETED, 10_000_000L, null));
        assertThat(rendered(more)).containsEntry("f.order_gap_days", "2");
    }

    /** The gaps' arithmetic: in longs for real profiles, in big integers beyond, both exact. */
    @Test
    void gapHundredthsAreExactHalfEvenInLongsAndBeyond() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            boolean big = i % 4 == 0;
            long a = big ? r.nextLong(0, Long.MAX_VALUE / 2) : r.nextLong(0, 1L << 40);
            long b = big ? r.nextLong(1, 1L << 40) : r.nextLong(1, 1L << 15);
            long d1 = r.nextLong(1, 1L << 15);
            long d2 = i % 7 == 0 ? 86_400_000L : r.nextLong(1, 1L << 44);
            if (i % 10 == 1) {
                // a tie: a × b × 100 / d is x.5 exactly
                d1 = 1;
                d2 = 2;
                b = 1;
            }
            java.math.BigDecimal exact =
                    new java.math.BigDecimal(
                                    java.math.BigInteger.valueOf(a)
                                            .multiply(java.math.BigInteger.valueOf(b))
                                            .multiply(java.math.BigInteger.valueOf(100)))
                            .divide(
                                    new java.math.BigDecimal(
                                            java.math.BigInteger.valueOf(d1)
                                                    .multiply(java.math.BigInteger.valueOf(d2))),
                                    0,
                                    java.math.RoundingMode.HALF_EVEN);
            long expected =
                    exact.toBigInteger().bitLength() < 64 ? exact.longValueExact() : Long.MAX_VALUE;
            assertThat(ProfileFeatures.hundredthsHalfEven(a, b, d1, d2))
                    .as("%d × %d / (%d × %d)", a, b, d1, d2)
                    .isEqualTo(expected);
        }
    }

    private static byte[] bytes(ProfileFeatures f) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        f.write(new java.io.DataOutputStream(out));
        return out.toByteArray();
    }

    @Test
    void windowsExpireBucketByBucket() {
        ProfileFeatures f = typical();

        f.advanceTo(t("2024-03-04T09:00:00Z"));
        assertThat(rendered(f))
                .containsEntry("f.events_24h", "4")
                .containsEntry("f.views_24h", "2");

        // The first order's hour bucket (10:00) leaves the 30 d window 30 days later, and with
        // it every "shoes" entry, so the top category falls to "bags".
        f.advanceTo(t("2024-03-31T09:59:59.999Z"));
        assertThat(rendered(f))
                .containsEntry("f.orders_30d", "2")
                .containsEntry("f.top_category_30d", "shoes");
        assertThat(f.nextChange()).isEqualTo(t("2024-03-31T10:00:00Z"));
        f.advanceTo(t("2024-03-31T10:00:00Z"));
        assertThat(rendered(f))
                .containsEntry("f.events_24h", "0")
                .containsEntry("f.orders_30d", "1")
                .containsEntry("f.revenue_30d", "12.5")
                .containsEntry("f.orders_90d", "2")
                .containsEntry("f.revenue_90d", "72.4")
                .containsEntry("f.top_category_30d", "bags")
                .containsEntry("f.days_since_last_order", "27");

        f.advanceTo(t("2024-06-02T08:00:00Z"));
        assertThat(rendered(f))
                .containsEntry("f.events_total", "10")
                .containsEntry("f.orders_90d", "0")
                .containsEntry("f.revenue_90d", "0")
                .containsEntry("f.top_category_30d", null)
                .containsEntry("f.orders_180d", "2")
                .containsEntry("f.orders_365d", "2")
                // none in the last 90 days, two in the 90 before: falling
                .containsEntry("f.order_trend_90d", "-2");

        // The long windows count in day buckets: the first order's day leaves the 180 d window
        // 180 days after it, enters last year's next 90 days 275 days after it and leaves them,
        // with the 365 d window, 365 days after it.
        assertThat(f.nextChange()).isEqualTo(t("2024-08-28T00:00:00Z"));
        f.advanceTo(t("2024-08-28T00:00:00Z"));
        assertThat(rendered(f))
                .containsEntry("f.orders_180d", "1")
                .containsEntry("f.order_trend_90d", "-1")
                .containsEntry("f.revenue_180d", "12.5")
                .containsEntry("f.orders_365d", "2")
                .containsEntry("f.orders_next_90d_last_year", "0");
        assertThat(f.nextChange()).isEqualTo(t("2024-08-31T00:00:00Z"));
        f.advanceTo(t("2024-08-31T00:00:00Z"));
        assertThat(rendered(f)).containsEntry("f.orders_180d", "0");
        assertThat(f.nextChange()).isEqualTo(t("2024-12-01T00:00:00Z"));
        f.advanceTo(t("2024-12-01T00:00:00Z"));
        assertThat(rendered(f))
                .containsEntry("f.orders_next_90d_last_year", "1")
                .containsEntry("f.orders_365d", "2");
        f.advanceTo(t("2024-12-04T00:00:00Z"));
        assertThat(rendered(f)).containsEntry("f.orders_next_90d_last_year", "2");
        assertThat(f.nextChange()).isEqualTo(t("2025-03-01T00:00:00Z"));
        f.advanceTo(t("2025-03-01T00:00:00Z"));
        assertThat(rendered(f))
                .containsEntry("f.orders_next_90d_last_year", "1")
                .containsEntry("f.orders_365d", "1")
                .containsEntry("f.revenue_365d", "12.5");
        f.advanceTo(t("2025-03-04T00:00:00Z"));
        assertThat(rendered(f))
                .containsEntry("f.orders_next_90d_last_year", "0")
                .containsEntry("f.orders_365d", "0")
                .containsEntry("f.revenue_365d", "0");
        assertThat(f.nextChange()).isEqualTo(Long.MAX_VALUE);
    }

    /**
     * A state written before the day buckets were kept knows its last 90 days' orders: the long
     * windows are left out until they start after what it knew, then they are exact again; merges
     * and a write keep that; the encoding of the day buckets holds only what the hours do not.
     */
    @Test
    void aStateWithoutDayBucketsLeavesTheLongWindowsOutUntilTheyAreKnown() throws IOException {
        Event old = track("2024-01-01T10:00:00Z", Event.ORDER_COMPLETED, 5_000_000L, null);
        Event recent = track("2024-05-01T10:00:00Z", Event.ORDER_COMPLETED, 7_000_000L, null);
        ProfileFeatures full = of(List.of(old, recent));
        assertThat(rendered(full))
                .containsEntry("f.orders_90d", "1")
                .containsEntry("f.orders_180d", "2")
                .containsEntry("f.revenue_365d", "12");
        assertThat(read(bytes(full))).isEqualTo(full);

        ProfileFeatures restored = full.copy();
        restored.forgetLongWindows();
        assertThat(restored).isNotEqualTo(full);
        assertThat(rendered(restored))
                .containsEntry("f.orders_90d", "1")
                .containsEntry("f.orders_180d", null)
                .containsEntry("f.orders_365d", null)
                .containsEntry("f.orders_next_90d_last_year", null);
        assertThat(read(bytes(restored))).isEqualTo(restored);
        // the 90 days it knew started 2024-02-01T10:00 (+ 1 h): the 180 d window is known 180 days
        // after that, the 365 d window 365 days after
        long known = t("2024-02-01T11:00:00Z");
        assertThat(restored.nextChange()).isLessThanOrEqualTo(known + 180 * WindowMath.DAY);
        restored.advanceTo(known + 180 * WindowMath.DAY - 1);
        assertThat(rendered(restored)).containsEntry("f.orders_180d", null);
        restored.advanceTo(known + 180 * WindowMath.DAY);
        full.advanceTo(known + 180 * WindowMath.DAY);
        assertThat(rendered(restored))
                .containsEntry("f.orders_180d", rendered(full).get("f.orders_180d"))
                .containsEntry("f.orders_365d", null);
        // a merge with a complete profile is incomplete as long as either side is
        ProfileFeatures other =
                of(List.of(track("2024-06-01T00:00:00Z", Event.ORDER_COMPLETED, 1_000_000L, null)));
        ProfileFeatures merged = other.copy();
        merged.merge(restored);
        assertThat(rendered(merged)).containsEntry("f.orders_365d", null);
        restored.advanceTo(known + 365 * WindowMath.DAY);
        full.advanceTo(known + 365 * WindowMath.DAY);
        assertThat(restored).as("complete again: the same state").isEqualTo(full);
        assertThat(bytes(restored)).isEqualTo(bytes(full));
    }

    @Test
    void anEventTooOldForAWindowOnlyCountsInTotals() {
        ProfileFeatures f = new ProfileFeatures();
        f.add(track("2024-06-01T00:00:00Z", Event.PRODUCT_VIEWED, null, null));
        f.add(track("2024-03-01T12:00:00Z", Event.ORDER_COMPLETED, 5_000_000L, "old"));
        f.add(track("2024-05-01T12:00:00Z", Event.ORDER_COMPLETED, null, "recent"));

        assertThat(rendered(f))
                .containsEntry("first_seen", "" + t("2024-03-01T12:00:00Z"))
                .containsEntry("f.events_total", "3")
                .containsEntry("f.orders_total", "2")
                .containsEntry("f.revenue_total", "5")
                .containsEntry("f.avg_order_value", "2.5")
                .containsEntry("f.orders_90d", "1")
                .containsEntry("f.revenue_90d", "0")
                .containsEntry("f.orders_30d", "0")
                .containsEntry("f.events_24h", "1")
                .containsEntry("f.top_category_30d", null)
                .containsEntry("f.days_since_last_order", "30");
    }

    @Test
    void anEmptyProfileRendersNothingButItsAsOf() throws IOException {
        ProfileFeatures f = new ProfileFeatures();
        assertThat(f.isEmpty()).isTrue();
        assertThat(f.asOf()).isEqualTo(Long.MIN_VALUE);
        assertThat(rendered(f)).isEqualTo(fields());
        assertThat(f.nextChange()).isEqualTo(Long.MAX_VALUE);
        assertThat(ProfileFeaturesPropertiesTest.encode(f)).hasSize(2);

        f.advanceTo(1234);
        assertThat(rendered(f)).isEqualTo(fields("as_of", "1234"));
        assertThat(f.isEmpty()).isTrue();
        assertThat(read(ProfileFeaturesPropertiesTest.encode(f))).isEqualTo(f);
    }

    @Test
    void consentKeepsTheLatestValueAndFalseWinsTies() {
        String ts = "2024-03-01T10:00:00Z";
        for (boolean firstValue : new boolean[] {true, false}) {
            ProfileFeatures f = new ProfileFeatures();
            f.add(event(ts, EventType.CONSENT, null, null, null, firstValue, true));
            f.add(event(ts, EventType.CONSENT, null, null, null, !firstValue, true));
            assertThat(rendered(f))
                    .containsEntry("consent.marketing", "0")
                    .containsEntry("consent.personalization", "1");
        }

        ProfileFeatures f = new ProfileFeatures();
        f.add(event("2024-03-02T00:00:00Z", EventType.CONSENT, null, null, null, true, null));
        f.add(event("2024-03-01T00:00:00Z", EventType.CONSENT, null, null, null, false, false));
        assertThat(rendered(f))
                .containsEntry("consent.marketing", "1")
                .containsEntry("consent.personalization", "0");
    }

    @Test
    void averageOrderValueRoundsHalfEvenToCents() {
        assertThat(avg(125_000L)).isEqualTo("0.12");
        assertThat(avg(135_000L)).isEqualTo("0.14");
        assertThat(avg(-125_000L)).isEqualTo("-0.12");
        assertThat(avg(-5_000L)).isEqualTo("0");
        assertThat(avg(19_990_000L)).isEqualTo("19.99");
        assertThat(avg(20_000_000L)).isEqualTo("20");
    }

    private static String avg(long micros) {
        ProfileFeatures f = new ProfileFeatures();
        f.add(track("2024-03-01T10:00:00Z", Event.ORDER_COMPLETED, micros, null));
        return rendered(f).get("f.avg_order_value");
    }

    @Test
    void renderingAgainReusesTheStringsOfUnchangedValues() {
        ProfileFeatures f = typical();
        String[] before = new String[FIELDS];
        f.render(before);
        f.add(track("2024-03-04T08:31:00Z", Event.PRODUCT_VIEWED, null, null));
        String[] after = new String[FIELDS];
        f.render(after);

        int firstSeen = ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.FIRST_SEEN);
        int revenue = ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.REVENUE_TOTAL);
        int lastSeen = ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.LAST_SEEN);
        assertThat(after[firstSeen]).isSameAs(before[firstSeen]);
        assertThat(after[revenue]).isSameAs(before[revenue]);
        assertThat(after[lastSeen]).isEqualTo("" + t("2024-03-04T08:31:00Z"));
    }

    @Test
    void encodesATypicalProfileCompactly() throws IOException {
        ProfileFeatures f = typical();
        byte[] bytes = ProfileFeaturesPropertiesTest.encode(f);
        System.out.printf(
                "typical profile (10 events, 2 orders, 3 categories): %d bytes%n", bytes.length);
        assertThat(bytes.length).isLessThan(100);
        // two orders: with their order times and day buckets (format 3: the parts byte, two
        // varints of 4 bytes, and one byte: every order is in the hour buckets)
        assertThat(bytes[0])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.FORMAT_WITH_PARTS
                                        + ProfileFeatures.FORMAT_BREADTH_KNOWN));
        assertThat(bytes[bytes.length - 10])
                .isEqualTo((byte) (ProfileFeatures.PART_ORDER_TIMES | ProfileFeatures.PART_DAYS));
        assertThat(bytes[bytes.length - 1]).isZero();
        assertThat(read(bytes)).isEqualTo(f);
    }

    /**
     * Texts: counted in the 30-day window by hour buckets, merged, encoded in format 2; the fields
     * stay (at 0) after the window passed, and only profiles that had a text have them.
     */
    @Test
    void textsAreCountedOverThirtyDaysAndKeptThroughMergesAndEncoding() throws IOException {
        ProfileFeatures f = typical();
        assertThat(rendered(f))
                .containsEntry("f.texts_30d", null)
                .containsEntry("f.complaints_30d", null);
        f.add(
                Events.track("chat_message")
                        .at(t("2024-03-04T08:40:00Z"))
                        .text(
                                new TextSignal(
                                        TextIntent.COMPLAINT, 0.9, TextSentiment.NEGATIVE, -0.9))
                        .build());
        ProfileFeatures other = new ProfileFeatures();
        other.add(
                Events.track("review")
                        .at(t("2024-02-20T10:00:00Z"))
                        .text(new TextSignal(TextIntent.NONE, 0.7, TextSentiment.POSITIVE, 0.8))
                        .build());
        f.merge(other);
        assertThat(rendered(f))
                .containsEntry("f.texts_30d", "2")
                .containsEntry("f.negative_texts_30d", "1")
                .containsEntry("f.complaints_30d", "1");

        // with texts and the times of two orders: format 3 with both parts
        byte[] bytes = ProfileFeaturesPropertiesTest.encode(f);
        assertThat(bytes[0])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.FORMAT_WITH_PARTS
                                        + ProfileFeatures.FORMAT_BREADTH_KNOWN));
        assertThat(read(bytes)).isEqualTo(f).hasSameHashCodeAs(f);

        // 30 days after the review's hour, only the complaint is in the window
        f.advanceTo(t("2024-03-21T10:00:00Z"));
        assertThat(rendered(f))
                .containsEntry("f.texts_30d", "1")
                .containsEntry("f.negative_texts_30d", "1");
        f.advanceTo(t("2024-05-01T00:00:00Z"));
        assertThat(rendered(f))
                .containsEntry("f.texts_30d", "0")
                .containsEntry("f.complaints_30d", "0");
        assertThat(read(ProfileFeaturesPropertiesTest.encode(f))).isEqualTo(f);
    }

    @Test
    void rejectsAnUnknownFormatVersion() throws IOException {
        byte[] bytes = ProfileFeaturesPropertiesTest.encode(typical());
        bytes[0] =
                (byte)
                        (ProfileFeatures.FORMAT_WITH_PARTS
                                + ProfileFeatures.FORMAT_BREADTH_KNOWN
                                + 1);
        assertThat(ProfileFeatures.FORMAT_WITH_PARTS).isEqualTo(3);
        assertThatThrownBy(() -> read(bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version");
    }

    @Test
    void copiesAreIndependent() {
        ProfileFeatures f = typical();
        ProfileFeatures c = f.copy();
        assertThat(c).isEqualTo(f).hasSameHashCodeAs(f);
        c.add(track("2024-03-04T09:00:00Z", Event.PRODUCT_VIEWED, null, "hats"));
        assertThat(c).isNotEqualTo(f);
        assertThat(f).isEqualTo(typical());
    }

    @Test
    void rejectsMisuse() {
        ProfileFeatures f = typical();
        assertThatThrownBy(() -> f.render(new String[FIELDS - 1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.merge(f)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringShowsTheBuckets() {
        assertThat(typical().toString())
                .contains("events=10")
                .contains(t("2024-03-03T09:00:00Z") + ":1/1/0/0")
                .contains("shoes=4");
    }

    private static String cat(int i) {
        return String.format("c%03d", i);
    }

    @Test
    void aProfileKeepsABoundedNumberOfCategories() throws IOException {
        int max = ProfileFeatures.MAX_KEPT_CATEGORIES;
        ProfileFeatures f = new ProfileFeatures();
        // every kept category once; the first newcomer beyond them is counted in totals only
        for (int i = 0; i < max; i++) {
            assertThat(f.add(track("2024-03-01T10:00:00Z", Event.PRODUCT_VIEWED, null, cat(i))))
                    .isTrue();
        }
        assertThat(f.add(track("2024-03-01T10:01:00Z", Event.PRODUCT_VIEWED, null, "zz")))
                .isFalse();
        assertThat(f.add(track("2024-03-01T10:02:00Z", Event.PRODUCT_VIEWED, null, "zz")))
                .isFalse();
        assertThat(f.add(track("2024-03-01T10:03:00Z", Event.PRODUCT_VIEWED, null, cat(7))))
                .isTrue();
        String[] out = new String[FIELDS];
        f.render(out);
        Map<String, String> r = rendered(f);
        assertThat(r)
                .containsEntry("f.top_category_30d", cat(7))
                .containsEntry("f.events_total", "" + (max + 3));
        assertThat(read(ProfileFeaturesPropertiesTest.encode(f))).isEqualTo(f);
        // once the kept ones leave the 30-day window, a new category is counted again
        assertThat(f.add(track("2024-04-15T10:00:00Z", Event.PRODUCT_VIEWED, null, "zz"))).isTrue();
        assertThat(rendered(f)).containsEntry("f.top_category_30d", "zz");
    }

    @Test
    void aMergeBeyondTheCategoryBoundKeepsTheMostFrequentWhicheverSideAbsorbs() {
        int max = ProfileFeatures.MAX_KEPT_CATEGORIES;
        ProfileFeatures a = new ProfileFeatures();
        ProfileFeatures b = new ProfileFeatures();
        for (int i = 0; i < max; i++) {
            a.add(track("2024-03-01T10:00:00Z", Event.PRODUCT_VIEWED, null, cat(i)));
            // b shares the upper half of a's categories and has as many of its own, twice each
            for (int k = 0; k < 2; k++) {
                b.add(
                        track(
                                "2024-03-02T1" + k + ":00:00Z",
                                Event.PRODUCT_VIEWED,
                                null,
                                cat(i + max / 2)));
            }
        }
        ProfileFeatures ab = a.copy();
        ab.merge(b);
        ProfileFeatures ba = b.copy();
        ba.merge(a);
        assertThat(ab).isEqualTo(ba);
        Map<String, String> r = rendered(ab);
        // the shared categories have 3 events each: they and the most frequent of b's own stay
        assertThat(r).containsEntry("f.top_category_30d", cat(max / 2));
        assertThat(r).containsEntry("f.events_total", "" + (3 * max));
        assertThat(ab.toString()).contains(cat(max / 2) + "=1").doesNotContain(cat(0) + "=1");
    }

    @Test
    void sumsSaturateInsteadOfWrapping() {
        ProfileFeatures f = new ProfileFeatures();
        long big = 1_000_000_000_000L * 1_000_000L; // the largest order the parser accepts
        for (int i = 0; i < 12; i++) {
            f.add(track("2024-03-01T10:0" + (i % 10) + ":00Z", Event.ORDER_COMPLETED, big, null));
        }
        Map<String, String> r = rendered(f);
        assertThat(r.get("f.revenue_total")).isEqualTo("9223372036854.775807");
        assertThat(r.get("f.revenue_30d")).isEqualTo("9223372036854.775807");
        assertThat(r.get("f.revenue_90d")).isEqualTo("9223372036854.775807");
        assertThat(f.revenueTotalMicros()).isEqualTo(Long.MAX_VALUE);
        ProfileFeatures g = f.copy();
        g.merge(f.copy());
        assertThat(g.revenueTotalMicros()).isEqualTo(Long.MAX_VALUE);
        assertThat(rendered(g).get("f.orders_total")).isEqualTo("24");
    }

    /** The items of orders: counted per order, merged like the union of the orders, encoded. */
    @Test
    void itemsOfOrdersAreKeptMergedAndEncoded() throws IOException {
        java.util.function.BiFunction<Long, List<String>, Event> order =
                (ts, skus) ->
                        Events.track(Event.ORDER_COMPLETED)
                                .at(ts)
                                .amountMicros(1_000_000L)
                                .items(
                                        skus.stream()
                                                .map(
                                                        s ->
                                                                new io.rtcdp.udf.event.OrderItem(
                                                                        s, null, 1, 1_000_000L))
                                                .toArray(io.rtcdp.udf.event.OrderItem[]::new))
                                .build();
        List<Event> events =
                List.of(
                        order.apply(Events.T0, List.of("a", "b", "a")),
                        Events.track(Event.PRODUCT_VIEWED).at(Events.T0 + 5).build(),
                        order.apply(Events.T0 + 10, List.of("b")),
                        order.apply(Events.T0 + 20, List.of("c")));
        ProfileFeatures whole = new ProfileFeatures();
        events.forEach(whole::add);
        assertThat(whole.items().orders("a")).isEqualTo(1);
        assertThat(whole.items().orders("b")).isEqualTo(2);
        assertThat(whole.itemsLeftOut()).isZero();

        ProfileFeatures one = new ProfileFeatures();
        ProfileFeatures two = new ProfileFeatures();
        one.add(events.get(0));
        one.add(events.get(3));
        two.add(events.get(1));
        two.add(events.get(2));
        two.merge(one);
        assertThat(two).isEqualTo(whole);

        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        whole.write(new java.io.DataOutputStream(bytes));
        assertThat(read(bytes.toByteArray())).isEqualTo(whole);
        assertThat(read(bytes.toByteArray()).items()).isEqualTo(whole.items());

        // a profile without items has none after a round trip, and no item bytes
        ProfileFeatures plain = new ProfileFeatures();
        plain.add(events.get(1));
        java.io.ByteArrayOutputStream plainBytes = new java.io.ByteArrayOutputStream();
        plain.write(new java.io.DataOutputStream(plainBytes));
        assertThat(read(plainBytes.toByteArray()).items()).isNull();
        assertThat(plainBytes.toByteArray()[1] & 0x80).isZero();
    }

    private static ProfileFeatures read(byte[] bytes) throws IOException {
        return ProfileFeatures.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    }

    private static Event identify(long ts, Map<String, String> traits) {
        return Events.of(EventType.IDENTIFY)
                .eventId("i-" + ts + traits)
                .at(ts)
                .channel("web")
                .traits(traits)
                .build();
    }

    private static ProfileFeatures of(List<Event> events) {
        ProfileFeatures f = new ProfileFeatures();
        events.forEach(f::add);
        return f;
    }

    /**
     * retainTraits keeps the named traits with their values and times, drops the others, says
     * whether it dropped one, and leaves a profile without traits written as one that never had
     * any.
     */
    @Test
    void retainTraitsKeepsOnlyTheNamedTraits() throws IOException {
        long t = t("2024-03-01T10:00:00Z");
        // a view, not an order: a profile with orders is written in format 3 anyway
        Event order = track("2024-03-01T09:00:00Z", Event.PRODUCT_VIEWED, null, "shoes");
        ProfileFeatures f =
                of(
                        List.of(
                                order,
                                identify(t, Map.of("plan", "gold", "city", "Bern", "tier", "2")),
                                identify(t + 1000, Map.of("city", "Basel"))));

        assertThat(f.retainTraits(java.util.Set.of("plan", "city", "tier", "other"))).isFalse();
        assertThat(f.traitCount()).isEqualTo(3);

        assertThat(f.retainTraits(java.util.Set.of("plan", "city"))).isTrue();
        assertThat(f.traits()).isEqualTo(Map.of("plan", "gold", "city", "Basel"));
        // the same state as of the events with only those traits: values and times kept
        ProfileFeatures declaredOnly =
                of(
                        List.of(
                                order,
                                identify(t, Map.of("plan", "gold", "city", "Bern")),
                                identify(t + 1000, Map.of("city", "Basel"))));
        assertThat(f).isEqualTo(declaredOnly).hasSameHashCodeAs(declaredOnly);
        assertThat(bytes(f)).isEqualTo(bytes(declaredOnly));
        assertThat(read(bytes(f))).isEqualTo(declaredOnly);
        assertThat(f.retainTraits(java.util.Set.of("plan", "city"))).as("nothing more").isFalse();

        // it takes new traits in place afterwards
        f.add(identify(t + 2000, Map.of("tier", "3", "city", "Zug")));
        assertThat(f.traits()).isEqualTo(Map.of("plan", "gold", "city", "Zug", "tier", "3"));

        // none named: none kept, written as a profile that never had traits
        assertThat(f.retainTraits(java.util.Set.of())).isTrue();
        assertThat(f.traits()).isEmpty();
        assertThat(f.traitCount()).isZero();
        ProfileFeatures without = f.copy();
        assertThat(bytes(f)[0])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.FORMAT_WITHOUT_TEXTS
                                        + ProfileFeatures.FORMAT_BREADTH_KNOWN));
        assertThat(read(bytes(f))).isEqualTo(without);
        assertThat(f.retainTraits(java.util.Set.of())).as("no traits: nothing to do").isFalse();
        f.add(identify(t + 3000, Map.of("plan", "silver")));
        assertThat(f.traits()).isEqualTo(Map.of("plan", "silver"));

        // a profile that never had traits
        assertThat(new ProfileFeatures().retainTraits(java.util.Set.of("plan"))).isFalse();
    }

    /**
     * Traits: per name the value of the latest event, the larger value among events of the same
     * time, whatever the order the events arrive in and however the profile was split and merged.
     */
    @Test
    void traitsKeepTheLatestValueByEventTimeInAnyOrderAndThroughMerges() {
        long t = t("2024-03-01T10:00:00Z");
        List<Event> events =
                List.of(
                        identify(t, Map.of("plan", "gold", "city", "Bern")),
                        identify(t + DAY_MS, Map.of("plan", "silver")),
                        // as late as Bern: the larger value, Bern, stays
                        identify(t, Map.of("city", "Aarau")),
                        // as late as silver: silver is larger
                        identify(t + DAY_MS, Map.of("plan", "bronze")),
                        // older than silver, arrives last
                        identify(t - DAY_MS, Map.of("plan", "platinum", "tier", "2")));
        Map<String, String> expected = Map.of("plan", "silver", "city", "Bern", "tier", "2");
        assertThat(new ProfileFeatures().traits()).isEmpty();
        ProfileFeatures whole = of(events);
        assertThat(whole.traits())
                .isEqualTo(expected)
                .isInstanceOf(java.util.SortedMap.class)
                .containsKeys("city", "plan", "tier");
        assertThat(whole.traits().keySet()).containsExactly("city", "plan", "tier");
        assertThatThrownBy(() -> whole.traits().put("x", "y"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(whole.traitCount()).isEqualTo(3);
        // every arrival order, and every split into two profiles merged either way
        for (List<Event> order : permutations(events)) {
            assertThat(of(order)).isEqualTo(whole).hasSameHashCodeAs(whole);
            for (int mask = 0; mask < 1 << order.size(); mask++) {
                List<Event> a = new java.util.ArrayList<>();
                List<Event> b = new java.util.ArrayList<>();
                for (int i = 0; i < order.size(); i++) {
                    ((mask >> i & 1) == 0 ? a : b).add(order.get(i));
                }
                ProfileFeatures ab = of(a);
                ab.merge(of(b));
                ProfileFeatures ba = of(b);
                ba.merge(of(a));
                assertThat(ab).isEqualTo(whole);
                assertThat(ba).isEqualTo(whole);
            }
        }
        // a copy is independent
        ProfileFeatures c = whole.copy();
        c.add(identify(t + 2 * DAY_MS, Map.of("plan", "none")));
        assertThat(c.traits()).containsEntry("plan", "none");
        assertThat(whole.traits()).isEqualTo(expected);
        assertThat(c).isNotEqualTo(whole);
        assertThat(whole.toString()).contains("plan@").doesNotContain("silver");
    }

    private static final long DAY_MS = 86_400_000L;

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<T>> out = new java.util.ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new java.util.ArrayList<>(items);
            T first = rest.remove(i);
            for (List<T> p : permutations(rest)) {
                List<T> l = new java.util.ArrayList<>();
                l.add(first);
                l.addAll(p);
                out.add(l);
            }
        }
        return out;
    }

    /**
     * At most 64 trait names: those whose latest value is the latest (equal times: the smaller
     * names), whatever the arrival order; a name left out comes back with a newer value.
     */
    @Test
    void aProfileKeepsTheSixtyFourNamesOfTheLatestTraits() {
        assertThat(ProfileFeatures.MAX_TRAITS)
                .isEqualTo(io.rtcdp.udf.rules.DecisionState.MAX_TRAITS)
                .isEqualTo(64);
        long t = t("2024-03-01T10:00:00Z");
        List<Event> events = new java.util.ArrayList<>();
        for (int i = 0; i < 70; i++) {
            // t00 … t69, each a minute later than the one before: t06 … t69 are the latest 64
            events.add(identify(t + i * 60_000L, Map.of(String.format("t%02d", i), "v" + i)));
        }
        ProfileFeatures f = of(events);
        assertThat(f.traitCount()).isEqualTo(64);
        assertThat(f.traits().firstKey()).isEqualTo("t06");
        assertThat(f.traits().lastKey()).isEqualTo("t69");
        List<Event> reversed = new java.util.ArrayList<>(events);
        java.util.Collections.reverse(reversed);
        assertThat(of(reversed)).isEqualTo(f);
        ProfileFeatures odd = of(events.stream().filter(e -> e.ts() / 60_000 % 2 == 1).toList());
        ProfileFeatures even = of(events.stream().filter(e -> e.ts() / 60_000 % 2 == 0).toList());
        ProfileFeatures merged = odd.copy();
        merged.merge(even);
        assertThat(merged).isEqualTo(f);
        even.merge(odd);
        assertThat(even).isEqualTo(f);

        // an older value of a new name is left out; a newer one of a left-out name comes back,
        // and the name of the oldest value goes
        f.add(identify(t - 1, Map.of("a", "old")));
        assertThat(f.traits()).doesNotContainKey("a").hasSize(64);
        f.add(identify(t + 100 * 60_000L, Map.of("t00", "back")));
        assertThat(f.traits())
                .containsEntry("t00", "back")
                .doesNotContainKey("t06")
                .containsKey("t07")
                .hasSize(64);

        // all at one time: the 64 smallest names
        List<Event> same = new java.util.ArrayList<>();
        for (int i = 69; i >= 0; i--) {
            same.add(identify(t, Map.of(String.format("t%02d", i), "v")));
        }
        ProfileFeatures tied = of(same);
        assertThat(tied.traits().firstKey()).isEqualTo("t00");
        assertThat(tied.traits().lastKey()).isEqualTo("t63");
        tied.add(identify(t, Map.of("s", "v")));
        assertThat(tied.traits()).containsKey("s").doesNotContainKey("t63");
    }

    /**
     * Traits are the last part of format 3 (its byte {@link ProfileFeatures#PART_TRAITS}): a
     * profile without traits is written as before them, and a state of before them reads as one
     * without traits that then takes them.
     */
    @Test
    void traitsAreTheirOwnPartAndAProfileWithoutIsWrittenAsBefore() throws IOException {
        long t = t("2024-03-01T10:00:00Z");
        // a view, not an order: a profile with orders is written in format 3 anyway
        Event order = track("2024-03-01T09:00:00Z", Event.PRODUCT_VIEWED, null, "shoes");
        Event plain = identify(t, Map.of());
        ProfileFeatures without = of(List.of(order, plain));
        byte[] old = bytes(without);
        assertThat(old[0])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.FORMAT_WITHOUT_TEXTS
                                        + ProfileFeatures.FORMAT_BREADTH_KNOWN));
        ProfileFeatures with = of(List.of(order, identify(t, Map.of("plan", "gold"))));
        byte[] now = bytes(with);
        // format 3: the same bytes, then the parts byte and the traits: one, "plan" = "gold",
        // set 0 ms before asOf
        byte[] expected = java.util.Arrays.copyOf(old, old.length + 13);
        expected[0] =
                (byte) (ProfileFeatures.FORMAT_WITH_PARTS + ProfileFeatures.FORMAT_BREADTH_KNOWN);
        byte[] tail = {
            (byte) ProfileFeatures.PART_TRAITS, 1, 5, 'p', 'l', 'a', 'n', 5, 'g', 'o', 'l', 'd', 0
        };
        System.arraycopy(tail, 0, expected, old.length, tail.length);
        assertThat(now).isEqualTo(expected);
        assertThat(read(now)).isEqualTo(with).hasSameHashCodeAs(with);
        assertThat(read(now).traits()).isEqualTo(Map.of("plan", "gold"));

        ProfileFeatures forgotten = with.copy();
        forgotten.forgetTraits();
        assertThat(forgotten).isEqualTo(without);
        assertThat(bytes(forgotten)).isEqualTo(old);
        ProfileFeatures restored = read(old);
        assertThat(restored.traits()).isEmpty();
        restored.add(identify(t + 1, Map.of("plan", "silver")));
        assertThat(restored.traits()).isEqualTo(Map.of("plan", "silver"));

        // with the order times and the texts: every part, in order
        ProfileFeatures all = typical();
        all.add(
                Events.track("chat")
                        .at(t("2024-03-04T08:40:00Z"))
                        .text(new TextSignal(TextIntent.COMPLAINT, 0.9, TextSentiment.NEGATIVE, -1))
                        .traits(Map.of("plan", "gold", "näme", "新客"))
                        .build());
        byte[] allBytes = bytes(all);
        assertThat(allBytes[0])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.FORMAT_WITH_PARTS
                                        + ProfileFeatures.FORMAT_BREADTH_KNOWN));
        assertThat(read(allBytes)).isEqualTo(all);
        ProfileFeatures allWithout = all.copy();
        allWithout.forgetTraits();
        byte[] allOld = bytes(allWithout);
        assertThat(allOld[0])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.FORMAT_WITH_PARTS
                                        + ProfileFeatures.FORMAT_BREADTH_KNOWN));
        // the same bytes but the parts byte, then the traits
        List<Integer> differ = new java.util.ArrayList<>();
        for (int i = 0; i < allOld.length; i++) {
            if (allOld[i] != allBytes[i]) {
                differ.add(i);
            }
        }
        assertThat(differ).hasSize(1);
        int parts = differ.get(0);
        assertThat(allOld[parts])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.PART_TEXTS
                                        | ProfileFeatures.PART_ORDER_TIMES
                                        | ProfileFeatures.PART_DAYS));
        assertThat(allBytes[parts])
                .isEqualTo(
                        (byte)
                                (ProfileFeatures.PART_TEXTS
                                        | ProfileFeatures.PART_ORDER_TIMES
                                        | ProfileFeatures.PART_DAYS
                                        | ProfileFeatures.PART_TRAITS));
        assertThat(read(allOld)).isEqualTo(allWithout);

        // a corrupt traits part
        byte[] unknownPart = now.clone();
        unknownPart[old.length] = (byte) (ProfileFeatures.PART_BASKETS << 1);
        assertThatThrownBy(() -> read(unknownPart))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("parts");
        byte[] noTraits = now.clone();
        noTraits[old.length + 1] = 0;
        assertThatThrownBy(() -> read(noTraits)).isInstanceOf(IOException.class);
    }
}
