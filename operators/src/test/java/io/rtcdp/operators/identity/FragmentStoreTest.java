package io.rtcdp.operators.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.profile.ProfileCommand.Kind;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.testing.Events;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fragment store keeps each fragment's features so that a merge can hand them on exactly once:
 * what it forwards, what it keeps, and that what it keeps survives a restore.
 */
class FragmentStoreTest {
    static final long T = Events.T0;
    static final Id U1 = new Id("user_id", "u1");

    KeyedOneInputStreamOperatorTestHarness<String, FragmentCommand, ProfileCommand> h;

    @BeforeEach
    void open() throws Exception {
        h = newHarness();
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, FragmentCommand, ProfileCommand>
            newHarness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FragmentStore()), FragmentStore.KEY, Types.STRING);
    }

    static Event order(String tenant, String eventId, long ts, long amountMicros) {
        return Events.track(Event.ORDER_COMPLETED)
                .tenant(tenant)
                .eventId(eventId)
                .at(ts)
                .ids(U1)
                .amountMicros(amountMicros)
                .build();
    }

    void send(FragmentCommand c) throws Exception {
        h.processElement(c, 0);
    }

    /** The commands sent since the last call. */
    List<ProfileCommand> out() {
        List<ProfileCommand> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    @Test
    void aRouteIsForwardedAsTheProfilesEventWithItsLinkedIdsAndHistory() throws Exception {
        Event e = order("acme", "e1", T, 5_000_000L);

        send(FragmentCommand.route("o1", e, List.of(U1), "o2>o1"));

        assertThat(out()).containsExactly(ProfileCommand.event("o1", e, List.of(U1), "o2>o1"));
    }

    @Test
    void aResendHandsTheFragmentsFeaturesToTheSurvivor() throws Exception {
        send(FragmentCommand.route("o2", order("acme", "e1", T, 5_000_000L), List.of(U1), null));
        send(
                FragmentCommand.route(
                        "o2", order("acme", "e2", T + 1000, 7_000_000L), List.of(), null));
        out();

        send(FragmentCommand.resend("acme", "o2", "o1"));

        List<ProfileCommand> out = out();
        assertThat(out).hasSize(1);
        ProfileCommand absorb = out.get(0);
        assertThat(absorb.kind()).isEqualTo(Kind.ABSORB);
        assertThat(absorb.tenant()).isEqualTo("acme");
        assertThat(absorb.oneid()).as("sent to the survivor").isEqualTo("o1");
        ProfileFeatures expected = new ProfileFeatures();
        expected.add(order("acme", "e1", T, 5_000_000L));
        expected.add(order("acme", "e2", T + 1000, 7_000_000L));
        assertThat(absorb.features()).isEqualTo(expected);
        assertThat(absorb.features().ordersTotal()).isEqualTo(2);
        assertThat(absorb.features().revenueTotalMicros()).isEqualTo(12_000_000L);
    }

    @Test
    void aResendOfAFragmentThatSawNoEventSendsNothing() throws Exception {
        send(FragmentCommand.resend("acme", "never-routed", "o1"));

        assertThat(out()).isEmpty();
        assertThat(h.getSideOutput(RecordIsolation.INTERNAL_ERRORS)).isNullOrEmpty();
    }

    @Test
    void aDropIsForwardedAndKeepsTheFeaturesForALaterResend() throws Exception {
        send(FragmentCommand.route("o2", order("acme", "e1", T, 1_000_000L), List.of(U1), null));
        out();

        send(FragmentCommand.drop("acme", "o2", "o1"));
        assertThat(out()).containsExactly(ProfileCommand.drop("acme", "o2", "o1"));

        send(FragmentCommand.resend("acme", "o2", "o1"));
        List<ProfileCommand> out = out();
        assertThat(out).extracting(ProfileCommand::kind).containsExactly(Kind.ABSORB);
        assertThat(out.get(0).features().eventsTotal()).isEqualTo(1);
    }

    @Test
    void idsAreForwardedUnchanged() throws Exception {
        Id c1 = new Id("cookie_id", "c1");

        send(FragmentCommand.ids("acme", "o1", List.of(c1), List.of(U1)));

        assertThat(out())
                .containsExactly(ProfileCommand.ids("acme", "o1", List.of(c1), List.of(U1)));
    }

    @Test
    void aForgetClearsTheFragmentSoThatNothingIsResentAfterIt() throws Exception {
        send(FragmentCommand.route("o2", order("acme", "e1", T, 1_000_000L), List.of(U1), null));
        out();
        Event forget = Events.of(EventType.FORGET).eventId("f1").at(T + 1).ids(U1).build();

        send(FragmentCommand.forget("acme", "o2", forget));
        assertThat(out()).containsExactly(ProfileCommand.forget("acme", "o2", forget));

        send(FragmentCommand.resend("acme", "o2", "o1"));
        assertThat(out()).as("nothing left to hand on").isEmpty();

        // a new event after the forget starts a fragment from nothing
        send(FragmentCommand.route("o2", order("acme", "e2", T + 2, 2_000_000L), List.of(), null));
        out();
        send(FragmentCommand.resend("acme", "o2", "o1"));
        assertThat(out().get(0).features().revenueTotalMicros()).isEqualTo(2_000_000L);
    }

    @Test
    void fragmentsOfTheSameOneidInTwoTenantsAreKeptApart() throws Exception {
        send(FragmentCommand.route("o1", order("acme", "a1", T, 1_000_000L), List.of(U1), null));
        send(FragmentCommand.route("o1", order("beta", "b1", T, 3_000_000L), List.of(U1), null));
        send(FragmentCommand.route("o1", order("beta", "b2", T + 1, 3_000_000L), List.of(), null));
        out();

        send(FragmentCommand.resend("acme", "o1", "o0"));
        send(FragmentCommand.resend("beta", "o1", "o0"));

        List<ProfileCommand> out = out();
        assertThat(out).extracting(ProfileCommand::tenant).containsExactly("acme", "beta");
        assertThat(out)
                .extracting(c -> c.features().revenueTotalMicros())
                .containsExactly(1_000_000L, 6_000_000L);
    }

    @Test
    void theFeaturesSurviveARestore() throws Exception {
        send(FragmentCommand.route("o2", order("acme", "e1", T, 4_000_000L), List.of(U1), null));
        send(
                FragmentCommand.route(
                        "o2", order("acme", "e2", T + 60_000, 6_000_000L), List.of(), null));
        send(FragmentCommand.resend("acme", "o2", "o1"));
        ProfileFeatures before = out().get(2).features().copy();
        var snapshot = h.snapshot(1, 0);
        h.close();

        h = newHarness();
        h.initializeState(snapshot);
        h.open();
        send(FragmentCommand.resend("acme", "o2", "o1"));

        List<ProfileCommand> out = out();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).features()).isEqualTo(before);
        assertThat(out.get(0).features().lastOrderTs()).isEqualTo(T + 60_000);
    }

    @Test
    void aCommandTheStoreFailsOnBecomesADeadLetterAndTheStoreGoesOn() throws Exception {
        // a route without its event: a defect upstream, not a reason to restart the job
        FragmentCommand broken =
                new FragmentCommand(
                        FragmentCommand.Kind.ROUTE,
                        "acme",
                        "o2",
                        "o2",
                        null,
                        List.of(),
                        List.of(),
                        null);

        send(broken);

        assertThat(out()).isEmpty();
        var internal = h.getSideOutput(RecordIsolation.INTERNAL_ERRORS);
        assertThat(internal).hasSize(1);
        var dl = internal.peek().getValue();
        assertThat(dl.error()).isEqualTo("internal");
        assertThat(dl.source()).isEqualTo("fragments:ROUTE:" + broken.key());

        send(FragmentCommand.route("o2", order("acme", "e1", T, 1_000_000L), List.of(U1), null));
        send(FragmentCommand.resend("acme", "o2", "o1"));
        assertThat(out())
                .extracting(ProfileCommand::kind)
                .as("the failed route left nothing behind")
                .containsExactly(Kind.EVENT, Kind.ABSORB);
    }

    @Test
    void theStateSerializerCopiesDeeply() {
        ProfileFeatures f = new ProfileFeatures();
        f.add(order("acme", "e1", T, 1_000_000L));

        ProfileFeatures copy = FragmentStore.FeaturesSerializer.INSTANCE.copy(f);
        copy.add(order("acme", "e2", T + 1, 1_000_000L));

        assertThat(f.eventsTotal()).isEqualTo(1);
        assertThat(copy.eventsTotal()).isEqualTo(2);
    }
}
