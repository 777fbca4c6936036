package io.rtcdp.udf.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.udf.event.Id;
import org.junit.jupiter.api.Test;

/** A conflict as the one JSON object of the conflicts output. */
class ConflictJsonTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyFieldUnderItsContractName() throws Exception {
        Conflict c =
                new Conflict(
                        "acme",
                        "e-7",
                        1_700_000_000_000L,
                        new Id("email", "ab12"),
                        "o1",
                        "o2",
                        Conflict.QUARANTINED);

        JsonNode n = JSON.readTree(ConflictJson.toJson(c));

        assertThat(n.fieldNames())
                .toIterable()
                .containsExactly(
                        "tenant", "event_id", "ts", "refused", "oneid", "other_oneid", "reason");
        assertThat(n.get("tenant").asText()).isEqualTo("acme");
        assertThat(n.get("event_id").asText()).isEqualTo("e-7");
        assertThat(n.get("ts").isIntegralNumber()).isTrue();
        assertThat(n.get("ts").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(n.get("refused").asText()).as("type:value").isEqualTo("email:ab12");
        assertThat(n.get("oneid").asText()).isEqualTo("o1");
        assertThat(n.get("other_oneid").asText()).isEqualTo("o2");
        assertThat(n.get("reason").asText()).isEqualTo("quarantined");
    }

    @Test
    void anAbsentOneidIsJsonNullNotTheStringNull() throws Exception {
        Conflict c = new Conflict("acme", "e-8", 1L, new Id("user_id", "u1"), null, null, "limit");

        JsonNode n = JSON.readTree(ConflictJson.toJson(c));

        assertThat(n.get("oneid").isNull()).isTrue();
        assertThat(n.get("other_oneid").isNull()).isTrue();
    }

    @Test
    void idsThatNeedEscapingStayValidJson() throws Exception {
        Conflict c =
                new Conflict(
                        "acme", "e-\"9\"", 1L, new Id("user_id", "a\"b\\c\n"), "o1", "o2", "limit");

        JsonNode n = JSON.readTree(ConflictJson.toJson(c));

        assertThat(n.get("event_id").asText()).isEqualTo("e-\"9\"");
        assertThat(n.get("refused").asText()).isEqualTo("user_id:a\"b\\c\n");
    }
}
