package io.rtcdp.udf.profile;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.text.TextIntent;
import io.rtcdp.udf.text.TextSentiment;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Brute-force reference for {@link ProfileFeatures}: keeps nothing but the list of events and
 * computes every field straight from the formulas of docs/contract.md §3 at a given {@code as_of}.
 * Written without the production code's helpers on purpose, so that a shared mistake cannot hide.
 */
final class FeatureOracle {
    private static final long MINUTE_MS = 60_000L;
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 86_400_000L;

    /**
     * The window lengths, each with its bucket size; 275 days is where last year's next 90 days end
     * (an order's day enters {@code f.orders_next_90d_last_year} 275 days after it).
     */
    static final long[][] WINDOWS = {
        {DAY_MS, MINUTE_MS},
        {30 * DAY_MS, HOUR_MS},
        {90 * DAY_MS, HOUR_MS},
        {180 * DAY_MS, DAY_MS},
        {275 * DAY_MS, DAY_MS},
        {365 * DAY_MS, DAY_MS}
    };

    /** The fields that depend on the windows only, the ones {@code nextChange} is about. */
    static final List<String> WINDOWED =
            List.of(
                    ProfileFields.ORDERS_30D,
                    ProfileFields.REVENUE_30D,
                    ProfileFields.ORDERS_90D,
                    ProfileFields.REVENUE_90D,
                    ProfileFields.EVENTS_24H,
                    ProfileFields.VIEWS_24H,
                    ProfileFields.CART_ADDS_24H,
                    ProfileFields.ORDERS_24H,
                    ProfileFields.TOP_CATEGORY_30D,
                    ProfileFields.TEXTS_30D,
                    ProfileFields.NEGATIVE_TEXTS_30D,
                    ProfileFields.COMPLAINTS_30D,
                    ProfileFields.ORDERS_180D,
                    ProfileFields.REVENUE_180D,
                    ProfileFields.ORDERS_365D,
                    ProfileFields.REVENUE_365D,
                    ProfileFields.ORDERS_NEXT_90D_LAST_YEAR,
                    ProfileFields.ORDER_TREND_90D,
                    ProfileFields.CATEGORIES_30D);

    private FeatureOracle() {}

    /**
     * The traits of a profile with these events: per name the value of its latest event, the
     * largest value among its events of that time; of more than {@code max} names, the {@code max}
     * whose latest event is the latest (equal times: the smaller names).
     */
    static SortedMap<String, String> traits(List<Event> events, int max) {
        Map<String, Long> latest = new HashMap<>();
        Map<String, String> value = new HashMap<>();
        for (Event e : events) {
            for (Map.Entry<String, String> t : e.traits().entrySet()) {
                Long had = latest.get(t.getKey());
                if (had == null
                        || e.ts() > had
                        || e.ts() == had && t.getValue().compareTo(value.get(t.getKey())) > 0) {
                    latest.put(t.getKey(), e.ts());
                    value.put(t.getKey(), t.getValue());
                }
            }
        }
        List<String> names = new ArrayList<>(latest.keySet());
        names.sort(
                (a, b) ->
                        latest.get(a).equals(latest.get(b))
                                ? a.compareTo(b)
                                : Long.compare(latest.get(b), latest.get(a)));
        SortedMap<String, String> out = new TreeMap<>();
        for (String n : names.subList(0, Math.min(max, names.size()))) {
            out.put(n, value.get(n));
        }
        return out;
    }

    /**
     * docs/contract.md §3.3: e counts in the window of length w when b(e.ts) > as_of − w and e.ts ≤
     * as_of.
     */
    static boolean counts(Event e, long asOf, long w) {
        long g = w <= DAY_MS ? MINUTE_MS : w <= 90 * DAY_MS ? HOUR_MS : DAY_MS;
        long b = e.ts() - Math.floorMod(e.ts(), g);
        return b > asOf - w && e.ts() <= asOf;
    }

    /**
     * docs/contract.md §3.2: e counts in last year's next 90 days when as_of − 365 d < b(e.ts) ≤
     * as_of − 275 d, b in days.
     */
    static boolean countsLastYear(Event e, long asOf) {
        long b = e.ts() - Math.floorMod(e.ts(), DAY_MS);
        return b > asOf - 365 * DAY_MS && b <= asOf - 275 * DAY_MS;
    }

    private static boolean isTrack(Event e, String name) {
        return e.type() == EventType.TRACK && name.equals(e.name());
    }

    private static BigDecimal amount(Event e) {
        return e.amountMicros() == null ? BigDecimal.ZERO : BigDecimal.valueOf(e.amountMicros(), 6);
    }

    /** {@code sum / n} with 2 decimals, half to even, as text. */
    private static String mean(BigDecimal sum, long n) {
        return money(sum.divide(BigDecimal.valueOf(n), 2, RoundingMode.HALF_EVEN));
    }

    private static String money(BigDecimal v) {
        return v.stripTrailingZeros().toPlainString();
    }

    /** The rendered fields, in {@link ProfileFields#FEATURE_FIELDS} order, at {@code asOf}. */
    static String[] render(List<Event> events, long asOf) {
        Map<String, String> f = new HashMap<>();
        if (asOf != Long.MIN_VALUE) {
            f.put(ProfileFields.AS_OF, Long.toString(asOf));
        }
        if (!events.isEmpty()) {
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            long orders = 0;
            BigDecimal revenue = BigDecimal.ZERO;
            long lastOrder = Long.MIN_VALUE;
            List<Long> orderTimes = new java.util.ArrayList<>();
            long refunds = 0;
            BigDecimal refunded = BigDecimal.ZERO;
            long baskets = 0;
            long basketItems = 0;
            for (Event e : events) {
                first = Math.min(first, e.ts());
                last = Math.max(last, e.ts());
                if (isTrack(e, Event.ORDER_COMPLETED)) {
                    orders++;
                    revenue = revenue.add(amount(e));
                    lastOrder = Math.max(lastOrder, e.ts());
                    orderTimes.add(e.ts());
                    if (!e.items().isEmpty()) {
                        baskets++;
                        basketItems +=
                                e.items().stream()
                                        .map(io.rtcdp.udf.event.OrderItem::sku)
                                        .distinct()
                                        .count();
                    }
                }
                if (isTrack(e, Event.ORDER_REFUNDED)) {
                    refunds++;
                    refunded = refunded.add(amount(e));
                }
            }
            // only for profiles with a refund, with an order with items (contract §3.2)
            if (refunds > 0) {
                f.put(ProfileFields.REFUNDS_TOTAL, Long.toString(refunds));
                f.put(ProfileFields.REFUNDED_TOTAL, money(refunded));
            }
            if (baskets > 0) {
                f.put(
                        ProfileFields.AVG_BASKET_ITEMS,
                        mean(BigDecimal.valueOf(basketItems), baskets));
            }
            f.put(ProfileFields.FIRST_SEEN, Long.toString(first));
            f.put(ProfileFields.LAST_SEEN, Long.toString(last));
            f.put(ProfileFields.EVENTS_TOTAL, Long.toString(events.size()));
            f.put(ProfileFields.ORDERS_TOTAL, Long.toString(orders));
            f.put(ProfileFields.REVENUE_TOTAL, money(revenue));
            if (orders > 0) {
                f.put(ProfileFields.AVG_ORDER_VALUE, mean(revenue, orders));
                f.put(
                        ProfileFields.DAYS_SINCE_LAST_ORDER,
                        Long.toString(Math.floorDiv(asOf - lastOrder, DAY_MS)));
            }
            if (orders >= 2) {
                // the gaps between orders, in days with two decimals, half to even
                java.util.Collections.sort(orderTimes);
                long firstOrder = orderTimes.get(0);
                long previousOrder = orderTimes.get(orderTimes.size() - 2);
                BigDecimal day = BigDecimal.valueOf(DAY_MS);
                f.put(
                        ProfileFields.ORDER_GAP_DAYS,
                        money(
                                BigDecimal.valueOf(lastOrder - firstOrder)
                                        .divide(
                                                day.multiply(BigDecimal.valueOf(orders - 1)),
                                                2,
                                                RoundingMode.HALF_EVEN)));
                f.put(
                        ProfileFields.LAST_ORDER_GAP_DAYS,
                        money(
                                BigDecimal.valueOf(lastOrder - previousOrder)
                                        .divide(day, 2, RoundingMode.HALF_EVEN)));
                if (lastOrder > firstOrder) {
                    f.put(
                            ProfileFields.ORDER_GAP_RATIO,
                            money(
                                    BigDecimal.valueOf(asOf - lastOrder)
                                            .multiply(BigDecimal.valueOf(orders - 1))
                                            .divide(
                                                    BigDecimal.valueOf(lastOrder - firstOrder),
                                                    2,
                                                    RoundingMode.HALF_EVEN)));
                }
            }
            f.putAll(windowed(events, asOf));
            consent(events, true).ifPresent(v -> f.put(ProfileFields.CONSENT_MARKETING, v));
            consent(events, false).ifPresent(v -> f.put(ProfileFields.CONSENT_PERSONALIZATION, v));
        }
        String[] out = new String[ProfileFields.FEATURE_FIELDS.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.get(ProfileFields.FEATURE_FIELDS.get(i));
        }
        return out;
    }

    /** The windowed fields at {@code asOf} (of a profile with at least one event). */
    static Map<String, String> windowed(List<Event> events, long asOf) {
        long orders30 = 0;
        long orders90 = 0;
        long orders180 = 0;
        long orders365 = 0;
        long ordersLastYear = 0;
        BigDecimal revenue180 = BigDecimal.ZERO;
        BigDecimal revenue365 = BigDecimal.ZERO;
        BigDecimal revenue30 = BigDecimal.ZERO;
        BigDecimal revenue90 = BigDecimal.ZERO;
        long events24 = 0;
        long views24 = 0;
        long carts24 = 0;
        long orders24 = 0;
        Map<String, Integer> categories = new HashMap<>();
        boolean hadText = false;
        long texts30 = 0;
        long negative30 = 0;
        long complaints30 = 0;
        for (Event e : events) {
            if (e.text() != null) {
                hadText = true;
                if (counts(e, asOf, 30 * DAY_MS)) {
                    texts30++;
                    negative30 += e.text().sentiment() == TextSentiment.NEGATIVE ? 1 : 0;
                    complaints30 += e.text().intent() == TextIntent.COMPLAINT ? 1 : 0;
                }
            }
            boolean order = isTrack(e, Event.ORDER_COMPLETED);
            if (order && counts(e, asOf, 30 * DAY_MS)) {
                orders30++;
                revenue30 = revenue30.add(amount(e));
            }
            if (order && counts(e, asOf, 90 * DAY_MS)) {
                orders90++;
                revenue90 = revenue90.add(amount(e));
            }
            if (order && counts(e, asOf, 180 * DAY_MS)) {
                orders180++;
                revenue180 = revenue180.add(amount(e));
            }
            if (order && counts(e, asOf, 365 * DAY_MS)) {
                orders365++;
                revenue365 = revenue365.add(amount(e));
            }
            if (order && countsLastYear(e, asOf)) {
                ordersLastYear++;
            }
            if (counts(e, asOf, DAY_MS)) {
                events24++;
                views24 += isTrack(e, Event.PRODUCT_VIEWED) ? 1 : 0;
                carts24 += isTrack(e, Event.PRODUCT_ADDED) ? 1 : 0;
                orders24 += order ? 1 : 0;
            }
            if (e.category() != null && counts(e, asOf, 30 * DAY_MS)) {
                categories.merge(e.category(), 1, Integer::sum);
            }
        }
        String top = null;
        for (Map.Entry<String, Integer> c : categories.entrySet()) {
            if (top == null
                    || c.getValue() > categories.get(top)
                    || (c.getValue().equals(categories.get(top))
                            && c.getKey().compareTo(top) < 0)) {
                top = c.getKey();
            }
        }
        Map<String, String> f = new HashMap<>();
        f.put(ProfileFields.ORDERS_30D, Long.toString(orders30));
        f.put(ProfileFields.REVENUE_30D, money(revenue30));
        f.put(ProfileFields.ORDERS_90D, Long.toString(orders90));
        f.put(ProfileFields.REVENUE_90D, money(revenue90));
        // only for a profile with orders (contract §3.2)
        if (events.stream().anyMatch(e -> isTrack(e, Event.ORDER_COMPLETED))) {
            f.put(ProfileFields.ORDERS_180D, Long.toString(orders180));
            f.put(ProfileFields.REVENUE_180D, money(revenue180));
            f.put(ProfileFields.ORDERS_365D, Long.toString(orders365));
            f.put(ProfileFields.REVENUE_365D, money(revenue365));
            f.put(ProfileFields.ORDERS_NEXT_90D_LAST_YEAR, Long.toString(ordersLastYear));
            // the last 90 days less the 90 days before them
            f.put(ProfileFields.ORDER_TREND_90D, Long.toString(orders90 - (orders180 - orders90)));
        }
        f.put(ProfileFields.EVENTS_24H, Long.toString(events24));
        f.put(ProfileFields.VIEWS_24H, Long.toString(views24));
        f.put(ProfileFields.CART_ADDS_24H, Long.toString(carts24));
        f.put(ProfileFields.ORDERS_24H, Long.toString(orders24));
        f.put(ProfileFields.TOP_CATEGORY_30D, top);
        if (!categories.isEmpty()) {
            f.put(ProfileFields.CATEGORIES_30D, Integer.toString(categories.size()));
        }
        // only for a profile that ever had a text (contract §3.2)
        if (hadText) {
            f.put(ProfileFields.TEXTS_30D, Long.toString(texts30));
            f.put(ProfileFields.NEGATIVE_TEXTS_30D, Long.toString(negative30));
            f.put(ProfileFields.COMPLAINTS_30D, Long.toString(complaints30));
        }
        return f;
    }

    /** Latest consent value by event time; at equal times any {@code false} wins. */
    private static Optional<String> consent(List<Event> events, boolean marketing) {
        long latest = Long.MIN_VALUE;
        Boolean value = null;
        for (Event e : events) {
            Boolean v = marketing ? e.consentMarketing() : e.consentPersonalization();
            if (v == null) {
                continue;
            }
            if (value == null || e.ts() > latest) {
                latest = e.ts();
                value = v;
            } else if (e.ts() == latest) {
                value = value && v;
            }
        }
        return Optional.ofNullable(value).map(v -> v ? "1" : "0");
    }

    /**
     * The first time after {@code asOf} at which a windowed field differs from its value at {@code
     * asOf}, searched over every bucket end b + W of every event and window (the only times a
     * window can lose an event); {@link Long#MAX_VALUE} when none.
     */
    static long nextChange(List<Event> events, long asOf) {
        if (events.isEmpty()) {
            return Long.MAX_VALUE;
        }
        TreeSet<Long> candidates = new TreeSet<>();
        for (Event e : events) {
            for (long[] w : WINDOWS) {
                long end = e.ts() - Math.floorMod(e.ts(), w[1]) + w[0];
                if (end > asOf) {
                    candidates.add(end);
                }
            }
        }
        Map<String, String> now = windowed(events, asOf);
        for (long t : candidates) {
            if (!windowed(events, t).equals(now)) {
                return t;
            }
        }
        return Long.MAX_VALUE;
    }

    /** The windowed fields picked out of a rendered array. */
    static List<String> windowedOf(String[] rendered) {
        List<String> out = new ArrayList<>();
        for (String name : WINDOWED) {
            out.add(rendered[ProfileFields.FEATURE_FIELDS.indexOf(name)]);
        }
        return out;
    }
}
