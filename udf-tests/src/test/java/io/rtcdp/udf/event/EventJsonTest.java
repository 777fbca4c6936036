package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.udf.testing.Events;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An event as contract JSON again, the payload of an internal dead letter: it must parse back to
 * the same event (so the record can be replayed once the defect is fixed), and hold no plain-text
 * PII.
 */
class EventJsonTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final EventParser parser = new EventParser(EventParserTest.CONFIG);

    Event parse(String json) throws InvalidEventException {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aParsedEventParsesBackToItself() throws Exception {
        Event e =
                parse(
                        "{\"event_id\":\"e-1\",\"tenant\":\"acme\",\"type\":\"track\","
                                + "\"name\":\"order_completed\",\"ts\":1699999999000,"
                                + "\"channel\":\"web\",\"ids\":{\"user_id\":\"u1\","
                                + "\"cookie_id\":\"c1\"},\"props\":{\"order_id\":\"SO-1\","
                                + "\"amount\":12.5,\"category\":\"shoes\",\"items\":["
                                + "{\"sku\":\" 85123A \",\"category\":\"lights\",\"quantity\":\"2\","
                                + "\"price\":2.55,\"note\":[1]},{\"sku\":\"22423\",\"quantity\":1,"
                                + "\"price\":\"12.75\"}]},"
                                + "\"traits\":{\"city\":\"Leeds\"},"
                                + "\"consent\":{\"marketing\":true,\"personalization\":false}}");

        assertThat(e.items())
                .containsExactly(
                        new OrderItem("85123A", "lights", 2, 2_550_000L),
                        new OrderItem("22423", null, 1, 12_750_000L));
        assertThat(parse(EventJson.toJson(e))).isEqualTo(e);
    }

    @Test
    void absentOptionalFieldsAreLeftOutNotWrittenAsNull() throws Exception {
        Event e = Events.page().eventId("p-1").at(1_699_999_999_000L).build();

        JsonNode n = JSON.readTree(EventJson.toJson(e));

        assertThat(n.fieldNames())
                .toIterable()
                .containsExactly("event_id", "tenant", "type", "ts", "ids");
        assertThat(n.get("type").asText()).isEqualTo("page");
        assertThat(n.get("ids").get("user_id").asText()).isEqualTo("u1");
        assertThat(parse(EventJson.toJson(e))).isEqualTo(e);
    }

    @Test
    void oneConsentIsWrittenWithoutTheOther() throws Exception {
        Event e = Events.page().at(1_699_999_999_000L).consent(null, false).build();

        JsonNode consent = JSON.readTree(EventJson.toJson(e)).get("consent");

        assertThat(consent.fieldNames()).toIterable().containsExactly("personalization");
        assertThat(consent.get("personalization").asBoolean()).isFalse();
    }

    @Test
    void textThatNeedsEscapingStaysValidJson() throws Exception {
        Event e =
                Events.track("clicked \"buy\"\n\\ now ✓")
                        .at(1_699_999_999_000L)
                        .traits(Map.of("note", "a \"quoted\"\ttab", "emoji", "😀"))
                        .build();

        JsonNode n = JSON.readTree(EventJson.toJson(e));

        assertThat(n.get("name").asText()).isEqualTo("clicked \"buy\"\n\\ now ✓");
        assertThat(n.get("traits").get("note").asText()).isEqualTo("a \"quoted\"\ttab");
        assertThat(n.get("traits").get("emoji").asText()).isEqualTo("😀");
    }

    @Test
    void piiIdsAreTheirHmacsNotThePlainText() throws Exception {
        Event e =
                parse(
                        "{\"event_id\":\"e-1\",\"tenant\":\"acme\",\"type\":\"identify\","
                                + "\"ts\":1699999999000,\"ids\":{\"email\":\"jane@example.com\","
                                + "\"phone\":\"+8613800138000\"}}");

        String json = EventJson.toJson(e);

        assertThat(json).doesNotContain("jane@example.com").doesNotContain("13800138000");
        JsonNode ids = JSON.readTree(json).get("ids");
        assertThat(ids.get("email").asText())
                .isEqualTo(
                        HmacOracle.hex(EventParserTest.ACME_SECRET, "email", "jane@example.com"));
    }
}
