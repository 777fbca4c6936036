package io.rtcdp.udf.profile;

import static io.rtcdp.udf.profile.WindowMath.DAY;
import static io.rtcdp.udf.profile.WindowMath.HOUR;
import static io.rtcdp.udf.profile.WindowMath.MINUTE;
import static io.rtcdp.udf.profile.WindowMath.W_180D;
import static io.rtcdp.udf.profile.WindowMath.W_24H;
import static io.rtcdp.udf.profile.WindowMath.W_30D;
import static io.rtcdp.udf.profile.WindowMath.W_365D;
import static io.rtcdp.udf.profile.WindowMath.W_90D;
import static io.rtcdp.udf.profile.WindowMath.bucket;
import static io.rtcdp.udf.profile.WindowMath.cutoff;
import static io.rtcdp.udf.profile.WindowMath.expiry;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.rec.PurchasedItems;
import io.rtcdp.udf.text.TextIntent;
import io.rtcdp.udf.text.TextSentiment;
import io.rtcdp.udf.text.TextSignal;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The default features of one profile (docs/contract.md §3.2, §3.3): totals, the bucketed 24 h / 30
 * d / 90 d windows and the top category of the last 30 days, plus consent and traits.
 *
 * <p>This is the mutable state value the keyed profile operator keeps per profile. It is
 * deserialized, updated and serialized on every event, so it holds only primitive arrays and
 * encodes to a few dozen bytes for a typical profile. Events may be added in any order; the state
 * depends only on the multiset of events and on {@link #asOf()}, which makes merges and replays
 * exact.
 *
 * <p>Invariant: every kept bucket is inside its widest window at {@code asOf}. Minute buckets feed
 * the 24 h window, hour buckets the 30 d and 90 d order windows, category entries (hour bucket plus
 * category) the 30 d top category. Whenever {@code asOf} grows, buckets that left every window they
 * feed are dropped, so the 24 h and 90 d sums are sums over all kept buckets.
 *
 * <p>Not thread-safe.
 */
public final class ProfileFeatures {
    /**
     * Leading byte of {@link #write}; bump it when the encoding changes. 2 adds the text buckets
     * after everything else; a profile without them is written in format 1, as before them (and
     * smaller).
     */
    static final int FORMAT_VERSION = 2;

    /** The format before the text features. */
    static final int FORMAT_WITHOUT_TEXTS = 1;

    /**
     * Format 3: as 1 or 2, then a byte saying which of the later parts follow ({@link #PART_TEXTS},
     * {@link #PART_ORDER_TIMES}, {@link #PART_DAYS}, {@link #PART_TRAITS}, {@link #PART_REFUNDS},
     * {@link #PART_BASKETS}), in that order. Written for a profile with an order (since the day
     * buckets), traits, a refund or a basket; otherwise format 1 or 2 as before. Each of the three
     * is written {@link #FORMAT_BREADTH_KNOWN} higher by a state that knows its refunds and
     * baskets.
     */
    static final int FORMAT_WITH_PARTS = 3;

    static final int PART_TEXTS = 1;
    static final int PART_ORDER_TIMES = 2;

    /**
     * The traits: a count, then per name in name order the name, the value and the time back from
     * {@code asOf} of the event that set it.
     */
    static final int PART_TRAITS = 4;

    /**
     * The day buckets of the orders of the last 365 days that the hour buckets (the last 90 days)
     * no longer hold: {@code 2 × buckets + 1 if incomplete}, then, if incomplete, 1 + the time back
     * from {@code asOf} since when they are complete, then the buckets as the hour buckets are
     * written. A profile whose orders are all in the last 90 days writes one byte. Written for
     * every profile with an order, so that a profile with orders without it was written before the
     * day buckets were kept.
     */
    static final int PART_DAYS = 8;

    /** The refunds: their count and the sum of their amounts (micros, zigzag). */
    static final int PART_REFUNDS = 16;

    /** The baskets: orders with items, and the sum of their distinct items. */
    static final int PART_BASKETS = 32;

    /**
     * Added to the format byte (1, 2 or 3) of a state that knows its refunds and baskets (kept
     * since contract 2.15); a state written in format 1, 2 or 3 itself was written before them, and
     * if it has events, its refund and basket fields stay absent ({@link #breadthUnknown}).
     */
    static final int FORMAT_BREADTH_KNOWN = 3;

    /**
     * Trait names a profile keeps (as {@code DecisionState.MAX_TRAITS}). Beyond them, the names
     * whose latest value is the most recent are kept (equal times: the smaller name), so which
     * names a profile keeps depends only on its events, not on their order nor on merges: a name
     * left out comes back only with a value newer than those of the kept names.
     */
    public static final int MAX_TRAITS = 64;

    /** Category indices live in the low part of an hour-aligned key, so there are < 1 h of ms. */
    static final int MAX_CATEGORIES = (int) HOUR - 1;

    /**
     * Categories a profile keeps in its 30-day window. A new category beyond them is not counted
     * until one of them leaves the window (a merge keeps those with the most events), so one
     * profile's state and cost stay bounded whatever its events carry; {@code f.top_category_30d}
     * is exact for every profile with at most this many categories in 30 days.
     */
    public static final int MAX_KEPT_CATEGORIES = 64;

    private static final int M_EVENTS = 0;
    private static final int M_VIEWS = 1;
    private static final int M_CARTS = 2;
    private static final int M_ORDERS = 3;
    private static final int H_ORDERS = 0;
    private static final int H_REVENUE = 1;

    /**
     * Last year's next 90 days end this long before {@code asOf}: (as_of − 365 d, as_of − 275 d].
     */
    private static final long W_LAST_YEAR_END = W_365D - W_90D;

    private static final int D_ORDERS = 0;
    private static final int D_REVENUE = 1;
    private static final int C_COUNT = 0;
    private static final int T_TEXTS = 0;
    private static final int T_NEGATIVE = 1;
    private static final int T_COMPLAINTS = 2;

    private static final byte CONSENT_NONE = -1;
    private static final byte CONSENT_NO = 0;
    private static final byte CONSENT_YES = 1;

    private static final int F_AS_OF = 1;
    private static final int F_EVENTS = 1 << 1;
    private static final int F_ORDERS = 1 << 2;
    private static final int F_MARKETING = 1 << 3;
    private static final int F_MARKETING_YES = 1 << 4;
    private static final int F_PERSONALIZATION = 1 << 5;
    private static final int F_PERSONALIZATION_YES = 1 << 6;
    private static final int F_ITEMS = 1 << 7;

    /** Upper bound on decoded array sizes, so a corrupt length cannot allocate gigabytes. */
    private static final int MAX_DECODED_ENTRIES = 1 << 22;

    private static final int FIELD_COUNT = ProfileFields.FEATURE_FIELDS.size();
    private static final int I_AS_OF = field(ProfileFields.AS_OF);
    private static final int I_FIRST_SEEN = field(ProfileFields.FIRST_SEEN);
    private static final int I_LAST_SEEN = field(ProfileFields.LAST_SEEN);
    private static final int I_EVENTS_TOTAL = field(ProfileFields.EVENTS_TOTAL);
    private static final int I_ORDERS_TOTAL = field(ProfileFields.ORDERS_TOTAL);
    private static final int I_REVENUE_TOTAL = field(ProfileFields.REVENUE_TOTAL);
    private static final int I_AVG_ORDER_VALUE = field(ProfileFields.AVG_ORDER_VALUE);
    private static final int I_DAYS_SINCE_LAST_ORDER = field(ProfileFields.DAYS_SINCE_LAST_ORDER);
    private static final int I_ORDERS_30D = field(ProfileFields.ORDERS_30D);
    private static final int I_REVENUE_30D = field(ProfileFields.REVENUE_30D);
    private static final int I_ORDERS_90D = field(ProfileFields.ORDERS_90D);
    private static final int I_REVENUE_90D = field(ProfileFields.REVENUE_90D);
    private static final int I_EVENTS_24H = field(ProfileFields.EVENTS_24H);
    private static final int I_VIEWS_24H = field(ProfileFields.VIEWS_24H);
    private static final int I_CART_ADDS_24H = field(ProfileFields.CART_ADDS_24H);
    private static final int I_ORDERS_24H = field(ProfileFields.ORDERS_24H);
    private static final int I_TOP_CATEGORY_30D = field(ProfileFields.TOP_CATEGORY_30D);
    private static final int I_CONSENT_MARKETING = field(ProfileFields.CONSENT_MARKETING);
    private static final int I_CONSENT_PERSONALIZATION =
            field(ProfileFields.CONSENT_PERSONALIZATION);
    private static final int I_TEXTS_30D = field(ProfileFields.TEXTS_30D);
    private static final int I_NEGATIVE_TEXTS_30D = field(ProfileFields.NEGATIVE_TEXTS_30D);
    private static final int I_COMPLAINTS_30D = field(ProfileFields.COMPLAINTS_30D);
    private static final int I_ORDER_GAP_DAYS = field(ProfileFields.ORDER_GAP_DAYS);
    private static final int I_LAST_ORDER_GAP_DAYS = field(ProfileFields.LAST_ORDER_GAP_DAYS);
    private static final int I_ORDER_GAP_RATIO = field(ProfileFields.ORDER_GAP_RATIO);
    private static final int I_ORDERS_180D = field(ProfileFields.ORDERS_180D);
    private static final int I_REVENUE_180D = field(ProfileFields.REVENUE_180D);
    private static final int I_ORDERS_365D = field(ProfileFields.ORDERS_365D);
    private static final int I_REVENUE_365D = field(ProfileFields.REVENUE_365D);
    private static final int I_ORDERS_NEXT_90D_LAST_YEAR =
            field(ProfileFields.ORDERS_NEXT_90D_LAST_YEAR);
    private static final int I_ORDER_TREND_90D = field(ProfileFields.ORDER_TREND_90D);
    private static final int I_REFUNDS_TOTAL = field(ProfileFields.REFUNDS_TOTAL);
    private static final int I_REFUNDED_TOTAL = field(ProfileFields.REFUNDED_TOTAL);
    private static final int I_AVG_BASKET_ITEMS = field(ProfileFields.AVG_BASKET_ITEMS);
    private static final int I_CATEGORIES_30D = field(ProfileFields.CATEGORIES_30D);

    private static final String[] NO_STRINGS = new String[0];
    private static final long[] NO_LONGS = new long[0];

    private long asOf = Long.MIN_VALUE;
    private long eventsTotal;
    private long firstSeen = Long.MIN_VALUE;
    private long lastSeen = Long.MIN_VALUE;
    private long ordersTotal;
    private long revenueTotal;
    private long lastOrderTs = Long.MIN_VALUE;

    /** The first order's time; with {@link #previousOrderTs}, kept from format 3 on. */
    private long firstOrderTs = Long.MIN_VALUE;

    /** The second-latest order's time (equal to the latest for two at once), MIN for < 2. */
    private long previousOrderTs = Long.MIN_VALUE;

    /**
     * Whether the first and previous order times are unknown: a state with orders written before
     * they were kept (format 1 or 2). The gap features are then left out for good.
     */
    private boolean orderTimesUnknown;

    /** {@code order_refunded} events, and the sum of their amounts in micros. */
    private long refundsTotal;

    private long refundedTotal;

    /** {@code order_completed} events with items, and the sum of their distinct items. */
    private long basketOrders;

    private long basketItems;

    /**
     * Whether the refunds and baskets are unknown: a state with events written before they were
     * kept (format 1, 2 or 3). Their fields are then left out for good, and their counts stay 0.
     */
    private boolean breadthUnknown;

    private byte marketing = CONSENT_NONE;
    private long marketingTs = Long.MIN_VALUE;
    private byte personalization = CONSENT_NONE;
    private long personalizationTs = Long.MIN_VALUE;

    /** Minute bucket start → events, views, cart adds, orders. */
    private final Buckets minutes;

    /** Hour bucket start → orders, revenue micros. */
    private final Buckets hours;

    /**
     * Day bucket start → orders, revenue micros of the orders of the last 365 days that {@link
     * #hours} no longer holds (an hour bucket's orders move here when it leaves the 90-day window):
     * with the hour buckets, the 180- and 365-day windows.
     */
    private final Buckets days;

    /**
     * Every order at or after this time is in {@link #days}; {@link Long#MIN_VALUE}: every order. A
     * state written before the day buckets were kept knows only its last 90 days' orders, so a long
     * window is rendered once it starts at or after this time.
     */
    private long daysFrom = Long.MIN_VALUE;

    /** Hour bucket start + index into {@link #dict} → count. */
    private final Buckets categories;

    /** Categories of the kept entries, sorted by {@link String#compareTo}, so ties pick index 0. */
    private String[] dict = NO_STRINGS;

    private int dictSize;

    /** Per-category sum of the entry counts; derived, neither encoded nor compared. */
    private long[] dictTotal = NO_LONGS;

    /**
     * The items of the profile's orders ({@code props.items} of {@code order_completed}), null
     * before the first; the input of the next-purchase recommendation (docs/contract.md §3.2).
     */
    private PurchasedItems items;

    /**
     * Hour bucket start → texts, negative texts, complaints ({@code props.text} signals, contract
     * §3.2) in the 30-day window; null until the profile's first event with a text, so that only
     * profiles with texts carry (and write) the text features.
     */
    private Buckets texts;

    /**
     * Trait names, sorted by {@link String#compareTo}, the first {@link #traitCount} used; {@link
     * #traitValues} and {@link #traitTimes} hold each one's value and the time of the event that
     * set it. Per name, the value of the latest event wins, the larger value among events of the
     * same time; at most {@link #MAX_TRAITS} names (see there).
     */
    private String[] traitNames = NO_STRINGS;

    private String[] traitValues = NO_STRINGS;
    private long[] traitTimes = NO_LONGS;
    private int traitCount;

    /** Items the last {@link #add} left out ({@link PurchasedItems#MAX_ITEMS}); not state. */
    private int itemsLeftOut;

    // Render memo: the operator renders before and after each add; unchanged values reuse their
    // string instead of formatting (and allocating) it again. Not part of the state.
    private long[] memoValue;
    private String[] memoText;
    private ProfileValues renderValues;

    public ProfileFeatures() {
        this(new Buckets(4), new Buckets(2), new Buckets(2), new Buckets(1));
    }

    private ProfileFeatures(Buckets minutes, Buckets hours, Buckets days, Buckets categories) {
        this.minutes = minutes;
        this.hours = hours;
        this.days = days;
        this.categories = categories;
    }

    private static int field(String name) {
        int i = ProfileFields.FEATURE_FIELDS.indexOf(name);
        if (i < 0) {
            throw new IllegalStateException("not a feature field: " + name);
        }
        return i;
    }

    /** Whether no event was ever counted (an empty profile may still have an {@code asOf}). */
    public boolean isEmpty() {
        return eventsTotal == 0;
    }

    /** Event time at which the windows hold; {@link Long#MIN_VALUE} before any event or advance. */
    public long asOf() {
        return asOf;
    }

    /** Smallest event time counted; {@link Long#MIN_VALUE} when empty. */
    public long firstSeen() {
        return firstSeen;
    }

    /** Largest event time counted; {@link Long#MIN_VALUE} when empty. */
    public long lastSeen() {
        return lastSeen;
    }

    public long eventsTotal() {
        return eventsTotal;
    }

    public long ordersTotal() {
        return ordersTotal;
    }

    public long revenueTotalMicros() {
        return revenueTotal;
    }

    /**
     * Forgets the first and previous order times of a profile with two orders or more, as a state
     * written before they were kept (format 1 or 2) reads: its gap features are then left out.
     */
    public void forgetOrderTimes() {
        if (ordersTotal >= 2) {
            orderTimesUnknown = true;
            firstOrderTs = Long.MIN_VALUE;
            previousOrderTs = Long.MIN_VALUE;
        }
    }

    /**
     * Forgets the refunds and baskets of a profile with events, as a state written before they were
     * kept (format 1, 2 or 3 itself) reads: their fields are then left out.
     */
    public void forgetBreadth() {
        if (eventsTotal > 0) {
            breadthUnknown = true;
            refundsTotal = 0;
            refundedTotal = 0;
            basketOrders = 0;
            basketItems = 0;
        }
    }

    /** Time of the latest {@code order_completed}; {@link Long#MIN_VALUE} without orders. */
    public long lastOrderTs() {
        return lastOrderTs;
    }

    /**
     * Time of the first {@code order_completed}; {@link Long#MIN_VALUE} without orders, or when the
     * order times before the latest are unknown (a state of before format 3 with two orders or
     * more).
     */
    public long firstOrderTs() {
        return orderTimesUnknown && ordersTotal >= 2 ? Long.MIN_VALUE : firstOrderTs;
    }

    /**
     * Time of the order before the latest: every order after it is the latest; {@link
     * Long#MIN_VALUE} with fewer than two orders. When the earlier order times are unknown (a state
     * of before format 3), the latest's: only it is known.
     */
    public long previousOrderTs() {
        if (orderTimesUnknown && ordersTotal >= 2) {
            return lastOrderTs;
        }
        return previousOrderTs;
    }

    /**
     * Counts one event, whatever its time relative to the events already counted.
     *
     * @return false when the event's category was left out: the profile already keeps {@link
     *     #MAX_KEPT_CATEGORIES} other categories in its 30-day window
     */
    public boolean add(Event e) {
        long ts = e.ts();
        itemsLeftOut = 0;
        if (eventsTotal == 0) {
            firstSeen = ts;
            lastSeen = ts;
        } else if (ts < firstSeen) {
            firstSeen = ts;
        } else if (ts > lastSeen) {
            lastSeen = ts;
        }
        eventsTotal = Decimals.addSaturating(eventsTotal, 1);

        int views = 0;
        int carts = 0;
        int orders = 0;
        long amount = 0;
        if (e.type() == EventType.TRACK && e.name() != null) {
            switch (e.name()) {
                case Event.ORDER_COMPLETED -> {
                    orders = 1;
                    Long a = e.amountMicros();
                    amount = a == null ? 0 : a;
                    if (ordersTotal == 0) {
                        firstOrderTs = ts;
                    } else if (!orderTimesUnknown) {
                        firstOrderTs = Math.min(firstOrderTs, ts);
                        // the two latest of the order times, equal ones counted twice
                        previousOrderTs =
                                ts >= lastOrderTs ? lastOrderTs : Math.max(previousOrderTs, ts);
                    }
                    ordersTotal = Decimals.addSaturating(ordersTotal, 1);
                    revenueTotal = Decimals.addSaturating(revenueTotal, amount);
                    lastOrderTs = Math.max(lastOrderTs, ts);
                    if (!e.items().isEmpty()) {
                        if (items == null) {
                            items = new PurchasedItems();
                        }
                        List<String> skus = new ArrayList<>(e.items().size());
                        for (OrderItem item : e.items()) {
                            skus.add(item.sku());
                        }
                        Collection<String> distinct = PurchasedItems.distinct(skus);
                        if (!breadthUnknown) {
                            basketOrders = Decimals.addSaturating(basketOrders, 1);
                            basketItems = Decimals.addSaturating(basketItems, distinct.size());
                        }
                        itemsLeftOut = items.addOrder(ts, distinct);
                    }
                }
                case Event.ORDER_REFUNDED -> {
                    if (!breadthUnknown) {
                        Long a = e.amountMicros();
                        refundsTotal = Decimals.addSaturating(refundsTotal, 1);
                        refundedTotal = Decimals.addSaturating(refundedTotal, a == null ? 0 : a);
                    }
                }
                case Event.PRODUCT_VIEWED -> views = 1;
                case Event.PRODUCT_ADDED -> carts = 1;
                default -> {}
            }
        }

        Boolean m = e.consentMarketing();
        if (m != null) {
            marketing = consent(marketing, marketingTs, m, ts);
            marketingTs = Math.max(marketingTs, ts);
        }
        Boolean p = e.consentPersonalization();
        if (p != null) {
            personalization = consent(personalization, personalizationTs, p, ts);
            personalizationTs = Math.max(personalizationTs, ts);
        }
        if (!e.traits().isEmpty()) {
            for (java.util.Map.Entry<String, String> t : e.traits().entrySet()) {
                if (t.getKey() != null && t.getValue() != null) {
                    putTrait(t.getKey(), t.getValue(), ts);
                }
            }
        }

        advanceTo(ts);

        long minute = bucket(ts, MINUTE);
        if (minute > cutoff(asOf, W_24H)) {
            int i = minutes.slot(minute);
            minutes.add(M_EVENTS, i, 1);
            minutes.add(M_VIEWS, i, views);
            minutes.add(M_CARTS, i, carts);
            minutes.add(M_ORDERS, i, orders);
        }
        long hour = bucket(ts, HOUR);
        if (orders != 0 && hour > cutoff(asOf, W_90D)) {
            int i = hours.slot(hour);
            hours.add(H_ORDERS, i, 1);
            hours.add(H_REVENUE, i, amount);
        }
        long day = bucket(ts, DAY);
        if (orders != 0 && hour <= cutoff(asOf, W_90D) && day > cutoff(asOf, W_365D)) {
            // an order too old for the hour buckets: the day buckets keep it for the long windows
            int i = days.slot(day);
            days.add(D_ORDERS, i, 1);
            days.add(D_REVENUE, i, amount);
        }
        TextSignal text = e.text();
        if (text != null) {
            if (texts == null) {
                texts = new Buckets(3);
            }
            if (hour > cutoff(asOf, W_30D)) {
                int i = texts.slot(hour);
                texts.add(T_TEXTS, i, 1);
                texts.add(T_NEGATIVE, i, text.sentiment() == TextSentiment.NEGATIVE ? 1 : 0);
                texts.add(T_COMPLAINTS, i, text.intent() == TextIntent.COMPLAINT ? 1 : 0);
            }
        }
        String category = e.category();
        if (category != null && hour > cutoff(asOf, W_30D)) {
            int c = categoryIndex(category);
            if (c < 0) {
                return false;
            }
            categories.add(C_COUNT, categories.slot(hour + c), 1);
            dictTotal[c]++;
        }
        return true;
    }

    /**
     * What the profile bought, per item; null before its first order with items. The caller must
     * not modify it.
     */
    public PurchasedItems items() {
        return items;
    }

    /** How many items of the last event {@link #add} counted were left out (bound reached). */
    public int itemsLeftOut() {
        return itemsLeftOut;
    }

    /**
     * The profile's traits, name → value (a copy, unmodifiable; empty when none): per name the
     * value of its latest event ({@link Event#ts()}), the larger value among events of the same
     * time, so the result depends only on the profile's events, in any order and through any
     * merges. At most {@link #MAX_TRAITS} names, those with the latest values (see there).
     */
    public SortedMap<String, String> traits() {
        if (traitCount == 0) {
            return Collections.emptySortedMap();
        }
        TreeMap<String, String> m = new TreeMap<>();
        for (int i = 0; i < traitCount; i++) {
            m.put(traitNames[i], traitValues[i]);
        }
        return Collections.unmodifiableSortedMap(m);
    }

    /**
     * Forgets the traits, as a state written before they were kept (format 3 without them) reads.
     */
    public void forgetTraits() {
        traitNames = NO_STRINGS;
        traitValues = NO_STRINGS;
        traitTimes = NO_LONGS;
        traitCount = 0;
    }

    /**
     * Keeps only the traits whose names are in {@code names} (the names the tenant's rule set
     * declares), the others go with their values and times. Cheap when the profile has no traits or
     * keeps only such names: nothing is copied then.
     *
     * @return whether a trait was removed
     */
    public boolean retainTraits(java.util.Set<String> names) {
        if (traitCount == 0) {
            return false;
        }
        int kept = 0;
        for (int i = 0; i < traitCount; i++) {
            if (names.contains(traitNames[i])) {
                if (kept != i) {
                    traitNames[kept] = traitNames[i];
                    traitValues[kept] = traitValues[i];
                    traitTimes[kept] = traitTimes[i];
                }
                kept++;
            }
        }
        if (kept == traitCount) {
            return false;
        }
        if (kept == 0) {
            forgetTraits();
        } else {
            // no value of a removed trait stays behind in the arrays
            Arrays.fill(traitNames, kept, traitCount, null);
            Arrays.fill(traitValues, kept, traitCount, null);
            traitCount = kept;
        }
        return true;
    }

    /** How many trait names the profile keeps; {@link #traits()} without the copy. */
    public int traitCount() {
        return traitCount;
    }

    /**
     * Takes the trait {@code name = value} of an event at {@code ts}: replaces the kept value when
     * later (or as late and larger); a new name beyond {@link #MAX_TRAITS} replaces the kept name
     * of the oldest value (equal times: the larger name) if it is newer (equal: its name smaller),
     * else it is left out.
     */
    private void putTrait(String name, String value, long ts) {
        int i = Arrays.binarySearch(traitNames, 0, traitCount, name);
        if (i >= 0) {
            if (ts > traitTimes[i] || ts == traitTimes[i] && value.compareTo(traitValues[i]) > 0) {
                traitValues[i] = value;
                traitTimes[i] = ts;
            }
            return;
        }
        int pos = -i - 1;
        if (traitCount >= MAX_TRAITS) {
            int weakest = 0;
            for (int k = 1; k < traitCount; k++) {
                if (traitRanksAbove(weakest, traitTimes[k], traitNames[k])) {
                    weakest = k;
                }
            }
            if (!traitRanksAbove(ts, name, traitTimes[weakest], traitNames[weakest])) {
                return;
            }
            System.arraycopy(
                    traitNames, weakest + 1, traitNames, weakest, traitCount - weakest - 1);
            System.arraycopy(
                    traitValues, weakest + 1, traitValues, weakest, traitCount - weakest - 1);
            System.arraycopy(
                    traitTimes, weakest + 1, traitTimes, weakest, traitCount - weakest - 1);
            traitCount--;
            traitNames[traitCount] = null;
            traitValues[traitCount] = null;
            if (weakest < pos) {
                pos--;
            }
        }
        if (traitCount == traitNames.length) {
            int cap = Math.min(MAX_TRAITS, Math.max(4, traitCount * 2));
            traitNames = Arrays.copyOf(traitNames, cap);
            traitValues = Arrays.copyOf(traitValues, cap);
            traitTimes = Arrays.copyOf(traitTimes, cap);
        }
        System.arraycopy(traitNames, pos, traitNames, pos + 1, traitCount - pos);
        System.arraycopy(traitValues, pos, traitValues, pos + 1, traitCount - pos);
        System.arraycopy(traitTimes, pos, traitTimes, pos + 1, traitCount - pos);
        traitNames[pos] = name;
        traitValues[pos] = value;
        traitTimes[pos] = ts;
        traitCount++;
    }

    /**
     * Whether kept trait {@code k} ranks above (is kept before) a name of value time {@code ts}.
     */
    private boolean traitRanksAbove(int k, long ts, String name) {
        return traitRanksAbove(traitTimes[k], traitNames[k], ts, name);
    }

    /**
     * The order in which trait names are kept beyond {@link #MAX_TRAITS}: the later value first,
     * the smaller name among equal times.
     */
    private static boolean traitRanksAbove(long ts, String name, long otherTs, String otherName) {
        return ts > otherTs || ts == otherTs && name.compareTo(otherName) < 0;
    }

    /** Moves {@code asOf} forward to {@code t} (never back) and drops what left every window. */
    public void advanceTo(long t) {
        if (t > asOf) {
            asOf = t;
            expire();
        }
    }

    /**
     * The smallest time after {@code asOf} at which a windowed feature (the eight windowed counts
     * and sums, or the top category) changes if {@code asOf} advances without new events; {@link
     * Long#MAX_VALUE} when none will.
     */
    public long nextChange() {
        long next = Long.MAX_VALUE;
        // Every kept minute bucket has events, every hour bucket has orders, so each bucket's
        // expiry changes a count; the earliest bucket expires first.
        if (minutes.size > 0) {
            next = expiry(minutes.keys[0], W_24H);
        }
        if (hours.size > 0) {
            next = Math.min(next, expiry(hours.keys[0], W_90D));
            int in30 = hours.countUpTo(cutoff(asOf, W_30D));
            if (in30 < hours.size) {
                next = Math.min(next, expiry(hours.keys[in30], W_30D));
            }
        }
        if (days.size > 0) {
            // every day bucket has orders
            next = Math.min(next, expiry(days.keys[0], W_365D));
            int in180 = days.countUpTo(cutoff(asOf, W_180D));
            if (in180 < days.size) {
                next = Math.min(next, expiry(days.keys[in180], W_180D));
            }
            // the first day not yet in last year's next 90 days enters them 275 days after it
            int inLastYear = days.countUpTo(cutoff(asOf, W_LAST_YEAR_END));
            if (inLastYear < days.size) {
                next = Math.min(next, expiry(days.keys[inLastYear], W_LAST_YEAR_END));
            }
        }
        if (daysFrom != Long.MIN_VALUE && ordersTotal > 0) {
            // a long window of a state written before the day buckets appears when it is exact
            for (long w : new long[] {W_180D, W_365D}) {
                if (!longWindowKnown(w) && daysFrom <= Long.MAX_VALUE - w) {
                    next = Math.min(next, daysFrom + w);
                }
            }
        }
        if (texts != null && texts.size > 0) {
            // every kept text bucket has a text
            next = Math.min(next, expiry(texts.keys[0], W_30D));
        }
        // The category features cannot change before the oldest entry expires; skip the replay
        // then.
        if (categories.size > 0 && expiry(bucket(categories.keys[0], HOUR), W_30D) < next) {
            next = Math.min(next, categoryChange());
        }
        return next;
    }

    /**
     * Replays the expiry of the category entries, oldest hour first, until the top category differs
     * or a category leaves the window ({@code f.categories_30d}). An expiry that only lowers
     * another category's count changes neither feature, so a timer there would be wasted.
     */
    private long categoryChange() {
        long[] left = Arrays.copyOf(dictTotal, dictSize);
        int top = argMax(left, dictSize);
        long[] keys = categories.keys;
        long[] counts = categories.cols[C_COUNT];
        int n = categories.size;
        int i = 0;
        while (i < n) {
            long hour = bucket(keys[i], HOUR);
            boolean topLost = false;
            boolean gone = false;
            for (; i < n && keys[i] - hour < HOUR; i++) {
                int c = (int) (keys[i] - hour);
                left[c] -= counts[i];
                topLost |= c == top;
                gone |= left[c] == 0;
            }
            // Other counts only fall, so the top can only change when its own count falls.
            if (gone || topLost && argMax(left, dictSize) != top) {
                return expiry(hour, W_30D);
            }
        }
        throw new IllegalStateException("top category never expires: " + this);
    }

    /** Index of the largest positive count, the smallest index among equals; -1 when none. */
    private static int argMax(long[] counts, int n) {
        int best = -1;
        long bestCount = 0;
        for (int c = 0; c < n; c++) {
            if (counts[c] > bestCount) {
                bestCount = counts[c];
                best = c;
            }
        }
        return best;
    }

    /**
     * Fills {@code out} with the profile's feature values (its lifecycle stage is the caller's):
     * what {@link #render} writes as text, typed.
     */
    public void values(ProfileValues out) {
        out.clear();
        if (asOf != Long.MIN_VALUE) {
            out.set(I_AS_OF, asOf);
        }
        if (eventsTotal == 0) {
            return;
        }
        out.set(I_FIRST_SEEN, firstSeen);
        out.set(I_LAST_SEEN, lastSeen);
        out.set(I_EVENTS_TOTAL, eventsTotal);
        out.set(I_ORDERS_TOTAL, ordersTotal);
        out.set(I_REVENUE_TOTAL, revenueTotal);
        if (ordersTotal > 0) {
            out.set(I_AVG_ORDER_VALUE, Decimals.divideHalfEven(revenueTotal, ordersTotal * 10_000));
            out.set(I_DAYS_SINCE_LAST_ORDER, Math.floorDiv(asOf - lastOrderTs, DAY));
        }

        int from30 = hours.countUpTo(cutoff(asOf, W_30D));
        out.set(I_ORDERS_30D, hours.sum(H_ORDERS, from30));
        out.set(I_REVENUE_30D, hours.sum(H_REVENUE, from30));
        long orders90 = hours.sum(H_ORDERS, 0);
        long revenue90 = hours.sum(H_REVENUE, 0);
        out.set(I_ORDERS_90D, orders90);
        out.set(I_REVENUE_90D, revenue90);
        // the long windows only for profiles with orders: most profiles have none, and these five
        // fields would be written for each of them (about 200 bytes in Redis per profile)
        if (ordersTotal > 0 && longWindowKnown(W_180D)) {
            // the orders of the hour buckets (the last 90 days) and of the day buckets after it
            int from180 = days.countUpTo(cutoff(asOf, W_180D));
            long before90 = days.sum(D_ORDERS, from180);
            out.set(I_ORDERS_180D, Decimals.addSaturating(orders90, before90));
            // the last 90 days against the 90 before them
            out.set(I_ORDER_TREND_90D, orders90 - before90);
            out.set(
                    I_REVENUE_180D,
                    Decimals.addSaturating(revenue90, days.sum(D_REVENUE, from180)));
        }
        if (ordersTotal > 0 && longWindowKnown(W_365D)) {
            out.set(I_ORDERS_365D, Decimals.addSaturating(orders90, days.sum(D_ORDERS, 0)));
            out.set(I_REVENUE_365D, Decimals.addSaturating(revenue90, days.sum(D_REVENUE, 0)));
            int upTo = days.countUpTo(cutoff(asOf, W_LAST_YEAR_END));
            long ly = 0;
            for (int i = 0; i < upTo; i++) {
                ly += days.get(D_ORDERS, i);
            }
            out.set(I_ORDERS_NEXT_90D_LAST_YEAR, ly);
        }

        long events = 0;
        long views = 0;
        long carts = 0;
        long orders = 0;
        long[][] m = minutes.cols;
        for (int i = 0; i < minutes.size; i++) {
            events += m[M_EVENTS][i];
            views += m[M_VIEWS][i];
            carts += m[M_CARTS][i];
            orders += m[M_ORDERS][i];
        }
        out.set(I_EVENTS_24H, events);
        out.set(I_VIEWS_24H, views);
        out.set(I_CART_ADDS_24H, carts);
        out.set(I_ORDERS_24H, orders);

        int top = argMax(dictTotal, dictSize);
        out.setTopCategory(top < 0 ? null : dict[top]);
        if (top >= 0) {
            // every kept category entry is inside the 30-day window
            int distinct = 0;
            for (int c = 0; c < dictSize; c++) {
                distinct += dictTotal[c] > 0 ? 1 : 0;
            }
            out.set(I_CATEGORIES_30D, distinct);
        }
        if (!breadthUnknown) {
            if (refundsTotal > 0) {
                out.set(I_REFUNDS_TOTAL, refundsTotal);
                out.set(I_REFUNDED_TOTAL, refundedTotal);
            }
            if (basketOrders > 0) {
                out.set(I_AVG_BASKET_ITEMS, hundredthsHalfEven(basketItems, 1, basketOrders, 1));
            }
        }

        if (marketing != CONSENT_NONE) {
            out.set(I_CONSENT_MARKETING, marketing);
        }
        if (personalization != CONSENT_NONE) {
            out.set(I_CONSENT_PERSONALIZATION, personalization);
        }
        if (texts != null) {
            // every kept text bucket is inside the 30-day window
            out.set(I_TEXTS_30D, texts.sum(T_TEXTS, 0));
            out.set(I_NEGATIVE_TEXTS_30D, texts.sum(T_NEGATIVE, 0));
            out.set(I_COMPLAINTS_30D, texts.sum(T_COMPLAINTS, 0));
        }
        if (ordersTotal >= 2 && !orderTimesUnknown) {
            // days with two decimals, half to even, exact: (last - first) / (orders - 1) / DAY
            long span = lastOrderTs - firstOrderTs;
            long gaps = ordersTotal - 1;
            out.set(I_ORDER_GAP_DAYS, hundredthsHalfEven(span, 1, gaps, DAY));
            out.set(
                    I_LAST_ORDER_GAP_DAYS,
                    hundredthsHalfEven(lastOrderTs - previousOrderTs, 1, 1, DAY));
            if (span > 0) {
                // (asOf - last) / (span / (orders - 1))
                out.set(I_ORDER_GAP_RATIO, hundredthsHalfEven(asOf - lastOrderTs, gaps, 1, span));
            }
        }
    }

    /**
     * Whether every order of the window of length {@code w} at {@code asOf} is in the day buckets:
     * always, but for a state written before they were kept, until the window starts after what it
     * knew.
     */
    private boolean longWindowKnown(long w) {
        return daysFrom == Long.MIN_VALUE || cutoff(asOf, w) >= daysFrom;
    }

    /**
     * Forgets the orders before the last 90 days in the long windows, as a state written before the
     * day buckets were kept reads: {@code f.orders_180d} and the like are then left out until their
     * window starts after that.
     */
    public void forgetLongWindows() {
        if (ordersTotal > 0) {
            days.dropUpTo(Long.MAX_VALUE);
            long c90 = cutoff(asOf, W_90D);
            // an order at or after c90 + 1 h has its hour bucket after c90: the hours kept it
            daysFrom =
                    Math.max(daysFrom, c90 > Long.MAX_VALUE - HOUR ? Long.MAX_VALUE : c90 + HOUR);
        }
    }

    /**
     * {@code a × b / (d1 × d2)} in hundredths, rounded half to even ({@code b, d1, d2 > 0}),
     * saturated to a long: in longs where nothing can overflow (every real profile: 34 years of
     * milliseconds, 32,768 orders), else in big integers.
     */
    static long hundredthsHalfEven(long a, long b, long d1, long d2) {
        if (a >= 0 && a < (1L << 40) && b < (1L << 15) && d1 < (1L << 15) && d2 < (1L << 44)) {
            return Decimals.divideHalfEven(a * b * 100, d1 * d2);
        }
        return divideHalfEven(
                BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).multiply(HUNDRED),
                BigInteger.valueOf(d1).multiply(BigInteger.valueOf(d2)));
    }

    private static final BigInteger HUNDRED = BigInteger.valueOf(100);

    /** {@code a / b} rounded half to even, for {@code b > 0}, saturated to a long. */
    private static long divideHalfEven(BigInteger a, BigInteger b) {
        BigInteger q =
                new java.math.BigDecimal(a)
                        .divide(new java.math.BigDecimal(b), 0, java.math.RoundingMode.HALF_EVEN)
                        .toBigIntegerExact();
        return q.bitLength() < 64
                ? q.longValue()
                : q.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }

    /**
     * Fills {@code out} in the order of {@link ProfileFields#FEATURE_FIELDS}, null for an absent
     * field: the text of {@link #values}. Values that did not change since the previous call on
     * this instance come back as the same string instances.
     */
    public void render(String[] out) {
        if (out.length != FIELD_COUNT) {
            throw new IllegalArgumentException(
                    "expected " + FIELD_COUNT + " slots, got " + out.length);
        }
        if (renderValues == null) {
            renderValues = new ProfileValues();
        }
        render(renderValues, out);
    }

    /** Computes {@link #values} into {@code values} and their text into {@code out}. */
    public void render(ProfileValues values, String[] out) {
        values(values);
        for (int i = 0; i < FIELD_COUNT; i++) {
            if (!values.has(i)) {
                out[i] = null;
            } else if (i == I_TOP_CATEGORY_30D) {
                out[i] = values.topCategory();
            } else {
                out[i] = text(i, values.unscaled(i), ProfileValues.scale(i));
            }
        }
    }

    /** The decimal text of {@code unscaled × 10^-scale}, memoised per field. */
    private String text(int field, long unscaled, int scale) {
        String shared = Decimals.shared(unscaled, scale);
        if (shared != null) {
            return shared;
        }
        if (memoText == null) {
            memoValue = new long[FIELD_COUNT];
            memoText = new String[FIELD_COUNT];
        } else if (memoText[field] != null && memoValue[field] == unscaled) {
            return memoText[field];
        }
        String s = Decimals.text(unscaled, scale);
        memoValue[field] = unscaled;
        memoText[field] = s;
        return s;
    }

    /**
     * Combines another profile's state into this one, as if all of its events had been added here.
     * {@code other} is not changed.
     */
    public void merge(ProfileFeatures other) {
        if (other == this) {
            throw new IllegalArgumentException("a profile cannot absorb itself");
        }
        if (other.eventsTotal > 0) {
            if (eventsTotal == 0) {
                firstSeen = other.firstSeen;
                lastSeen = other.lastSeen;
            } else {
                firstSeen = Math.min(firstSeen, other.firstSeen);
                lastSeen = Math.max(lastSeen, other.lastSeen);
            }
            eventsTotal = Decimals.addSaturating(eventsTotal, other.eventsTotal);
        }
        if (other.ordersTotal > 0) {
            if (ordersTotal == 0) {
                firstOrderTs = other.firstOrderTs;
                previousOrderTs = other.previousOrderTs;
                orderTimesUnknown = other.orderTimesUnknown;
            } else if (orderTimesUnknown || other.orderTimesUnknown) {
                orderTimesUnknown = true;
                firstOrderTs = Long.MIN_VALUE;
                previousOrderTs = Long.MIN_VALUE;
            } else {
                firstOrderTs = Math.min(firstOrderTs, other.firstOrderTs);
                // the second-latest of both profiles' order times
                previousOrderTs =
                        lastOrderTs >= other.lastOrderTs
                                ? Math.max(previousOrderTs, other.lastOrderTs)
                                : Math.max(lastOrderTs, other.previousOrderTs);
            }
        }
        ordersTotal = Decimals.addSaturating(ordersTotal, other.ordersTotal);
        revenueTotal = Decimals.addSaturating(revenueTotal, other.revenueTotal);
        lastOrderTs = Math.max(lastOrderTs, other.lastOrderTs);
        if (breadthUnknown || other.breadthUnknown) {
            // an unknown side makes the sum unknown: nothing of it is kept
            forgetBreadth();
        } else {
            refundsTotal = Decimals.addSaturating(refundsTotal, other.refundsTotal);
            refundedTotal = Decimals.addSaturating(refundedTotal, other.refundedTotal);
            basketOrders = Decimals.addSaturating(basketOrders, other.basketOrders);
            basketItems = Decimals.addSaturating(basketItems, other.basketItems);
        }
        if (other.items != null) {
            if (items == null) {
                items = other.items.copy();
            } else {
                items.merge(other.items);
            }
        }
        if (other.marketing != CONSENT_NONE) {
            marketing =
                    consent(
                            marketing,
                            marketingTs,
                            other.marketing == CONSENT_YES,
                            other.marketingTs);
            marketingTs = Math.max(marketingTs, other.marketingTs);
        }
        if (other.personalization != CONSENT_NONE) {
            personalization =
                    consent(
                            personalization,
                            personalizationTs,
                            other.personalization == CONSENT_YES,
                            other.personalizationTs);
            personalizationTs = Math.max(personalizationTs, other.personalizationTs);
        }
        mergeTraits(other);
        minutes.mergeFrom(other.minutes);
        hours.mergeFrom(other.hours);
        days.mergeFrom(other.days);
        daysFrom = Math.max(daysFrom, other.daysFrom);
        if (other.texts != null) {
            if (texts == null) {
                texts = new Buckets(3);
            }
            texts.mergeFrom(other.texts);
        }
        mergeCategories(other);
        if (other.asOf > asOf) {
            asOf = other.asOf;
        }
        // Also drops what this side kept but the other side's later asOf has expired.
        expire();
    }

    /**
     * Both profiles' traits: per name the later value (as late: the larger); beyond {@link
     * #MAX_TRAITS} names, those {@link #traitRanksAbove ranked} first, as {@link #putTrait} keeps
     * them, so the result is the same whichever side absorbs which.
     */
    private void mergeTraits(ProfileFeatures other) {
        int on = other.traitCount;
        if (on == 0) {
            return;
        }
        int cap = traitCount + on;
        String[] names = new String[cap];
        String[] values = new String[cap];
        long[] times = new long[cap];
        int i = 0;
        int j = 0;
        int u = 0;
        while (i < traitCount || j < on) {
            int cmp =
                    i == traitCount
                            ? 1
                            : j == on ? -1 : traitNames[i].compareTo(other.traitNames[j]);
            if (cmp < 0) {
                names[u] = traitNames[i];
                values[u] = traitValues[i];
                times[u] = traitTimes[i++];
            } else if (cmp > 0) {
                names[u] = other.traitNames[j];
                values[u] = other.traitValues[j];
                times[u] = other.traitTimes[j++];
            } else {
                long a = traitTimes[i];
                long b = other.traitTimes[j];
                boolean theirs =
                        b > a || b == a && other.traitValues[j].compareTo(traitValues[i]) > 0;
                names[u] = traitNames[i];
                values[u] = theirs ? other.traitValues[j] : traitValues[i];
                times[u] = Math.max(a, b);
                i++;
                j++;
            }
            u++;
        }
        if (u > MAX_TRAITS) {
            Integer[] order = new Integer[u];
            for (int k = 0; k < u; k++) {
                order[k] = k;
            }
            // names are sorted, so the smaller index is the smaller name
            Arrays.sort(
                    order,
                    (a, b) -> times[a] != times[b] ? Long.compare(times[b], times[a]) : a - b);
            boolean[] keep = new boolean[u];
            for (int k = 0; k < MAX_TRAITS; k++) {
                keep[order[k]] = true;
            }
            int w = 0;
            for (int k = 0; k < u; k++) {
                if (keep[k]) {
                    names[w] = names[k];
                    values[w] = values[k];
                    times[w] = times[k];
                    w++;
                }
            }
            Arrays.fill(names, w, u, null);
            Arrays.fill(values, w, u, null);
            u = w;
        }
        traitNames = names;
        traitValues = values;
        traitTimes = times;
        traitCount = u;
    }

    /** The consent after seeing {@code value} at {@code ts}: latest wins, {@code false} on ties. */
    private static byte consent(byte current, long currentTs, boolean value, long ts) {
        if (current == CONSENT_NONE || ts > currentTs) {
            return value ? CONSENT_YES : CONSENT_NO;
        }
        if (ts == currentTs && !value) {
            return CONSENT_NO;
        }
        return current;
    }

    private void mergeCategories(ProfileFeatures other) {
        int otherSize = other.categories.size;
        if (otherSize == 0) {
            return;
        }
        String[] od = other.dict;
        int on = other.dictSize;
        String[] union = new String[dictSize + on];
        int[] mine = new int[dictSize];
        int[] theirs = new int[on];
        int i = 0;
        int j = 0;
        int u = 0;
        while (i < dictSize || j < on) {
            int cmp = i == dictSize ? 1 : j == on ? -1 : dict[i].compareTo(od[j]);
            if (cmp <= 0) {
                mine[i] = u;
                union[u] = dict[i++];
            }
            if (cmp >= 0) {
                theirs[j] = u;
                union[u] = od[j++];
            }
            u++;
        }
        if (u > MAX_KEPT_CATEGORIES) {
            int[] keep = keptCategories(union, u, mine, theirs, other);
            String[] kept = new String[MAX_KEPT_CATEGORIES];
            for (int k = 0; k < u; k++) {
                if (keep[k] >= 0) {
                    kept[keep[k]] = union[k];
                }
            }
            for (int k = 0; k < dictSize; k++) {
                mine[k] = keep[mine[k]];
            }
            for (int k = 0; k < on; k++) {
                theirs[k] = keep[theirs[k]];
            }
            union = kept;
            u = MAX_KEPT_CATEGORIES;
        }
        // Index remaps are monotone, so both key sequences stay sorted; entries of categories
        // that are not kept (index -1) go.
        remapCategories(mine);
        long[] otherKeys = new long[otherSize];
        long[] otherCounts = new long[otherSize];
        int kept = 0;
        for (int k = 0; k < otherSize; k++) {
            long key = other.categories.keys[k];
            long hour = bucket(key, HOUR);
            int c = theirs[(int) (key - hour)];
            if (c >= 0) {
                otherKeys[kept] = hour + c;
                otherCounts[kept] = other.categories.get(C_COUNT, k);
                kept++;
            }
        }
        categories.mergeFrom(otherKeys, new long[][] {otherCounts}, kept);
        dict = union;
        dictSize = u;
        // as long as the names' array: a later add inserts into both in place
        dictTotal = new long[union.length];
        for (int k = 0; k < categories.size; k++) {
            dictTotal[(int) Math.floorMod(categories.keys[k], HOUR)] += categories.get(C_COUNT, k);
        }
    }

    /**
     * When a merge would give more than {@link #MAX_KEPT_CATEGORIES} categories: the new index of
     * each union index, -1 for those left out. Kept are the categories with the most events in the
     * window (ties: the smaller name), so the choice does not depend on which side merges into
     * which; new indices keep the names' order.
     */
    private int[] keptCategories(
            String[] union, int u, int[] mine, int[] theirs, ProfileFeatures other) {
        long[] total = new long[u];
        for (int k = 0; k < dictSize; k++) {
            total[mine[k]] += dictTotal[k];
        }
        for (int k = 0; k < other.dictSize; k++) {
            total[theirs[k]] += other.dictTotal[k];
        }
        Integer[] order = new Integer[u];
        for (int k = 0; k < u; k++) {
            order[k] = k;
        }
        // union is sorted by name, so the smaller index is the smaller name
        Arrays.sort(
                order, (a, b) -> total[a] != total[b] ? Long.compare(total[b], total[a]) : a - b);
        boolean[] keep = new boolean[u];
        for (int k = 0; k < MAX_KEPT_CATEGORIES; k++) {
            keep[order[k]] = true;
        }
        int[] newIndex = new int[u];
        int next = 0;
        for (int k = 0; k < u; k++) {
            newIndex[k] = keep[k] ? next++ : -1;
        }
        return newIndex;
    }

    /** Moves every category entry to its new index; drops those whose new index is -1. */
    private void remapCategories(int[] newIndex) {
        long[] keys = categories.keys;
        long[] counts = categories.cols[C_COUNT];
        int w = 0;
        for (int k = 0; k < categories.size; k++) {
            int c = (int) Math.floorMod(keys[k], HOUR);
            int to = newIndex[c];
            if (to >= 0) {
                keys[w] = keys[k] + to - c;
                counts[w] = counts[k];
                w++;
            }
        }
        categories.size = w;
    }

    /**
     * The index of {@code category} in the sorted dictionary, inserting it when new; -1 when it is
     * new and the dictionary is full.
     */
    private int categoryIndex(String category) {
        int found = Arrays.binarySearch(dict, 0, dictSize, category);
        if (found >= 0) {
            return found;
        }
        int pos = -found - 1;
        if (dictSize >= MAX_KEPT_CATEGORIES) {
            return -1;
        }
        if (dictSize == dict.length) {
            int cap = Math.max(4, dictSize * 2);
            dict = Arrays.copyOf(dict, cap);
            dictTotal = Arrays.copyOf(dictTotal, cap);
        }
        System.arraycopy(dict, pos, dict, pos + 1, dictSize - pos);
        System.arraycopy(dictTotal, pos, dictTotal, pos + 1, dictSize - pos);
        dict[pos] = category;
        dictTotal[pos] = 0;
        dictSize++;
        if (pos < dictSize - 1) {
            long[] keys = categories.keys;
            for (int k = 0; k < categories.size; k++) {
                if (Math.floorMod(keys[k], HOUR) >= pos) {
                    keys[k]++;
                }
            }
        }
        return pos;
    }

    private void expire() {
        minutes.dropUpTo(cutoff(asOf, W_24H));
        long c365 = cutoff(asOf, W_365D);
        int leaving = hours.countUpTo(cutoff(asOf, W_90D));
        for (int i = 0; i < leaving; i++) {
            // orders leaving the 90-day window go on in the day buckets, for the long windows
            long day = bucket(hours.keys[i], DAY);
            if (day > c365) {
                int d = days.slot(day);
                days.add(D_ORDERS, d, hours.get(H_ORDERS, i));
                days.add(D_REVENUE, d, hours.get(H_REVENUE, i));
            }
        }
        hours.dropFirst(leaving);
        days.dropUpTo(c365);
        if (daysFrom != Long.MIN_VALUE && c365 >= daysFrom) {
            // the long windows know every order they count again
            daysFrom = Long.MIN_VALUE;
        }
        long c30 = cutoff(asOf, W_30D);
        if (texts != null) {
            texts.dropUpTo(c30);
        }
        long[] keys = categories.keys;
        long[] counts = categories.cols[C_COUNT];
        int k = 0;
        for (; k < categories.size && bucket(keys[k], HOUR) <= c30; k++) {
            dictTotal[(int) Math.floorMod(keys[k], HOUR)] -= counts[k];
        }
        if (k > 0) {
            categories.dropFirst(k);
            pruneDictionary();
        }
    }

    /** Removes categories without entries, so equal event sets give equal dictionaries. */
    private void pruneDictionary() {
        int[] newIndex = null;
        int w = 0;
        for (int c = 0; c < dictSize; c++) {
            if (dictTotal[c] != 0) {
                if (newIndex != null) {
                    newIndex[c] = w;
                }
                dict[w] = dict[c];
                dictTotal[w] = dictTotal[c];
                w++;
            } else if (newIndex == null) {
                newIndex = new int[dictSize];
                for (int q = 0; q < c; q++) {
                    newIndex[q] = q;
                }
            }
        }
        if (newIndex == null) {
            return;
        }
        Arrays.fill(dict, w, dictSize, null);
        dictSize = w;
        remapCategories(newIndex);
    }

    /** A deep copy. */
    public ProfileFeatures copy() {
        ProfileFeatures c =
                new ProfileFeatures(minutes.copy(), hours.copy(), days.copy(), categories.copy());
        c.asOf = asOf;
        c.daysFrom = daysFrom;
        c.eventsTotal = eventsTotal;
        c.firstSeen = firstSeen;
        c.lastSeen = lastSeen;
        c.ordersTotal = ordersTotal;
        c.revenueTotal = revenueTotal;
        c.lastOrderTs = lastOrderTs;
        c.firstOrderTs = firstOrderTs;
        c.previousOrderTs = previousOrderTs;
        c.orderTimesUnknown = orderTimesUnknown;
        c.refundsTotal = refundsTotal;
        c.refundedTotal = refundedTotal;
        c.basketOrders = basketOrders;
        c.basketItems = basketItems;
        c.breadthUnknown = breadthUnknown;
        c.marketing = marketing;
        c.marketingTs = marketingTs;
        c.personalization = personalization;
        c.personalizationTs = personalizationTs;
        c.dict = Arrays.copyOf(dict, dictSize);
        c.dictTotal = Arrays.copyOf(dictTotal, dictSize);
        c.dictSize = dictSize;
        c.items = items == null ? null : items.copy();
        c.texts = texts == null ? null : texts.copy();
        c.traitNames = Arrays.copyOf(traitNames, traitCount);
        c.traitValues = Arrays.copyOf(traitValues, traitCount);
        c.traitTimes = Arrays.copyOf(traitTimes, traitCount);
        c.traitCount = traitCount;
        return c;
    }

    // ---------------------------------------------------------------------------------------
    // Encoding. Version byte, flags, asOf as a zigzag varint, every other time as an unsigned
    // varint distance back from asOf (or from the previous bucket, in bucket units), counters
    // as varints. Each category name is written once; entries refer to it by index.
    // ---------------------------------------------------------------------------------------

    /** Writes the state in the compact binary format read by {@link #read}. */
    public void write(DataOutput out) throws IOException {
        int flags = 0;
        if (asOf != Long.MIN_VALUE) {
            flags |= F_AS_OF;
        }
        if (eventsTotal > 0) {
            flags |= F_EVENTS;
        }
        if (ordersTotal > 0) {
            flags |= F_ORDERS;
        }
        if (marketing != CONSENT_NONE) {
            flags |= F_MARKETING | (marketing == CONSENT_YES ? F_MARKETING_YES : 0);
        }
        if (personalization != CONSENT_NONE) {
            flags |=
                    F_PERSONALIZATION
                            | (personalization == CONSENT_YES ? F_PERSONALIZATION_YES : 0);
        }
        if (items != null && asOf != Long.MIN_VALUE) {
            flags |= F_ITEMS;
        }
        // one order's time is the last order's: the earlier formats hold it
        boolean orderTimes = ordersTotal >= 2 && !orderTimesUnknown;
        // traits come with events, so a profile with traits has an asOf
        int parts =
                (orderTimes ? PART_ORDER_TIMES : 0)
                        | (traitCount > 0 ? PART_TRAITS : 0)
                        | (ordersTotal > 0 ? PART_DAYS : 0)
                        | (refundsTotal > 0 ? PART_REFUNDS : 0)
                        | (basketOrders > 0 ? PART_BASKETS : 0);
        int format =
                parts != 0
                        ? FORMAT_WITH_PARTS
                        : texts == null ? FORMAT_WITHOUT_TEXTS : FORMAT_VERSION;
        out.writeByte(breadthUnknown ? format : format + FORMAT_BREADTH_KNOWN);
        out.writeByte(flags);
        if ((flags & F_AS_OF) == 0) {
            return;
        }
        Strings.writeVarLong(out, (asOf << 1) ^ (asOf >> 63));
        if ((flags & F_EVENTS) != 0) {
            Strings.writeVarLong(out, eventsTotal);
            Strings.writeVarLong(out, asOf - lastSeen);
            Strings.writeVarLong(out, lastSeen - firstSeen);
        }
        if ((flags & F_ORDERS) != 0) {
            Strings.writeVarLong(out, ordersTotal);
            Strings.writeVarLong(out, (revenueTotal << 1) ^ (revenueTotal >> 63));
            Strings.writeVarLong(out, asOf - lastOrderTs);
        }
        if (marketing != CONSENT_NONE) {
            Strings.writeVarLong(out, asOf - marketingTs);
        }
        if (personalization != CONSENT_NONE) {
            Strings.writeVarLong(out, asOf - personalizationTs);
        }

        // Minute buckets: gap in minutes, then events << 3 | a bit per non-zero counter, then
        // those counters. A typical bucket (one view, cart add or order) takes 3-4 bytes.
        Strings.writeVarLong(out, minutes.size);
        long prev = bucket(asOf, MINUTE);
        for (int i = 0; i < minutes.size; i++) {
            long key = minutes.keys[i];
            Strings.writeVarLong(out, i == 0 ? (prev - key) / MINUTE : (key - prev) / MINUTE - 1);
            prev = key;
            long views = minutes.get(M_VIEWS, i);
            long carts = minutes.get(M_CARTS, i);
            long orders = minutes.get(M_ORDERS, i);
            int mask = (views != 0 ? 1 : 0) | (carts != 0 ? 2 : 0) | (orders != 0 ? 4 : 0);
            Strings.writeVarLong(out, minutes.get(M_EVENTS, i) << 3 | mask);
            if (views != 0) {
                Strings.writeVarLong(out, views);
            }
            if (carts != 0) {
                Strings.writeVarLong(out, carts);
            }
            if (orders != 0) {
                Strings.writeVarLong(out, orders);
            }
        }

        Strings.writeVarLong(out, hours.size);
        for (int i = 0; i < hours.size; i++) {
            long key = hours.keys[i];
            Strings.writeVarLong(
                    out,
                    i == 0
                            ? (bucket(asOf, HOUR) - key) / HOUR
                            : (key - hours.keys[i - 1]) / HOUR - 1);
            Strings.writeVarLong(out, hours.get(H_ORDERS, i));
            long revenue = hours.get(H_REVENUE, i);
            Strings.writeVarLong(out, (revenue << 1) ^ (revenue >> 63));
        }

        Strings.writeVarLong(out, dictSize);
        for (int c = 0; c < dictSize; c++) {
            byte[] utf8 = dict[c].getBytes(StandardCharsets.UTF_8);
            Strings.writeVarLong(out, utf8.length);
            out.write(utf8);
        }
        Strings.writeVarLong(out, categories.size);
        long prevHour = bucket(asOf, HOUR);
        for (int i = 0; i < categories.size; i++) {
            long key = categories.keys[i];
            long hour = bucket(key, HOUR);
            Strings.writeVarLong(out, i == 0 ? (prevHour - hour) / HOUR : (hour - prevHour) / HOUR);
            prevHour = hour;
            Strings.writeVarLong(out, key - hour);
            Strings.writeVarLong(out, categories.get(C_COUNT, i));
        }
        // last, and only with the flag, so a state written before items were kept reads as is
        if ((flags & F_ITEMS) != 0) {
            items.write(out);
        }
        if (parts != 0) {
            // format 3: which parts follow, the text buckets, the order times, then the traits
            out.writeByte((texts != null ? PART_TEXTS : 0) | parts);
            if (texts != null) {
                writeTexts(out);
            }
            if (orderTimes) {
                Strings.writeVarLong(out, lastOrderTs - firstOrderTs);
                Strings.writeVarLong(out, lastOrderTs - previousOrderTs);
            }
            // the day buckets before the traits, which were last before them
            if (ordersTotal > 0) {
                writeDays(out);
            }
            if (traitCount > 0) {
                writeTraits(out);
            }
            if (refundsTotal > 0) {
                Strings.writeVarLong(out, refundsTotal);
                Strings.writeVarLong(out, (refundedTotal << 1) ^ (refundedTotal >> 63));
            }
            if (basketOrders > 0) {
                Strings.writeVarLong(out, basketOrders);
                Strings.writeVarLong(out, basketItems);
            }
        } else if (texts != null) {
            // format 2: the text buckets
            writeTexts(out);
        }
    }

    /** The text buckets, hour gaps back from asOf as the order hours are written. */
    private void writeTexts(DataOutput out) throws IOException {
        Strings.writeVarLong(out, texts.size);
        long textHour = bucket(asOf, HOUR);
        for (int i = 0; i < texts.size; i++) {
            long key = texts.keys[i];
            Strings.writeVarLong(
                    out, i == 0 ? (textHour - key) / HOUR : (key - textHour) / HOUR - 1);
            textHour = key;
            Strings.writeVarLong(out, texts.get(T_TEXTS, i));
            Strings.writeVarLong(out, texts.get(T_NEGATIVE, i));
            Strings.writeVarLong(out, texts.get(T_COMPLAINTS, i));
        }
    }

    /** {@link #PART_DAYS}: the day buckets. */
    private void writeDays(DataOutput out) throws IOException {
        boolean incomplete = daysFrom != Long.MIN_VALUE;
        Strings.writeVarLong(out, 2L * days.size + (incomplete ? 1 : 0));
        if (incomplete) {
            Strings.writeVarLong(out, 1 + (asOf - daysFrom));
        }
        long prev = bucket(asOf, DAY);
        for (int i = 0; i < days.size; i++) {
            long key = days.keys[i];
            Strings.writeVarLong(out, i == 0 ? (prev - key) / DAY : (key - prev) / DAY - 1);
            prev = key;
            Strings.writeVarLong(out, days.get(D_ORDERS, i));
            long revenue = days.get(D_REVENUE, i);
            Strings.writeVarLong(out, (revenue << 1) ^ (revenue >> 63));
        }
    }

    private static void readDays(DataInput in, ProfileFeatures f) throws IOException {
        long head = Strings.readVarLong(in);
        if (head < 0 || head / 2 > MAX_DECODED_ENTRIES) {
            throw corrupt("day buckets " + head);
        }
        if ((head & 1) != 0) {
            long back = Strings.readVarLong(in) - 1;
            if (back < 0 || f.asOf - back > f.asOf || cutoff(f.asOf, W_365D) >= f.asOf - back) {
                throw corrupt("day buckets complete from " + back + " back");
            }
            f.daysFrom = f.asOf - back;
        }
        int n = (int) (head / 2);
        Buckets d = f.days;
        if (n > 0) {
            d.ensureCapacity(n + 1);
        }
        long key = bucket(f.asOf, DAY);
        long last = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            long gap = Strings.readVarLong(in);
            key = i == 0 ? key - gap * DAY : key + (gap + 1) * DAY;
            if (key <= last) {
                throw corrupt("day buckets out of order");
            }
            last = key;
            int slot = d.append(key);
            d.cols[D_ORDERS][slot] = readPositive(in, "day orders");
            long z = Strings.readVarLong(in);
            d.cols[D_REVENUE][slot] = (z >>> 1) ^ -(z & 1);
        }
        checkWithin(d, cutoff(f.asOf, W_365D), f.asOf, "day");
    }

    /** The traits in name order: name, value, time back from asOf. */
    private void writeTraits(DataOutput out) throws IOException {
        Strings.writeVarInt(out, traitCount);
        for (int i = 0; i < traitCount; i++) {
            Strings.write(out, traitNames[i]);
            Strings.write(out, traitValues[i]);
            Strings.writeVarLong(out, asOf - traitTimes[i]);
        }
    }

    /** Reads a state written by {@link #write}. */
    public static ProfileFeatures read(DataInput in) throws IOException {
        int version = in.readUnsignedByte();
        boolean breadthKnown = version > FORMAT_BREADTH_KNOWN;
        if (breadthKnown) {
            version -= FORMAT_BREADTH_KNOWN;
        }
        if (version != FORMAT_VERSION
                && version != FORMAT_WITHOUT_TEXTS
                && version != FORMAT_WITH_PARTS) {
            throw new IOException("unsupported ProfileFeatures format version " + version);
        }
        int flags = in.readUnsignedByte();
        ProfileFeatures f = new ProfileFeatures();
        // written before the refunds and baskets were kept: their fields are unknown for good
        f.breadthUnknown = !breadthKnown && (flags & F_EVENTS) != 0;
        if ((flags & F_AS_OF) == 0) {
            if (flags != 0) {
                throw corrupt("state without asOf has flags " + flags);
            }
            if (version != FORMAT_WITHOUT_TEXTS) {
                throw corrupt("state without asOf has texts");
            }
            return f;
        }
        long zigzag = Strings.readVarLong(in);
        long asOf = (zigzag >>> 1) ^ -(zigzag & 1);
        f.asOf = asOf;
        if ((flags & F_EVENTS) != 0) {
            f.eventsTotal = readPositive(in, "events");
            f.lastSeen = asOf - Strings.readVarLong(in);
            f.firstSeen = f.lastSeen - Strings.readVarLong(in);
        }
        if ((flags & F_ORDERS) != 0) {
            f.ordersTotal = readPositive(in, "orders");
            long z = Strings.readVarLong(in);
            f.revenueTotal = (z >>> 1) ^ -(z & 1);
            f.lastOrderTs = asOf - Strings.readVarLong(in);
        }
        if ((flags & F_MARKETING) != 0) {
            f.marketing = (flags & F_MARKETING_YES) != 0 ? CONSENT_YES : CONSENT_NO;
            f.marketingTs = asOf - Strings.readVarLong(in);
        }
        if ((flags & F_PERSONALIZATION) != 0) {
            f.personalization = (flags & F_PERSONALIZATION_YES) != 0 ? CONSENT_YES : CONSENT_NO;
            f.personalizationTs = asOf - Strings.readVarLong(in);
        }

        int n = readSize(in);
        Buckets m = f.minutes;
        m.ensureCapacity(n + 1);
        long key = bucket(asOf, MINUTE);
        for (int i = 0; i < n; i++) {
            long gap = Strings.readVarLong(in);
            key = i == 0 ? key - gap * MINUTE : key + (gap + 1) * MINUTE;
            int slot = m.append(key);
            long head = Strings.readVarLong(in);
            m.cols[M_EVENTS][slot] = head >>> 3;
            m.cols[M_VIEWS][slot] = (head & 1) != 0 ? Strings.readVarLong(in) : 0;
            m.cols[M_CARTS][slot] = (head & 2) != 0 ? Strings.readVarLong(in) : 0;
            m.cols[M_ORDERS][slot] = (head & 4) != 0 ? Strings.readVarLong(in) : 0;
        }
        checkWithin(m, cutoff(asOf, W_24H), asOf, "minute");

        n = readSize(in);
        Buckets h = f.hours;
        h.ensureCapacity(n + 1);
        key = bucket(asOf, HOUR);
        for (int i = 0; i < n; i++) {
            long gap = Strings.readVarLong(in);
            key = i == 0 ? key - gap * HOUR : key + (gap + 1) * HOUR;
            int slot = h.append(key);
            h.cols[H_ORDERS][slot] = readPositive(in, "hour orders");
            long z = Strings.readVarLong(in);
            h.cols[H_REVENUE][slot] = (z >>> 1) ^ -(z & 1);
        }
        checkWithin(h, cutoff(asOf, W_90D), asOf, "hour");

        int d = readSize(in);
        if (d > MAX_CATEGORIES) {
            throw corrupt("too many categories: " + d);
        }
        f.dict = new String[d];
        f.dictTotal = new long[d];
        f.dictSize = d;
        for (int c = 0; c < d; c++) {
            byte[] utf8 = new byte[readSize(in)];
            in.readFully(utf8);
            f.dict[c] = new String(utf8, StandardCharsets.UTF_8);
            if (c > 0 && f.dict[c - 1].compareTo(f.dict[c]) >= 0) {
                throw corrupt("categories out of order");
            }
        }
        n = readSize(in);
        Buckets cat = f.categories;
        cat.ensureCapacity(n + 1);
        long hour = bucket(asOf, HOUR);
        for (int i = 0; i < n; i++) {
            long gap = Strings.readVarLong(in);
            hour = i == 0 ? hour - gap * HOUR : hour + gap * HOUR;
            long c = Strings.readVarLong(in);
            if (c >= d) {
                throw corrupt("category index " + c + " of " + d);
            }
            long hourKey = hour + c;
            if (cat.size > 0 && cat.keys[cat.size - 1] >= hourKey) {
                throw corrupt("category entries out of order");
            }
            int slot = cat.append(hourKey);
            long count = readPositive(in, "category count");
            cat.cols[C_COUNT][slot] = count;
            f.dictTotal[(int) c] += count;
        }
        if (n > 0 && bucket(cat.keys[0], HOUR) <= cutoff(asOf, W_30D)) {
            throw corrupt("category entry outside the 30 d window");
        }
        for (int c = 0; c < d; c++) {
            if (f.dictTotal[c] == 0) {
                throw corrupt("unused category " + f.dict[c]);
            }
        }
        if ((flags & F_ITEMS) != 0) {
            f.items = PurchasedItems.read(in);
        }
        if (version == FORMAT_VERSION) {
            readTexts(in, f);
        }
        int parts = version == FORMAT_WITH_PARTS ? in.readUnsignedByte() : 0;
        if ((parts
                        & ~(PART_TEXTS
                                | PART_ORDER_TIMES
                                | PART_TRAITS
                                | PART_DAYS
                                | PART_REFUNDS
                                | PART_BASKETS))
                != 0) {
            throw corrupt("unknown parts " + parts);
        }
        if ((parts & PART_TEXTS) != 0) {
            readTexts(in, f);
        }
        if ((parts & PART_ORDER_TIMES) != 0) {
            if (f.ordersTotal < 2) {
                throw corrupt("order times of " + f.ordersTotal + " orders");
            }
            f.firstOrderTs = f.lastOrderTs - Strings.readVarLong(in);
            f.previousOrderTs = f.lastOrderTs - Strings.readVarLong(in);
            if (f.previousOrderTs < f.firstOrderTs) {
                throw corrupt("previous order before the first");
            }
        } else if (f.ordersTotal == 1) {
            f.firstOrderTs = f.lastOrderTs;
        } else if (f.ordersTotal >= 2) {
            // written before the order times were kept: the gap features are unknown for good
            f.orderTimesUnknown = true;
        }
        if ((parts & PART_DAYS) != 0) {
            if (f.ordersTotal == 0) {
                throw corrupt("day buckets without orders");
            }
            readDays(in, f);
        } else if (f.ordersTotal > 0) {
            // written before the day buckets were kept: they start with the hours' 90 days
            f.forgetLongWindows();
        }
        if ((parts & PART_TRAITS) != 0) {
            readTraits(in, f);
        }
        if ((parts & PART_REFUNDS) != 0) {
            f.refundsTotal = readPositive(in, "refunds");
            long z = Strings.readVarLong(in);
            f.refundedTotal = (z >>> 1) ^ -(z & 1);
        }
        if ((parts & PART_BASKETS) != 0) {
            f.basketOrders = readPositive(in, "baskets");
            f.basketItems = readPositive(in, "basket items");
        }
        if ((f.refundsTotal > 0 || f.basketOrders > 0) && f.eventsTotal == 0) {
            throw corrupt("refunds or baskets without events");
        }
        return f;
    }

    private static void readTraits(DataInput in, ProfileFeatures f) throws IOException {
        int n = Strings.readVarInt(in);
        if (n < 1 || n > MAX_TRAITS) {
            throw corrupt("trait count " + n);
        }
        f.traitNames = new String[n];
        f.traitValues = new String[n];
        f.traitTimes = new long[n];
        for (int i = 0; i < n; i++) {
            String name = Strings.read(in);
            String value = Strings.read(in);
            long back = Strings.readVarLong(in);
            if (name == null || value == null) {
                throw corrupt("trait without a name or value");
            }
            if (i > 0 && f.traitNames[i - 1].compareTo(name) >= 0) {
                throw corrupt("traits out of order");
            }
            if (back < 0 || f.asOf - back > f.asOf) {
                throw corrupt("trait time " + back + " back");
            }
            f.traitNames[i] = name;
            f.traitValues[i] = value;
            f.traitTimes[i] = f.asOf - back;
        }
        f.traitCount = n;
    }

    private static void readTexts(DataInput in, ProfileFeatures f) throws IOException {
        int n = readSize(in);
        Buckets t = new Buckets(3);
        t.ensureCapacity(n + 1);
        long key = bucket(f.asOf, HOUR);
        for (int i = 0; i < n; i++) {
            long gap = Strings.readVarLong(in);
            key = i == 0 ? key - gap * HOUR : key + (gap + 1) * HOUR;
            int slot = t.append(key);
            long texts = readPositive(in, "texts");
            long negative = Strings.readVarLong(in);
            long complaints = Strings.readVarLong(in);
            if (negative < 0 || negative > texts || complaints < 0 || complaints > texts) {
                throw corrupt("text counts " + texts + "/" + negative + "/" + complaints);
            }
            t.cols[T_TEXTS][slot] = texts;
            t.cols[T_NEGATIVE][slot] = negative;
            t.cols[T_COMPLAINTS][slot] = complaints;
        }
        checkWithin(t, cutoff(f.asOf, W_30D), f.asOf, "text");
        f.texts = t;
    }

    private static void checkWithin(Buckets b, long cutoff, long asOf, String what)
            throws IOException {
        if (b.size > 0 && (b.keys[0] <= cutoff || b.keys[b.size - 1] > asOf)) {
            throw corrupt(what + " bucket outside its window");
        }
    }

    private static IOException corrupt(String message) {
        return new IOException("corrupt ProfileFeatures: " + message);
    }

    private static int readSize(DataInput in) throws IOException {
        long n = Strings.readVarLong(in);
        if (n < 0 || n > MAX_DECODED_ENTRIES) {
            throw corrupt("size " + n);
        }
        return (int) n;
    }

    private static long readPositive(DataInput in, String what) throws IOException {
        long v = Strings.readVarLong(in);
        if (v <= 0) {
            throw corrupt(what + " " + v);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ProfileFeatures f)) {
            return false;
        }
        return asOf == f.asOf
                && eventsTotal == f.eventsTotal
                && firstSeen == f.firstSeen
                && lastSeen == f.lastSeen
                && ordersTotal == f.ordersTotal
                && revenueTotal == f.revenueTotal
                && lastOrderTs == f.lastOrderTs
                && firstOrderTs == f.firstOrderTs
                && previousOrderTs == f.previousOrderTs
                && orderTimesUnknown == f.orderTimesUnknown
                && refundsTotal == f.refundsTotal
                && refundedTotal == f.refundedTotal
                && basketOrders == f.basketOrders
                && basketItems == f.basketItems
                && breadthUnknown == f.breadthUnknown
                && marketing == f.marketing
                && marketingTs == f.marketingTs
                && personalization == f.personalization
                && personalizationTs == f.personalizationTs
                && minutes.contentEquals(f.minutes)
                && hours.contentEquals(f.hours)
                && days.contentEquals(f.days)
                && daysFrom == f.daysFrom
                && categories.contentEquals(f.categories)
                && Arrays.equals(dict, 0, dictSize, f.dict, 0, f.dictSize)
                && java.util.Objects.equals(items, f.items)
                && (texts == null
                        ? f.texts == null
                        : f.texts != null && texts.contentEquals(f.texts))
                && Arrays.equals(traitNames, 0, traitCount, f.traitNames, 0, f.traitCount)
                && Arrays.equals(traitValues, 0, traitCount, f.traitValues, 0, f.traitCount)
                && Arrays.equals(traitTimes, 0, traitCount, f.traitTimes, 0, f.traitCount);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(asOf);
        h = 31 * h + Long.hashCode(eventsTotal);
        h = 31 * h + Long.hashCode(firstSeen);
        h = 31 * h + Long.hashCode(lastSeen);
        h = 31 * h + Long.hashCode(ordersTotal);
        h = 31 * h + Long.hashCode(revenueTotal);
        h = 31 * h + Long.hashCode(lastOrderTs);
        h = 31 * h + Long.hashCode(firstOrderTs);
        h = 31 * h + Long.hashCode(previousOrderTs);
        h = 31 * h + (orderTimesUnknown ? 1 : 0);
        h = 31 * h + Long.hashCode(refundsTotal);
        h = 31 * h + Long.hashCode(refundedTotal);
        h = 31 * h + Long.hashCode(basketOrders);
        h = 31 * h + Long.hashCode(basketItems);
        h = 31 * h + (breadthUnknown ? 1 : 0);
        h = 31 * h + marketing;
        h = 31 * h + Long.hashCode(marketingTs);
        h = 31 * h + personalization;
        h = 31 * h + Long.hashCode(personalizationTs);
        h = 31 * h + minutes.contentHash();
        h = 31 * h + hours.contentHash();
        h = 31 * h + days.contentHash();
        h = 31 * h + Long.hashCode(daysFrom);
        h = 31 * h + categories.contentHash();
        for (int c = 0; c < dictSize; c++) {
            h = 31 * h + dict[c].hashCode();
        }
        h = 31 * h + java.util.Objects.hashCode(items);
        h = 31 * h + (texts == null ? 0 : 1 + texts.contentHash());
        for (int i = 0; i < traitCount; i++) {
            h = 31 * h + traitNames[i].hashCode();
            h = 31 * h + traitValues[i].hashCode();
            h = 31 * h + Long.hashCode(traitTimes[i]);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ProfileFeatures{asOf=").append(asOf);
        sb.append(", events=").append(eventsTotal);
        sb.append(", seen=[").append(firstSeen).append(", ").append(lastSeen).append(']');
        sb.append(", orders=").append(ordersTotal);
        sb.append(", revenueMicros=").append(revenueTotal);
        sb.append(", lastOrder=").append(lastOrderTs);
        sb.append(", firstOrder=").append(firstOrderTs);
        sb.append(", previousOrder=").append(previousOrderTs);
        if (orderTimesUnknown) {
            sb.append(", orderTimesUnknown");
        }
        sb.append(", refunds=").append(refundsTotal).append('/').append(refundedTotal);
        sb.append(", baskets=").append(basketOrders).append('/').append(basketItems);
        if (breadthUnknown) {
            sb.append(", breadthUnknown");
        }
        sb.append(", marketing=").append(marketing).append('@').append(marketingTs);
        sb.append(", personalization=").append(personalization);
        sb.append('@').append(personalizationTs);
        sb.append(", minutes=[");
        for (int i = 0; i < minutes.size; i++) {
            sb.append(i == 0 ? "" : ", ").append(minutes.keys[i]).append(':');
            sb.append(minutes.get(M_EVENTS, i)).append('/').append(minutes.get(M_VIEWS, i));
            sb.append('/').append(minutes.get(M_CARTS, i));
            sb.append('/').append(minutes.get(M_ORDERS, i));
        }
        sb.append("], hours=[");
        for (int i = 0; i < hours.size; i++) {
            sb.append(i == 0 ? "" : ", ").append(hours.keys[i]).append(':');
            sb.append(hours.get(H_ORDERS, i)).append('/').append(hours.get(H_REVENUE, i));
        }
        sb.append("], days=[");
        for (int i = 0; i < days.size; i++) {
            sb.append(i == 0 ? "" : ", ").append(days.keys[i]).append(':');
            sb.append(days.get(D_ORDERS, i)).append('/').append(days.get(D_REVENUE, i));
        }
        if (daysFrom != Long.MIN_VALUE) {
            sb.append(" from ").append(daysFrom);
        }
        sb.append("], categories=[");
        for (int i = 0; i < categories.size; i++) {
            long key = categories.keys[i];
            long hour = bucket(key, HOUR);
            sb.append(i == 0 ? "" : ", ").append(hour).append(':');
            sb.append(dict[(int) (key - hour)]).append('=').append(categories.get(C_COUNT, i));
        }
        sb.append(']');
        if (items != null) {
            sb.append(", items=").append(items.items());
        }
        if (texts != null) {
            sb.append(", texts=[");
            for (int i = 0; i < texts.size; i++) {
                sb.append(i == 0 ? "" : ", ").append(texts.keys[i]).append(':');
                sb.append(texts.get(T_TEXTS, i)).append('/').append(texts.get(T_NEGATIVE, i));
                sb.append('/').append(texts.get(T_COMPLAINTS, i));
            }
            sb.append(']');
        }
        if (traitCount > 0) {
            // names and times only: a trait's value may be personal data, this text is logged
            sb.append(", traits=[");
            for (int i = 0; i < traitCount; i++) {
                sb.append(i == 0 ? "" : ", ").append(traitNames[i]).append('@');
                sb.append(traitTimes[i]);
            }
            sb.append(']');
        }
        return sb.append('}').toString();
    }
}
