package io.rtcdp.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {
    static final long DAY = 86_400_000L;

    KeyedOneInputStreamOperatorTestHarness<String, Event, Event> h;

    @BeforeEach
    void open() throws Exception {
        h = newHarness();
        h.open();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Event, Event> newHarness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new Deduplicator(Duration.ofDays(7), Duration.ofDays(1))),
                Deduplicator.KEY,
                Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static Event event(String tenant, String eventId, long ts) {
        return event(tenant, eventId, EventType.PAGE, ts);
    }

    static Event event(String tenant, String eventId, EventType type, long ts) {
        return new Event(
                tenant,
                eventId,
                type,
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

    List<String> passed() {
        return h.extractOutputValues().stream()
                .map(e -> e.tenant() + "/" + e.eventId() + "@" + e.ts() / DAY)
                .toList();
    }

    @Test
    void dropsRepeatsWithinTheWindowInAnyOrderAndPerTenant() throws Exception {
        h.processElement(event("a", "e1", 10 * DAY), 0);
        h.processElement(event("a", "e1", 10 * DAY), 0); // exact repeat
        h.processElement(event("a", "e1", 4 * DAY), 0); // earlier, within 7 days
        h.processElement(event("b", "e1", 10 * DAY), 0); // other tenant: not a repeat
        h.processElement(event("a", "e1", 17 * DAY), 0); // 7 days later: outside the window
        h.processElement(event("a", "e1", 20 * DAY), 0); // within 7 days of the one above
        h.processElement(event("a", "e1", 23 * DAY), 0); // within 7 days of 17 (not of 10)
        h.processElement(event("a", "e2", 10 * DAY), 0);
        assertThat(passed()).containsExactly("a/e1@10", "b/e1@10", "a/e1@17", "a/e2@10");
        // one remembered time per tenant and event id
        assertThat(h.numKeyedStateEntries()).isEqualTo(3);
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
    }

    @Test
    void theWindowIsExclusive() throws Exception {
        h.processElement(event("a", "e1", 10 * DAY), 0);
        h.processElement(event("a", "e1", 17 * DAY - 1), 0); // 1 ms within 7 days: dropped
        h.processElement(event("a", "e1", 3 * DAY), 0); // exactly 7 days before: passes
        assertThat(passed()).containsExactly("a/e1@10", "a/e1@3");
    }

    @Test
    void forgetEventsAreDeduplicatedLikeAnyOther() throws Exception {
        h.processElement(event("a", "f1", EventType.FORGET, 10 * DAY), 0);
        h.processElement(event("a", "f1", EventType.FORGET, 10 * DAY), 0);
        assertThat(passed()).containsExactly("a/f1@10");
    }

    @Test
    void rememberedIdsSurviveARestore() throws Exception {
        h.processElement(event("a", "e1", 10 * DAY), 0);
        var snapshot = h.snapshot(1, 0);
        h.close();

        h = newHarness();
        h.initializeState(snapshot);
        h.open();
        h.processElement(event("a", "e1", 10 * DAY), 0);
        h.processElement(event("a", "e2", 10 * DAY), 0);
        assertThat(passed()).containsExactly("a/e2@10");
    }

    @Test
    void anIdIsKeptForTheWindowPlusGraceOfProcessingTimeThenCleanedByRocksDbCompaction()
            throws Exception {
        StateTtlConfig ttl = Deduplicator.descriptor(Duration.ofDays(8)).getTtlConfig();
        assertThat(ttl.isEnabled()).isTrue();
        assertThat(ttl.getTimeToLive()).isEqualTo(Duration.ofDays(8));
        assertThat(ttl.getUpdateType()).isEqualTo(StateTtlConfig.UpdateType.OnCreateAndWrite);
        assertThat(ttl.getStateVisibility())
                .isEqualTo(StateTtlConfig.StateVisibility.NeverReturnExpired);
        assertThat(ttl.getCleanupStrategies().inRocksdbCompactFilter()).isTrue();

        // the operator's own: window 7 days + grace 1 day, in processing time
        h.setStateTtlProcessingTime(0);
        h.processElement(event("a", "e1", 10 * DAY), 0);
        h.setStateTtlProcessingTime(8 * DAY - 1);
        h.processElement(event("a", "e1", 10 * DAY), 0); // still remembered: dropped
        h.setStateTtlProcessingTime(8 * DAY);
        h.processElement(event("a", "e1", 10 * DAY), 0); // expired: passes again
        assertThat(passed()).containsExactly("a/e1@10", "a/e1@10");
    }

    @Test
    void keyIsTenantAndEventId() throws Exception {
        assertThat(Deduplicator.KEY.getKey(event("acme", "e-1", 0)))
                .isEqualTo("acme\u0001e-1")
                .isNotEqualTo(Deduplicator.KEY.getKey(event("acm", "ee-1", 0)));
    }
}
