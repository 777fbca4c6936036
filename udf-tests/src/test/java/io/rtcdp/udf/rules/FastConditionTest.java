package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The direct evaluator of rule conditions gives CEL's answer (true, false or error) wherever it
 * answers, over random conditions of the subset it covers and random facts with its edge cases
 * (absent fields, NaN, infinities, -0.0, longs beyond 2^53, strings with surrogate pairs, no
 * event), and answers nearly always.
 */
class FastConditionTest {
    private static final List<String> INTS =
            RuleSchema.FEATURES.entrySet().stream()
                    .filter(e -> e.getValue() == RuleSchema.Kind.INT)
                    .map(e -> "f." + e.getKey())
                    .toList();
    private static final List<String> DOUBLES =
            RuleSchema.FEATURES.entrySet().stream()
                    .filter(e -> e.getValue() == RuleSchema.Kind.DOUBLE)
                    .map(e -> "f." + e.getKey())
                    .toList();
    private static final List<String> WORDS =
            List.of("a", "b", "gold", "shoes", "champions", "", "\uD83D\uDE00", "é", "zz");
    private static final List<String> TAGS = List.of("big", "gold", "vip", "x");

    @Test
    void randomConditionsAnswerAsCel() throws Exception {
        SplittableRandom rnd = new SplittableRandom(20261202);
        int compared = 0;
        int answered = 0;
        int errors = 0;
        int trues = 0;
        int conditions = 0;
        while (conditions < 1500) {
            List<String> when = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                when.add(bool(rnd, 3));
            }
            CompiledRules rules;
            try {
                rules = CompiledRules.compile(triggers(when));
            } catch (RuleSetException e) {
                // a generated condition the checker refuses (e.g. string < int): try others
                continue;
            }
            conditions += when.size();
            for (int k = 0; k < 25; k++) {
                RuleFacts facts = facts(rnd);
                List<String> tags = pick(rnd, TAGS);
                List<String> segments = pick(rnd, TAGS);
                EventFacts event = event(rnd);
                for (int i = 0; i < when.size(); i++) {
                    int cel = rules.testTrigger(i, false, facts, tags, segments, event);
                    int direct = rules.testTrigger(i, true, facts, tags, segments, event);
                    compared++;
                    if (direct != FastCondition.FALLBACK) {
                        answered++;
                        assertThat(direct)
                                .as(
                                        "%s with %s tags %s segments %s event %s",
                                        when.get(i), facts, tags, segments, event)
                                .isEqualTo(cel);
                    }
                    errors += cel < 0 ? 1 : 0;
                    trues += cel > 0 ? 1 : 0;
                }
            }
        }
        // the cases are not degenerate, and the edge cases CEL is asked about stay rare
        assertThat(errors).isBetween(compared / 20, compared / 2);
        assertThat(trues).isBetween(compared / 20, compared / 2);
        assertThat(answered).isGreaterThan(compared * 8 / 10);
    }

    @Test
    void exampleRuleSetsAreEvaluatedDirectly() throws Exception {
        for (String file : List.of("demo.yaml", "retail.yaml")) {
            Path p = Path.of("..", "examples", "rules", file);
            CompiledRules rules = CompiledRules.compile(Files.readString(p));
            RuleSet rs = rules.ruleSet();
            assertThat(rules.directConditions())
                    .as(file)
                    .isEqualTo(rs.tags().size() + rs.segments().size() + rs.triggers().size());
            RuleFacts facts = RuleFacts.builder().feature("f.orders_total", 1L).build();
            EventFacts event = EventFacts.of("e1", "order_completed", "web", Map.of());
            for (int i = 0; i < rules.ruleSet().triggers().size(); i++) {
                int direct = rules.testTrigger(i, true, facts, List.of(), List.of(), event);
                assertThat(direct)
                        .as("%s trigger %s", file, rules.ruleSet().triggers().get(i).name())
                        .isNotEqualTo(FastCondition.FALLBACK)
                        .isEqualTo(rules.testTrigger(i, false, facts, List.of(), List.of(), event));
            }
        }
    }

    private static String triggers(List<String> when) {
        StringBuilder b = new StringBuilder("tenant: t\nversion: 1\ntraits: [");
        for (int i = 0; i < WORDS.size(); i++) {
            b.append(i == 0 ? "\"" : ", \"").append(WORDS.get(i)).append('"');
        }
        b.append("]\ntriggers:\n");
        for (int i = 0; i < when.size(); i++) {
            b.append("  - name: t")
                    .append(i)
                    .append("\n    when: \"")
                    .append(when.get(i).replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\"\n    action: a\n    channel: c\n");
        }
        return b.toString();
    }

    private static String bool(SplittableRandom r, int depth) {
        if (depth > 0 && r.nextInt(3) > 0) {
            return switch (r.nextInt(5)) {
                case 0 -> "!(" + bool(r, depth - 1) + ")";
                case 1, 2 -> "(" + bool(r, depth - 1) + " && " + bool(r, depth - 1) + ")";
                case 3 -> "(" + bool(r, depth - 1) + " || " + bool(r, depth - 1) + ")";
                default ->
                        "("
                                + bool(r, depth - 1)
                                + " ? "
                                + bool(r, depth - 1)
                                + " : "
                                + bool(r, depth - 1)
                                + ")";
            };
        }
        return switch (r.nextInt(22)) {
            case 0 -> r.nextBoolean() ? "true" : "false";
            case 1 -> "has(" + any(r, INTS, DOUBLES) + ")";
            case 2 -> number(r) + cmp(r) + number(r);
            case 3 -> number(r) + cmp(r) + literal(r);
            case 4 -> "score.churn" + cmp(r) + literal(r);
            case 5 -> "has(score.marketing) && score.marketing" + cmp(r) + r.nextInt(1000);
            case 6 -> "rfm.r" + cmp(r) + r.nextInt(6);
            case 7 -> "rfm.segment" + cmp(r) + word(r);
            case 8 -> "lifecycle" + cmp(r) + word(r);
            case 9 -> word(r) + " in tags";
            case 10 -> word(r) + " in segments";
            case 11 -> "traits[" + word(r) + "]" + cmp(r) + word(r);
            case 12 -> word(r) + " in traits";
            case 13 -> r.nextBoolean() ? "consent.marketing" : "consent['marketing'] == true";
            case 14 -> "event.name == " + word(r);
            case 15 -> "event.channel in ['web', " + word(r) + "]";
            case 16 -> "size(tags)" + cmp(r) + r.nextInt(4);
            case 17 -> "tags.exists(t, t == " + word(r) + ")";
            case 18 -> "traits.all(k, traits[k] != " + word(r) + ")";
            case 19 -> "f.top_category_30d" + cmp(r) + word(r);
            case 20 ->
                    "has(event.props.amount) && event.props.amount"
                            + cmp(r)
                            + (r.nextBoolean() ? "100" : "99.5");
            default -> "-" + number(r) + cmp(r) + "-" + literal(r);
        };
    }

    private static String cmp(SplittableRandom r) {
        return List.of(" == ", " != ", " < ", " <= ", " > ", " >= ").get(r.nextInt(6));
    }

    private static String number(SplittableRandom r) {
        return any(r, INTS, DOUBLES);
    }

    private static String any(SplittableRandom r, List<String> a, List<String> b) {
        List<String> from = r.nextBoolean() ? a : b;
        return from.get(r.nextInt(from.size()));
    }

    private static String literal(SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> Long.toString(r.nextInt(10));
            case 1 -> r.nextInt(10) + ".5";
            case 2 -> "9007199254740993";
            case 3 -> "0.0";
            default -> Integer.toString(r.nextInt(3));
        };
    }

    private static String word(SplittableRandom r) {
        return "'" + WORDS.get(r.nextInt(WORDS.size())) + "'";
    }

    private static List<String> pick(SplittableRandom r, List<String> from) {
        List<String> out = new ArrayList<>();
        for (String s : from) {
            if (r.nextBoolean()) {
                out.add(s);
            }
        }
        return out;
    }

    private static RuleFacts facts(SplittableRandom r) {
        RuleFacts.Builder b = RuleFacts.builder();
        for (String f : INTS) {
            if (r.nextInt(4) > 0) {
                long v =
                        switch (r.nextInt(12)) {
                            case 0 -> Long.MAX_VALUE;
                            case 1 -> (1L << 53) + 1;
                            case 2 -> -r.nextInt(5);
                            default -> r.nextInt(12);
                        };
                b.feature(f, v);
            }
        }
        for (String f : DOUBLES) {
            if (r.nextInt(4) > 0) {
                double v =
                        switch (r.nextInt(14)) {
                            case 0 -> Double.NaN;
                            case 1 -> Double.POSITIVE_INFINITY;
                            case 2 -> -0.0;
                            case 3 -> 9007199254740993.0;
                            default -> r.nextInt(20) / 2.0;
                        };
                b.feature(f, v);
            }
        }
        if (r.nextInt(3) > 0) {
            b.feature("f.top_category_30d", WORDS.get(r.nextInt(WORDS.size())));
        }
        if (r.nextBoolean()) {
            b.score("score.churn", r.nextInt(5) == 0 ? Double.NaN : r.nextInt(10) / 4.0);
        }
        if (r.nextBoolean()) {
            b.score("score.marketing", r.nextInt(1000));
        }
        if (r.nextBoolean()) {
            b.rfm("rfm.r", 1 + r.nextInt(5));
            b.rfm("rfm.segment", WORDS.get(r.nextInt(WORDS.size())));
        }
        if (r.nextBoolean()) {
            b.lifecycle(WORDS.get(r.nextInt(WORDS.size())));
        }
        Map<String, String> traits = new HashMap<>();
        for (String w : WORDS) {
            if (r.nextInt(3) == 0) {
                traits.put(w, WORDS.get(r.nextInt(WORDS.size())));
            }
        }
        b.traits(traits);
        if (r.nextBoolean()) {
            b.consent("marketing", r.nextBoolean());
        }
        return b.build();
    }

    private static EventFacts event(SplittableRandom r) {
        if (r.nextInt(5) == 0) {
            return null;
        }
        Map<String, Object> props = new HashMap<>();
        switch (r.nextInt(4)) {
            case 0 -> props.put("amount", (long) r.nextInt(200));
            case 1 -> props.put("amount", r.nextInt(400) / 2.0);
            case 2 -> props.put("amount", "100");
            default -> {}
        }
        return EventFacts.of(
                "e",
                r.nextInt(4) == 0 ? null : WORDS.get(r.nextInt(WORDS.size())),
                r.nextBoolean() ? "web" : WORDS.get(r.nextInt(WORDS.size())),
                props);
    }
}
