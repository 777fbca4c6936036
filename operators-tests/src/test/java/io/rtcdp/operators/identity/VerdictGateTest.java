package io.rtcdp.operators.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.ingest.Deduplicator;
import io.rtcdp.operators.ingest.Deduplicator.Verdict;
import io.rtcdp.operators.types.EventSerializer;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Id;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictGateTest {
    final List<String> released = new ArrayList<>();
    final VerdictGate.Release release =
            (e, v) ->
                    released.add(
                            e.tenant() + "/" + e.eventId() + (v.duplicate() ? " duplicate" : ""));

    static Event event(String tenant, String id) {
        return IdentityResolverTest.event(tenant, id, 1_000L, new Id("cookie_id", "c"));
    }

    @Test
    void eachTenantsEventsGoInArrivalOrderOnceTheirVerdictsAreHere() throws Exception {
        VerdictGate g = new VerdictGate();
        g.event(IdentityEvent.of(event("a", "1")), release);
        g.event(IdentityEvent.of(event("a", "2")), release);
        g.verdict(Verdict.duplicate("a", "2"), release);
        g.event(IdentityEvent.of(event("b", "1")), release);
        g.verdict(Verdict.pass("b", "1"), release);
        assertThat(released).containsExactly("b/1");
        assertThat(g.waitingEvents()).isEqualTo(2);
        assertThat(g.earlyVerdicts()).isEqualTo(1);
        g.verdict(Verdict.pass("a", "1"), release);
        assertThat(released).containsExactly("b/1", "a/1", "a/2 duplicate");
        assertThat(g.waitingEvents()).isZero();
        assertThat(g.earlyVerdicts()).isZero();
        assertThat(g.waitingTenants()).isEmpty();
    }

    @Test
    void theEarliestWaitingEventTimeFollowsWhatWaitsAndSurvivesARestore() throws Exception {
        VerdictGate g = new VerdictGate();
        Id c = new Id("cookie_id", "c");
        assertThat(g.earliestWaiting()).isEqualTo(Long.MAX_VALUE);
        g.event(IdentityEvent.of(IdentityResolverTest.event("a", "1", 5_000, c)), release);
        g.event(IdentityEvent.of(IdentityResolverTest.event("a", "2", 3_000, c)), release);
        g.event(IdentityEvent.of(IdentityResolverTest.event("b", "1", 3_000, c)), release);
        g.event(IdentityEvent.of(IdentityResolverTest.event("b", "2", 9_000, c)), release);
        assertThat(g.earliestWaiting()).isEqualTo(3_000);
        g.verdict(Verdict.pass("b", "1"), release);
        // a/2 still waits at 3 000
        assertThat(g.earliestWaiting()).isEqualTo(3_000);
        g.verdict(Verdict.pass("a", "2"), release);
        assertThat(g.earliestWaiting()).isEqualTo(3_000);
        VerdictGate restored = new VerdictGate();
        restored.restore(g.snapshot(), t -> true);
        assertThat(restored.earliestWaiting()).isEqualTo(3_000);
        // a/1 goes, and a/2 behind it
        g.verdict(Verdict.pass("a", "1"), release);
        assertThat(g.earliestWaiting()).isEqualTo(9_000);
        g.verdict(Verdict.duplicate("b", "2"), release);
        assertThat(g.earliestWaiting()).isEqualTo(Long.MAX_VALUE);
        assertThat(released).containsExactly("b/1", "a/1", "a/2", "b/2 duplicate");
    }

    /** The minima of a FIFO queue against the brute-force minimum, over random adds and polls. */
    @Test
    void theMinimaOfAQueueAreItsSmallestValue() {
        java.util.Random random = new java.util.Random(7);
        for (int run = 0; run < 200; run++) {
            VerdictGate.Minima m = new VerdictGate.Minima();
            java.util.ArrayDeque<Long> queue = new java.util.ArrayDeque<>();
            for (int op = 0; op < 500; op++) {
                if (queue.isEmpty() || random.nextInt(100) < 55) {
                    // few distinct values, so that equal values meet
                    long v = random.nextInt(run % 2 == 0 ? 8 : 1_000);
                    queue.addLast(v);
                    m.add(v);
                } else {
                    m.removed(queue.pollFirst());
                }
                long expected =
                        queue.stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
                assertThat(m.min()).as("run %d, op %d", run, op).isEqualTo(expected);
            }
        }
    }

    @Test
    void aRestoreKeepsTheTenantsThisSubtaskOwnsInOrder() throws Exception {
        VerdictGate g = new VerdictGate();
        g.event(IdentityEvent.of(event("a", "1")), release);
        g.event(IdentityEvent.of(event("a", "2")), release);
        g.event(IdentityEvent.of(event("b", "1")), release);
        g.verdict(Verdict.pass("a", "3"), release);
        g.verdict(Verdict.pass("b", "2"), release);
        g.verdict(Verdict.duplicate("a", "3"), release);
        byte[] snapshot = g.snapshot();

        VerdictGate onlyA = new VerdictGate();
        onlyA.restore(snapshot, "a"::equals);
        assertThat(onlyA.waitingEvents()).isEqualTo(2);
        assertThat(onlyA.earlyVerdicts()).isEqualTo(2);
        onlyA.verdict(Verdict.pass("a", "2"), release);
        assertThat(released).isEmpty();
        onlyA.verdict(Verdict.pass("a", "1"), release);
        onlyA.event(IdentityEvent.of(event("a", "3")), release);
        onlyA.event(IdentityEvent.of(event("a", "3")), release);
        assertThat(released).containsExactly("a/1", "a/2", "a/3", "a/3 duplicate");
        assertThat(onlyA.waitingEvents() + onlyA.earlyVerdicts()).isZero();
    }

    /**
     * The waiting records are events and verdicts in their serializers' bytes, inside operator
     * state Flink sees only as bytes: their format has to follow those serializers' versions.
     */
    @Test
    void theWaitingFormatNamesTheVersionsOfItsRecords() {
        assertThat(VerdictGate.FORMAT)
                .as(
                        "VerdictGate.FORMAT 3 holds events of version 5 and verdicts of version 3: a"
                                + " new version of either needs a new FORMAT that still reads"
                                + " formats 1 to 3")
                .isEqualTo(3);
        assertThat(VerdictGate.FORMAT_EVENTS_V4).isEqualTo(2);
        assertThat(VerdictGate.FORMAT_EVENTS_V3).isEqualTo(1);
        assertThat(EventSerializer.INSTANCE.snapshotConfiguration().getCurrentVersion())
                .isEqualTo(5);
        assertThat(
                        Deduplicator.VerdictSerializer.INSTANCE
                                .snapshotConfiguration()
                                .getCurrentVersion())
                .isEqualTo(3);
    }

    /**
     * Waiting records of format 1, written before events had order lines: the events (as the
     * previous release's EventSerializer wrote them) come back without order lines, in order, and
     * the next snapshot is of the current format.
     */
    @Test
    void formatOneStillRestoresItsEventsWithoutOrderLines() throws Exception {
        byte[] v3Events =
                java.nio.file.Files.readAllBytes(
                        java.nio.file.Path.of(
                                "src/test/resources/serializer-old/EventSerializer-v3.bin"));
        org.apache.flink.core.memory.DataOutputSerializer out =
                new org.apache.flink.core.memory.DataOutputSerializer(256);
        out.writeInt(VerdictGate.FORMAT_EVENTS_V3);
        out.writeInt(3); // acme/e-1, acme/e-2, globex/e-3
        out.write(v3Events);
        out.writeInt(1);
        Deduplicator.VerdictSerializer.INSTANCE.serialize(Verdict.pass("acme", "e-9"), out);

        VerdictGate g = new VerdictGate();
        g.restore(out.getCopyOfBuffer(), t -> true);
        assertThat(g.waitingEvents()).isEqualTo(3);
        assertThat(g.earlyVerdicts()).isEqualTo(1);

        VerdictGate again = new VerdictGate();
        again.restore(g.snapshot(), t -> true);
        List<Event> events = new ArrayList<>();
        VerdictGate.Release collect =
                (e, v) -> {
                    events.add(e.whole());
                    release.accept(e, v);
                };
        again.verdict(Verdict.pass("globex", "e-3"), collect);
        again.verdict(Verdict.duplicate("acme", "e-2"), collect);
        again.verdict(Verdict.pass("acme", "e-1"), collect);
        again.event(IdentityEvent.of(event("acme", "e-9")), collect);

        assertThat(released)
                .containsExactly("globex/e-3", "acme/e-1", "acme/e-2 duplicate", "acme/e-9");
        assertThat(events).allSatisfy(e -> assertThat(e.items()).isEmpty());
        assertThat(events.get(1).amountMicros()).isEqualTo(12_500_000L);
        assertThat(events.get(1).orderId()).isEqualTo("o-1");
        assertThat(again.waitingEvents() + again.earlyVerdicts()).isZero();
    }

    /**
     * Waiting records of format 2, written before events had text signals: the events (as the
     * previous release's EventSerializer, version 4, wrote them) come back as they were, with their
     * order lines and without a text signal.
     */
    @Test
    void formatTwoStillRestoresItsEventsWithoutTextSignals() throws Exception {
        byte[] v4Events =
                java.nio.file.Files.readAllBytes(
                        java.nio.file.Path.of(
                                "src/test/resources/serializer-old/EventSerializer-v4.bin"));
        List<Event> samples = io.rtcdp.operators.types.SerializerSamples.eventsWithItems();
        org.apache.flink.core.memory.DataOutputSerializer out =
                new org.apache.flink.core.memory.DataOutputSerializer(256);
        out.writeInt(VerdictGate.FORMAT_EVENTS_V4);
        out.writeInt(samples.size());
        out.write(v4Events);
        out.writeInt(0);

        VerdictGate g = new VerdictGate();
        g.restore(out.getCopyOfBuffer(), t -> true);
        assertThat(g.waitingEvents()).isEqualTo(samples.size());
        List<Event> events = new ArrayList<>();
        for (Event e : samples) {
            g.verdict(Verdict.pass(e.tenant(), e.eventId()), (ev, v) -> events.add(ev.whole()));
        }
        assertThat(events).containsExactlyInAnyOrderElementsOf(samples);
        assertThat(events).allSatisfy(e -> assertThat(e.text()).isNull());
        assertThat(g.waitingEvents()).isZero();
    }

    @Test
    void anUnknownFormatIsRefused() {
        byte[] format4 = {0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0};
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new VerdictGate().restore(format4, t -> true))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("unknown format of waiting events: 4");
    }
}
