package io.rtcdp.udf.profile;

/**
 * Bucket and window arithmetic of the windowed features (docs/contract.md §3.3).
 *
 * <p>An event at {@code ts} counts in the window of length {@code w} at {@code asOf} when {@code
 * bucket(ts, granularity(w)) > asOf - w} and {@code ts <= asOf}. Bucketing makes a window lose a
 * whole bucket at once, at {@link #expiry}, so a profile needs one timer per bucket rather than one
 * per event, and the state needs one counter per bucket rather than one entry per event.
 */
public final class WindowMath {
    public static final long MINUTE = 60_000L;
    public static final long HOUR = 60 * MINUTE;
    public static final long DAY = 24 * HOUR;

    public static final long W_24H = DAY;
    public static final long W_30D = 30 * DAY;
    public static final long W_90D = 90 * DAY;
    public static final long W_180D = 180 * DAY;
    public static final long W_365D = 365 * DAY;

    private WindowMath() {}

    /**
     * The bucket size for a window of length {@code w}: one minute up to 24 h, one hour up to 90
     * days, one day above.
     */
    public static long granularity(long w) {
        if (w <= 0) {
            throw new IllegalArgumentException("window length must be positive: " + w);
        }
        return w <= DAY ? MINUTE : w <= W_90D ? HOUR : DAY;
    }

    /** The start of the bucket of size {@code g} holding {@code t}; floors also for negative t. */
    public static long bucket(long t, long g) {
        return t - Math.floorMod(t, g);
    }

    /**
     * {@code asOf - w}, saturated at {@link Long#MIN_VALUE} so that an unset or very early {@code
     * asOf} keeps everything rather than wrapping around.
     */
    public static long cutoff(long asOf, long w) {
        return asOf < Long.MIN_VALUE + w ? Long.MIN_VALUE : asOf - w;
    }

    /** The earliest {@code asOf} at which a bucket starting at {@code b} is out of the window. */
    public static long expiry(long b, long w) {
        return b > Long.MAX_VALUE - w ? Long.MAX_VALUE : b + w;
    }

    /** Whether an event at {@code ts} counts in the window of length {@code w} at {@code asOf}. */
    public static boolean inWindow(long ts, long asOf, long w) {
        return ts <= asOf && bucket(ts, granularity(w)) > cutoff(asOf, w);
    }
}
