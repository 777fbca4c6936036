package io.rtcdp.udf.profile;

import java.util.List;

/** Names of the profile hash fields (docs/contract.md §3.2) that the profile operator writes. */
public final class ProfileFields {
    public static final String ONEID = "oneid";
    public static final String VER = "ver";
    public static final String UPDATED_AT = "updated_at";
    public static final String AS_OF = "as_of";
    public static final String FIRST_SEEN = "first_seen";
    public static final String LAST_SEEN = "last_seen";
    public static final String IDS = "ids";

    /**
     * Merge history (docs/contract.md §3.2): {@code oneid@eventTime via type:value}, newest first,
     * comma-separated (at most 64); absent for a profile nothing merged into.
     */
    public static final String MERGES = "merges";

    public static final String EVENTS_TOTAL = "f.events_total";
    public static final String ORDERS_TOTAL = "f.orders_total";
    public static final String REVENUE_TOTAL = "f.revenue_total";
    public static final String AVG_ORDER_VALUE = "f.avg_order_value";
    public static final String DAYS_SINCE_LAST_ORDER = "f.days_since_last_order";
    public static final String ORDERS_30D = "f.orders_30d";
    public static final String REVENUE_30D = "f.revenue_30d";
    public static final String ORDERS_90D = "f.orders_90d";
    public static final String REVENUE_90D = "f.revenue_90d";
    public static final String EVENTS_24H = "f.events_24h";
    public static final String VIEWS_24H = "f.views_24h";
    public static final String CART_ADDS_24H = "f.cart_adds_24h";
    public static final String ORDERS_24H = "f.orders_24h";
    public static final String TOP_CATEGORY_30D = "f.top_category_30d";
    public static final String TEXTS_30D = "f.texts_30d";
    public static final String NEGATIVE_TEXTS_30D = "f.negative_texts_30d";
    public static final String COMPLAINTS_30D = "f.complaints_30d";

    /** Mean days between the profile's orders: (last − first) / (orders − 1); from 2 orders. */
    public static final String ORDER_GAP_DAYS = "f.order_gap_days";

    /** Days between the last two orders; from 2 orders. */
    public static final String LAST_ORDER_GAP_DAYS = "f.last_order_gap_days";

    /** Days since the last order over the mean gap: above 1, later than the profile's rhythm. */
    public static final String ORDER_GAP_RATIO = "f.order_gap_ratio";

    /** Orders in the last 180 days (day buckets). */
    public static final String ORDERS_180D = "f.orders_180d";

    public static final String REVENUE_180D = "f.revenue_180d";

    /** Orders in the last 365 days (day buckets). */
    public static final String ORDERS_365D = "f.orders_365d";

    public static final String REVENUE_365D = "f.revenue_365d";

    /**
     * The trend of orders: those of the last 90 days less those of the 90 days before them, {@code
     * 2 × f.orders_90d − f.orders_180d}.
     */
    public static final String ORDER_TREND_90D = "f.order_trend_90d";

    /** Orders a year ago in the 90 days that follow: (as_of − 365 d, as_of − 275 d]. */
    public static final String ORDERS_NEXT_90D_LAST_YEAR = "f.orders_next_90d_last_year";

    /** {@code order_refunded} events; only for profiles with one (contract 2.15). */
    public static final String REFUNDS_TOTAL = "f.refunds_total";

    /** The sum of their {@code props.amount}; with {@link #REFUNDS_TOTAL}. */
    public static final String REFUNDED_TOTAL = "f.refunded_total";

    /**
     * The mean number of distinct items (skus of {@code props.items}) per {@code order_completed}
     * with items; only for profiles with such an order.
     */
    public static final String AVG_BASKET_ITEMS = "f.avg_basket_items";

    /** Distinct {@code props.category} values in the last 30 days; absent without any. */
    public static final String CATEGORIES_30D = "f.categories_30d";

    /** Lifecycle stage (docs/contract.md §3.2), rendered by the profile stage. */
    public static final String LIFECYCLE = "lifecycle";

    public static final String CONSENT_MARKETING = "consent.marketing";
    public static final String CONSENT_PERSONALIZATION = "consent.personalization";

    /**
     * The fields rendered from {@code ProfileFeatures}, in the fixed order of {@code
     * ProfileFeatures#render(String[])}.
     */
    public static final List<String> FEATURE_FIELDS =
            List.of(
                    AS_OF,
                    FIRST_SEEN,
                    LAST_SEEN,
                    EVENTS_TOTAL,
                    ORDERS_TOTAL,
                    REVENUE_TOTAL,
                    AVG_ORDER_VALUE,
                    DAYS_SINCE_LAST_ORDER,
                    ORDERS_30D,
                    REVENUE_30D,
                    ORDERS_90D,
                    REVENUE_90D,
                    EVENTS_24H,
                    VIEWS_24H,
                    CART_ADDS_24H,
                    ORDERS_24H,
                    TOP_CATEGORY_30D,
                    CONSENT_MARKETING,
                    CONSENT_PERSONALIZATION,
                    // after the others, so that values written before them read as they were
                    TEXTS_30D,
                    NEGATIVE_TEXTS_30D,
                    COMPLAINTS_30D,
                    ORDER_GAP_DAYS,
                    LAST_ORDER_GAP_DAYS,
                    ORDER_GAP_RATIO,
                    ORDERS_180D,
                    REVENUE_180D,
                    ORDERS_365D,
                    REVENUE_365D,
                    ORDERS_NEXT_90D_LAST_YEAR,
                    ORDER_TREND_90D,
                    REFUNDS_TOTAL,
                    REFUNDED_TOTAL,
                    AVG_BASKET_ITEMS,
                    CATEGORIES_30D);

    private ProfileFields() {}
}
