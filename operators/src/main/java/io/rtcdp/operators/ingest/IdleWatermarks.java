package io.rtcdp.operators.ingest;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks of a source whose records carry no event time (the operators' commands, whose time is
 * the wall clock of their issue): the source declares itself idle and never emits a watermark.
 *
 * <p>Unioned with the events, it then neither holds back nor moves its consumers' watermark, which
 * is the events' alone. Neither alternative works: a source without watermarks holds its consumers
 * at the start of time, and one at the end of time ({@code Long.MAX_VALUE}) becomes its consumers'
 * watermark as soon as every events partition goes idle ({@code source.idleness}); a watermark
 * never moves back, so event time would end at the first quiet spell and no refresh timer would
 * fire again.
 */
public final class IdleWatermarks {
    private IdleWatermarks() {}

    public static <T> WatermarkStrategy<T> strategy() {
        return WatermarkStrategy.forGenerator(ctx -> new Generator<>());
    }

    static final class Generator<T> implements WatermarkGenerator<T> {
        @Override
        public void onEvent(T record, long timestamp, WatermarkOutput out) {
            out.markIdle();
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {
            out.markIdle();
        }
    }
}
