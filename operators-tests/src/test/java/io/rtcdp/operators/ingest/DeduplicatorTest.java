package io.rtcdp.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.identity.IdentityEvent;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.testing.Events;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {
    static final long DAY = 86_400_000L;

    KeyedOneInputStreamOperatorTestHarness<String, IdentityEvent, IdentityEvent> h;

    @BeforeEach
    void open() throws Exception {
        h = newHarness();
        h.open();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, IdentityEvent, IdentityEvent> newHarness()
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

    static IdentityEvent event(String tenant, String eventId, long ts) {
        return event(tenant, eventId, EventType.PAGE, ts);
    }

    static IdentityEvent event(String tenant, String eventId, EventType type, long ts) {
        return IdentityEvent.of(
                        Events.of(type)
                                .tenant(tenant)
                                .eventId(eventId)
                                .at(ts)
                                .ids(new Id("cookie_id", "c1"))
                                .build())
                .at(3, ts);
    }

    /** The verdicts in order: {@code tenant/id pass} or {@code tenant/id duplicate}. */
    List<String> verdicts() {
        return h.extractOutputValues().stream()
                .map(
                        v ->
                                v.tenant()
                                        + "/"
                                        + v.eventId()
                                        + " "
                                        + v.verdict().name().toLowerCase(java.util.Locale.ROOT))
                .toList();
    }

    @Test
    void anEventGoesOnWithItsPlaceAndADuplicateAsItsHeadAlone() throws Exception {
        IdentityEvent e = event("a", "e1", 10 * DAY);
        h.processElement(e, 0);
        h.processElement(e, 0);
        var out = h.extractOutputValues();
        assertThat(out.get(0)).isEqualTo(e);
        assertThat(out.get(1).verdict()).isEqualTo(IdentityEvent.Verdict.DUPLICATE);
        assertThat(List.of(out.get(1).head(), out.get(1).origin(), out.get(1).seq()))
                .containsExactly(e.head(), 3, 10 * DAY);
        assertThat(out.get(1).body()).isEmpty();
    }

    @Test
    void commandsPassUnjudgedAndLeaveNoState() throws Exception {
        IdentityEvent c =
                IdentityEvent.of(
                                io.rtcdp.udf.identity.IdCommand.release(
                                                "a", new Id("phone", "p"), 1_000L)
                                        .toEvent())
                        .at(1, 0);
        h.processElement(c, 0);
        h.processElement(c, 0);
        assertThat(h.extractOutputValues()).containsExactly(c, c);
        assertThat(h.numKeyedStateEntries()).isZero();
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
        assertThat(verdicts())
                .containsExactly(
                        "a/e1 pass",
                        "a/e1 duplicate",
                        "a/e1 duplicate",
                        "b/e1 pass",
                        "a/e1 pass",
                        "a/e1 duplicate",
                        "a/e1 duplicate",
                        "a/e2 pass");
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
        assertThat(verdicts()).containsExactly("a/e1 pass", "a/e1 duplicate", "a/e1 pass");
    }

    @Test
    void forgetEventsAreDeduplicatedLikeAnyOther() throws Exception {
        h.processElement(event("a", "f1", EventType.FORGET, 10 * DAY), 0);
        h.processElement(event("a", "f1", EventType.FORGET, 10 * DAY), 0);
        assertThat(verdicts()).containsExactly("a/f1 pass", "a/f1 duplicate");
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
        assertThat(verdicts()).containsExactly("a/e1 duplicate", "a/e2 pass");
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
        assertThat(verdicts()).containsExactly("a/e1 pass", "a/e1 duplicate", "a/e1 pass");
    }

    @Test
    void keyIsTenantAndEventId() throws Exception {
        assertThat(Deduplicator.KEY.getKey(event("acme", "e-1", 0)))
                .isEqualTo("acme\u0001e-1")
                .isNotEqualTo(Deduplicator.KEY.getKey(event("acm", "ee-1", 0)));
    }
}
