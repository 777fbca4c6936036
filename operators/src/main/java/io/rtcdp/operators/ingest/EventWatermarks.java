package io.rtcdp.operators.ingest;

import io.rtcdp.udf.event.Parsed;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event-time watermarks from valid events only: the largest event time seen minus the
 * out-of-orderness bound. Dead letters carry no trustworthy time and must not move event time.
 */
public final class EventWatermarks {
    private EventWatermarks() {}

    public static WatermarkStrategy<Parsed> strategy(Duration outOfOrderness, Duration idleness) {
        return strategy(outOfOrderness, idleness, Long.MAX_VALUE);
    }

    /**
     * As above, for a replay to a cutoff ({@link ParsedRouter#ParsedRouter(long)}): events after
     * {@code until}, which are left out, do not move event time either.
     */
    public static WatermarkStrategy<Parsed> strategy(
            Duration outOfOrderness, Duration idleness, long until) {
        long bound = outOfOrderness.toMillis();
        WatermarkStrategy<Parsed> s =
                WatermarkStrategy.<Parsed>forGenerator(ctx -> new Generator(bound, until))
                        .withTimestampAssigner(
                                (p, recordTs) -> p.isValid() ? p.event().ts() : recordTs);
        return idleness.isZero() ? s : s.withIdleness(idleness);
    }

    private static final class Generator implements WatermarkGenerator<Parsed> {
        private final long bound;
        private final long until;
        private long maxTs = Long.MIN_VALUE;

        Generator(long bound, long until) {
            this.bound = bound;
            this.until = until;
        }

        @Override
        public void onEvent(Parsed p, long ts, WatermarkOutput out) {
            if (p.isValid() && ts > maxTs && ts <= until) {
                maxTs = ts;
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {
            if (maxTs != Long.MIN_VALUE) {
                out.emitWatermark(new Watermark(maxTs - bound - 1));
            }
        }
    }
}
