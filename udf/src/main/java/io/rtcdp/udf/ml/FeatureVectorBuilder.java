package io.rtcdp.udf.ml;

import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.ProfileValues;
import java.util.List;

/**
 * Turns a rendered profile into a model's input vector. The one place where features are computed
 * for training, evaluation and serving alike: all three render {@link ProfileFeatures} (the profile
 * operator's state) with {@link ProfileFeatures#render} and pass that here, so a model sees in
 * production exactly the numbers it was trained on.
 *
 * <p>Sources are the numeric profile features without their {@code f.} prefix, plus three derived
 * ones: {@code tenure_days} ({@code as_of − first_seen} in whole days), {@code
 * days_since_last_seen} ({@code as_of − last_seen}) and {@code has_orders} (1 when {@code
 * f.orders_total > 0}, else 0; the indicator that goes with a missing {@code
 * days_since_last_order}).
 *
 * <p>Two more come from the BG/NBD model ({@link BgNbd}) when the builder has its parameters:
 * {@code p_alive} (the probability that the customer has not dropped out) and {@code
 * bgnbd_purchase} (the probability of a purchase within the model's label horizon). BG/NBD sees a
 * profile as {@code x = f.orders_total − 1} repeat purchases, {@code tx = f.order_gap_days × x}
 * days from the first order to the latest and {@code age = tx + f.days_since_last_order} days since
 * the first order; a profile without orders as a customer whose first purchase is now. They are
 * absent (the spec's {@code missing}) without parameters.
 *
 * <p>Immutable and thread-safe.
 */
public final class FeatureVectorBuilder {
    /** Every name a {@link FeatureSpec} may use. */
    public static final List<String> SOURCES =
            List.of(
                    "events_total",
                    "orders_total",
                    "revenue_total",
                    "avg_order_value",
                    "days_since_last_order",
                    "orders_30d",
                    "revenue_30d",
                    "orders_90d",
                    "revenue_90d",
                    "events_24h",
                    "views_24h",
                    "cart_adds_24h",
                    "orders_24h",
                    "tenure_days",
                    "days_since_last_seen",
                    "has_orders",
                    "order_gap_days",
                    "last_order_gap_days",
                    "order_gap_ratio",
                    "orders_180d",
                    "revenue_180d",
                    "orders_365d",
                    "revenue_365d",
                    "orders_next_90d_last_year",
                    "order_trend_90d",
                    "refunds_total",
                    "refunded_total",
                    "avg_basket_items",
                    "categories_30d",
                    "p_alive",
                    "bgnbd_purchase");

    private static final int TENURE = -1;
    private static final int SINCE_SEEN = -2;
    private static final int HAS_ORDERS = -3;
    private static final int P_ALIVE = -4;
    private static final int BGNBD_PURCHASE = -5;

    private static final int I_AS_OF = index(ProfileFields.AS_OF);
    private static final int I_FIRST_SEEN = index(ProfileFields.FIRST_SEEN);
    private static final int I_LAST_SEEN = index(ProfileFields.LAST_SEEN);
    private static final int I_ORDERS_TOTAL = index(ProfileFields.ORDERS_TOTAL);
    private static final int I_SINCE_ORDER = index(ProfileFields.DAYS_SINCE_LAST_ORDER);
    private static final int I_ORDER_GAP = index(ProfileFields.ORDER_GAP_DAYS);

    private final List<FeatureSpec> features;
    private final int[] source;

    /** BG/NBD's parameters (in days), null when the model has none. */
    private final BgNbd.Params bgNbd;

    /** The label horizon in days, for {@code bgnbd_purchase}. */
    private final double horizonDays;

    /** A builder without BG/NBD parameters: {@code p_alive} and {@code bgnbd_purchase} absent. */
    public FeatureVectorBuilder(List<FeatureSpec> features) {
        this(features, null, 0);
    }

    /**
     * @param bgNbd BG/NBD's parameters in days, or null
     * @param horizonDays the label's horizon, for {@code bgnbd_purchase}
     */
    public FeatureVectorBuilder(
            List<FeatureSpec> features, BgNbd.Params bgNbd, double horizonDays) {
        this.bgNbd = bgNbd;
        this.horizonDays = horizonDays;
        if (features.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one feature");
        }
        this.features = List.copyOf(features);
        this.source = new int[features.size()];
        for (int i = 0; i < source.length; i++) {
            String name = features.get(i).name();
            source[i] =
                    switch (name) {
                        case "tenure_days" -> TENURE;
                        case "days_since_last_seen" -> SINCE_SEEN;
                        case "has_orders" -> HAS_ORDERS;
                        case "p_alive" -> P_ALIVE;
                        case "bgnbd_purchase" -> BGNBD_PURCHASE;
                        default -> index("f." + name);
                    };
        }
    }

    /** Whether {@code source} is computed from BG/NBD's parameters. */
    public static boolean isBgNbd(String source) {
        return source.equals("p_alive") || source.equals("bgnbd_purchase");
    }

    private static int index(String field) {
        int i = ProfileFields.FEATURE_FIELDS.indexOf(field);
        if (i < 0) {
            throw new IllegalStateException("not a rendered profile field: " + field);
        }
        return i;
    }

    public List<FeatureSpec> features() {
        return features;
    }

    public int size() {
        return source.length;
    }

    /** A rendering buffer for {@link ProfileFeatures#render}. */
    public static String[] renderBuffer() {
        return new String[ProfileFields.FEATURE_FIELDS.size()];
    }

    /** The input vector of a profile, from its typed values. */
    public double[] build(ProfileFeatures profile) {
        ProfileValues values = new ProfileValues();
        profile.values(values);
        double[] out = new double[source.length];
        build(values, out);
        return out;
    }

    /**
     * Fills {@code out} (length {@link #size()}) from a profile's typed values, without allocating:
     * bit for bit what {@link #build(String[], double[])} makes of their rendering (the decision
     * stage's path; the text path serves files of rendered profiles).
     */
    public void build(ProfileValues values, double[] out) {
        if (out.length != source.length) {
            throw new IllegalArgumentException("output of the wrong length");
        }
        for (int i = 0; i < source.length; i++) {
            out[i] = features.get(i).value(raw(values, source[i]));
        }
    }

    private double raw(ProfileValues v, int src) {
        return switch (src) {
            case P_ALIVE, BGNBD_PURCHASE ->
                    bgNbd(
                            src,
                            v.has(ProfileValues.ORDERS_TOTAL) ? v.number(I_ORDERS_TOTAL) : 0,
                            v.has(I_ORDER_GAP) ? v.number(I_ORDER_GAP) : Double.NaN,
                            v.has(I_SINCE_ORDER) ? v.number(I_SINCE_ORDER) : Double.NaN);
            case TENURE -> days(v, ProfileValues.FIRST_SEEN);
            case SINCE_SEEN -> days(v, ProfileValues.LAST_SEEN);
            case HAS_ORDERS ->
                    v.has(ProfileValues.ORDERS_TOTAL) && v.unscaled(ProfileValues.ORDERS_TOTAL) > 0
                            ? 1
                            : 0;
            default -> v.has(src) ? v.number(src) : Double.NaN;
        };
    }

    private static double days(ProfileValues v, int then) {
        if (!v.has(ProfileValues.AS_OF) || !v.has(then)) {
            return Double.NaN;
        }
        return Math.floorDiv(
                v.unscaled(ProfileValues.AS_OF) - v.unscaled(then), LabelSpec.DAY_MILLIS);
    }

    /** The input vector of a rendered profile ({@link ProfileFields#FEATURE_FIELDS} order). */
    public double[] build(String[] rendered) {
        double[] out = new double[source.length];
        build(rendered, out);
        return out;
    }

    /** Fills {@code out} (length {@link #size()}) from a rendered profile, without allocating. */
    public void build(String[] rendered, double[] out) {
        if (rendered.length != ProfileFields.FEATURE_FIELDS.size() || out.length != source.length) {
            throw new IllegalArgumentException("rendered profile or output of the wrong length");
        }
        for (int i = 0; i < source.length; i++) {
            out[i] = features.get(i).value(raw(rendered, source[i]));
        }
    }

    private double raw(String[] r, int src) {
        return switch (src) {
            case P_ALIVE, BGNBD_PURCHASE ->
                    bgNbd(
                            src,
                            r[I_ORDERS_TOTAL] == null ? 0 : number(r[I_ORDERS_TOTAL]),
                            number(r[I_ORDER_GAP]),
                            number(r[I_SINCE_ORDER]));
            case TENURE -> days(r[I_AS_OF], r[I_FIRST_SEEN]);
            case SINCE_SEEN -> days(r[I_AS_OF], r[I_LAST_SEEN]);
            case HAS_ORDERS -> number(r[I_ORDERS_TOTAL]) > 0 ? 1 : 0;
            default -> number(r[src]);
        };
    }

    /**
     * {@code p_alive} or {@code bgnbd_purchase} of a profile of {@code orders} orders, the mean
     * {@code gap} between them and {@code sinceOrder} days since the latest (NaN: absent); NaN
     * without parameters.
     */
    private double bgNbd(int src, double orders, double gap, double sinceOrder) {
        if (bgNbd == null) {
            return Double.NaN;
        }
        boolean ordered = orders >= 1 && !Double.isNaN(sinceOrder);
        double x = ordered ? repeatPurchases(orders, gap) : 0;
        double tx = x * (x > 0 ? gap : 0);
        double age = ordered ? tx + Math.max(0, sinceOrder) : 0;
        return src == P_ALIVE
                ? BgNbd.pAlive(bgNbd, x, tx, age)
                : BgNbd.probabilityOfPurchase(bgNbd, x, tx, age, horizonDays);
    }

    /** BG/NBD's x: orders all at one time are one purchase occasion, as its fit counts them. */
    private static double repeatPurchases(double orders, double gap) {
        return orders >= 2 && gap > 0 ? orders - 1 : 0;
    }

    /**
     * A profile as BG/NBD sees it (contract §7.2): x = {@code f.orders_total} − 1 repeat purchases,
     * {@code t_x = f.order_gap_days × x} and {@code T = t_x + f.days_since_last_order}, in days;
     * null for a profile without orders.
     */
    public static BgNbd.Customer customer(ProfileValues v) {
        if (!v.has(I_SINCE_ORDER) || !v.has(ProfileValues.ORDERS_TOTAL)) {
            return null;
        }
        double gap = v.has(I_ORDER_GAP) ? v.number(I_ORDER_GAP) : Double.NaN;
        double x = repeatPurchases(v.number(I_ORDERS_TOTAL), gap);
        double tx = x * (x > 0 ? gap : 0);
        return new BgNbd.Customer(x, tx, tx + Math.max(0, v.number(I_SINCE_ORDER)));
    }

    /** BG/NBD's parameters of the model, null without. */
    public BgNbd.Params bgNbdParams() {
        return bgNbd;
    }

    /** The model's label horizon in days, BG/NBD's prediction horizon. */
    public double horizonDays() {
        return horizonDays;
    }

    private static double days(String asOf, String then) {
        if (asOf == null || then == null) {
            return Double.NaN;
        }
        return Math.floorDiv(Long.parseLong(asOf) - Long.parseLong(then), LabelSpec.DAY_MILLIS);
    }

    /** The value of a rendered decimal, NaN when absent. */
    private static double number(String s) {
        return s == null ? Double.NaN : parseDecimal(s);
    }

    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15
    };

    /**
     * {@link Double#parseDouble}, bit for bit, with a fast path for what profiles render ({@code
     * 12}, {@code -3}, {@code 1234.56}): at most 15 digits make an exact mantissa and 10^k is
     * exact, so their quotient is the correctly rounded value parseDouble returns. Anything else
     * (exponents, more digits, NaN) goes to parseDouble. Runs for every model input of every
     * profile update.
     */
    static double parseDecimal(String s) {
        int n = s.length();
        int i = 0;
        boolean negative = false;
        if (n > 0 && s.charAt(0) == '-') {
            negative = true;
            i = 1;
        }
        long mantissa = 0;
        int digits = 0;
        int fraction = -1;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++digits > 15) {
                    return Double.parseDouble(s);
                }
                mantissa = mantissa * 10 + (c - '0');
                if (fraction >= 0) {
                    fraction++;
                }
            } else if (c == '.' && fraction < 0) {
                fraction = 0;
            } else {
                return Double.parseDouble(s);
            }
        }
        if (digits == 0 || fraction == 0) {
            return Double.parseDouble(s); // "", "-", "1.", ".": parseDouble's answer or error
        }
        double v = fraction > 0 ? mantissa / POW10[fraction] : (double) mantissa;
        return negative ? -v : v;
    }
}
