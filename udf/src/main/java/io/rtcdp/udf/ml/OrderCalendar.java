package io.rtcdp.udf.ml;

import java.util.Arrays;

/**
 * A tenant's orders per UTC day over the history a model was trained on, and the seasonal
 * calibration it gives the model's probabilities (docs/models.md, "Seasonal calibration").
 *
 * <p>A model learns from labels that are known only once their horizon has passed: at time {@code
 * t} its latest labels are of snapshots around {@code t − H}, whose outcome window {@code [t − H,
 * t)} is a different season from the window {@code [t, t + H)} it predicts. The calendar measures
 * that difference a year earlier: the <em>seasonal factor</em>
 *
 * <pre>
 *   s(t, H) = orders in [t − Y, t − Y + H) / orders in [t − Y − H, t − Y),   Y = 365 days,
 * </pre>
 *
 * in whole UTC days, and a probability {@code q} of <em>no</em> order within the horizon becomes
 * {@code q^s}: each customer's order rate scaled by {@code s}, as for a Poisson process whose
 * intensity follows the season. (A purchase probability {@code p} becomes {@code 1 − (1 − p)^s}.)
 * The factor is 1 — no calibration — when either window reaches outside the calendar (less than a
 * year and a horizon of history), or holds fewer than {@link #MIN_ORDERS} orders; it is held within
 * {@code [1/4, 4]}. The factor is the same for every customer of the tenant on a day, so a model's
 * ranking (AUC, lift, the marketing score's rank) does not change; only its calibration does.
 *
 * <p>Immutable; windows are summed from prefix sums, so a factor costs two subtractions.
 */
public final class OrderCalendar {
    /** A year, in days: the seasonal factor compares windows this long before. */
    public static final int YEAR_DAYS = 365;

    /** Orders each of the two windows needs for a factor other than 1. */
    public static final long MIN_ORDERS = 100;

    /** The factor's bounds: {@code [1/MAX_FACTOR, MAX_FACTOR]}. */
    public static final double MAX_FACTOR = 4;

    /** Days a calendar keeps at most (about six years): older days are never compared. */
    public static final int MAX_DAYS = 6 * YEAR_DAYS;

    private final long firstDay;

    /**
     * {@code cumulative[i]}: orders of the days before {@code firstDay + i}; the calendar itself.
     */
    private final long[] cumulative;

    /**
     * @param firstDay the epoch day (UTC) of {@code orders[0]}
     * @param orders orders per day, from {@code firstDay} on, every day up to the calendar's last
     */
    public OrderCalendar(long firstDay, long[] orders) {
        if (orders.length == 0 || orders.length > MAX_DAYS) {
            throw new IllegalArgumentException(
                    "an order calendar has 1 to " + MAX_DAYS + " days, got " + orders.length);
        }
        this.firstDay = firstDay;
        this.cumulative = new long[orders.length + 1];
        for (int i = 0; i < orders.length; i++) {
            if (orders[i] < 0 || orders[i] > Long.MAX_VALUE / MAX_DAYS) {
                throw new IllegalArgumentException(
                        "an order calendar's counts are ≥ 0 and below "
                                + Long.MAX_VALUE / MAX_DAYS);
            }
            cumulative[i + 1] = cumulative[i] + orders[i];
        }
    }

    /** The epoch day (UTC) of the first day. */
    public long firstDay() {
        return firstDay;
    }

    /**
     * The calendar of order times (ms, any order) up to {@code until} (inclusive); null if none.
     */
    public static OrderCalendar of(long[] orderTimes, long until) {
        long first = Long.MAX_VALUE;
        for (long t : orderTimes) {
            if (t <= until) {
                first = Math.min(first, day(t));
            }
        }
        if (first == Long.MAX_VALUE) {
            return null;
        }
        long last = day(until);
        long from = Math.max(first, last - MAX_DAYS + 1);
        long[] n = new long[(int) (last - from + 1)];
        for (long t : orderTimes) {
            long d = day(t);
            if (t <= until && d >= from) {
                n[(int) (d - from)]++;
            }
        }
        return new OrderCalendar(from, n);
    }

    /** The epoch day (UTC) of a time in ms. */
    public static long day(long millis) {
        return Math.floorDiv(millis, LabelSpec.DAY_MILLIS);
    }

    /** The epoch day of the calendar's last day. */
    public long lastDay() {
        return firstDay + cumulative.length - 2;
    }

    /** Orders in the days {@code [from, to)}; -1 when they reach outside the calendar. */
    long ordersIn(long from, long to) {
        if (from < firstDay || to - 1 > lastDay() || to <= from) {
            return -1;
        }
        return cumulative[(int) (to - firstDay)] - cumulative[(int) (from - firstDay)];
    }

    /** The seasonal factor {@code s(t, H)} (class comment); 1 where the calendar cannot tell. */
    public double factor(long t, int horizonDays) {
        long target = day(t) - YEAR_DAYS;
        long ahead = ordersIn(target, target + horizonDays);
        long before = ordersIn(target - horizonDays, target);
        if (ahead < MIN_ORDERS || before < MIN_ORDERS) {
            return 1;
        }
        return Math.max(1 / MAX_FACTOR, Math.min(MAX_FACTOR, (double) ahead / before));
    }

    /**
     * The days whose scores the calendar can calibrate for a horizon: both windows inside it, from
     * {@code firstDay + Y + H} to {@code lastDay + Y − H + 1} (epoch days; empty when the first is
     * after the last). A window with fewer than {@link #MIN_ORDERS} orders calibrates nothing
     * either.
     */
    public long[] calibratedDays(int horizonDays) {
        return new long[] {
            firstDay + YEAR_DAYS + horizonDays, lastDay() + YEAR_DAYS - horizonDays + 1
        };
    }

    /** What {@link #calibratedDays} means for a model of this horizon, for logs and commands. */
    public String describe(int horizonDays) {
        long[] d = calibratedDays(horizonDays);
        String calendar =
                "order calendar "
                        + java.time.LocalDate.ofEpochDay(firstDay)
                        + " to "
                        + java.time.LocalDate.ofEpochDay(lastDay());
        if (d[0] > d[1]) {
            return calendar + ": shorter than two horizons, no seasonal calibration";
        }
        return calendar
                + ": seasonally calibrated for scores as of "
                + java.time.LocalDate.ofEpochDay(d[0])
                + " to "
                + java.time.LocalDate.ofEpochDay(d[1])
                + " (retrain before the end)";
    }

    /**
     * A model's probability calibrated by the factor {@code s}.
     *
     * @param p the model's probability of its positive label
     * @param purchaseIsPositive whether the positive label is an order within the horizon
     *     (purchase), else no order (churn)
     */
    public static double calibrate(double p, double s, boolean purchaseIsPositive) {
        if (s == 1) {
            return p;
        }
        double none = purchaseIsPositive ? 1 - p : p;
        double calibrated = Math.pow(none, s);
        return purchaseIsPositive ? 1 - calibrated : calibrated;
    }

    /** {@code p} calibrated for a model of label {@code label} scored at {@code t}. */
    public double calibrate(double p, long t, LabelSpec label) {
        return calibrate(p, factor(t, label.horizonDays()), label.label(true) == 1);
    }

    /** Orders per day from {@link #firstDay()} on (a copy). */
    public long[] orders() {
        long[] n = new long[cumulative.length - 1];
        for (int i = 0; i < n.length; i++) {
            n[i] = cumulative[i + 1] - cumulative[i];
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OrderCalendar c
                && c.firstDay == firstDay
                && Arrays.equals(c.cumulative, cumulative);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(firstDay) * 31 + Arrays.hashCode(cumulative);
    }

    @Override
    public String toString() {
        return "OrderCalendar["
                + (cumulative.length - 1)
                + " days from epoch day "
                + firstDay
                + "]";
    }
}
