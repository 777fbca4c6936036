package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.profile.ProfileFields;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Evaluating only the tags and segments whose inputs changed gives what evaluating every rule
 * gives, over random histories of random changes to every kind of input.
 */
class IncrementalEvaluationTest {
    /** Conditions of every shape the dependency analysis must see through. */
    private static final String ODD_RULES =
            """
            tenant: t
            version: 1
            traits: [member_level, t0, t1, t2]
            tags:
              - {name: always, when: "true"}
              - {name: big, when: "f.revenue_90d >= 500.0"}
              - {name: guarded, when: "has(f.days_since_last_order) && f.days_since_last_order > 30"}
              - {name: unguarded, when: "f.days_since_last_order > 30"}
              - {name: shoes, when: "has(f.top_category_30d) && f.top_category_30d == 'shoes'"}
              - {name: gold, when: "traits.exists(k, k == 'member_level' && traits[k] == 'gold')"}
              - {name: champ, when: "has(rfm.segment) && rfm.segment == 'champions'"}
              - {name: active, when: "lifecycle == 'active'"}
              - {name: mail_ok, when: "has(consent.marketing) && consent.marketing"}
              - {name: likely, when: "has(score.purchase) && score.purchase > 0.5"}
              - {name: ranked, when: "has(score.marketing) && score.marketing >= 500"}
            segments:
              - {name: shadow, when: "tags.exists(f, f == 'big')"}
              - {name: mixed, when: "'gold' in tags && f.orders_90d >= 2"}
              - {name: churny, when: "has(score.churn) && score.churn > 0.5 || size(tags) > 4"}
              - {name: none, when: "false"}
            triggers:
              - {name: seg, when: "'mixed' in segments", action: a, channel: c}
              - {name: ev, when: "event.name == 'order_completed' && 'big' in tags", action: a, channel: c}
            """;

    private static final List<String> INT_FEATURES =
            List.of(
                    "f.orders_90d",
                    "f.orders_24h",
                    "f.cart_adds_24h",
                    "f.views_24h",
                    "f.orders_30d",
                    "f.events_total",
                    "f.days_since_last_order",
                    "f.orders_total");
    private static final List<String> DOUBLE_FEATURES =
            List.of("f.revenue_90d", "f.revenue_30d", "f.revenue_total");

    /** One profile's rule inputs. */
    private record Inputs(
            TreeMap<String, Object> features,
            String lifecycle,
            TreeMap<String, String> traits,
            Boolean marketingConsent,
            Double purchase,
            Double churn,
            Long marketing,
            List<Object> rfm) {

        RuleFacts facts() {
            RuleFacts.Builder b = RuleFacts.builder();
            features.forEach(
                    (k, v) -> {
                        if (v instanceof Long l) {
                            b.feature(k, l);
                        } else if (v instanceof Double d) {
                            b.feature(k, d);
                        } else {
                            b.feature(k, (String) v);
                        }
                    });
            if (lifecycle != null) {
                b.lifecycle(lifecycle);
            }
            if (!traits.isEmpty()) {
                b.traits(traits);
            }
            if (marketingConsent != null) {
                b.consent("marketing", marketingConsent);
            }
            if (purchase != null) {
                b.score("purchase", purchase);
            }
            if (churn != null) {
                b.score("churn", churn);
            }
            if (marketing != null) {
                b.score("marketing", marketing);
            }
            if (rfm != null) {
                b.rfm("r", (Long) rfm.get(0)).rfm("segment", (String) rfm.get(1));
            }
            return b.build();
        }

        /** What changed from {@code before} to this, as the decision stage works it out. */
        RuleInputs changedSince(Inputs before) {
            RuleInputs.Builder c = RuleInputs.changes();
            for (String f : union(features.keySet(), before.features.keySet())) {
                if (!Objects.equals(features.get(f), before.features.get(f))) {
                    c.feature(ProfileFields.FEATURE_FIELDS.indexOf(f));
                }
            }
            if (!Objects.equals(marketingConsent, before.marketingConsent)) {
                c.feature(ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.CONSENT_MARKETING));
            }
            if (!Objects.equals(lifecycle, before.lifecycle)) {
                c.lifecycle();
            }
            if (!traits.equals(before.traits)) {
                c.traits();
            }
            if (!Objects.equals(purchase, before.purchase)) {
                c.score("purchase");
            }
            if (!Objects.equals(churn, before.churn)) {
                c.score("churn");
            }
            if (!Objects.equals(marketing, before.marketing)) {
                c.score("marketing");
            }
            if (!Objects.equals(rfm, before.rfm)) {
                c.rfm();
            }
            return c.build();
        }
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.TreeSet<String> u = new java.util.TreeSet<>(a);
        u.addAll(b);
        return new ArrayList<>(u);
    }

    private static Inputs empty() {
        return new Inputs(new TreeMap<>(), null, new TreeMap<>(), null, null, null, null, null);
    }

    /** A copy with one to three random inputs changed (or, rarely, none). */
    private static Inputs mutate(Inputs in, SplittableRandom r) {
        TreeMap<String, Object> f = new TreeMap<>(in.features);
        String lifecycle = in.lifecycle;
        TreeMap<String, String> traits = new TreeMap<>(in.traits);
        Boolean consent = in.marketingConsent;
        Double purchase = in.purchase;
        Double churn = in.churn;
        Long marketing = in.marketing;
        List<Object> rfm = in.rfm;
        int n = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(10)) {
                case 0, 1, 2 -> {
                    String k = INT_FEATURES.get(r.nextInt(INT_FEATURES.size()));
                    if (r.nextInt(5) == 0) {
                        f.remove(k);
                    } else {
                        f.put(k, (long) r.nextInt(80));
                    }
                }
                case 3 -> {
                    String k = DOUBLE_FEATURES.get(r.nextInt(DOUBLE_FEATURES.size()));
                    f.put(k, r.nextInt(4) == 0 ? 1000.0 : r.nextDouble() * 1000);
                }
                case 4 -> {
                    String[] cats = {"shoes", "books", null};
                    String c = cats[r.nextInt(3)];
                    if (c == null) {
                        f.remove("f.top_category_30d");
                    } else {
                        f.put("f.top_category_30d", c);
                    }
                }
                case 5 -> lifecycle = new String[] {"new", "active", "dormant", null}[r.nextInt(4)];
                case 6 -> {
                    if (r.nextBoolean()) {
                        traits.put("member_level", r.nextBoolean() ? "gold" : "silver");
                    } else {
                        traits.put("t" + r.nextInt(3), "v" + r.nextInt(2));
                    }
                }
                case 7 -> consent = new Boolean[] {true, false, null}[r.nextInt(3)];
                case 8 -> {
                    switch (r.nextInt(3)) {
                        case 0 -> purchase = r.nextInt(4) == 0 ? null : r.nextDouble();
                        case 1 -> churn = r.nextInt(4) == 0 ? null : r.nextDouble();
                        default -> marketing = r.nextInt(4) == 0 ? null : (long) r.nextInt(1001);
                    }
                }
                default ->
                        rfm =
                                r.nextInt(4) == 0
                                        ? null
                                        : List.of(
                                                (long) (1 + r.nextInt(5)),
                                                r.nextBoolean() ? "champions" : "hibernating");
            }
        }
        return new Inputs(f, lifecycle, traits, consent, purchase, churn, marketing, rfm);
    }

    private static EventFacts randomEvent(SplittableRandom r, int step) {
        return switch (r.nextInt(5)) {
            case 0 -> null;
            case 1 -> EventFacts.of("e" + step, "order_completed", "web", null);
            case 2 -> EventFacts.ofJson("e" + step, "product_added", "app", "{\"sku\": \"s1\"}");
            case 3 -> EventFacts.of("e" + step, null, null, null);
            default -> EventFacts.of("e" + step, "page", "web", null);
        };
    }

    /**
     * Conditions that require an event name are not evaluated for another name: the triggers are
     * those of the same conditions written so that no name can be read off them.
     */
    @Test
    void aTriggerForAnotherEventNameIsFalseWithoutEvaluation() throws Exception {
        String triggers =
                """
                tenant: t
                version: 1
                triggers:
                  - {name: a, when: "event.name == 'order_completed' && f.orders_90d >= 2", action: a, channel: c}
                  - {name: b, when: "f.orders_24h == 0 && 'product_added' == event.name", action: a, channel: c}
                  - {name: c, when: "has(event.props.sku) && event.name == 'product_added' && f.views_24h > 3", action: a, channel: c}
                  - {name: d, when: "event.name == 'page' || f.orders_90d > 30", action: a, channel: c}
                  - {name: e, when: "f.days_since_last_order > 3 && event.name == 'page'", action: a, channel: c}
                """;
        CompiledRules guarded = CompiledRules.compile(triggers);
        CompiledRules plain =
                CompiledRules.compile(
                        triggers.replace("event.name ==", "(event.name + '') ==")
                                .replace("== event.name", "== (event.name + '')"));
        assertThat(CompiledRules.requiredEventName(parse("event.name == 'x' && y"))).isEqualTo("x");
        assertThat(CompiledRules.requiredEventName(parse("y && (z && 'x' == event.name)")))
                .isEqualTo("x");
        assertThat(CompiledRules.requiredEventName(parse("event.name == 'x' || y"))).isNull();
        assertThat(CompiledRules.requiredEventName(parse("!(event.name == 'x') && y"))).isNull();
        assertThat(CompiledRules.requiredEventName(parse("event.channel == 'x' && y"))).isNull();
        SplittableRandom r = new SplittableRandom(3);
        Inputs now = empty();
        int fired = 0;
        for (int step = 0; step < 3000; step++) {
            now = mutate(now, r);
            EventFacts event = randomEvent(r, step);
            Evaluation g = guarded.evaluate(now.facts(), event);
            Evaluation p = plain.evaluate(now.facts(), event);
            assertThat(g.triggers()).as("step %d: %s %s", step, now, event).isEqualTo(p.triggers());
            assertThat(g.errors()).as("step %d", step).isLessThanOrEqualTo(p.errors());
            fired += g.triggers().size();
        }
        assertThat(fired).isPositive();
    }

    private static dev.cel.common.ast.CelExpr parse(String condition) throws Exception {
        return dev.cel.compiler.CelCompilerFactory.standardCelCompilerBuilder()
                .build()
                .parse(condition)
                .getAst()
                .getExpr();
    }

    private static void incrementalEqualsFull(CompiledRules rules, long seed, int steps) {
        SplittableRandom r = new SplittableRandom(seed);
        Inputs now = empty();
        Evaluation last = rules.evaluate(now.facts(), null);
        int skipped = 0;
        for (int step = 0; step < steps; step++) {
            Inputs next = mutate(now, r);
            EventFacts event = randomEvent(r, step);
            RuleInputs changed = next.changedSince(now);
            Evaluation incremental =
                    rules.evaluate(next.facts(), event, changed, last.tags(), last.segments());
            Evaluation full = rules.evaluate(next.facts(), event);
            assertThat(incremental.tags()).as("step %d: %s", step, next).isEqualTo(full.tags());
            assertThat(incremental.segments()).as("step %d", step).isEqualTo(full.segments());
            assertThat(incremental.triggers()).as("step %d", step).isEqualTo(full.triggers());
            assertThat(incremental.errors()).isLessThanOrEqualTo(full.errors());
            skipped += full.errors() - incremental.errors();
            now = next;
            last = full;
        }
        // the unguarded reads of absent features fail: skipped ones are not counted again
        if (rules.ruleSet().tags().stream().anyMatch(t -> t.name().equals("unguarded"))) {
            assertThat(skipped).isPositive();
        }
    }

    @Test
    void oddConditionsGiveWhatAFullEvaluationGives() throws Exception {
        CompiledRules rules = CompiledRules.compile(ODD_RULES);
        for (long seed = 1; seed <= 20; seed++) {
            incrementalEqualsFull(rules, seed, 400);
        }
    }

    @Test
    void theExampleRuleSetsGiveWhatAFullEvaluationGives() throws Exception {
        for (String file : new String[] {"demo.yaml", "retail.yaml"}) {
            CompiledRules rules =
                    CompiledRules.compile(Files.readString(Path.of("../examples/rules/" + file)));
            for (long seed = 1; seed <= 10; seed++) {
                incrementalEqualsFull(rules, seed, 400);
            }
        }
    }

    @Test
    void whatAConditionReads() throws Exception {
        CompiledRules rules = CompiledRules.compile(ODD_RULES);
        Map<String, RuleInputs> reads = new HashMap<>();
        for (int i = 0; i < rules.ruleSet().tags().size(); i++) {
            reads.put(rules.ruleSet().tags().get(i).name(), rules.tagReads(i));
        }
        int revenue = ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.REVENUE_90D);
        int orders = ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.ORDERS_90D);
        RuleInputs revenueChanged = RuleInputs.changes().feature(revenue).build();
        RuleInputs ordersChanged = RuleInputs.changes().feature(orders).build();
        assertThat(revenueChanged.touches(reads.get("big"))).isTrue();
        assertThat(ordersChanged.touches(reads.get("big"))).isFalse();
        assertThat(revenueChanged.touches(reads.get("always"))).isFalse();
        assertThat(RuleInputs.ALL.touches(reads.get("always"))).isTrue();
        assertThat(RuleInputs.changes().traits().build().touches(reads.get("gold"))).isTrue();
        assertThat(RuleInputs.changes().score("churn").build().touches(reads.get("likely")))
                .isFalse();
        assertThat(RuleInputs.changes().score("purchase").build().touches(reads.get("likely")))
                .isTrue();
        int consent = ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.CONSENT_MARKETING);
        assertThat(RuleInputs.changes().feature(consent).build().touches(reads.get("mail_ok")))
                .isTrue();
        assertThat(RuleInputs.changes().lifecycle().build().touches(reads.get("active"))).isTrue();
        assertThat(RuleInputs.changes().rfm().build().touches(reads.get("champ"))).isTrue();
    }
}
