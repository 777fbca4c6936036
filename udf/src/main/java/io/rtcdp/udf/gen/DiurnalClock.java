package io.rtcdp.udf.gen;

import java.time.ZoneOffset;

/**
 * Maps generation progress (0 … 1) to event time in [start, end) so that traffic follows the day:
 * quiet at night, peaks at lunch and in the evening, a little more at weekends, in the population's
 * local time. The time range and the event count are then both exact, whatever the behaviour model
 * does, and times come out non-decreasing.
 *
 * <p>Calls must come with non-decreasing progress: a cursor walks the hourly buckets once.
 */
final class DiurnalClock {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    /** Relative traffic per local hour of day, 00:00 … 23:00. */
    private static final double[] HOURLY = {
        0.35, 0.20, 0.12, 0.08, 0.07, 0.10, 0.25, 0.50, 0.75, 0.90, 1.00, 1.05, 1.10, 1.00, 0.95,
        0.95, 0.95, 1.00, 1.10, 1.30, 1.50, 1.55, 1.30, 0.80
    };

    private static final double WEEKEND = 1.15;

    private final long start;
    private final long end;

    /** cum[j]: total weight of buckets 0..j; bucket j covers [start + j h, start + (j+1) h). */
    private final double[] cum;

    private int cursor;

    DiurnalClock(long start, long end, ZoneOffset zone) {
        if (end <= start) {
            throw new IllegalArgumentException("empty time range");
        }
        this.start = start;
        this.end = end;
        long offsetMs = zone.getTotalSeconds() * 1000L;
        int buckets = Math.toIntExact((end - start + HOUR - 1) / HOUR);
        cum = new double[buckets];
        double total = 0;
        for (int j = 0; j < buckets; j++) {
            long from = start + j * HOUR;
            long len = Math.min(HOUR, end - from);
            long localMid = from + len / 2 + offsetMs;
            int hour = (int) Math.floorMod(localMid, DAY) / (int) HOUR;
            long epochDay = Math.floorDiv(localMid, DAY);
            // Epoch day 0 was a Thursday: (day + 3) mod 7 counts from Monday = 0.
            boolean weekend = Math.floorMod(epochDay + 3, 7) >= 5;
            total += HOURLY[hour] * (weekend ? WEEKEND : 1.0) * len;
            cum[j] = total;
        }
    }

    /** The event time at progress {@code u} in [0, 1); never before start, always before end. */
    long at(double u) {
        double w = u * cum[cum.length - 1];
        while (cursor < cum.length - 1 && cum[cursor] <= w) {
            cursor++;
        }
        double before = cursor == 0 ? 0 : cum[cursor - 1];
        long from = start + cursor * HOUR;
        long len = Math.min(HOUR, end - from);
        double frac = (w - before) / (cum[cursor] - before);
        long offset = (long) (frac * len);
        return from + Math.max(0, Math.min(len - 1, offset));
    }
}
