package io.rtcdp.operators.profile;

import static io.rtcdp.operators.profile.ProfileUpdaterTest.MIN;
import static io.rtcdp.operators.profile.ProfileUpdaterTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.identity.FragmentStore;
import io.rtcdp.operators.identity.FragmentStoreOperator;
import io.rtcdp.operators.types.ProfileCommandSerializer;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.testing.Events;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The traits the profile stage sends on (ProfileChange#traits): the profile's whole trait map
 * (latest value by event time per name) when a command changed it or the write is full; and the
 * fragments an event's merges moved in (ProfileChange#merged); and only the traits the tenant's
 * rule set declares, as the fragment store says with each event.
 */
class ProfileUpdaterTraitsTest {
    KeyedBroadcastOperatorTestHarness<String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
            harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProfileUpdaterTest.newHarness();
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static ProfileCommand identify(String oneid, long ts, Map<String, String> traits) {
        return ProfileCommand.event(
                oneid,
                Events.of(EventType.IDENTIFY)
                        .eventId("i-" + ts)
                        .at(ts)
                        .userId("u-" + oneid)
                        .traits(traits)
                        .build(),
                List.of());
    }

    private List<ProfileChange> drain() {
        List<ProfileChange> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    private ProfileChange only() {
        List<ProfileChange> out = drain();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void theTraitsGoOnWhenTheyChangeOrTheWriteIsFull() throws Exception {
        // the first write is full: the traits go with it
        harness.processElement(identify("o1", T0, Map.of("plan", "gold", "city", "Bern")), T0);
        ProfileChange first = only();
        assertThat(first.traits()).isEqualTo(Map.of("plan", "gold", "city", "Bern"));
        assertThat(first.merged()).isEmpty();

        // no traits, the same value again, an older value: no change, none sent
        harness.processElement(identify("o1", T0 + MIN, Map.of()), T0);
        assertThat(only().traits()).isNull();
        harness.processElement(identify("o1", T0 + 2 * MIN, Map.of("plan", "gold")), T0);
        assertThat(only().traits()).isNull();
        harness.processElement(identify("o1", T0 - MIN, Map.of("plan", "bronze")), T0);
        assertThat(only().traits()).isNull();

        // a newer value: the whole map
        harness.processElement(identify("o1", T0 + 3 * MIN, Map.of("plan", "silver")), T0);
        assertThat(only().traits()).isEqualTo(Map.of("plan", "silver", "city", "Bern"));

        // the first write after a restore is full again: the traits go with it
        OperatorSubtaskState snapshot = harness.snapshot(1, T0);
        harness.close();
        harness = ProfileUpdaterTest.newHarness();
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(identify("o1", T0 + 4 * MIN, Map.of()), T0);
        assertThat(only().traits()).isEqualTo(Map.of("plan", "silver", "city", "Bern"));
        harness.processElement(identify("o1", T0 + 5 * MIN, Map.of()), T0);
        assertThat(only().traits()).isNull();
    }

    @Test
    void anAbsorbSendsTheMergedTraitsAndAMergingEventTheFragmentsMovedIn() throws Exception {
        harness.processElement(identify("o1", T0, Map.of("plan", "gold")), T0);
        drain();

        // the fragment's traits: a later plan, and a city
        ProfileFeatures fragment = new ProfileFeatures();
        fragment.add(identify("o2", T0 + MIN, Map.of("plan", "silver", "city", "Bern")).event());
        harness.processElement(ProfileCommand.absorb("acme", "o1", fragment), T0);
        ProfileChange absorbed = only();
        assertThat(absorbed.cause()).isNull();
        assertThat(absorbed.traits()).isEqualTo(Map.of("plan", "silver", "city", "Bern"));

        // a fragment that counted nothing: no trait change
        harness.processElement(ProfileCommand.absorb("acme", "o1", new ProfileFeatures()), T0);
        ProfileChange empty = only();
        assertThat(empty.traits()).isNull();

        // older traits of a fragment change nothing
        ProfileFeatures older = new ProfileFeatures();
        older.add(identify("o4", T0 - MIN, Map.of("plan", "bronze")).event());
        harness.processElement(ProfileCommand.absorb("acme", "o1", older), T0);
        ProfileChange none = only();
        assertThat(none.traits()).isNull();

        // the change of the event whose merges moved fragments in names them
        ProfileCommand merging = identify("o1", T0 + 2 * MIN, Map.of("tier", "2"));
        harness.processElement(
                ProfileCommand.event(
                        merging.oneid(),
                        merging.event(),
                        merging.linked(),
                        null,
                        List.of("o2", "o3")),
                T0);
        ProfileChange event = only();
        assertThat(event.merged()).containsExactly("o2", "o3");
        assertThat(event.traits()).containsEntry("tier", "2").containsEntry("plan", "silver");

        // an absorb after the profile merged away is ignored, as before: no change at all
        harness.processElement(ProfileCommand.drop("acme", "o1", "o9"), T0);
        drain();
        harness.processElement(ProfileCommand.absorb("acme", "o1", fragment), T0);
        assertThat(drain()).isEmpty();
    }

    /** An event that says which traits the tenant's rule set declares (the fragment store's). */
    private static ProfileCommand declaring(ProfileCommand c, Set<String> declared) {
        return ProfileCommand.event(
                c.oneid(), c.event(), c.linked(), c.history(), c.merged(), declared);
    }

    @Test
    void aTraitNoLongerDeclaredLeavesTheProfileAtItsNextEvent() throws Exception {
        harness.processElement(
                declaring(
                        identify("o1", T0, Map.of("plan", "gold", "city", "Bern")),
                        Set.of("plan", "city")),
                T0);
        assertThat(only().traits()).isEqualTo(Map.of("plan", "gold", "city", "Bern"));

        // not known (a command that does not say): nothing goes
        harness.processElement(identify("o1", T0 + MIN, Map.of()), T0);
        assertThat(only().traits()).isNull();

        // the rule set no longer declares city: it goes with the next event, which sends the
        // traits as changed though the event brings none
        harness.processElement(
                declaring(identify("o1", T0 + 2 * MIN, Map.of()), Set.of("plan")), T0);
        assertThat(only().traits()).isEqualTo(Map.of("plan", "gold"));
        harness.processElement(
                declaring(identify("o1", T0 + 3 * MIN, Map.of()), Set.of("plan")), T0);
        assertThat(only().traits()).as("nothing more goes").isNull();

        // none declared: the last one goes, and the state keeps none (a full write after a restore
        // sends none)
        harness.processElement(declaring(identify("o1", T0 + 4 * MIN, Map.of()), Set.of()), T0);
        assertThat(only().traits()).isEmpty();
        OperatorSubtaskState snapshot = harness.snapshot(1, T0);
        harness.close();
        harness = ProfileUpdaterTest.newHarness();
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(identify("o1", T0 + 5 * MIN, Map.of()), T0);
        assertThat(only().traits()).isEmpty();
    }

    /**
     * The fragment store and the profile stage together: a newer rule set that stops declaring a
     * trait; the trait leaves the fragment and the profile at the profile's next event, and an
     * undeclared trait never reaches either.
     */
    @Test
    void aNewerRuleSetThatStopsDeclaringATraitRemovesItFromFragmentAndProfile() throws Exception {
        var fragments =
                new KeyedBroadcastOperatorTestHarness<>(
                        new FragmentStoreOperator(new FragmentStore()),
                        FragmentStore.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        fragments.setup(ProfileCommandSerializer.INSTANCE);
        fragments.open();
        try {
            fragments.processBroadcastElement(
                    "tenant: acme\nversion: 1\ntraits: [plan, city]\n", 0);
            Event first =
                    Events.of(EventType.IDENTIFY)
                            .eventId("i1")
                            .at(T0)
                            .userId("u-o1")
                            .traits(Map.of("plan", "gold", "city", "Bern", "nickname", "bilby"))
                            .build();
            fragments.processElement(FragmentCommand.route("o1", first, List.of(), null), T0);
            for (ProfileCommand c : fragments.extractOutputValues()) {
                harness.processElement(c, T0);
            }
            fragments.getOutput().clear();
            assertThat(only().traits())
                    .as("the undeclared trait reached neither stage")
                    .isEqualTo(Map.of("plan", "gold", "city", "Bern"));

            fragments.processBroadcastElement("tenant: acme\nversion: 2\ntraits: [plan]\n", 0);
            Event next = Events.track("search").eventId("e2").at(T0 + MIN).userId("u-o1").build();
            fragments.processElement(FragmentCommand.route("o1", next, List.of(), null), T0);
            for (ProfileCommand c : fragments.extractOutputValues()) {
                harness.processElement(c, T0);
            }
            fragments.getOutput().clear();
            assertThat(only().traits()).isEqualTo(Map.of("plan", "gold"));

            // the fragment, handed on, keeps only plan too
            fragments.processElement(FragmentCommand.resend("acme", "o1", "o0"), T0);
            assertThat(fragments.extractOutputValues().get(0).features().traits())
                    .isEqualTo(Map.of("plan", "gold"));
        } finally {
            fragments.close();
        }
    }
}
