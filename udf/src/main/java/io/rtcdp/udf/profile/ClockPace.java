package io.rtcdp.udf.profile;

/**
 * How fast a tenant's event-time clock moves against the wall clock, from the clock values seen
 * lately: whether the tenant is catching up on a backlog (its events read much faster than they
 * happened) rather than live. Live, the clock moves at about the wall clock's pace, even when its
 * events lag the wall clock by a constant; reading a backlog, it moves thousands of times faster.
 *
 * <p>The pace is the clock's advance over the wall time of the samples of the last {@link
 * #WINDOW_MILLIS}, up to now: when the clock stops (the backlog is read and no event comes), it
 * falls to zero within the window. Nothing is concluded from less than {@link #MIN_SPAN_MILLIS} of
 * samples. Bounded: one sample per {@link #SAMPLE_MILLIS} of wall time. Not thread-safe.
 *
 * <p>A tenant whose events are read up to within {@link #LIVE_WITHIN_MILLIS} of the wall clock is
 * live whatever its pace: what is left of a backlog is then at most that much event time, and the
 * catch-up ends as the reading gets there rather than {@link #WINDOW_MILLIS} after the last event
 * (the time the pace takes to fall). How far the events are read is the clock, or less: a job that
 * reads several partitions passes what the slowest of them has read ({@link #catchingUp(long,
 * long)}), so that a catch-up ends when every partition reached the present. Clocks are event times
 * (epoch milliseconds) and the wall clock is the job's processing time: a tenant that reads its
 * backlog up to the present, as after an outage, is live as soon as it reaches it; one whose events
 * lag the wall clock by more, or run ahead of it, goes by its pace alone.
 */
public final class ClockPace {
    /**
     * The wall time the pace is measured over: longer than the job's stalls while it reads a
     * backlog (a checkpoint's synchronous part, a long GC pause, backpressure: 5 s seen in a
     * 3M-event catch-up), in which the clock stops although the backlog is not read, so that a
     * stall does not end the catch-up (and let every held refresh go, to be held again right
     * after). A backlog that reaches the present ends its catch-up by {@link #LIVE_WITHIN_MILLIS}
     * without waiting for it.
     */
    public static final long WINDOW_MILLIS = 10_000L;

    /** The least wall time between the samples the pace is concluded from. */
    public static final long MIN_SPAN_MILLIS = 1_000L;

    /** One sample per this much wall time at most. */
    public static final long SAMPLE_MILLIS = 100L;

    /**
     * Event time per wall time above which the tenant is catching up: a minute of event time a
     * second. A job that recovers from an outage at a few times the live pace stays below it.
     */
    public static final double CATCH_UP_PACE = 60.0;

    /**
     * A clock this close to the wall clock (either side) is live, whatever its pace: five minutes,
     * which a catch-up at {@link #CATCH_UP_PACE} reads in five seconds at most.
     */
    public static final long LIVE_WITHIN_MILLIS = 5 * 60_000L;

    private static final int SLOTS = (int) (WINDOW_MILLIS / SAMPLE_MILLIS) + 2;

    private final long[] wall = new long[SLOTS];
    private final long[] clock = new long[SLOTS];
    private int newest = -1;
    private int count;

    /** Notes that the clock was {@code clockMillis} at wall time {@code wallMillis}. */
    public void observe(long wallMillis, long clockMillis) {
        if (count > 0) {
            if (clockMillis <= clock[newest]) {
                return; // it did not move
            }
            if (wallMillis - wall[newest] < SAMPLE_MILLIS) {
                clock[newest] = clockMillis; // the newest sample takes the later clock
                return;
            }
        }
        newest = (newest + 1) % SLOTS;
        wall[newest] = wallMillis;
        clock[newest] = clockMillis;
        count = Math.min(SLOTS, count + 1);
    }

    /** Event time per wall time over the last {@link #WINDOW_MILLIS} up to {@code nowMillis}. */
    public double pace(long nowMillis) {
        if (count == 0) {
            return 0;
        }
        long from = nowMillis - WINDOW_MILLIS;
        int oldest = newest;
        for (int i = 1; i < count; i++) {
            int j = Math.floorMod(newest - i, SLOTS);
            if (wall[j] < from) {
                break;
            }
            oldest = j;
        }
        if (wall[newest] < from || nowMillis - wall[oldest] < MIN_SPAN_MILLIS) {
            return 0; // no movement lately, or too little seen to tell
        }
        return (double) (clock[newest] - clock[oldest]) / (nowMillis - wall[oldest]);
    }

    /**
     * What a job's inputs have read in event time, from their watermark: the watermark plus the
     * out-of-orderness it stays behind the events by (MAX_VALUE at the end of the input).
     */
    public static long readUpTo(long watermark, long outOfOrdernessMillis) {
        return watermark > Long.MAX_VALUE - outOfOrdernessMillis
                ? Long.MAX_VALUE
                : watermark + outOfOrdernessMillis;
    }

    /**
     * Whether the clock moved faster than {@link #CATCH_UP_PACE} lately and is not within {@link
     * #LIVE_WITHIN_MILLIS} of the wall clock.
     */
    public boolean catchingUp(long nowMillis) {
        return catchingUp(nowMillis, Long.MAX_VALUE);
    }

    /**
     * Whether the clock moved faster than {@link #CATCH_UP_PACE} lately, and the events are read up
     * to a point (the clock, or {@code readUpToMillis} if less: e.g. what the slowest partition has
     * read) not within {@link #LIVE_WITHIN_MILLIS} of the wall clock.
     */
    public boolean catchingUp(long nowMillis, long readUpToMillis) {
        long readUpTo = count > 0 ? Math.min(clock[newest], readUpToMillis) : readUpToMillis;
        if (readUpTo >= nowMillis - LIVE_WITHIN_MILLIS
                && readUpTo <= nowMillis + LIVE_WITHIN_MILLIS) {
            return false;
        }
        return pace(nowMillis) > CATCH_UP_PACE;
    }
}
