package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RuleSetTest {
    /** The example of docs/contract.md §6, verbatim. */
    static final String CONTRACT_EXAMPLE =
            """
            tenant: acme
            version: 7
            tags:
              - {name: high_value, when: "f.revenue_90d >= 1000.0"}
              - {name: cart_abandoner, when: "f.cart_adds_24h > 0 && f.orders_24h == 0"}
            segments:
              - {name: vip_at_risk, when: "'high_value' in tags && score.churn >= 0.6"}
            triggers:
              - {name: churn_rescue, when: "score.churn >= 0.7 && f.revenue_total >= 500.0", action: retention_coupon,
                 channel: sms, cooldown: 7d, max_per_30d: 2, requires_consent: marketing}
              - {name: hot_lead_call, when: "score.marketing >= 800", action: call_center, channel: phone, cooldown: 14d}
            """;

    static List<String> problems(String text) {
        try {
            RuleSet.parse(text);
        } catch (RuleSetException e) {
            return e.problems();
        }
        throw new AssertionError("expected problems in: " + text);
    }

    @Test
    void theContractExampleParsesAsIs() throws Exception {
        RuleSet rs = RuleSet.parse(CONTRACT_EXAMPLE);
        assertThat(rs.tenant()).isEqualTo("acme");
        assertThat(rs.version()).isEqualTo(7);
        assertThat(rs.tags())
                .containsExactly(
                        new RuleSet.Condition("high_value", "f.revenue_90d >= 1000.0"),
                        new RuleSet.Condition(
                                "cart_abandoner", "f.cart_adds_24h > 0 && f.orders_24h == 0"));
        assertThat(rs.segments())
                .containsExactly(
                        new RuleSet.Condition(
                                "vip_at_risk", "'high_value' in tags && score.churn >= 0.6"));
        assertThat(rs.triggers())
                .containsExactly(
                        new RuleSet.TriggerRule(
                                "churn_rescue",
                                "score.churn >= 0.7 && f.revenue_total >= 500.0",
                                "retention_coupon",
                                "sms",
                                7 * 86_400_000L,
                                2,
                                RuleSet.DAYS_30_MS,
                                "marketing",
                                null,
                                null),
                        new RuleSet.TriggerRule(
                                "hot_lead_call",
                                "score.marketing >= 800",
                                "call_center",
                                "phone",
                                14 * 86_400_000L,
                                0,
                                RuleSet.DAYS_30_MS,
                                null,
                                null,
                                null));
    }

    @Test
    void theTraitsListIsCheckedKeyByKey() {
        assertThat(problems("tenant: t\nversion: 1\ntraits: [a, a, 3, \"x\\u0001\"]\n"))
                .containsExactly(
                        "traits: 'a' is listed twice",
                        "traits: 3 is not a trait key (a string of at most 64 characters, no"
                                + " control characters)",
                        "traits: \"x\\u0001\" is not a trait key (a string of at most 64"
                                + " characters, no control characters)");
        assertThat(problems("tenant: t\nversion: 1\ntraits: city\n"))
                .containsExactly("traits: must be a list of trait keys");
    }

    @Test
    void jsonTextParsesToTheSameRuleSet() throws Exception {
        String json =
                """
                {"tenant": "acme", "version": 7,
                 "tags": [{"name": "high_value", "when": "f.revenue_90d >= 1000.0"}],
                 "triggers": [{"name": "t1", "when": "true", "action": "a", "channel": "sms",
                               "max_per_period": 3, "period": "12h", "value": 2.5, "cost": 1}]}
                """;
        RuleSet rs = RuleSet.parse(json);
        assertThat(rs.tags()).hasSize(1);
        assertThat(rs.segments()).isEmpty();
        RuleSet.TriggerRule t = rs.triggers().get(0);
        assertThat(t.maxPerPeriod()).isEqualTo(3);
        assertThat(t.periodMs()).isEqualTo(12 * 3_600_000L);
        assertThat(t.cooldownMs()).isZero();
        assertThat(t.value()).isEqualTo(2.5);
        assertThat(t.cost()).isEqualTo(1.0);
    }

    @Test
    void everyProblemIsListedWithItsRule() {
        List<String> p =
                problems(
                        """
                        tenant: Acme!
                        version: seven
                        colour: blue
                        tags:
                          - {name: high_value, when: "true", wen: "x"}
                          - {name: high_value, when: "false"}
                          - {name: Bad-Name, when: "true"}
                          - {when: "true"}
                        segments:
                          - {name: s1}
                        triggers:
                          - {name: t1, when: "true", channel: sms, cooldown: 7 days}
                          - {name: t2, when: "true", action: a, channel: sms, max_per_30d: 0, requires_consent: email}
                          - {name: t3, when: "true", action: a, channel: sms, max_per_period: 2}
                          - {name: t4, when: "true", action: a, channel: sms, max_per_30d: 2, max_per_period: 2, period: 1d}
                          - {name: t5, when: "true", action: a, channel: sms, value: lots}
                        """);
        assertThat(p)
                .containsExactly(
                        "rule set: unknown key 'colour' (allowed: segments, tags, tenant, traits, triggers, version)",
                        "tenant: must match [a-z0-9_-]{1,64}, got 'Acme!'",
                        "version: required, a whole number",
                        "tag 'high_value': unknown key 'wen' (allowed: name, when)",
                        "tag 'high_value': name is used twice",
                        "tag 'Bad-Name': name must match [a-z0-9_]{1,64}",
                        "tag #3: name is required",
                        "segment 's1': when is required",
                        "trigger 't1': action is required",
                        "trigger 't1': cooldown must be a duration like 7d, 12h, 30m, 45s, got \"7 days\"",
                        "trigger 't2': max_per_30d must be a whole number from 1 to 100, got 0",
                        "trigger 't2': requires_consent must be marketing or personalization, got \"email\"",
                        "trigger 't3': max_per_period and period go together",
                        "trigger 't4': give either max_per_30d or max_per_period with period, not both",
                        "trigger 't5': value must be a number, got \"lots\"");
    }

    @Test
    void badTextIsOneProblem() {
        assertThat(problems("tenant: [unclosed"))
                .singleElement()
                .asString()
                .startsWith("not valid");
        assertThat(problems("- a\n- b"))
                .containsExactly("a rule set must be a mapping with tenant, version");
        assertThat(problems("tenant: a\ntenant: b\nversion: 1"))
                .singleElement()
                .asString()
                .contains("Duplicate field 'tenant'");
    }

    @Test
    void durations() {
        assertThat(RuleSet.parseDuration("7d")).isEqualTo(7 * 86_400_000L);
        assertThat(RuleSet.parseDuration("12h")).isEqualTo(12 * 3_600_000L);
        assertThat(RuleSet.parseDuration("30m")).isEqualTo(30 * 60_000L);
        assertThat(RuleSet.parseDuration("45s")).isEqualTo(45_000L);
        assertThat(RuleSet.parseDuration("250ms")).isEqualTo(250L);
        assertThat(RuleSet.parseDuration("7")).isNull();
        assertThat(RuleSet.parseDuration("1w")).isNull();
        assertThat(RuleSet.parseDuration("-1d")).isNull();
    }

    @Test
    void aMissingTenantOrVersionIsReported() {
        assertThatThrownBy(() -> RuleSet.parse("tags: []"))
                .isInstanceOf(RuleSetException.class)
                .hasMessageContaining("tenant: required")
                .hasMessageContaining("version: required");
    }
}
