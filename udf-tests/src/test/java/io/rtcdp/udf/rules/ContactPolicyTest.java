package io.rtcdp.udf.rules;

import static io.rtcdp.udf.rules.ContactPolicy.Decision.FIRE;
import static io.rtcdp.udf.rules.ContactPolicy.Decision.NOT_RISING;
import static io.rtcdp.udf.rules.ContactPolicy.Decision.SUPPRESSED_CAP;
import static io.rtcdp.udf.rules.ContactPolicy.Decision.SUPPRESSED_CONSENT;
import static io.rtcdp.udf.rules.ContactPolicy.Decision.SUPPRESSED_COOLDOWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.rules.ContactPolicy.Decision;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ContactPolicyTest {
    static final long H = 3_600_000L;
    static final long D = 24 * H;
    static final Map<String, Boolean> YES = Map.of("marketing", true);

    static RuleSet.TriggerRule rule(long cooldown, int cap, long period, String consent) {
        return new RuleSet.TriggerRule(
                "r", "true", "a", "c", cooldown, cap, period, consent, null, null);
    }

    @Test
    void stateDrivenRulesFireOnTheRisingEdgeOnly() {
        RuleSet.TriggerRule r = rule(0, 0, D, null);
        TriggerState s = new TriggerState();
        assertThat(ContactPolicy.decide(r, s, 1, true, false, null)).isEqualTo(FIRE);
        assertThat(ContactPolicy.decide(r, s, 2, true, false, null)).isEqualTo(NOT_RISING);
        assertThat(ContactPolicy.decide(r, s, 3, false, false, null)).isEqualTo(NOT_RISING);
        assertThat(ContactPolicy.decide(r, s, 4, true, false, null)).isEqualTo(FIRE);
        assertThat(s).isEqualTo(new TriggerState(true, 4, new long[0]));
    }

    @Test
    void eventDrivenRulesFireWheneverTrue() {
        RuleSet.TriggerRule r = rule(0, 0, D, null);
        TriggerState s = new TriggerState();
        assertThat(ContactPolicy.decide(r, s, 1, true, true, null)).isEqualTo(FIRE);
        assertThat(ContactPolicy.decide(r, s, 2, true, true, null)).isEqualTo(FIRE);
        assertThat(ContactPolicy.decide(r, s, 3, false, true, null)).isEqualTo(NOT_RISING);
    }

    @Test
    void cooldownCountsFromTheLastFire() {
        RuleSet.TriggerRule r = rule(7 * D, 0, D, null);
        TriggerState s = new TriggerState();
        assertThat(ContactPolicy.decide(r, s, 0, true, true, null)).isEqualTo(FIRE);
        assertThat(ContactPolicy.decide(r, s, 7 * D - 1, true, true, null))
                .isEqualTo(SUPPRESSED_COOLDOWN);
        assertThat(ContactPolicy.decide(r, s, 7 * D, true, true, null)).isEqualTo(FIRE);
        // an out-of-order event time before the last fire is inside the cooldown too
        assertThat(ContactPolicy.decide(r, s, 3 * D, true, true, null))
                .isEqualTo(SUPPRESSED_COOLDOWN);
    }

    @Test
    void capCountsFiresInASlidingPeriod() {
        RuleSet.TriggerRule r = rule(0, 2, 30 * D, null);
        TriggerState s = new TriggerState();
        assertThat(ContactPolicy.decide(r, s, 0, true, true, null)).isEqualTo(FIRE);
        assertThat(ContactPolicy.decide(r, s, 10 * D, true, true, null)).isEqualTo(FIRE);
        assertThat(ContactPolicy.decide(r, s, 29 * D, true, true, null)).isEqualTo(SUPPRESSED_CAP);
        assertThat(ContactPolicy.decide(r, s, 30 * D, true, true, null)).isEqualTo(FIRE);
        assertThat(ContactPolicy.decide(r, s, 39 * D, true, true, null)).isEqualTo(SUPPRESSED_CAP);
        assertThat(ContactPolicy.decide(r, s, 40 * D, true, true, null)).isEqualTo(FIRE);
        assertThat(s.fires()).containsExactly(30 * D, 40 * D);
    }

    @Test
    void consentIsRequiredWhenTheRuleSaysSo() {
        RuleSet.TriggerRule r = rule(0, 0, D, "marketing");
        TriggerState s = new TriggerState();
        assertThat(ContactPolicy.decide(r, s, 1, true, true, null)).isEqualTo(SUPPRESSED_CONSENT);
        assertThat(ContactPolicy.decide(r, s, 2, true, true, Map.of()))
                .isEqualTo(SUPPRESSED_CONSENT);
        assertThat(ContactPolicy.decide(r, s, 3, true, true, Map.of("marketing", false)))
                .isEqualTo(SUPPRESSED_CONSENT);
        assertThat(ContactPolicy.decide(r, s, 4, true, true, Map.of("personalization", true)))
                .isEqualTo(SUPPRESSED_CONSENT);
        assertThat(ContactPolicy.decide(r, s, 5, true, true, YES)).isEqualTo(FIRE);
        // a suppressed rising edge is used up
        TriggerState st = new TriggerState();
        assertThat(ContactPolicy.decide(r, st, 1, true, false, null)).isEqualTo(SUPPRESSED_CONSENT);
        assertThat(ContactPolicy.decide(r, st, 2, true, false, YES)).isEqualTo(NOT_RISING);
    }

    @Test
    void statesOfRemovedRulesAreTrimmed() throws Exception {
        CompiledRules c = CompiledRules.compile(RuleSetTest.CONTRACT_EXAMPLE);
        Map<String, TriggerState> states = new HashMap<>();
        states.put("churn_rescue", new TriggerState());
        states.put("gone", new TriggerState());
        ContactPolicy.retainRules(states, c);
        assertThat(states).containsOnlyKeys("churn_rescue");
    }

    // ---- property: the policy against a brute-force model over all fire times ----

    record Step(long delta, boolean condition, boolean consent) {}

    record Case(
            long cooldown,
            int cap,
            long period,
            boolean needsConsent,
            boolean eventDriven,
            List<Step> steps) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Step> step =
                Combinators.combine(
                                Arbitraries.oneOf(
                                        Arbitraries.longs().between(0, 3 * D),
                                        // whole hours and days hit cooldown and period edges
                                        Arbitraries.of(0L, 1L, H, D, 2 * D, 3 * D, 7 * D)),
                                Arbitraries.of(true, true, false),
                                Arbitraries.of(true, true, true, false))
                        .as(Step::new);
        return Combinators.combine(
                        Arbitraries.of(0L, H, D, 2 * D),
                        Arbitraries.integers().between(0, 4),
                        Arbitraries.of(D, 7 * D, 30 * D),
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false),
                        step.list().ofMaxSize(60))
                .as(Case::new);
    }

    /** Decides from the whole fire history, checking every window that could be over the cap. */
    static final class Model {
        final Case c;
        final List<Long> fires = new ArrayList<>();
        boolean prev;

        Model(Case c) {
            this.c = c;
        }

        Decision decide(long ts, boolean cond, boolean consent) {
            boolean wasTrue = prev;
            if (!c.eventDriven()) {
                prev = cond;
            }
            if (!cond || (!c.eventDriven() && wasTrue)) {
                return NOT_RISING;
            }
            if (c.needsConsent() && !consent) {
                return SUPPRESSED_CONSENT;
            }
            for (long f : fires) {
                if (ts - f < c.cooldown()) {
                    return SUPPRESSED_COOLDOWN;
                }
            }
            if (c.cap() > 0) {
                List<Long> with = new ArrayList<>(fires);
                with.add(ts);
                for (long start : with) {
                    long inWindow =
                            with.stream().filter(f -> f >= start && f < start + c.period()).count();
                    if (inWindow > c.cap()) {
                        return SUPPRESSED_CAP;
                    }
                }
            }
            fires.add(ts);
            return FIRE;
        }
    }

    @Property(tries = 300)
    void policyMatchesTheBruteForceModel(@ForAll("cases") Case c) throws Exception {
        RuleSet.TriggerRule r =
                rule(c.cooldown(), c.cap(), c.period(), c.needsConsent() ? "marketing" : null);
        TriggerState s = new TriggerState();
        Model m = new Model(c);
        long ts = 1_300_000_000_000L;
        for (Step step : c.steps()) {
            ts += step.delta();
            Map<String, Boolean> consent = Map.of("marketing", step.consent());
            Decision expected = m.decide(ts, step.condition(), step.consent());
            assertThat(ContactPolicy.decide(r, s, ts, step.condition(), c.eventDriven(), consent))
                    .as("at %d in %s", ts, c)
                    .isEqualTo(expected);
            // the state survives a write/read at any point
            s = roundTrip(s);
            assertThat(s.fires().length).isLessThanOrEqualTo(Math.max(c.cap(), 0));
        }
    }

    @Property(tries = 200)
    void triggerStateRoundTrips(
            @ForAll boolean lastTrue, @ForAll long lastFire, @ForAll("fireTimes") long[] fires)
            throws Exception {
        TriggerState s = new TriggerState(lastTrue, lastFire, fires);
        TriggerState back = roundTrip(s);
        assertThat(back).isEqualTo(s).hasSameHashCodeAs(s);
        assertThat(back.fires()).containsExactly(fires);
    }

    @Provide
    Arbitrary<long[]> fireTimes() {
        return Arbitraries.longs().array(long[].class).ofMaxSize(RuleSet.MAX_CAP);
    }

    static TriggerState roundTrip(TriggerState s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.write(new DataOutputStream(bytes));
        return TriggerState.read(
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }
}
