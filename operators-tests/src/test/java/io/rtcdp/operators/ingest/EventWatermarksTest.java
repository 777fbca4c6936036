package io.rtcdp.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.event.ParserConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.junit.jupiter.api.Test;

class EventWatermarksTest {
    static final long T = 1_699_999_999_000L;
    final EventParser parser = new EventParser(ParserConfig.defaults());

    Parsed event(long ts) {
        String json =
                "{\"event_id\":\"e"
                        + ts
                        + "\",\"tenant\":\"acme\",\"type\":\"page\",\"ts\":"
                        + ts
                        + ",\"ids\":{\"cookie_id\":\"c\"}}";
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), "test");
    }

    /** The watermarks the strategy emits after each of the records. */
    List<Long> watermarks(WatermarkStrategy<Parsed> s, Parsed... records) {
        WatermarkGenerator<Parsed> g = s.createWatermarkGenerator(null);
        List<Long> out = new ArrayList<>();
        WatermarkOutput o =
                new WatermarkOutput() {
                    @Override
                    public void emitWatermark(Watermark w) {
                        out.add(w.getTimestamp());
                    }

                    @Override
                    public void markIdle() {}

                    @Override
                    public void markActive() {}
                };
        for (Parsed p : records) {
            long ts = s.createTimestampAssigner(null).extractTimestamp(p, Long.MIN_VALUE);
            g.onEvent(p, ts, o);
            g.onPeriodicEmit(o);
        }
        return out;
    }

    @Test
    void eventsAfterAReplaysCutoffDoNotMoveEventTime() {
        Duration ooo = Duration.ofSeconds(10);
        Parsed bad = parser.parse("{".getBytes(StandardCharsets.UTF_8), "test");
        assertThat(
                        watermarks(
                                EventWatermarks.strategy(ooo, Duration.ZERO, T),
                                event(T - 5_000),
                                event(T + 60_000),
                                bad,
                                event(T)))
                .containsExactly(T - 15_001, T - 15_001, T - 15_001, T - 10_001);
        assertThat(
                        watermarks(
                                EventWatermarks.strategy(ooo, Duration.ZERO),
                                event(T - 5_000),
                                event(T + 60_000)))
                .containsExactly(T - 15_001, T + 49_999);
    }
}
