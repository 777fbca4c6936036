package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TriggerChoiceTest {
    static final long H = 3_600_000L;

    static final String RULES =
            """
            tenant: t
            version: 1
            triggers:
              - {name: small, when: "f.orders_total >= 1", action: a, channel: app, value: 1.0}
              - {name: big, when: "f.orders_total >= 2", action: b, channel: sms, value: 10.0,
                 cost: 1, cooldown: 1d}
              - {name: rescue, when: "has(score.churn) && score.churn > 0.5", action: c,
                 channel: phone, value: 3.0, requires_consent: marketing}
              - {name: viewed, when: "event.name == 'product_viewed'", action: v, channel: app}
            """;

    final CompiledRules rules;
    final Map<String, TriggerState> states = new TreeMap<>();

    TriggerChoiceTest() throws RuleSetException {
        rules = CompiledRules.compile(RULES);
    }

    static RuleFacts facts(double purchase, double churn, boolean marketing) {
        return RuleFacts.builder()
                .score("purchase", purchase)
                .score("churn", churn)
                .consent("marketing", marketing)
                .build();
    }

    TriggerChoice choose(List<String> holding, RuleFacts facts, boolean withEvent, long ts) {
        return TriggerChoice.choose(rules, states, holding, facts, withEvent, ts);
    }

    @Test
    void ofTheRulesFiringAtOnceTheHighestExpectedValueIsSentAndTheOthersKeepNoFire() {
        // small: 1 × 0.5 − 0 = 0.5; big: 10 × 0.5 − 1 = 4; rescue (churn 0.9): 3 × 0.9 = 2.7
        TriggerChoice c =
                choose(List.of("small", "big", "rescue"), facts(0.5, 0.9, true), false, 10 * H);
        assertThat(c.chosen().name()).isEqualTo("big");
        assertThat(c.probability()).isEqualTo(0.5);
        assertThat(c.nextBestAction()).isEqualTo(2);
        assertThat(c.cooldown() + c.cap() + c.consent()).isZero();
        assertThat(states.get("big")).isEqualTo(new TriggerState(true, 10 * H, new long[0]));
        // the losers used up their rising edge, not a fire
        assertThat(states.get("small"))
                .isEqualTo(new TriggerState(true, TriggerState.NEVER, new long[0]));
        assertThat(states.get("rescue"))
                .isEqualTo(new TriggerState(true, TriggerState.NEVER, new long[0]));
        // a rule that reads event is not decided without one, and keeps no state
        assertThat(states).doesNotContainKey("viewed");
    }

    @Test
    void suppressionsAreCountedByReasonAndARuleInCooldownLeavesTheChoiceToTheNext() {
        choose(List.of("big"), facts(0.5, 0.1, true), false, 10 * H);
        // every condition false, then all of them true again: big is in its cooldown of a day,
        // rescue lacks consent, small fires
        choose(List.of(), facts(0.5, 0.1, true), false, 11 * H);
        TriggerChoice c =
                choose(List.of("small", "big", "rescue"), facts(0.5, 0.9, false), false, 12 * H);
        assertThat(c.chosen().name()).isEqualTo("small");
        assertThat(c.cooldown()).isEqualTo(1);
        assertThat(c.consent()).isEqualTo(1);
        assertThat(c.nextBestAction()).isZero();
        assertThat(states.get("small").lastFire()).isEqualTo(12 * H);
        assertThat(states.get("big").lastFire()).isEqualTo(10 * H);
    }

    @Test
    void anEventDrivenRuleIsDecidedWithAnEventWithoutAModelItsProbabilityIsNull() {
        TriggerChoice c = choose(List.of("viewed"), RuleFacts.builder().build(), true, 10 * H);
        assertThat(c.chosen().name()).isEqualTo("viewed");
        assertThat(c.probability()).isNull();
        // and fires again with the next event: an event-driven rule has no rising edge
        c = choose(List.of("viewed"), RuleFacts.builder().build(), true, 11 * H);
        assertThat(c.chosen().name()).isEqualTo("viewed");
        assertThat(choose(List.of(), RuleFacts.builder().build(), true, 12 * H).chosen()).isNull();
    }

    @Test
    void theStatesOfRulesTheRuleSetNoLongerHasAreDropped() {
        states.put("gone", new TriggerState(true, 5 * H, new long[] {5 * H}));
        choose(List.of(), facts(0.5, 0.1, true), false, 10 * H);
        assertThat(states).doesNotContainKey("gone").containsKeys("small", "big", "rescue");
    }

    @Test
    void candidatesAreTheRulesThatMayFireBestFirstAndChooseAgreesWithTheFirstOfThem() {
        // the same facts as above: big 4, rescue 2.7, small 0.5; rising edges only, no fires
        TriggerChoice.Candidates may =
                TriggerChoice.candidates(
                        rules,
                        states,
                        List.of("small", "big", "rescue"),
                        facts(0.5, 0.9, true),
                        false);
        assertThat(may.rules())
                .extracting(RuleSet.TriggerRule::name)
                .containsExactly("big", "rescue", "small");
        assertThat(may.probabilities()).containsExactly(0.5, 0.9, 0.5);
        assertThat(states.get("big"))
                .isEqualTo(new TriggerState(true, TriggerState.NEVER, new long[0]));
        // the edge is used up: not again while the conditions hold; consent still counts
        assertThat(
                        TriggerChoice.candidates(
                                        rules,
                                        states,
                                        List.of("small", "big", "rescue"),
                                        facts(0.5, 0.9, true),
                                        false)
                                .rules())
                .isEmpty();
        Map<String, TriggerState> fresh = new TreeMap<>();
        TriggerChoice.Candidates noConsent =
                TriggerChoice.candidates(
                        rules, fresh, List.of("rescue"), facts(0.5, 0.9, false), false);
        assertThat(noConsent.rules()).isEmpty();
        assertThat(noConsent.consent()).isEqualTo(1);
        // equal values keep rule order
        Map<String, TriggerState> ties = new TreeMap<>();
        TriggerChoice.Candidates tied =
                TriggerChoice.candidates(
                        rules, ties, List.of("small", "viewed"), RuleFacts.builder().build(), true);
        assertThat(tied.rules())
                .extracting(RuleSet.TriggerRule::name)
                .containsExactly("small", "viewed");
    }
}
