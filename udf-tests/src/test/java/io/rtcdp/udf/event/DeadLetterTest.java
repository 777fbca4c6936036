package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode parse(DeadLetter d) throws Exception {
        byte[] json = d.toJson().getBytes(StandardCharsets.UTF_8);
        assertThat(json.length).isLessThanOrEqualTo(DeadLetter.MAX_JSON_BYTES);
        return JSON.readTree(json);
    }

    @Test
    void jsonHasEveryFieldAndThePayloadSize() throws Exception {
        DeadLetter d = new DeadLetter("bad_json", "record is empty", "  ", "rtcdp.events/0/7");
        assertThat(d.toJson())
                .isEqualTo(
                        "{\"error\":\"bad_json\",\"message\":\"record is empty\",\"payload\":\"  \","
                                + "\"source\":\"rtcdp.events/0/7\",\"payload_bytes\":2}");
        assertThat(new DeadLetter("bad_json", "m", null, "t/0/1").toJson())
                .isEqualTo(
                        "{\"error\":\"bad_json\",\"message\":\"m\",\"payload\":null,"
                                + "\"source\":\"t/0/1\",\"payload_bytes\":0}");
    }

    @Test
    void controlCharactersAndLineSeparatorsAreEscaped() throws Exception {
        String payload = "a\"\\\n\r\t\b\f\u0000\u001f\u007f\u0085\u009f\u2028\u2029é中😀";
        DeadLetter d = new DeadLetter("bad_json", "m", payload, "s");
        assertThat(d.toJson())
                .contains(
                        "\"payload\":\"a\\\"\\\\\\n\\r\\t\\b\\f\\u0000\\u001f\\u007f\\u0085\\u009f"
                                + "\\u2028\\u2029é中😀\"");
        assertThat(parse(d).get("payload").asText()).isEqualTo(payload);
    }

    @Test
    void payloadIsCutAfterEscapingAndTheMessageSaysSo() throws Exception {
        // 1000 NULs: 6 bytes each once escaped
        String payload = "\u0000".repeat(1000);
        DeadLetter d = new DeadLetter("oversize", "too big", payload, "f.jsonl:1");
        assertThat(d.payload()).isEqualTo("\u0000".repeat(682));
        assertThat(d.payloadBytes()).isEqualTo(1000);
        assertThat(d.message()).isEqualTo("too big (payload truncated; the record has 1000 bytes)");
        JsonNode n = parse(d);
        assertThat(n.get("payload_bytes").asLong()).isEqualTo(1000);
    }

    @Test
    void cutsNeverSplitASurrogatePairOrAnEscape() {
        // 4095 bytes of ASCII, then a 4-byte pair that would end at 4099
        String payload = "a".repeat(4095) + "😀" + "b";
        assertThat(new DeadLetter("e", "m", payload, "s").payload()).isEqualTo("a".repeat(4095));
        // a 2-byte escape that would end at 4097
        String quoted = "a".repeat(4095) + "\"b";
        assertThat(new DeadLetter("e", "m", quoted, "s").payload()).isEqualTo("a".repeat(4095));
        // exactly at the bound: kept whole
        String exact = "a".repeat(4092) + "😀";
        DeadLetter d = new DeadLetter("e", "m", exact, "s");
        assertThat(d.payload()).isEqualTo(exact);
        assertThat(d.message()).isEqualTo("m");
    }

    @Test
    void unpairedSurrogatesBecomeReplacementCharacters() throws Exception {
        DeadLetter d = new DeadLetter("e", "m\ud800", "x\udc00y\ud83d", "s\ud800");
        assertThat(d.payload()).isEqualTo("x\uFFFDy\uFFFD");
        assertThat(d.message()).isEqualTo("m\uFFFD");
        assertThat(d.source()).isEqualTo("s\uFFFD");
        assertThat(parse(d).get("payload").asText()).isEqualTo("x\uFFFDy\uFFFD");
    }

    @Test
    void longMessagesAndSourcesAreCutKeepingTheSourcesEnd() {
        String source = "/data/" + "d".repeat(400) + "/events.jsonl.gz:123456";
        DeadLetter d = new DeadLetter("internal", "x".repeat(2000), "{}", source);
        assertThat(d.message()).hasSize(512).endsWith("x...");
        assertThat(d.source()).hasSize(256).startsWith("...").endsWith("/events.jsonl.gz:123456");
        assertThat(new DeadLetter("c".repeat(100), "m", "p", "s").error()).hasSize(64);
    }

    @Test
    void truncationNoteSurvivesALongMessage() {
        DeadLetter d = new DeadLetter("redis_rejected", "r".repeat(600), "p".repeat(5000), "s");
        assertThat(d.message())
                .hasSizeLessThanOrEqualTo(512)
                .endsWith("r... (payload truncated; the record has 5000 bytes)");
    }

    @Test
    void fromBytesDecodesOnlyTheBeginning() {
        byte[] record = new byte[50_000_000];
        Arrays.fill(record, (byte) 'z');
        record[0] = (byte) 0xff; // invalid UTF-8
        DeadLetter d =
                DeadLetter.of(ErrorCode.OVERSIZE, "big", record, "t/1/2", PayloadMask.IDS_ONLY);
        assertThat(d.payload()).isEqualTo("\uFFFD" + "z".repeat(4093));
        assertThat(d.payloadBytes()).isEqualTo(50_000_000);
        assertThat(d.message()).isEqualTo("big (payload truncated; the record has 50000000 bytes)");
    }

    @Test
    void fromAShortHeadOfALongRecordNotesTheTruncation() {
        byte[] head = "{\"event_id\":".getBytes(StandardCharsets.UTF_8);
        DeadLetter d =
                DeadLetter.of(
                        ErrorCode.OVERSIZE,
                        "big",
                        head,
                        head.length,
                        1L << 40,
                        "f:9",
                        PayloadMask.IDS_ONLY);
        assertThat(d.payload()).isEqualTo("{\"event_id\":");
        assertThat(d.payloadBytes()).isEqualTo(1L << 40);
        assertThat(d.message())
                .isEqualTo("big (payload truncated; the record has 1099511627776 bytes)");
    }

    @Test
    void aMultiByteCharacterCutByTheHeadIsNotKept() {
        byte[] head = ("a".repeat(4094) + "€").getBytes(StandardCharsets.UTF_8);
        // the head ends inside the euro sign's three bytes
        DeadLetter d =
                DeadLetter.of(
                        ErrorCode.OVERSIZE, "big", head, 4095, 10_000, "f:1", PayloadMask.IDS_ONLY);
        assertThat(d.payload()).isEqualTo("a".repeat(4094));
    }

    // ---- properties ----------------------------------------------------------------------------

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(6000),
                Arbitraries.strings()
                        .withChars("\u0000\u0001\n\"\\\u007f\u0085\u2028é中\ud83d\ude00\ud800")
                        .ofMaxLength(6000),
                Arbitraries.strings().ascii().ofMinLength(4000).ofMaxLength(4200));
    }

    /**
     * Whatever the texts: the JSON is valid, bounded, and gives back the fields; the payload is the
     * longest well-formed prefix that fits; constructing again from the fields is the identity (a
     * dead letter passes through the serializers unchanged).
     */
    @Property(tries = 300)
    void boundedValidJsonAndIdempotent(
            @ForAll("anyText") String message,
            @ForAll("anyText") String payload,
            @ForAll("anyText") String source)
            throws Exception {
        DeadLetter d = new DeadLetter("invalid_field", message, payload, source);
        JsonNode n = parse(d);
        assertThat(n.get("error").asText()).isEqualTo(d.error());
        assertThat(n.get("message").asText()).isEqualTo(d.message());
        assertThat(n.get("payload").asText()).isEqualTo(d.payload());
        assertThat(n.get("source").asText()).isEqualTo(d.source());
        assertThat(n.get("payload_bytes").asLong()).isEqualTo(d.payloadBytes());

        String wellFormed = DeadLetter.Json.wellFormed(payload);
        assertThat(wellFormed).startsWith(d.payload());
        assertThat(d.payloadBytes()).isEqualTo(DeadLetter.Json.utf8Length(payload));
        if (d.payload().length() < wellFormed.length()) {
            int next = d.payload().length();
            int width = Character.isHighSurrogate(wellFormed.charAt(next)) ? 2 : 1;
            String oneMore = wellFormed.substring(0, next + width);
            assertThat(escapedSize(oneMore)).isGreaterThan(DeadLetter.MAX_PAYLOAD_BYTES);
            assertThat(d.message()).contains("(payload truncated; the record has ");
        }
        assertThat(d.payload()).isEqualTo(DeadLetter.Json.wellFormed(d.payload()));
        assertThat(
                        new DeadLetter(
                                d.error(), d.message(), d.payload(), d.source(), d.payloadBytes()))
                .isEqualTo(d);
    }

    private static int escapedSize(String s) {
        StringBuilder sb = new StringBuilder();
        DeadLetter.Json.appendString(sb, s);
        return sb.toString().getBytes(StandardCharsets.UTF_8).length - 2;
    }

    @Property(tries = 300)
    void fromBytesIsTheDecodedTextBounded(@ForAll @Size(max = 9000) byte[] bytes) throws Exception {
        DeadLetter d = DeadLetter.of(ErrorCode.BAD_JSON, "m", bytes, "s", PayloadMask.IDS_ONLY);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text).startsWith(d.payload());
        assertThat(d.payloadBytes()).isEqualTo(bytes.length);
        parse(d);
    }
}
