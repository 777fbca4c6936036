package io.rtcdp.operators.decide;

import static io.rtcdp.operators.decide.ProfileDeciderTest.T0;
import static io.rtcdp.operators.decide.ProfileDeciderTest.change;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.sink.ProfileUpdate;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The decision stage takes a profile's traits from the profile stage's changes ({@link
 * ProfileChange#traits}), those of a merge's absorb included, not from the events.
 */
class ProfileDeciderTraitsTest {
    private static final String RULES =
            "tenant: t\nversion: 1\ntraits: [member_level, city]\ntags:\n"
                    + "  - {name: gold, when: \"traits.member_level == 'gold'\"}\n"
                    + "  - {name: bern, when: \"traits.city == 'Bern'\"}\n";

    KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> h;

    @BeforeEach
    void open() throws Exception {
        h =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new ProfileDecider(),
                                List.of(ProfileDecider.RULES, ProfileDecider.MODELS)),
                        ProfileDecider.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        h.open();
        h.processBroadcastElement(RULES, 0);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /** A change of the profile stage with the profile's traits (null: unchanged). */
    private static ProfileChange withTraits(
            String oneid, long ts, boolean event, Map<String, String> traits, String absorbed) {
        ProfileChange c = change(oneid, "page_view", ts, 0);
        return new ProfileChange(
                c.tenant(),
                c.oneid(),
                c.update(),
                c.values(),
                event ? c.cause() : null,
                null,
                0,
                null,
                traits,
                absorbed == null ? List.of() : List.of(absorbed));
    }

    private String lastTags() {
        List<ProfileUpdate> out = h.extractOutputValues();
        return out.get(out.size() - 1).set().get("tags");
    }

    @Test
    void theTraitsOfAnAbsorbedFragmentReachTheRules() throws Exception {
        h.processElement(withTraits("o1", T0, true, Map.of("city", "Zug"), null), T0);
        assertThat(lastTags()).isNull();
        // the merge brings the other profile's traits: the whole map, no event
        h.processElement(
                withTraits(
                        "o1",
                        T0 + 1000,
                        false,
                        Map.of("city", "Bern", "member_level", "gold", "name", "Alice"),
                        "o2"),
                T0);
        assertThat(lastTags()).isEqualTo("bern,gold");
    }

    @Test
    void traitsTheProfileStageDoesNotSendStay() throws Exception {
        h.processElement(withTraits("o1", T0, true, Map.of("member_level", "gold"), null), T0);
        assertThat(lastTags()).isEqualTo("gold");
        // a later change whose map lacks member_level (a state of before the profile stage kept
        // traits): it stays
        h.processElement(withTraits("o1", T0 + 1000, true, Map.of("city", "Bern"), null), T0);
        assertThat(lastTags()).isEqualTo("bern,gold");
        // an unchanged map (null) changes nothing
        h.processElement(withTraits("o1", T0 + 2000, true, null, null), T0);
        List<ProfileUpdate> out = h.extractOutputValues();
        assertThat(out.get(out.size() - 1).set()).doesNotContainKey("tags");
    }
}
