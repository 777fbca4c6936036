package io.rtcdp.operators.sink;

import java.util.Arrays;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The latency histograms of the Redis profile writer: how long a flush takes (µs), and how fresh
 * the profiles are when they reach Redis. Freshness is measured per update that an event caused
 * ({@link ProfileUpdate#eventTime()} set), once the flush that wrote it has succeeded:
 *
 * <ul>
 *   <li>{@value #EVENT_TIME_LAG}: write wall-clock − the event's time. During a backfill this is
 *       the age of the data, not a delay of the job.
 *   <li>{@value #INGEST_LAG}: write wall-clock − when the event entered the job (the time through
 *       the job, including buffering in the sink); only for events stamped on entry.
 * </ul>
 *
 * <p>Not thread-safe: used by the writer's task thread only (the reporter reads the histograms,
 * which Flink's histogram implementation allows).
 */
final class RedisWriteMetrics {
    static final String FLUSH_MICROS = "redisFlushMicros";
    static final String EVENT_TIME_LAG = "freshnessEventTimeLagMillis";
    static final String INGEST_LAG = "freshnessIngestLagMillis";

    /** Samples each histogram keeps: enough for stable p99 over the last few seconds. */
    private static final int WINDOW = 4096;

    private final Histogram flushMicros = new DescriptiveStatisticsHistogram(WINDOW);
    private final Histogram eventTimeLag = new DescriptiveStatisticsHistogram(WINDOW);
    private final Histogram ingestLag = new DescriptiveStatisticsHistogram(WINDOW);

    /** Times of the buffered updates that events caused, in arrival order. */
    private long[] eventTimes = new long[64];

    private long[] ingestTimes = new long[64];
    private int pending;

    RedisWriteMetrics(MetricGroup group) {
        group.histogram(FLUSH_MICROS, flushMicros);
        group.histogram(EVENT_TIME_LAG, eventTimeLag);
        group.histogram(INGEST_LAG, ingestLag);
    }

    /** Notes an update as it enters the buffer. */
    void buffered(ProfileUpdate u) {
        if (u.eventTime() <= 0) {
            return;
        }
        if (pending == eventTimes.length) {
            eventTimes = Arrays.copyOf(eventTimes, pending * 2);
            ingestTimes = Arrays.copyOf(ingestTimes, pending * 2);
        }
        eventTimes[pending] = u.eventTime();
        ingestTimes[pending] = u.ingestedAt();
        pending++;
    }

    /**
     * Records a successful flush that took {@code nanos} (retries included) and wrote every
     * buffered update.
     */
    void flushed(long nanos) {
        flushMicros.update(nanos / 1_000);
        if (pending == 0) {
            return;
        }
        long now = System.currentTimeMillis();
        for (int i = 0; i < pending; i++) {
            eventTimeLag.update(Math.max(0, now - eventTimes[i]));
            if (ingestTimes[i] > 0) {
                ingestLag.update(Math.max(0, now - ingestTimes[i]));
            }
        }
        pending = 0;
        if (eventTimes.length > 4096) {
            // a burst grew the arrays; give the memory back
            eventTimes = new long[64];
            ingestTimes = new long[64];
        }
    }
}
