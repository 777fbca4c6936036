package io.rtcdp.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {
    static final long DAY = 86_400_000L;

    static Event event(String tenant, String id, long ts) {
        return new Event(
                tenant,
                id,
                EventType.PAGE,
                null,
                ts,
                null,
                List.of(new Id("cookie_id", "c1")),
                null,
                null,
                null,
                null,
                null,
                Map.of(),
                null);
    }

    @Test
    void dropsRepeatsWithinTheWindowInAnyOrderAndPerTenant() throws Exception {
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new Deduplicator(Duration.ofDays(7), Duration.ofDays(1))),
                        Deduplicator.KEY,
                        Types.STRING)) {
            h.open();
            h.processElement(event("a", "e1", 10 * DAY), 0);
            h.processElement(event("a", "e1", 10 * DAY), 0); // exact repeat
            h.processElement(event("a", "e1", 4 * DAY), 0); // earlier, within 7 days
            h.processElement(event("b", "e1", 10 * DAY), 0); // other tenant: not a repeat
            h.processElement(event("a", "e1", 17 * DAY), 0); // 7 days later: outside the window
            h.processElement(event("a", "e1", 20 * DAY), 0); // within 7 days of the one above
            h.processElement(event("a", "e2", 10 * DAY), 0);
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.tenant() + "/" + e.eventId() + "@" + e.ts() / DAY)
                    .containsExactly("a/e1@10", "b/e1@10", "a/e1@17", "a/e2@10");
            assertThat(h.numKeyedStateEntries()).isEqualTo(3);
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
