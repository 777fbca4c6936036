package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TriggerTest {
    @Test
    void idsAreDeterministicAndDependOnEveryPart() throws Exception {
        String id = TriggerIds.of("acme", "churn_rescue", "o1", "e1");
        byte[] d =
                MessageDigest.getInstance("SHA-256")
                        .digest("acme\nchurn_rescue\no1\ne1".getBytes(StandardCharsets.UTF_8));
        assertThat(id).isEqualTo(HexFormat.of().formatHex(d).substring(0, 32));
        assertThat(TriggerIds.of("acme", "churn_rescue", "o1", "e1")).isEqualTo(id);
        assertThat(TriggerIds.of("acme2", "churn_rescue", "o1", "e1")).isNotEqualTo(id);
        assertThat(TriggerIds.of("acme", "churn_rescue2", "o1", "e1")).isNotEqualTo(id);
        assertThat(TriggerIds.of("acme", "churn_rescue", "o2", "e1")).isNotEqualTo(id);
        assertThat(TriggerIds.of("acme", "churn_rescue", "o1", "asof:5")).isNotEqualTo(id);
    }

    @Test
    void reasonCollapsesWhitespaceAsTheRegularExpressionDoes() {
        java.util.Random r = new java.util.Random(7);
        String alphabet = "ab. \t\n\r\f\u000b\u2003\u00a0'=";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(12); k > 0; k--) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            assertThat(Trigger.collapseWhitespace(s))
                    .as("[%s]", s)
                    .isEqualTo(s.strip().replaceAll("\\s+", " "));
        }
    }

    @Test
    void toJsonWritesTheContractFieldsInOrder() throws Exception {
        RuleSet rs = RuleSet.parse(RuleSetTest.CONTRACT_EXAMPLE);
        Trigger t =
                Trigger.of("acme", "o1", rs.triggers().get(0), 0.8, "e\"1", "e\"1", 1000L, 2000L);
        String id = TriggerIds.of("acme", "churn_rescue", "o1", "e\"1");
        assertThat(t.toJson())
                .isEqualTo(
                        "{\"trigger_id\":\""
                                + id
                                + "\",\"tenant\":\"acme\",\"oneid\":\"o1\",\"rule\":\"churn_rescue\","
                                + "\"action\":\"retention_coupon\",\"channel\":\"sms\",\"score\":0.8,"
                                + "\"reason\":\"score.churn >= 0.7 && f.revenue_total >= 500.0\","
                                + "\"event_id\":\"e\\\"1\",\"ts\":1000,\"emitted_at\":2000}");
        Trigger noCause =
                Trigger.of("acme", "o1", rs.triggers().get(1), null, null, "rules:7", 5L, 6L);
        var node = new ObjectMapper().readTree(noCause.toJson());
        assertThat(node.get("score").isNull()).isTrue();
        assertThat(node.get("event_id").isNull()).isTrue();
        assertThat(node.get("trigger_id").asText())
                .isEqualTo(TriggerIds.of("acme", "hot_lead_call", "o1", "rules:7"));
    }
}
