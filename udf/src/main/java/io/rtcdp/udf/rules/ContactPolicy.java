package io.rtcdp.udf.rules;

import java.util.Arrays;
import java.util.Map;

/**
 * Decides whether a trigger rule whose condition was evaluated actually fires, and updates its
 * {@link TriggerState}. All times are event time (ms), so a replay decides the same way.
 *
 * <p>In order:
 *
 * <ol>
 *   <li>State-driven rules (not reading {@code event}) fire only on the rising edge: condition true
 *       now and false at the previous evaluation. Event-driven rules may fire on every evaluation
 *       whose condition is true. Otherwise {@link Decision#NOT_RISING}.
 *   <li>{@code requires_consent}: the profile's consent for that purpose must be {@code true}
 *       (absent means no consent), otherwise {@link Decision#SUPPRESSED_CONSENT}.
 *   <li>{@code cooldown}: no fire at an event time less than the cooldown after the last fire (nor
 *       before it, for out-of-order event times), otherwise {@link Decision#SUPPRESSED_COOLDOWN}.
 *   <li>Cap: at most {@code max_per_period} fires with event times in any window of the period (a
 *       fire at {@code ts} counts the fires at times greater than {@code ts - period}), otherwise
 *       {@link Decision#SUPPRESSED_CAP}.
 * </ol>
 *
 * A suppressed rising edge is used up: a state-driven rule that stays true does not fire later when
 * its cooldown ends; it fires again after its condition has been false once.
 */
public final class ContactPolicy {
    public enum Decision {
        FIRE,
        SUPPRESSED_COOLDOWN,
        SUPPRESSED_CAP,
        SUPPRESSED_CONSENT,
        NOT_RISING
    }

    private ContactPolicy() {}

    /**
     * Decides and updates {@code state}.
     *
     * @param conditionNow whether the rule's condition holds now ({@link Evaluation#triggers()})
     * @param eventDriven {@link CompiledRules#isEventDriven(int)}
     * @param consent the profile's consent ({@link RuleFacts#consent()}); may be null
     */
    public static Decision decide(
            RuleSet.TriggerRule rule,
            TriggerState state,
            long ts,
            boolean conditionNow,
            boolean eventDriven,
            Map<String, Boolean> consent) {
        Decision d = candidate(rule, state, conditionNow, eventDriven, consent);
        if (d != Decision.FIRE) {
            return d;
        }
        return admit(rule.cooldownMs(), rule.maxPerPeriod(), rule.periodMs(), state, ts);
    }

    /**
     * Steps 1 and 2 alone: whether the rule is a candidate to fire ({@link Decision#FIRE}), not
     * rising ({@link Decision#NOT_RISING}) or lacks consent ({@link Decision#SUPPRESSED_CONSENT}).
     * Updates the rising-edge state only. For a profile whose cooldowns and caps are judged after
     * the decision stage ({@link ContactBook}).
     */
    public static Decision candidate(
            RuleSet.TriggerRule rule,
            TriggerState state,
            boolean conditionNow,
            boolean eventDriven,
            Map<String, Boolean> consent) {
        boolean wasTrue = state.lastTrue;
        if (!eventDriven) {
            state.lastTrue = conditionNow;
        }
        if (!conditionNow || (!eventDriven && wasTrue)) {
            return Decision.NOT_RISING;
        }
        if (rule.requiresConsent() != null
                && (consent == null || !Boolean.TRUE.equals(consent.get(rule.requiresConsent())))) {
            return Decision.SUPPRESSED_CONSENT;
        }
        return Decision.FIRE;
    }

    /**
     * Steps 3 and 4 (cooldown, cap) for a fire at {@code ts}: on {@link Decision#FIRE} records the
     * fire in {@code state}.
     *
     * @param cooldownMs 0 for none
     * @param maxPerPeriod 0 for no cap
     */
    public static Decision admit(
            long cooldownMs, int maxPerPeriod, long periodMs, TriggerState state, long ts) {
        if (cooldownMs > 0
                && state.lastFire != TriggerState.NEVER
                && (ts < state.lastFire || ts - state.lastFire < cooldownMs)) {
            return Decision.SUPPRESSED_COOLDOWN;
        }
        long[] fires = state.fires;
        if (maxPerPeriod > 0) {
            long from = ts - periodMs;
            int inPeriod = 0;
            for (long f : fires) {
                if (f > from) {
                    inPeriod++;
                }
            }
            if (inPeriod >= maxPerPeriod) {
                return Decision.SUPPRESSED_CAP;
            }
            // keep only the fires that can still count: the latest (cap - 1) inside the period
            int keepFrom = 0;
            while (keepFrom < fires.length
                    && (fires[keepFrom] <= from || fires.length - keepFrom > maxPerPeriod - 1)) {
                keepFrom++;
            }
            long[] next = Arrays.copyOfRange(fires, keepFrom, fires.length + 1);
            next[next.length - 1] = ts;
            Arrays.sort(next);
            state.fires = next;
        } else if (fires.length > 0) {
            state.fires = new long[0];
        }
        state.lastFire = Math.max(state.lastFire, ts);
        return Decision.FIRE;
    }

    /**
     * The contact history of one person from two profiles' (a merge): the stricter wins, the later
     * last fire and every recent fire time of both (the latest {@link RuleSet#MAX_CAP}); the rising
     * edge is {@code into}'s. Changes {@code into}.
     */
    public static void absorb(Map<String, TriggerState> into, Map<String, TriggerState> from) {
        for (Map.Entry<String, TriggerState> e : from.entrySet()) {
            TriggerState b = e.getValue();
            TriggerState a = into.get(e.getKey());
            if (a == null) {
                into.put(e.getKey(), new TriggerState(false, b.lastFire, b.fires));
                continue;
            }
            long[] all = new long[a.fires.length + b.fires.length];
            System.arraycopy(a.fires, 0, all, 0, a.fires.length);
            System.arraycopy(b.fires, 0, all, a.fires.length, b.fires.length);
            Arrays.sort(all);
            a.fires =
                    all.length <= RuleSet.MAX_CAP
                            ? all
                            : Arrays.copyOfRange(all, all.length - RuleSet.MAX_CAP, all.length);
            a.lastFire = Math.max(a.lastFire, b.lastFire);
        }
    }

    /** Removes the states of trigger rules that are not in {@code rules} any more. */
    public static void retainRules(Map<String, ?> statesByRule, CompiledRules rules) {
        if (!statesByRule.isEmpty()) {
            statesByRule.keySet().retainAll(rules.triggerNames());
        }
    }
}
