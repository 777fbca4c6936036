package io.rtcdp.operators.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.types.ProfileCommandSerializer;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.profile.ProfileCommand.Kind;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.rules.VersionStep;
import io.rtcdp.udf.testing.Events;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fragment store keeps each fragment's features so that a merge can hand them on exactly once:
 * what it forwards, what it keeps, and that what it keeps survives a restore; and it keeps only the
 * traits the tenant's rule set in force declares, which it decides as the decision stage does.
 */
class FragmentStoreTest {
    static final long T = Events.T0;
    static final Id U1 = new Id("user_id", "u1");

    /** The rule set of tenant acme, version {@code version}, declaring {@code traits}. */
    static String rules(long version, String... traits) {
        return "tenant: acme\nversion: "
                + version
                + "\ntraits: ["
                + String.join(", ", traits)
                + "]\n";
    }

    KeyedBroadcastOperatorTestHarness<String, FragmentCommand, String, ProfileCommand> h;

    /** The function of {@link #h}. */
    FragmentStore store;

    @BeforeEach
    void open() throws Exception {
        open(new FragmentStore());
    }

    void open(FragmentStore s) throws Exception {
        store = s;
        h = harness(s);
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /**
     * The stage as the job runs it, in a harness, its output taken with the job's serializer (which
     * passes the commands on as they are).
     */
    static KeyedBroadcastOperatorTestHarness<String, FragmentCommand, String, ProfileCommand>
            harness(FragmentStore s) throws Exception {
        var harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new FragmentStoreOperator(s), FragmentStore.KEY, Types.STRING, 1, 1, 0);
        harness.setup(ProfileCommandSerializer.INSTANCE);
        return harness;
    }

    void send(FragmentCommand c) throws Exception {
        h.processElement(c, 0);
    }

    void broadcast(String text) throws Exception {
        h.processBroadcastElement(text, 0);
    }

    /** The values sent since the last call. */
    List<ProfileCommand> drain() {
        List<ProfileCommand> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    /**
     * Snapshots the state (checkpoint 1, taken at {@code timestamp}), closes the harness and opens
     * a new one of {@code next} restored from the snapshot.
     */
    void restore(long timestamp, FragmentStore next) throws Exception {
        h.prepareSnapshotPreBarrier(1);
        var snapshot = h.snapshot(1, timestamp);
        h.close();
        store = next;
        h = harness(next);
        h.initializeState(snapshot);
        h.open();
    }

    void restore(long timestamp) throws Exception {
        restore(timestamp, new FragmentStore());
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

    static Event identify(String tenant, String eventId, long ts, Map<String, String> traits) {
        return Events.of(EventType.IDENTIFY)
                .tenant(tenant)
                .eventId(eventId)
                .at(ts)
                .ids(U1)
                .traits(traits)
                .build();
    }

    /** Routes {@code e} to fragment {@code oneid}, with {@code linked} newly linked, no history. */
    void route(String oneid, Event e, Id... linked) throws Exception {
        send(FragmentCommand.route(oneid, e, List.of(linked), null));
    }

    /** The features fragment {@code oneid} of acme hands on now (a resend to o0). */
    ProfileFeatures features(String oneid) throws Exception {
        send(FragmentCommand.resend("acme", oneid, "o0"));
        List<ProfileCommand> out = drain();
        assertThat(out).extracting(ProfileCommand::kind).containsExactly(Kind.ABSORB);
        return out.get(0).features();
    }

    @Test
    void aRouteIsForwardedAsTheProfilesEventWithItsLinkedIdsAndHistory() throws Exception {
        Event e = order("acme", "e1", T, 5_000_000L);

        send(FragmentCommand.route("o1", e, List.of(U1), "o2>o1"));

        assertThat(drain())
                .as("no rule set in force: no trait is declared")
                .containsExactly(
                        ProfileCommand.event("o1", e, List.of(U1), "o2>o1", List.of(), Set.of()));
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

    @Test
    void undeclaredTraitsAreNeitherStoredNorForwardedButCounted() throws Exception {
        broadcast(rules(1, "plan", "city"));
        Event e =
                identify(
                        "acme",
                        "i1",
                        T,
                        Map.of("plan", "gold", "nickname", "secret-bilby", "city", "Bern"));

        route("o1", e, U1);

        List<ProfileCommand> out = drain();
        assertThat(out).hasSize(1);
        ProfileCommand forwarded = out.get(0);
        assertThat(forwarded.event().traits())
                .as("only the declared traits go on")
                .isEqualTo(Map.of("plan", "gold", "city", "Bern"));
        assertThat(forwarded.event().eventId()).isEqualTo("i1");
        assertThat(forwarded.event().ts()).isEqualTo(T);
        assertThat(forwarded.declaredTraits()).isEqualTo(Set.of("plan", "city"));
        assertThat(store.traitsUndeclaredCount()).isEqualTo(1);

        // the fragment keeps none either, also in its snapshot
        assertThat(features("o1").traits()).isEqualTo(Map.of("plan", "gold", "city", "Bern"));
        restore(0);
        assertThat(features("o1").traits()).isEqualTo(Map.of("plan", "gold", "city", "Bern"));

        // an event with only declared traits is forwarded as it came
        Event declaredOnly = identify("acme", "i2", T + 1, Map.of("plan", "silver"));
        route("o1", declaredOnly);
        assertThat(drain().get(0).event()).isSameAs(declaredOnly);
        assertThat(store.traitsUndeclaredCount()).isZero();
    }

    @Test
    void everyTenantGetsTheSameDeclaredSetAndATenantWithoutRulesKeepsNoTraits() throws Exception {
        broadcast(rules(1, "plan"));
        route("o1", identify("acme", "i1", T, Map.of("plan", "gold")));
        route("o2", identify("acme", "i2", T, Map.of("plan", "gold")));
        route("o3", identify("beta", "i3", T, Map.of("plan", "gold", "city", "Bern")));

        List<ProfileCommand> out = drain();
        assertThat(out.get(0).declaredTraits())
                .as("one set per tenant's rule set, not a copy per event")
                .isSameAs(out.get(1).declaredTraits());
        assertThat(out.get(2).declaredTraits()).isEmpty();
        assertThat(out.get(2).event().traits()).isEmpty();
        assertThat(store.traitsUndeclaredCount()).isEqualTo(2);
    }

    @Test
    void aStartUpRuleSetIsInForceBeforeItArrives() throws Exception {
        h.close();
        String model = "{\"tenant\":\"acme\",\"model\":\"purchase\",\"version\":9,\"weights\":{}}";
        open(
                new FragmentStore()
                        .startUp(List.of(model, rules(1, "plan"), rules(2, "plan", "city"), "")));

        route("o1", identify("acme", "i1", T, Map.of("plan", "gold", "city", "Bern", "x", "y")));
        assertThat(drain().get(0).event().traits())
                .as("the highest start-up rule set is in force, the model is not a rule set")
                .isEqualTo(Map.of("plan", "gold", "city", "Bern"));

        // it arrives over the broadcast: kept, so that it stays in force after a restore
        // without start-up texts
        broadcast(model);
        broadcast(rules(2, "plan", "city"));
        restore(0);
        route("o1", identify("acme", "i2", T + 1, Map.of("city", "Basel", "x", "y")));
        assertThat(drain().get(0).event().traits()).isEqualTo(Map.of("city", "Basel"));
    }

    @Test
    void aTraitANewerRuleSetNoLongerDeclaresLeavesTheFragmentAtItsNextEvent() throws Exception {
        broadcast(rules(1, "plan", "city"));
        route("o1", identify("acme", "i1", T, Map.of("plan", "gold", "city", "Bern")));
        route("o2", identify("acme", "i2", T, Map.of("plan", "gold", "city", "Bern")));
        drain();

        broadcast(rules(2, "plan"));
        route("o1", order("acme", "e1", T + 1000, 1_000_000L));

        ProfileCommand next = drain().get(0);
        assertThat(next.declaredTraits())
                .as("the profile stage is told, to drop it too")
                .isEqualTo(Set.of("plan"));
        assertThat(features("o1").traits()).isEqualTo(Map.of("plan", "gold"));
        assertThat(features("o1").ordersTotal()).isEqualTo(1);

        // a fragment without a further event (its profile merged away) lost it when the rule set
        // came: a rule set that declares it again brings nothing back
        broadcast(rules(3, "plan", "city"));
        assertThat(features("o2").traits()).isEqualTo(Map.of("plan", "gold"));
        restore(0);
        assertThat(features("o2").traits()).isEqualTo(Map.of("plan", "gold"));
        assertThat(features("o1").traits()).isEqualTo(Map.of("plan", "gold"));
    }

    @Test
    void aRuleSetThatStopsDeclaringATraitLeavesOtherTenantsFragmentsAsTheyAre() throws Exception {
        broadcast(rules(1, "plan", "city"));
        broadcast("tenant: beta\nversion: 1\ntraits: [plan, city]\n");
        route("o1", identify("beta", "b1", T, Map.of("plan", "gold", "city", "Bern")));
        route("o2", identify("acme", "a1", T, Map.of("plan", "gold", "city", "Bern")));
        drain();

        broadcast(rules(2, "plan"));
        broadcast(rules(3, "plan", "city"));

        send(FragmentCommand.resend("beta", "o1", "o0"));
        assertThat(drain().get(0).features().traits())
                .isEqualTo(Map.of("plan", "gold", "city", "Bern"));
        assertThat(features("o2").traits()).isEqualTo(Map.of("plan", "gold"));
    }

    @Test
    void aRuleSetIsInForceAsInTheDecisionStage() throws Exception {
        h.close();
        open(new FragmentStore().versionStep(new VersionStep(10)));
        broadcast(rules(1, "plan"));

        // too far above the one in force: refused
        broadcast(rules(100, "plan", "city"));
        // does not compile: ignored
        broadcast("tenant: acme\nversion: 3\ntraits: [plan, city]\nbogus: 1\n");
        route("o1", identify("acme", "i1", T, Map.of("plan", "gold", "city", "Bern")));
        assertThat(drain().get(0).event().traits()).isEqualTo(Map.of("plan", "gold"));

        // higher within the step: in force; a repeat or a lower version changes nothing
        broadcast(rules(5, "plan", "city"));
        broadcast(rules(4, "plan"));
        broadcast(rules(5, "plan"));
        route("o1", identify("acme", "i2", T + 1, Map.of("plan", "gold", "city", "Bern")));
        assertThat(drain().get(0).event().traits())
                .isEqualTo(Map.of("plan", "gold", "city", "Bern"));

        // and so it is after a restore
        restore(0, new FragmentStore().versionStep(new VersionStep(10)));
        route("o1", identify("acme", "i3", T + 2, Map.of("plan", "gold", "city", "Basel")));
        assertThat(drain().get(0).event().traits())
                .isEqualTo(Map.of("plan", "gold", "city", "Basel"));

        // with no rule set in force, the first version is judged from 0
        broadcast("tenant: beta\nversion: 11\ntraits: [plan]\n");
        route("o1", identify("beta", "b1", T, Map.of("plan", "gold")));
        assertThat(drain().get(0).event().traits()).isEmpty();
        broadcast("tenant: beta\nversion: 10\ntraits: [plan]\n");
        route("o1", identify("beta", "b2", T, Map.of("plan", "gold")));
        assertThat(drain().get(0).event().traits()).isEqualTo(Map.of("plan", "gold"));
    }

    @Test
    void theStagesEventTimeIsTheCommandsAloneTheRuleSetsHaveNoWatermarks() throws Exception {
        broadcast(rules(1, "plan"));

        h.processWatermark(1_000L);
        assertThat(h.getOutput()).contains(new Watermark(1_000L));

        // the rule sets' end of input does not end event time; their status changes nothing
        h.processBroadcastWatermark(Long.MAX_VALUE);
        h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.ACTIVE);
        h.processWatermark(2_000L);
        assertThat(h.getOutput())
                .filteredOn(o -> o instanceof Watermark)
                .containsExactly(new Watermark(1_000L), new Watermark(2_000L));

        // the commands' idleness is the stage's
        h.getTwoInputOperator().processWatermarkStatus1(WatermarkStatus.IDLE);
        assertThat(h.getOutput()).contains(WatermarkStatus.IDLE);
    }

    /** The entries of fragment {@code oneid} of acme that wait to be merged into its features. */
    List<ProfileFeatures> pendingOf(String oneid) throws Exception {
        var operator =
                (org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>)
                        h.getTwoInputOperator();
        operator.setCurrentKey(FragmentCommand.ids("acme", oneid, List.of(), List.of()).key());
        List<ProfileFeatures> entries = new java.util.ArrayList<>();
        Iterable<ProfileFeatures> stored =
                operator.getKeyedStateBackend()
                        .getPartitionedState(
                                org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                                org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                                FragmentStore.PENDING)
                        .get();
        if (stored != null) {
            stored.forEach(entries::add);
        }
        return entries;
    }

    /**
     * An event appends its own features to the fragment's pending list instead of rewriting the
     * fragment's features; what a hand-over sends is the same as if every event had been added to
     * the features at once (as the store did before), across the merges of the list by one event in
     * {@link FragmentStore#FOLD_EVERY}, a restore, and a rule set that stops declaring a trait
     * half-way (which merges every pending list of the tenant).
     */
    @Test
    void eventsWaitInThePendingListAndAHandOverSendsWhatAllTheEventsMake() throws Exception {
        broadcast(rules(1, "plan", "city"));
        ProfileFeatures expected = new ProfileFeatures();
        int waiting = 0;
        int folds = 0;
        for (int i = 0; i < 101; i++) {
            if (i == 45) {
                restore(0);
            }
            if (i == 70) {
                broadcast(rules(2, "plan"));
                expected.retainTraits(Set.of("plan"));
                assertThat(pendingOf("o1")).as("merged when the rule set came").isEmpty();
                waiting = 0;
            }
            long ts = T + (i % 7) * 86_400_000L - i * 1_000L;
            Event e =
                    i % 3 == 0
                            ? identify(
                                    "acme", "i" + i, ts, Map.of("plan", "p" + i, "city", "c" + i))
                            : order("acme", "e" + i, ts, (1 + i) * 1_000_000L);
            route("o1", e);
            expected.add(
                    i < 70 || e.traits().isEmpty() ? e : e.withTraits(Map.of("plan", "p" + i)));
            if (FragmentStore.folds(e)) {
                folds++;
                waiting = 0;
            } else {
                waiting++;
            }
            assertThat(pendingOf("o1")).hasSize(waiting);
        }
        assertThat(folds).as("some of these events merge the list").isBetween(1, 10);
        drain();
        assertThat(features("o1")).isEqualTo(expected);
        assertThat(pendingOf("o1")).as("merged by the hand-over").isEmpty();
        // handed on again (a later merge of its survivor): the same
        assertThat(features("o1")).isEqualTo(expected);
    }

    @Test
    void aRuleSetThatStopsDeclaringATraitTakesItOutOfThePendingEntriesToo() throws Exception {
        broadcast(rules(1, "plan", "city"));
        Event first = identify("acme", "i1", T, Map.of("plan", "gold"));
        Event second = identify("acme", "i2", T + 1, Map.of("plan", "gold", "city", "Bern"));
        assertThat(FragmentStore.folds(first) || FragmentStore.folds(second))
                .as("both wait: the fragment has no features yet")
                .isFalse();
        route("o1", first);
        route("o1", second);
        drain();
        assertThat(pendingOf("o1")).hasSize(2);
        assertThat(pendingOf("o1").get(1).traits()).containsKey("city");

        broadcast(rules(2, "plan"));

        assertThat(pendingOf("o1")).as("merged into the features when the rule set came").isEmpty();
        restore(0);
        assertThat(features("o1").traits()).isEqualTo(Map.of("plan", "gold"));
        assertThat(features("o1").eventsTotal()).isEqualTo(2);
    }

    @Test
    void aForgetClearsThePendingEntriesToo() throws Exception {
        route("o1", order("acme", "e1", T, 1_000_000L));
        route("o1", order("acme", "e2", T + 1, 2_000_000L));
        send(
                FragmentCommand.forget(
                        "acme",
                        "o1",
                        Events.of(EventType.FORGET)
                                .tenant("acme")
                                .eventId("f1")
                                .at(T + 2)
                                .ids(U1)
                                .build()));
        assertThat(pendingOf("o1")).isEmpty();
        drain();
        send(FragmentCommand.resend("acme", "o1", "o0"));
        assertThat(drain()).as("nothing left to hand on").isEmpty();

        route("o1", order("acme", "e3", T + 3, 3_000_000L));
        drain();
        ProfileFeatures expected = new ProfileFeatures();
        expected.add(order("acme", "e3", T + 3, 3_000_000L));
        assertThat(features("o1")).isEqualTo(expected);
    }

    @Test
    void anEventThatFailsWhereItWouldMergeThePendingListLosesNoneOfIt() throws Exception {
        route("o1", order("acme", "e1", T, 1_000_000L));
        route("o1", order("acme", "e2", T + 1, 2_000_000L));
        int waiting = pendingOf("o1").size();
        assertThat(waiting).isPositive();
        String id = "p0";
        for (int i = 1; !FragmentStore.folds(order("acme", id, T, 1L)); i++) {
            id = "p" + i;
        }
        // an order line that is null (a defect upstream): the features fail on it after they
        // have read the pending list
        Event poison =
                new Event(
                        "acme",
                        id,
                        EventType.TRACK,
                        Event.ORDER_COMPLETED,
                        T + 2,
                        "web",
                        List.of(U1),
                        1_000_000L,
                        null,
                        null,
                        java.util.Arrays.asList((io.rtcdp.udf.event.OrderItem) null),
                        null,
                        null,
                        Map.of(),
                        null,
                        0L,
                        null);
        drain();

        route("o1", poison);

        assertThat(h.getSideOutput(RecordIsolation.INTERNAL_ERRORS)).hasSize(1);
        assertThat(pendingOf("o1")).as("still there").hasSize(waiting);
        ProfileFeatures expected = new ProfileFeatures();
        expected.add(order("acme", "e1", T, 1_000_000L));
        expected.add(order("acme", "e2", T + 1, 2_000_000L));
        assertThat(features("o1")).isEqualTo(expected);
    }
}
