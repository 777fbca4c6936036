package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.text.TextIntent;
import io.rtcdp.udf.text.TextSentiment;
import io.rtcdp.udf.text.TextSignal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompiledRulesTest {

    static List<String> compileProblems(String yaml) {
        try {
            CompiledRules.compile(yaml);
        } catch (RuleSetException e) {
            return e.problems();
        }
        throw new AssertionError("expected compile problems in: " + yaml);
    }

    static String tag(String name, String when) {
        return "tenant: t\nversion: 1\ntags:\n  - {name: " + name + ", when: \"" + when + "\"}\n";
    }

    static Evaluation evalTag(String when, RuleFacts facts) throws RuleSetException {
        return CompiledRules.compile(tag("x", when)).evaluate(facts, null);
    }

    @Test
    void theContractExampleAndTheShippedExamplesCompile() throws Exception {
        CompiledRules c = CompiledRules.compile(RuleSetTest.CONTRACT_EXAMPLE);
        assertThat(c.tenant()).isEqualTo("acme");
        assertThat(c.version()).isEqualTo(7);
        assertThat(c.isEventDriven(0)).isFalse();
        for (String f : List.of("retail.yaml", "demo.yaml")) {
            CompiledRules ex =
                    CompiledRules.compile(Files.readString(Path.of("../examples/rules", f)));
            assertThat(ex.triggers()).isNotEmpty();
        }
    }

    /** {@code event.text}: the signals of the event's {@code props.text} (contract 2.6). */
    @Test
    void triggersReadTheTextSignalsOfTheEvent() throws Exception {
        CompiledRules c =
                CompiledRules.compile(
                        """
                        tenant: t
                        version: 1
                        triggers:
                          - {name: complaint_callback, action: call_back, channel: phone,
                             when: "has(event.text) && event.text.intent == 'complaint'"}
                          - {name: very_unhappy, action: apology, channel: email,
                             when: "has(event.text) && event.text.sentiment_score < -0.5
                                    && event.text.intent_score > 0.2 && f.complaints_30d >= 2"}
                          - {name: no_text, action: nudge, channel: push,
                             when: "!has(event.text) && event.name == 'chat_message'"}
                        """);
        RuleFacts facts = RuleFacts.builder().feature("complaints_30d", 2).build();
        TextSignal complaint =
                new TextSignal(TextIntent.COMPLAINT, 0.8, TextSentiment.NEGATIVE, -0.7);
        TextSignal praise = new TextSignal(TextIntent.NONE, 0.9, TextSentiment.POSITIVE, 0.9);

        assertThat(
                        c.evaluate(
                                        facts,
                                        EventFacts.ofJson(
                                                "e1", "chat_message", "app", "{}", complaint))
                                .triggers())
                .containsExactly("complaint_callback", "very_unhappy");
        assertThat(c.evaluate(facts, EventFacts.of("e2", "review", null, null, praise)).triggers())
                .isEmpty();
        Evaluation none = c.evaluate(facts, EventFacts.ofJson("e3", "chat_message", null, null));
        assertThat(none.triggers()).containsExactly("no_text");
        assertThat(none.errors()).isZero();
        assertThat(compileProblems(tag("x", "event.text.intent == 'complaint'")))
                .singleElement()
                .asString()
                .contains("event");
        assertThat(
                        compileProblems(
                                """
                                tenant: t
                                version: 1
                                triggers:
                                  - {name: x, action: a, channel: c, when: "event.text.mood == 'sad'"}
                                """))
                .singleElement()
                .asString()
                .contains("mood");
    }

    @Test
    void compileErrorsNameTheRuleAndWhatIsWrong() {
        String yaml =
                """
                tenant: t
                version: 1
                tags:
                  - {name: ok, when: "f.orders_total > 0"}
                  - {name: unknown_feature, when: "f.unknown_feature > 1"}
                  - {name: wrong_type, when: "f.top_category_30d > 5"}
                  - {name: not_bool, when: "f.orders_total"}
                  - {name: syntax, when: "f.orders_total >"}
                  - {name: uses_event, when: "event.name == 'x'"}
                  - {name: uses_tags, when: "'a' in tags"}
                  - {name: mixed_arith, when: "f.revenue_90d * 2 > 10.0"}
                  - {name: unknown_score, when: "score.loyalty > 0.5"}
                segments:
                  - {name: uses_segments, when: "'a' in segments"}
                  - {name: nested_macro, when: "tags.exists(a, tags.exists(b, a == b))"}
                triggers:
                  - {name: unknown_event_field, when: "event.kind == 'x'", action: a, channel: c}
                  - {name: fine_trigger, when: "'a' in segments && event.name == 'x'", action: a, channel: c}
                """;
        List<String> p = compileProblems(yaml);
        assertThat(p).hasSize(11);
        assertThat(p.get(0))
                .startsWith("tag 'unknown_feature': ")
                .contains("undefined field 'unknown_feature'");
        assertThat(p.get(1))
                .startsWith("tag 'wrong_type': ")
                .contains("no matching overload for '_>_' applied to '(string, int)'");
        assertThat(p.get(2))
                .startsWith("tag 'not_bool': ")
                .contains("expected type 'bool' but found 'int'");
        assertThat(p.get(3)).startsWith("tag 'syntax': ").contains("mismatched input");
        assertThat(p.get(4))
                .startsWith("tag 'uses_event': ")
                .contains("undeclared reference to 'event'")
                .contains("event can only be used in triggers");
        assertThat(p.get(5))
                .startsWith("tag 'uses_tags': ")
                .contains("tags can only be used in segments and triggers");
        assertThat(p.get(6)).startsWith("tag 'mixed_arith': ").contains("'(double, int)'");
        assertThat(p.get(7))
                .startsWith("tag 'unknown_score': ")
                .contains("undefined field 'loyalty'");
        assertThat(p.get(8))
                .startsWith("segment 'uses_segments': ")
                .contains("segments can only be used in triggers");
        assertThat(p.get(9))
                .isEqualTo(
                        "segment 'nested_macro': macros (all, exists, exists_one, map, filter) cannot be nested");
        assertThat(p.get(10))
                .startsWith("trigger 'unknown_event_field': ")
                .contains("undefined field 'kind'");
        assertThat(p).allSatisfy(s -> assertThat(s).doesNotContain("\n"));
    }

    @Test
    void overlongConditionsAreRejected() {
        String when = "f.orders_total > 0" + " && f.orders_total > 0".repeat(100);
        assertThat(compileProblems(tag("long", when)))
                .containsExactly("tag 'long': condition is longer than 2000 characters");
    }

    @Test
    void intAndDoubleLiteralsCompareNaturally() throws Exception {
        RuleFacts facts =
                RuleFacts.builder()
                        .feature("cart_adds_24h", 2)
                        .feature("revenue_90d", 1500.0)
                        .feature("f.orders_24h", 0)
                        .build();
        for (String when :
                List.of(
                        "f.cart_adds_24h > 0",
                        "f.cart_adds_24h > 1.5",
                        "f.cart_adds_24h == 2",
                        "f.revenue_90d >= 1000.0",
                        "f.revenue_90d >= 1000",
                        "f.revenue_90d < 1500.5",
                        "f.orders_24h == 0",
                        "f.orders_24h <= 0.0")) {
            assertThat(evalTag(when, facts).tags()).as(when).containsExactly("x");
        }
        for (String when :
                List.of("f.cart_adds_24h > 2.5", "f.revenue_90d > 1500", "f.cart_adds_24h < 2")) {
            assertThat(evalTag(when, facts).tags()).as(when).isEmpty();
        }
    }

    @Test
    void absentFeaturesAreTestedWithHasAndReadingThemIsACountedError() throws Exception {
        RuleFacts noOrders = RuleFacts.builder().feature("orders_total", 0).build();
        RuleFacts ordered =
                RuleFacts.builder()
                        .feature("orders_total", 3)
                        .feature("days_since_last_order", 120)
                        .build();
        String guarded = "has(f.days_since_last_order) && f.days_since_last_order > 90";
        assertThat(evalTag(guarded, noOrders))
                .isEqualTo(new Evaluation(List.of(), List.of(), List.of(), 0));
        assertThat(evalTag(guarded, ordered).tags()).containsExactly("x");
        String unguarded = "f.days_since_last_order > 90";
        assertThat(evalTag(unguarded, noOrders))
                .isEqualTo(new Evaluation(List.of(), List.of(), List.of(), 1));
        // CEL's && and || absorb an error when the other side decides the result
        assertThat(evalTag("f.days_since_last_order > 90 || f.orders_total == 0", noOrders))
                .isEqualTo(new Evaluation(List.of("x"), List.of(), List.of(), 0));
        assertThat(evalTag("!has(score.churn) && lifecycle == ''", noOrders).tags())
                .containsExactly("x");
    }

    static final String TABLE_RULES =
            """
            tenant: acme
            version: 3
            traits: [member_level]
            tags:
              - {name: high_value, when: "f.revenue_90d >= 1000.0"}
              - {name: cart_abandoner, when: "f.cart_adds_24h > 0 && f.orders_24h == 0"}
              - {name: lapsed, when: "has(f.days_since_last_order) && f.days_since_last_order > 90"}
              - {name: shoes, when: "has(f.top_category_30d) && f.top_category_30d == 'shoes'"}
              - {name: gold, when: "traits.member_level == 'gold'"}
              - {name: champion, when: "rfm.segment == 'champions' && rfm.r >= 4"}
            segments:
              - {name: vip_at_risk, when: "'high_value' in tags && score.churn >= 0.6"}
              - {name: shoe_fans, when: "'shoes' in tags && lifecycle == 'active'"}
              - {name: tagged, when: "size(tags) >= 2"}
            triggers:
              - {name: churn_rescue, when: "'vip_at_risk' in segments", action: coupon, channel: sms}
              - {name: cart_push, when: "event.name == 'product_added' && event.channel == 'app'", action: push, channel: app}
              - {name: big_order, when: "event.name == 'order_completed' && event.props.amount >= 500", action: call, channel: phone}
              - {name: hot_lead, when: "score.marketing >= 800", action: call, channel: phone}
              - {name: consented, when: "consent.marketing && 'gold' in tags", action: mail, channel: email}
            """;

    record Row(RuleFacts facts, EventFacts event, Evaluation expected) {}

    @Test
    void aTableOfFactsGivesTheExpectedTagsSegmentsAndTriggers() throws Exception {
        CompiledRules c = CompiledRules.compile(TABLE_RULES);
        assertThat(c.isEventDriven(0)).isFalse();
        assertThat(c.isEventDriven(1)).isTrue();
        assertThat(c.isEventDriven(2)).isTrue();
        assertThat(c.isEventDriven(3)).isFalse();
        RuleFacts vip =
                RuleFacts.builder()
                        .feature("revenue_90d", 2500.0)
                        .feature("cart_adds_24h", 1)
                        .feature("orders_24h", 0)
                        .feature("top_category_30d", "shoes")
                        .score("churn", 0.75)
                        .score("marketing", 900)
                        .rfm("segment", "champions")
                        .rfm("r", 5)
                        .lifecycle("active")
                        .traits(Map.of("member_level", "gold"))
                        .consent("marketing", true)
                        .build();
        RuleFacts newcomer =
                RuleFacts.builder()
                        .feature("revenue_90d", 0.0)
                        .feature("cart_adds_24h", 0)
                        .feature("orders_24h", 0)
                        .lifecycle("new")
                        .build();
        RuleFacts lapsed =
                RuleFacts.builder()
                        .feature("revenue_90d", 999.99)
                        .feature("cart_adds_24h", 0)
                        .feature("orders_24h", 0)
                        .feature("days_since_last_order", 91)
                        .score("churn", 0.9)
                        .score("marketing", 799)
                        .traits(Map.of("member_level", "silver"))
                        .consent("marketing", false)
                        .build();
        EventFacts cartAdd = EventFacts.ofJson("e1", "product_added", "app", "{\"sku\": \"s1\"}");
        EventFacts bigOrder =
                EventFacts.ofJson(
                        "e2",
                        "order_completed",
                        "web",
                        "{\"amount\": 500.5, \"order_id\": \"o1\"}");
        EventFacts smallOrder =
                EventFacts.ofJson(
                        "e3", "order_completed", null, "{\"amount\": 20, \"note\": null}");
        EventFacts noProps = EventFacts.ofJson("e4", "order_completed", "web", null);

        List<Row> table =
                List.of(
                        new Row(
                                vip,
                                null,
                                new Evaluation(
                                        List.of(
                                                "cart_abandoner",
                                                "champion",
                                                "gold",
                                                "high_value",
                                                "shoes"),
                                        List.of("shoe_fans", "tagged", "vip_at_risk"),
                                        List.of("churn_rescue", "hot_lead", "consented"),
                                        0)),
                        new Row(
                                vip,
                                cartAdd,
                                new Evaluation(
                                        List.of(
                                                "cart_abandoner",
                                                "champion",
                                                "gold",
                                                "high_value",
                                                "shoes"),
                                        List.of("shoe_fans", "tagged", "vip_at_risk"),
                                        // big_order: event.props.amount is absent, but the name
                                        // test decides
                                        List.of(
                                                "churn_rescue",
                                                "cart_push",
                                                "hot_lead",
                                                "consented"),
                                        0)),
                        // newcomer: no top category, rfm, traits, scores or consent. Errors:
                        // gold (traits.member_level), champion (rfm.segment), hot_lead
                        // (score.marketing); shoes is guarded by has(), vip_at_risk and
                        // consented are decided false by their other operand
                        new Row(newcomer, null, new Evaluation(List.of(), List.of(), List.of(), 3)),
                        new Row(
                                newcomer,
                                bigOrder,
                                new Evaluation(List.of(), List.of(), List.of("big_order"), 3)),
                        new Row(
                                lapsed,
                                smallOrder,
                                new Evaluation(List.of("lapsed"), List.of(), List.of(), 1)),
                        new Row(
                                lapsed,
                                noProps,
                                new Evaluation(List.of("lapsed"), List.of(), List.of(), 2)));
        for (Row r : table) {
            assertThat(c.evaluate(r.facts(), r.event()))
                    .as(r.facts() + " " + r.event())
                    .isEqualTo(r.expected());
        }
    }

    @Test
    void aRuleMayReadOnlyDeclaredTraits() throws Exception {
        String rules =
                """
                tenant: t
                version: 1
                traits: [city, member_level]
                tags:
                  - {name: a, when: "traits.city == 'x' && has(traits.member_level)"}
                  - {name: b, when: "traits['name'] == 'x' || 'phone' in traits"}
                  - {name: c, when: "traits.exists(k, k == 'anything')"}
                triggers:
                  - {name: d, when: "traits.nickname == 'x'", action: a, channel: c}
                """;
        assertThat(compileProblems(rules))
                .containsExactly(
                        "tag 'b': reads traits 'name', 'phone', not in the rule set's traits list",
                        "trigger 'd': reads trait 'nickname', not in the rule set's traits list");
        CompiledRules ok =
                CompiledRules.compile(
                        rules.replace("traits: [", "traits: [name, phone, nickname, "));
        assertThat(ok.declaredTraits())
                .containsExactlyInAnyOrder("name", "phone", "nickname", "city", "member_level");
        // without a list, no trait is declared
        assertThat(compileProblems(tag("x", "traits.city == 'x'")))
                .containsExactly("tag 'x': reads trait 'city', not in the rule set's traits list");
        assertThat(CompiledRules.compile(tag("x", "true")).declaredTraits()).isEmpty();
    }

    @Test
    void factsRejectUnknownNamesAndWrongTypes() {
        assertThatThrownBy(() -> RuleFacts.builder().feature("revenue_99d", 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("revenue_99d");
        assertThatThrownBy(() -> RuleFacts.builder().feature("orders_total", 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("orders_total is int");
        assertThatThrownBy(() -> EventFacts.ofJson("e", "n", null, "[1]"))
                .isInstanceOf(IllegalArgumentException.class);
        // a double feature given a long is stored as a double
        assertThat(RuleFacts.builder().feature("revenue_total", 5L).build().features())
                .containsEntry("revenue_total", 5.0);
    }

    @Test
    void macrosWorkOverInputLists() throws Exception {
        CompiledRules c =
                CompiledRules.compile(
                        """
                        tenant: t
                        version: 1
                        tags:
                          - {name: a, when: "true"}
                          - {name: b, when: "true"}
                        segments:
                          - {name: all_short, when: "tags.all(t, size(t) == 1)"}
                          - {name: has_b, when: "tags.exists(t, t == 'b')"}
                          - {name: mapped, when: "tags.map(t, t + t) == ['aa', 'bb']"}
                        triggers:
                          - {name: many_items, when: "event.props.items.filter(i, i > 1).size() == 2", action: a, channel: c}
                        """);
        Evaluation e =
                c.evaluate(
                        RuleFacts.builder().build(),
                        EventFacts.ofJson("e", "n", null, "{\"items\": [1, 2, 3]}"));
        assertThat(e)
                .isEqualTo(
                        new Evaluation(
                                List.of("a", "b"),
                                List.of("all_short", "has_b", "mapped"),
                                List.of("many_items"),
                                0));
        // more iterations than the bound is an evaluation error, not a hang
        StringBuilder items = new StringBuilder("[0");
        for (int i = 1; i <= CompiledRules.MAX_ITERATIONS; i++) {
            items.append(',').append(i);
        }
        Evaluation big =
                c.evaluate(
                        RuleFacts.builder().build(),
                        EventFacts.ofJson("e", "n", null, "{\"items\": " + items + "]}"));
        assertThat(big.triggers()).isEmpty();
        assertThat(big.errors()).isEqualTo(1);
    }

    /** Props are parsed for the rules only when a trigger may read them. */
    @Test
    void knowsWhetherATriggerMayReadTheEventsProps() throws Exception {
        assertThat(CompiledRules.compile(TABLE_RULES).readsEventProps()).isTrue();
        String head =
                """
                tenant: t
                version: 1
                triggers:
                """;
        for (String none :
                new String[] {
                    "event.name == 'a'",
                    "event.channel == 'app' && f.orders_24h == 0",
                    "'vip' in segments",
                    "has(event.channel)",
                    // the text signals travel with the event, not in its props
                    "has(event.text) && event.text.intent == 'complaint'",
                }) {
            assertThat(rules(head, none).readsEventProps()).as(none).isFalse();
        }
        for (String some :
                new String[] {
                    "event.props.amount >= 5",
                    "has(event.props.sku)",
                    "event.name == 'a' && size(event.props) > 0",
                    "has(event.name) && event.props.x == 1",
                }) {
            assertThat(rules(head, some).readsEventProps()).as(some).isTrue();
        }
    }

    private static CompiledRules rules(String head, String when) throws Exception {
        return CompiledRules.compile(
                head + "  - {name: x, when: \"" + when + "\", action: a, channel: c}\n");
    }

    @Test
    void recIsTheSkusOfTheNextPurchase() throws Exception {
        CompiledRules c =
                CompiledRules.compile(
                        """
                        tenant: t
                        version: 1
                        tags:
                          - {name: suggests_lights, when: "'85123A' in rec"}
                          - {name: has_rec, when: "size(rec) > 0"}
                        """);
        assertThat(
                        c.evaluate(
                                        RuleFacts.builder().rec(List.of("85123A", "22423")).build(),
                                        null)
                                .tags())
                .containsExactly("has_rec", "suggests_lights");
        assertThat(c.evaluate(RuleFacts.builder().build(), null).tags()).isEmpty();
    }
}
