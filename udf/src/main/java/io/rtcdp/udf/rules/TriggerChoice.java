package io.rtcdp.udf.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The trigger rules' outcome for one profile update under the contact policy (contract §5.2): each
 * rule's decision ({@link ContactPolicy#decide}), and of the rules that fire at once only the one
 * of highest expected value ({@code value × p − cost}, with p the churn probability for a rule
 * whose condition reads {@code score.churn} and the purchase probability otherwise; value 1 and
 * cost 0 when not set; ties: rule order) is sent. The others are suppressed by next-best-action and
 * their contact-policy state is left as if they had not fired (they keep the used-up rising edge,
 * not the fire). Plain Java: the decision stage counts and emits what it returns.
 *
 * @param chosen the rule whose trigger is sent, or null
 * @param probability the probability that ranked it ({@link Trigger#score()}), null without a model
 *     or without a chosen rule
 * @param cooldown rules suppressed by their cooldown
 * @param cap rules suppressed by their cap per period
 * @param consent rules suppressed for want of the consent they need
 * @param nextBestAction rules that fired but lost to {@code chosen}
 */
public record TriggerChoice(
        RuleSet.TriggerRule chosen,
        Double probability,
        int cooldown,
        int cap,
        int consent,
        int nextBestAction) {

    /**
     * Decides every trigger rule of {@code rules} for one profile, updating {@code states} (per
     * rule name; the states of rules the rule set no longer has are dropped).
     *
     * @param states the profile's contact-policy state per rule name, changed in place
     * @param holding the names of the trigger rules whose condition holds now ({@link
     *     Evaluation#triggers()})
     * @param facts the facts the conditions saw (scores and consent)
     * @param withEvent whether an event caused the update: rules that read {@code event} are
     *     decided only then
     * @param ts the update's event time (the event's, or the profile's as-of time)
     */
    public static TriggerChoice choose(
            CompiledRules rules,
            Map<String, TriggerState> states,
            List<String> holding,
            RuleFacts facts,
            boolean withEvent,
            long ts) {
        List<RuleSet.TriggerRule> all = rules.triggers();
        ContactPolicy.retainRules(states, rules);
        RuleSet.TriggerRule best = null;
        double bestValue = Double.NEGATIVE_INFINITY;
        Double bestP = null;
        int cooldown = 0;
        int cap = 0;
        int consent = 0;
        List<RuleSet.TriggerRule> fired = new ArrayList<>(1);
        List<TriggerState> before = new ArrayList<>(1);
        for (int i = 0; i < all.size(); i++) {
            RuleSet.TriggerRule rule = all.get(i);
            boolean eventDriven = rules.isEventDriven(i);
            if (eventDriven && !withEvent) {
                continue;
            }
            TriggerState state = states.computeIfAbsent(rule.name(), n -> new TriggerState());
            TriggerState was = new TriggerState(state.lastTrue(), state.lastFire(), state.fires());
            boolean holds = holding.contains(rule.name());
            switch (ContactPolicy.decide(rule, state, ts, holds, eventDriven, facts.consent())) {
                case FIRE -> {
                    Double p = probability(rule, facts);
                    double value = expectedValue(rule, p);
                    fired.add(rule);
                    before.add(was);
                    if (value > bestValue) {
                        best = rule;
                        bestValue = value;
                        bestP = p;
                    }
                }
                case SUPPRESSED_COOLDOWN -> cooldown++;
                case SUPPRESSED_CAP -> cap++;
                case SUPPRESSED_CONSENT -> consent++;
                case NOT_RISING -> {}
            }
        }
        int lost = 0;
        for (int i = 0; i < fired.size(); i++) {
            RuleSet.TriggerRule rule = fired.get(i);
            if (rule != best) {
                TriggerState was = before.get(i);
                TriggerState now = states.get(rule.name());
                states.put(
                        rule.name(), new TriggerState(now.lastTrue(), was.lastFire(), was.fires()));
                lost++;
            }
        }
        return new TriggerChoice(best, bestP, cooldown, cap, consent, lost);
    }

    /**
     * The rules that may fire, for a profile whose cooldowns and caps are judged after the decision
     * stage ({@link ContactBook}, a profile that absorbed another): best expected value first
     * (ties: rule order), with the probability that ranked each.
     *
     * @param consent rules left out for want of the consent they need
     */
    public record Candidates(
            List<RuleSet.TriggerRule> rules, List<Double> probabilities, int consent) {}

    /**
     * Steps 1 and 2 of the contact policy for every trigger rule ({@link ContactPolicy#candidate}):
     * updates only the rising edges in {@code states}; the arguments are those of {@link #choose}.
     */
    public static Candidates candidates(
            CompiledRules rules,
            Map<String, TriggerState> states,
            List<String> holding,
            RuleFacts facts,
            boolean withEvent) {
        List<RuleSet.TriggerRule> all = rules.triggers();
        ContactPolicy.retainRules(states, rules);
        List<RuleSet.TriggerRule> may = new ArrayList<>(1);
        List<Double> ps = new ArrayList<>(1);
        List<Double> values = new ArrayList<>(1);
        int consent = 0;
        for (int i = 0; i < all.size(); i++) {
            RuleSet.TriggerRule rule = all.get(i);
            boolean eventDriven = rules.isEventDriven(i);
            if (eventDriven && !withEvent) {
                continue;
            }
            TriggerState state = states.computeIfAbsent(rule.name(), n -> new TriggerState());
            boolean holds = holding.contains(rule.name());
            switch (ContactPolicy.candidate(rule, state, holds, eventDriven, facts.consent())) {
                case FIRE -> {
                    Double p = probability(rule, facts);
                    double value = expectedValue(rule, p);
                    // insertion after every rule of a value at least as high: ties keep rule order
                    int at = 0;
                    while (at < values.size() && values.get(at) >= value) {
                        at++;
                    }
                    may.add(at, rule);
                    ps.add(at, p);
                    values.add(at, value);
                }
                case SUPPRESSED_CONSENT -> consent++;
                default -> {}
            }
        }
        return new Candidates(may, ps, consent);
    }

    /** {@code value × p − cost}: value 1 and cost 0 when not set, p 1 without a model. */
    static double expectedValue(RuleSet.TriggerRule rule, Double p) {
        return (rule.value() == null ? 1.0 : rule.value()) * (p == null ? 1.0 : p)
                - (rule.cost() == null ? 0.0 : rule.cost());
    }

    /** The probability a trigger rule's expected value uses, null without a model. */
    static Double probability(RuleSet.TriggerRule rule, RuleFacts facts) {
        Object p = facts.scores().get(rule.when().contains("score.churn") ? "churn" : "purchase");
        return p instanceof Number n ? n.doubleValue() : null;
    }
}
