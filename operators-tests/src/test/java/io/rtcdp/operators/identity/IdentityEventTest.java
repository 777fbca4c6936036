package io.rtcdp.operators.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.types.FragmentCommandSerializer;
import io.rtcdp.operators.types.SerializerSamples;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.testing.Events;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** An event split for the identity stage is the whole event again after it. */
class IdentityEventTest {

    static List<Event> samples() {
        List<Event> all = new ArrayList<>(SerializerSamples.eventsWithText());
        all.addAll(SerializerSamples.eventsWithItems());
        return all;
    }

    @Test
    void theHeadHoldsWhatTheStageReadsAndTheBodyTheRest() throws Exception {
        for (Event e : samples()) {
            IdentityEvent ie = IdentityEvent.of(e);
            assertThat(ie.whole()).isEqualTo(e);
            Event head = ie.head();
            assertThat(List.of(head.tenant(), head.eventId(), head.type(), head.ts(), head.ids()))
                    .containsExactly(e.tenant(), e.eventId(), e.type(), e.ts(), e.ids());
            assertThat(head.ingestedAt()).isEqualTo(e.ingestedAt());
            assertThat(head.name()).isNull();
            assertThat(head.propsJson()).isNull();
            assertThat(head.traits()).isEmpty();
            assertThat(head.items()).isEmpty();
            assertThat(head.text()).isNull();
        }
    }

    /**
     * Where the job splits the events, it numbers each tenant's events of its subtask from 0, and
     * the commands of its subtask apart from them.
     */
    @Test
    void theSplitNumbersEachTenantsEventsOfItsSubtask() throws Exception {
        List<Event> events = samples();
        Event a = events.get(0);
        Event b = Events.page().tenant("other").eventId("b1").ids(a.ids()).build();
        for (boolean commands : new boolean[] {false, true}) {
            try (var h =
                    new OneInputStreamOperatorTestHarness<>(
                            new StreamMap<>(
                                    commands
                                            ? IdentityEvent.Split.commands()
                                            : new IdentityEvent.Split()),
                            4,
                            4,
                            2)) {
                h.open();
                for (Event e : List.of(a, b, a, a, b)) {
                    h.processElement(new StreamRecord<>(e, 0));
                }
                List<IdentityEvent> out = h.extractOutputValues();
                assertThat(out).extracting(IdentityEvent::seq).containsExactly(0L, 0L, 1L, 2L, 1L);
                assertThat(out).extracting(IdentityEvent::origin).containsOnly(commands ? 5 : 4);
                assertThat(out.get(0).head()).isEqualTo(IdentityEvent.of(a).head());
                assertThat(out.get(0).body()).isEqualTo(IdentityEvent.of(a).body());
                assertThat(out)
                        .extracting(IdentityEvent::verdict)
                        .containsOnly(IdentityEvent.Verdict.PASS);
            }
        }
    }

    /**
     * A command the identity stage makes of the head and the body's bytes is written as one of the
     * whole event, and read back with the whole event.
     */
    @Test
    void aCommandOfTheHeadAndBodyIsTheCommandOfTheWholeEvent() throws Exception {
        List<Id> linked = List.of(new Id("cookie_id", "c1"));
        for (Event e : samples()) {
            IdentityEvent ie = IdentityEvent.of(e);
            FragmentCommand split =
                    FragmentCommand.route(
                            "o1", ie.head().withoutIds(), ie.body(), linked, "o2>o1", List.of());
            FragmentCommand whole =
                    FragmentCommand.route("o1", e.withoutIds(), linked, "o2>o1", List.of());
            assertThat(bytes(split)).isEqualTo(bytes(whole));
            FragmentCommand read =
                    FragmentCommandSerializer.INSTANCE.deserialize(
                            new DataInputDeserializer(bytes(split)));
            assertThat(read).isEqualTo(whole);
            assertThat(read.eventBody()).isNull();

            FragmentCommand forget =
                    FragmentCommand.forget("t", "o1", ie.head().withoutIds(), ie.body());
            assertThat(bytes(forget))
                    .isEqualTo(bytes(FragmentCommand.forget("t", "o1", e.withoutIds())));
        }
    }

    private static byte[] bytes(FragmentCommand c) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        FragmentCommandSerializer.INSTANCE.serialize(c, out);
        return out.getCopyOfBuffer();
    }
}
