package io.rtcdp.operators.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.KeyedOperatorTest;
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
import org.apache.flink.api.java.functions.KeySelector;
import org.junit.jupiter.api.Test;

/**
 * The fragment store keeps each fragment's features so that a merge can hand them on exactly once:
 * what it forwards, what it keeps, and that what it keeps survives a restore.
 */
class FragmentStoreTest extends KeyedOperatorTest<FragmentCommand, ProfileCommand> {
    static final long T = Events.T0;
    static final Id U1 = new Id("user_id", "u1");

    @Override
    protected FragmentStore function() {
        return new FragmentStore();
    }

    @Override
    protected KeySelector<FragmentCommand, String> key() {
        return FragmentStore.KEY;
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

    /** Routes {@code e} to fragment {@code oneid}, with {@code linked} newly linked, no history. */
    void route(String oneid, Event e, Id... linked) throws Exception {
        send(FragmentCommand.route(oneid, e, List.of(linked), null));
    }

    @Test
    void aRouteIsForwardedAsTheProfilesEventWithItsLinkedIdsAndHistory() throws Exception {
        Event e = order("acme", "e1", T, 5_000_000L);

        send(FragmentCommand.route("o1", e, List.of(U1), "o2>o1"));

        assertThat(drain()).containsExactly(ProfileCommand.event("o1", e, List.of(U1), "o2>o1"));
    }

    @Test
    void aResendHandsTheFragmentsFeaturesToTheSurvivor() throws Exception {
        route("o2", order("acme", "e1", T, 5_000_000L), U1);
        route("o2", order("acme", "e2", T + 1000, 7_000_000L));
        drain();

        send(FragmentCommand.resend("acme", "o2", "o1"));

        List<ProfileCommand> out = drain();
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

        assertThat(drain()).isEmpty();
        assertThat(h.getSideOutput(RecordIsolation.INTERNAL_ERRORS)).isNullOrEmpty();
    }

    @Test
    void aDropIsForwardedAndKeepsTheFeaturesForALaterResend() throws Exception {
        route("o2", order("acme", "e1", T, 1_000_000L), U1);
        drain();

        send(FragmentCommand.drop("acme", "o2", "o1"));
        assertThat(drain()).containsExactly(ProfileCommand.drop("acme", "o2", "o1"));

        send(FragmentCommand.resend("acme", "o2", "o1"));
        List<ProfileCommand> out = drain();
        assertThat(out).extracting(ProfileCommand::kind).containsExactly(Kind.ABSORB);
        assertThat(out.get(0).features().eventsTotal()).isEqualTo(1);
    }

    @Test
    void idsAreForwardedUnchanged() throws Exception {
        Id c1 = new Id("cookie_id", "c1");

        send(FragmentCommand.ids("acme", "o1", List.of(c1), List.of(U1)));

        assertThat(drain())
                .containsExactly(ProfileCommand.ids("acme", "o1", List.of(c1), List.of(U1)));
    }

    @Test
    void aForgetClearsTheFragmentSoThatNothingIsResentAfterIt() throws Exception {
        route("o2", order("acme", "e1", T, 1_000_000L), U1);
        drain();
        Event forget = Events.of(EventType.FORGET).eventId("f1").at(T + 1).ids(U1).build();

        send(FragmentCommand.forget("acme", "o2", forget));
        assertThat(drain()).containsExactly(ProfileCommand.forget("acme", "o2", forget));

        send(FragmentCommand.resend("acme", "o2", "o1"));
        assertThat(drain()).as("nothing left to hand on").isEmpty();

        // a new event after the forget starts a fragment from nothing
        route("o2", order("acme", "e2", T + 2, 2_000_000L));
        drain();
        send(FragmentCommand.resend("acme", "o2", "o1"));
        assertThat(drain().get(0).features().revenueTotalMicros()).isEqualTo(2_000_000L);
    }

    @Test
    void fragmentsOfTheSameOneidInTwoTenantsAreKeptApart() throws Exception {
        route("o1", order("acme", "a1", T, 1_000_000L), U1);
        route("o1", order("beta", "b1", T, 3_000_000L), U1);
        route("o1", order("beta", "b2", T + 1, 3_000_000L));
        drain();

        send(FragmentCommand.resend("acme", "o1", "o0"));
        send(FragmentCommand.resend("beta", "o1", "o0"));

        List<ProfileCommand> out = drain();
        assertThat(out).extracting(ProfileCommand::tenant).containsExactly("acme", "beta");
        assertThat(out)
                .extracting(c -> c.features().revenueTotalMicros())
                .containsExactly(1_000_000L, 6_000_000L);
    }

    @Test
    void theFeaturesSurviveARestore() throws Exception {
        route("o2", order("acme", "e1", T, 4_000_000L), U1);
        route("o2", order("acme", "e2", T + 60_000, 6_000_000L));
        send(FragmentCommand.resend("acme", "o2", "o1"));
        ProfileFeatures before = drain().get(2).features().copy();
        restore(0);

        send(FragmentCommand.resend("acme", "o2", "o1"));

        List<ProfileCommand> out = drain();
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

        assertThat(drain()).isEmpty();
        var internal = h.getSideOutput(RecordIsolation.INTERNAL_ERRORS);
        assertThat(internal).hasSize(1);
        var dl = internal.peek().getValue();
        assertThat(dl.error()).isEqualTo("internal");
        assertThat(dl.source()).isEqualTo("fragments:ROUTE:" + broken.key());

        route("o2", order("acme", "e1", T, 1_000_000L), U1);
        send(FragmentCommand.resend("acme", "o2", "o1"));
        assertThat(drain())
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
