package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.udf.testing.Events;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventParserTest {

    /** 2023-11-15T00:00:00Z. */
    static final long NOW = 1_700_006_400_000L;

    static final String ACME_SECRET = "acme-secret-0123456789abcdef-0123";

    static final ParserConfig CONFIG =
            ParserConfig.builder()
                    .tenantSecret("acme", ACME_SECRET)
                    .countryCode("uk_shop", "+44")
                    .clock(() -> NOW)
                    .build();

    private final EventParser parser = new EventParser(CONFIG);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A valid record of tenant acme; {@code extra} is spliced in as more top-level fields. */
    private static String record(String extra) {
        return "{\"event_id\":\"evt-1\",\"tenant\":\"acme\",\"type\":\"page\",\"ts\":1699999999000,"
                + "\"ids\":{\"cookie_id\":\"c-1\"}"
                + (extra.isEmpty() ? "" : "," + extra)
                + "}";
    }

    private InvalidEventException rejected(String json) {
        InvalidEventException e =
                catchThrowableOfType(InvalidEventException.class, () -> parser.parse(utf8(json)));
        assertThat(e).as("rejection of %s", json).isNotNull();
        return e;
    }

    @Test
    void parsesAndNormalisesACompleteRecord() throws Exception {
        String props =
                "{\"order_id\":\"SO-1\",\"amount\":1299.505,\"currency\":\"CNY\",\"category\":\" shoes \","
                        + "\"items\":[{\"sku\":\" A \",\"qty\":1,\"quantity\":2,\"price\":\"9.5\"}]}";
        String json =
                "{\"event_id\":\"evt-0001\",\"tenant\":\"acme\",\"type\":\"track\",\"name\":\"order_completed\","
                        + "\"ts\":\"2023-11-14T18:30:00.250+08:00\",\"channel\":\"web\","
                        + "\"ids\":{\"cookie_id\":\"  c-42 \",\"email\":\" Jane.Doe@Example.COM \","
                        + "\"phone\":\"138-0013-8000\",\"user_id\":10293847,\"wechat_openid\":\"o-123\"},"
                        + "\"props\":"
                        + props
                        + ","
                        + "\"traits\":{\"city\":\"Shanghai\",\"age\":31,\"vip\":true,\"nested\":{\"a\":1},\"gone\":null},"
                        + "\"consent\":{\"marketing\":true,\"personalization\":false},"
                        + "\"extra\":{\"kept\":\"and ignored\"}}";

        Event event = parser.parse(utf8(json));

        Event expected =
                Events.track("order_completed")
                        .eventId("evt-0001")
                        .at(1_699_957_800_250L)
                        .channel("web")
                        .ids(
                                new Id("user_id", "10293847"),
                                new Id(
                                        "phone",
                                        HmacOracle.hex(ACME_SECRET, "phone", "+8613800138000")),
                                new Id(
                                        "email",
                                        HmacOracle.hex(
                                                ACME_SECRET, "email", "jane.doe@example.com")),
                                new Id("cookie_id", "c-42"))
                        .amountMicros(1_299_505_000L)
                        .category("shoes")
                        .orderId("SO-1")
                        .items(new OrderItem("A", null, 2, 9_500_000L))
                        .consent(true, false)
                        .traits(Map.of("city", "Shanghai", "age", "31", "vip", "true"))
                        .propsJson(props)
                        .build();
        assertThat(event).isEqualTo(expected);
        assertThat(event.toString()).doesNotContain("jane", "Jane", "13800138000", "8000");
    }

    @Test
    void optionalFieldsAbsentOrNullLeaveDefaults() throws Exception {
        Event event =
                parser.parse(
                        utf8(
                                record(
                                        "\"name\":null,\"channel\":null,\"props\":null,\"traits\":null,"
                                                + "\"consent\":null")));
        assertThat(event)
                .isEqualTo(
                        Events.page()
                                .eventId("evt-1")
                                .at(1_699_999_999_000L)
                                .ids(new Id("cookie_id", "c-1"))
                                .build());
    }

    // ---- one realistic bad record per error code ------------------------------------------

    @Test
    void oversizeRecordIsRejectedBeforeParsing() {
        String feedback = "x".repeat(70_000);
        String json = record("\"props\":{\"text\":\"" + feedback + "\"}");
        InvalidEventException e = rejected(json);
        assertThat(e.code()).isEqualTo(ErrorCode.OVERSIZE);
        assertThat(e.getMessage())
                .isEqualTo(
                        "record is "
                                + utf8(json).length
                                + " bytes, more than the limit of 65536 bytes");
    }

    @Test
    void truncatedRecordIsBadJson() {
        String json = record("\"props\":{\"sku\":\"SKU-1\"}");
        InvalidEventException e = rejected(json.substring(0, json.length() - 12));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_JSON);
        assertThat(e.getMessage())
                .startsWith("record is not valid JSON: unexpected end of input at");
    }

    @Test
    void latin1EncodedRecordIsBadJson() {
        byte[] latin1 =
                record("\"traits\":{\"city\":\"Montréal\"}").getBytes(StandardCharsets.ISO_8859_1);
        InvalidEventException e =
                catchThrowableOfType(InvalidEventException.class, () -> parser.parse(latin1));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_JSON);
        int offset = new String(latin1, StandardCharsets.ISO_8859_1).indexOf('é');
        assertThat(e.getMessage())
                .isEqualTo("record is not valid UTF-8: bad byte sequence at offset " + offset);
    }

    @Test
    void twoRecordsOnOneLineAreBadJson() {
        InvalidEventException e = rejected(record("") + record(""));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_JSON);
        assertThat(e.getMessage()).contains("content after the end of the value");
    }

    @Test
    void batchArrayIsNotAnObject() {
        InvalidEventException e = rejected("[" + record("") + "," + record("") + "]");
        assertThat(e.code()).isEqualTo(ErrorCode.NOT_AN_OBJECT);
        assertThat(e.getMessage()).isEqualTo("record is an array, not a JSON object");
    }

    @Test
    void recordWithoutTenantIsMissingField() {
        InvalidEventException e =
                rejected(
                        "{\"event_id\":\"evt-1\",\"type\":\"page\",\"ts\":1699999999000,"
                                + "\"ids\":{\"cookie_id\":\"c-1\"}}");
        assertThat(e.code()).isEqualTo(ErrorCode.MISSING_FIELD);
        assertThat(e.getMessage()).isEqualTo("required field 'tenant' is missing");
    }

    @Test
    void tenantWithUpperCaseAndSpaceIsInvalidField() {
        InvalidEventException e = rejected(record("").replace("\"acme\"", "\"Acme Corp\""));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FIELD);
        assertThat(e.getMessage()).isEqualTo("field 'tenant' must match [a-z0-9_-]{1,64}");
    }

    @Test
    void purchaseIsAnUnknownType() {
        InvalidEventException e = rejected(record("").replace("\"page\"", "\"purchase\""));
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.getMessage())
                .isEqualTo("field 'type' must be one of track, page, identify, consent, forget");
    }

    @Test
    void slashDateWithoutOffsetIsBadTs() {
        InvalidEventException e =
                rejected(record("").replace("1699999999000", "\"2023/11/14 10:00:00\""));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_TS);
        assertThat(e.getMessage()).startsWith("field 'ts' is not a valid date-time; use epoch");
    }

    @Test
    void deviceClockAYearAheadIsInTheFuture() {
        InvalidEventException e =
                rejected(record("").replace("1699999999000", "\"2024-11-15T00:00:00Z\""));
        assertThat(e.code()).isEqualTo(ErrorCode.TS_IN_FUTURE);
        assertThat(e.getMessage())
                .isEqualTo(
                        "field 'ts' is 8784.0 h ahead of the clock, more than the allowed 24.0 h");
    }

    @Test
    void placeholderIdsLeaveNoUsableId() {
        InvalidEventException e =
                rejected(
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}",
                                        "{\"email\":\"n/a\",\"phone\":\"unknown\",\"cookie_id\":\"  \","
                                                + "\"openid\":\"o-1\"}"));
        assertThat(e.code()).isEqualTo(ErrorCode.NO_ID);
        assertThat(e.getMessage())
                .isEqualTo(
                        "field 'ids' has no usable id; unusable values for email, phone, cookie_id");
    }

    // ---- more cases per rule ---------------------------------------------------------------

    static Stream<Arguments> badRecords() {
        return Stream.of(
                // BAD_JSON
                Arguments.of("", ErrorCode.BAD_JSON, "record is empty"),
                Arguments.of("   \n", ErrorCode.BAD_JSON, "record is empty"),
                Arguments.of("{'tenant':'acme'}", ErrorCode.BAD_JSON, "syntax error at line 1"),
                Arguments.of(
                        record("\"props\":{\"a\":NaN}"),
                        ErrorCode.BAD_JSON,
                        "record is not valid JSON"),
                Arguments.of(record("") + " x", ErrorCode.BAD_JSON, "record is not valid JSON"),
                Arguments.of("[1,2", ErrorCode.BAD_JSON, "unexpected end of input"),
                // a field error early in a record that is not JSON at all is still BAD_JSON
                Arguments.of(
                        "{\"tenant\":\"ACME\",\"ids\":{", ErrorCode.BAD_JSON, "unexpected end"),
                Arguments.of(
                        "[".repeat(2000) + "]".repeat(2000),
                        ErrorCode.BAD_JSON,
                        "record is not valid JSON: nesting deeper than 1000 levels, over the"
                                + " parser's limits"),
                Arguments.of(
                        record("\"props\":{\"big\":" + "9".repeat(1001) + "}"),
                        ErrorCode.BAD_JSON,
                        "record is not valid JSON: a number longer than 1000 characters, over the"
                                + " parser's limits"),
                // NOT_AN_OBJECT
                Arguments.of("\"hello\"", ErrorCode.NOT_AN_OBJECT, "record is a string"),
                Arguments.of("42", ErrorCode.NOT_AN_OBJECT, "record is a number"),
                Arguments.of("null", ErrorCode.NOT_AN_OBJECT, "record is null"),
                Arguments.of(" true ", ErrorCode.NOT_AN_OBJECT, "record is a boolean"),
                // MISSING_FIELD
                Arguments.of(
                        record("").replace("\"event_id\":\"evt-1\",", ""),
                        ErrorCode.MISSING_FIELD,
                        "required field 'event_id' is missing"),
                Arguments.of(
                        record("").replace("\"evt-1\"", "null"),
                        ErrorCode.MISSING_FIELD,
                        "required field 'event_id' is null"),
                Arguments.of(
                        record("").replace("\"type\":\"page\",", ""),
                        ErrorCode.MISSING_FIELD,
                        "required field 'type' is missing"),
                Arguments.of(
                        record("").replace("\"ts\":1699999999000,", ""),
                        ErrorCode.MISSING_FIELD,
                        "required field 'ts' is missing"),
                Arguments.of(
                        record("").replace("1699999999000", "null"),
                        ErrorCode.MISSING_FIELD,
                        "required field 'ts' is null"),
                Arguments.of(
                        record("").replace(",\"ids\":{\"cookie_id\":\"c-1\"}", ""),
                        ErrorCode.MISSING_FIELD,
                        "required field 'ids' is missing"),
                Arguments.of(
                        record("").replace("{\"cookie_id\":\"c-1\"}", "null"),
                        ErrorCode.MISSING_FIELD,
                        "required field 'ids' is null"),
                Arguments.of(
                        record("").replace("\"page\"", "\"track\""),
                        ErrorCode.MISSING_FIELD,
                        "required field 'name' is missing"),
                // INVALID_FIELD
                Arguments.of(
                        record("").replace("\"evt-1\"", "\"\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'event_id' must have 1-128 characters, has 0"),
                Arguments.of(
                        record("").replace("\"evt-1\"", "\"" + "e".repeat(129) + "\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'event_id' must have 1-128 characters, has 129"),
                Arguments.of(
                        record("").replace("\"evt-1\"", "12345"),
                        ErrorCode.INVALID_FIELD,
                        "field 'event_id' must be a string, is a number"),
                Arguments.of(
                        record("").replace("\"acme\"", "\"" + "a".repeat(65) + "\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'tenant' must match"),
                Arguments.of(
                        record("").replace("\"page\"", "[\"page\"]"),
                        ErrorCode.INVALID_FIELD,
                        "field 'type' must be a string, is an array"),
                Arguments.of(
                        record("\"name\":\"  \"").replace("\"page\"", "\"track\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'name' must not be blank for a track event"),
                Arguments.of(
                        record("\"name\":\"" + "n".repeat(129) + "\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'name' must have at most 128 characters, has 129"),
                Arguments.of(
                        record("\"name\":{\"en\":\"x\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'name' must be a string, is an object"),
                Arguments.of(
                        record("\"channel\":7"),
                        ErrorCode.INVALID_FIELD,
                        "field 'channel' must be a string, is a number"),
                Arguments.of(
                        record("").replace("{\"cookie_id\":\"c-1\"}", "[\"c-1\"]"),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids' must be an object of id type to value, is an array"),
                Arguments.of(
                        record("").replace("{\"cookie_id\":\"c-1\"}", "{\"cookie_id\":1.5}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids.cookie_id' must be a string, is a number"),
                Arguments.of(
                        record("").replace("{\"cookie_id\":\"c-1\"}", "{\"email\":[\"a@b.c\"]}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids.email' must be a string, is an array"),
                Arguments.of(
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}",
                                        "{\"device_id\":\"" + "d".repeat(257) + "\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids.device_id' must have at most 256 characters, has 257"),
                Arguments.of(
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}",
                                        "{\"cookie_id\":\"c-1\",\"cookie_id\":\"c-2\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids' has id type 'cookie_id' more than once"),
                Arguments.of(
                        record("\"tenant\":\"other\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'tenant' appears more than once"),
                Arguments.of(
                        record("\"props\":[1]"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props' must be an object, is an array"),
                Arguments.of(
                        record("\"props\":{\"amount\":\"12,50\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.amount' must be a number or a numeric string"),
                Arguments.of(
                        record("\"props\":{\"amount\":\"\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.amount' must be a number or a numeric string"),
                Arguments.of(
                        record("\"props\":{\"amount\":true}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.amount' must be a number, is a boolean"),
                Arguments.of(
                        record("\"props\":{\"amount\":1e30}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.amount' is out of range"),
                Arguments.of(
                        record("\"props\":{\"amount\":9223372036855}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.amount' is out of range"),
                Arguments.of(
                        record("\"props\":{\"amount\":1e999999999}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.amount' is out of range: |amount| must be at most"
                                + " 1000000000000"),
                Arguments.of(
                        record("\"props\":{\"amount\":1E+2147483647}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.amount' is out of range: |amount| must be at most"
                                + " 1000000000000"),
                Arguments.of(
                        record("\"props\":{\"amount\":1,\"amount\":2}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.amount' appears more than once"),
                Arguments.of(
                        record("\"props\":{\"category\":3}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.category' must be a string, is a number"),
                Arguments.of(
                        record("\"props\":{\"order_id\":1.5}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.order_id' must be a string, is a number"),
                Arguments.of(
                        record("\"traits\":\"vip\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'traits' must be an object, is a string"),
                Arguments.of(
                        record("\"traits\":{\"city\":\"a\",\"city\":\"b\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'traits' has a key more than once"),
                // INVALID_FIELD: sizes (limits named, values never quoted)
                Arguments.of(
                        record("\"channel\":\"" + "c".repeat(65) + "\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'channel' must have at most 64 characters, has 65"),
                Arguments.of(
                        record("\"props\":{\"category\":\" " + "k".repeat(65) + " \"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.category' must have at most 64 characters, has 65"),
                Arguments.of(
                        record("\"props\":{\"order_id\":\"" + "o".repeat(129) + "\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.order_id' must have at most 128 characters, has 129"),
                Arguments.of(
                        record("\"props\":{\"order_id\":" + "1".repeat(129) + "}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.order_id' must have at most 128 characters, has 129"),
                Arguments.of(
                        record("").replace("{\"cookie_id\":\"c-1\"}", manyIds(33)),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids' has more than 32 ids"),
                Arguments.of(
                        record("\"traits\":" + manyTraits(65)),
                        ErrorCode.INVALID_FIELD,
                        "field 'traits' has more than 64 traits"),
                Arguments.of(
                        record("\"traits\":{\"" + "k".repeat(65) + "\":1}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'traits' must have keys of at most 64 characters, has one of 65"),
                Arguments.of(
                        record("\"traits\":{\"city\":\"" + "v".repeat(257) + "\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'traits' must have values of at most 256 characters, has one of"
                                + " 257"),
                Arguments.of(
                        record("\"traits\":{\"score\":1" + "0".repeat(256) + "}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'traits' must have values of at most 256 characters, has one of"
                                + " 257"),
                // INVALID_FIELD: control characters, unpaired surrogates and braces
                Arguments.of(
                        record("").replace("\"evt-1\"", "\"evt\\u0000-1\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'event_id' must not contain control characters"),
                Arguments.of(
                        record("").replace("\"evt-1\"", "\"evt-1\\n\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'event_id' must not contain control characters"),
                Arguments.of(
                        record("").replace("\"evt-1\"", "\"evt\u007f1\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'event_id' must not contain control characters"),
                Arguments.of(
                        record("").replace("\"evt-1\"", "\"evt\u00851\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'event_id' must not contain control characters"),
                Arguments.of(
                        record("").replace("\"evt-1\"", "\"evt\u20281\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'event_id' must not contain control characters"),
                Arguments.of(
                        record("").replace("\"evt-1\"", "\"evt\\ud800-1\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'event_id' is not valid Unicode (an unpaired surrogate escape)"),
                Arguments.of(
                        record("\"name\":\"home\\u001b[2J\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'name' must not contain control characters"),
                Arguments.of(
                        record("\"channel\":\"web\\u2029\""),
                        ErrorCode.INVALID_FIELD,
                        "field 'channel' must not contain control characters"),
                Arguments.of(
                        record("\"props\":{\"category\":\"sh\\u0000oes\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.category' must not contain control characters"),
                Arguments.of(
                        record("\"props\":{\"category\":\"\\udc00\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.category' is not valid Unicode"),
                Arguments.of(
                        record("\"props\":{\"order_id\":\"SO\\r\\n1\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'props.order_id' must not contain control characters"),
                Arguments.of(
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}",
                                        "{\"cookie_id\":\"c\\u0000-1\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids.cookie_id' must not contain control characters"),
                Arguments.of(
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}",
                                        "{\"email\":\"a\\u0085b@example.com\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids.email' must not contain control characters"),
                Arguments.of(
                        record("").replace("{\"cookie_id\":\"c-1\"}", "{\"x_crm\":\"\\ud83d\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids.x_crm' is not valid Unicode"),
                Arguments.of(
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}", "{\"device_id\":\"d-{slot7}\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids.device_id' must not contain '{' or '}'"),
                Arguments.of(
                        record("").replace("{\"cookie_id\":\"c-1\"}", "{\"user_id\":\"}\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'ids.user_id' must not contain '{' or '}'"),
                Arguments.of(
                        record("\"traits\":{\"ci\\u0007ty\":\"x\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'traits' has a key that must not contain control characters"),
                Arguments.of(
                        record("\"traits\":{\"city\":\"\\ud800x\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'traits' has a value that is not valid Unicode"),
                Arguments.of(
                        record("\"consent\":true"),
                        ErrorCode.INVALID_FIELD,
                        "field 'consent' must be an object, is a boolean"),
                Arguments.of(
                        record("\"consent\":{\"marketing\":\"yes\"}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'consent.marketing' must be true or false, is a string"),
                Arguments.of(
                        record("\"consent\":{\"personalization\":1}"),
                        ErrorCode.INVALID_FIELD,
                        "field 'consent.personalization' must be true or false, is a number"),
                // UNKNOWN_TYPE: wire names are lower case
                Arguments.of(
                        record("").replace("\"page\"", "\"Track\""),
                        ErrorCode.UNKNOWN_TYPE,
                        "field 'type' must be one of"),
                // BAD_TS
                Arguments.of(
                        record("").replace("1699999999000", "-1"),
                        ErrorCode.BAD_TS,
                        "field 'ts' is before 1970"),
                Arguments.of(
                        record("").replace("1699999999000", "1699999999000.5"),
                        ErrorCode.BAD_TS,
                        "field 'ts' is a number with a fraction or an exponent; use epoch"),
                Arguments.of(
                        record("").replace("1699999999000", "1E+2147483647"),
                        ErrorCode.BAD_TS,
                        "field 'ts' is a number with a fraction or an exponent; use epoch"),
                Arguments.of(
                        record("").replace("1699999999000", "-1e-2147483648"),
                        ErrorCode.BAD_TS,
                        "field 'ts' is a number with a fraction or an exponent; use epoch"),
                Arguments.of(
                        record("").replace("1699999999000", "99999999999999999999"),
                        ErrorCode.BAD_TS,
                        "field 'ts' is out of range"),
                Arguments.of(
                        record("").replace("1699999999000", "\"1699999999000\""),
                        ErrorCode.BAD_TS,
                        "field 'ts' is not a valid date-time"),
                Arguments.of(
                        record("").replace("1699999999000", "\"2023-11-14T10:00:00\""),
                        ErrorCode.BAD_TS,
                        "field 'ts' is not a valid date-time"),
                Arguments.of(
                        record("").replace("1699999999000", "\"2023-02-29T10:00:00Z\""),
                        ErrorCode.BAD_TS,
                        "field 'ts' is not a valid date-time"),
                Arguments.of(
                        record("").replace("1699999999000", "\"1969-12-31T23:59:59Z\""),
                        ErrorCode.BAD_TS,
                        "field 'ts' is before 1970"),
                Arguments.of(
                        record("").replace("1699999999000", "true"),
                        ErrorCode.BAD_TS,
                        "field 'ts' is a boolean"),
                // TS_IN_FUTURE: one millisecond past the allowed day
                Arguments.of(
                        record("").replace("1699999999000", String.valueOf(NOW + 86_400_001L)),
                        ErrorCode.TS_IN_FUTURE,
                        "field 'ts' is 24.0 h ahead of the clock"),
                // NO_ID
                Arguments.of(
                        record("").replace("{\"cookie_id\":\"c-1\"}", "{}"),
                        ErrorCode.NO_ID,
                        "field 'ids' has no id of a known type"),
                Arguments.of(
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}",
                                        "{\"openid\":\"o-1\",\"user_id\":null,\"X_crm\":\"1\"}"),
                        ErrorCode.NO_ID,
                        "field 'ids' has no id of a known type"),
                Arguments.of(
                        record("").replace("{\"cookie_id\":\"c-1\"}", "{\"phone\":\"12\"}"),
                        ErrorCode.NO_ID,
                        "unusable values for phone"));
    }

    /** An ids object with {@code n} custom ids. */
    static String manyIds(int n) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"x_t").append(i).append("\":\"v\"");
        }
        return sb.append('}').toString();
    }

    /** A traits object with {@code n} traits. */
    static String manyTraits(int n) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":").append(i);
        }
        return sb.append('}').toString();
    }

    @ParameterizedTest
    @MethodSource("badRecords")
    void rejectsWithCodeAndMessage(String json, ErrorCode code, String messagePart) {
        InvalidEventException e = rejected(json);
        assertThat(e.code()).as("code for %s (%s)", json, e.getMessage()).isEqualTo(code);
        assertThat(e.getMessage()).contains(messagePart).doesNotContain("\n");

        Parsed parsed = parser.parse(utf8(json), "rtcdp.events/3/1042");
        assertThat(parsed.event()).isNull();
        // the dead letter's payload is the record with its id values masked (the oracle of
        // masking is EventFuzz.maskedJson, for records that are JSON)
        String masked = EventFuzz.maskedJson(json);
        assertThat(parsed.deadLetter())
                .isEqualTo(
                        new DeadLetter(
                                code.code(),
                                e.getMessage(),
                                masked != null ? masked : PayloadMask.IDS_ONLY.mask(json, false),
                                "rtcdp.events/3/1042",
                                utf8(json).length));
        assertThat(parsed.deadLetter().payload()).doesNotContain("\"c-1\"");
    }

    @Test
    void futureSkewBoundaryIsInclusive() throws Exception {
        long limit = NOW + 86_400_000L;
        Event event =
                parser.parse(utf8(record("").replace("1699999999000", String.valueOf(limit))));
        assertThat(event.ts()).isEqualTo(limit);
    }

    @Test
    void acceptsIsoTimestampForms() throws Exception {
        String[][] cases = {
            {"\"2011-01-02T10:00:00Z\"", "1293962400000"},
            {"\"2011-01-02T10:00:00+08:00\"", "1293933600000"},
            {"\"2011-01-02T10:00:00.5-05:30\"", "1293982200500"},
            {"\"2011-01-02T10:00:00.123456789Z\"", "1293962400123"},
            {"\"2011-01-02T10:00Z\"", "1293962400000"},
            {"0", "0"},
        };
        for (String[] c : cases) {
            Event event = parser.parse(utf8(record("").replace("1699999999000", c[0])));
            assertThat(event.ts()).as(c[0]).isEqualTo(Long.parseLong(c[1]));
        }
    }

    // ---- ids -------------------------------------------------------------------------------

    @Test
    void phonesAreNormalisedWithTheTenantsCountryCodeThenHashed() throws Exception {
        String[][] cases = {
            {"acme", "138-0013-8000", "+8613800138000"},
            {"acme", "(010) 1234 5678", "+8601012345678"},
            {"acme", "+44 20 7946 0958", "+442079460958"},
            {"uk_shop", "020.7946.0958", "+4402079460958"},
            {"uk_shop", "+86 [138] 0013 8000", "+8613800138000"},
        };
        for (String[] c : cases) {
            String json =
                    record("")
                            .replace("\"acme\"", "\"" + c[0] + "\"")
                            .replace("{\"cookie_id\":\"c-1\"}", "{\"phone\":\"" + c[1] + "\"}");
            byte[] key =
                    c[0].equals("acme")
                            ? ACME_SECRET.getBytes(StandardCharsets.UTF_8)
                            : HmacOracle.tenantKey(ParserConfig.DEV_SECRET, c[0]);
            assertThat(parser.parse(utf8(json)).ids())
                    .as(c[1])
                    .containsExactly(new Id("phone", HmacOracle.hex(key, "phone", c[2])));
        }
    }

    @Test
    void emailsAreTrimmedAndLowerCasedThenHashed() throws Exception {
        String json =
                record("")
                        .replace(
                                "{\"cookie_id\":\"c-1\"}", "{\"email\":\"\\tLi.Wei@Example.CN \"}");
        assertThat(parser.parse(utf8(json)).ids())
                .containsExactly(
                        new Id("email", HmacOracle.hex(ACME_SECRET, "email", "li.wei@example.cn")));
    }

    @Test
    void idsAreSortedStrongestFirstAndUnusableOnesDropped() throws Exception {
        String json =
                record("")
                        .replace(
                                "{\"cookie_id\":\"c-1\"}",
                                "{\"x_crm\":\" 77 \",\"cookie_id\":\"c-9\",\"device_id\":\"d-1\","
                                        + "\"email\":\"broken\",\"union_id\":\"u\",\"user_id\":-5,"
                                        + "\"phone\":null,\"qq\":\"123\"}");
        assertThat(parser.parse(utf8(json)).ids())
                .containsExactly(
                        new Id("user_id", "-5"),
                        new Id("union_id", "u"),
                        new Id("device_id", "d-1"),
                        new Id("cookie_id", "c-9"),
                        new Id("x_crm", "77"));
    }

    @Test
    void configuredPiiTypesAreHashedAndOthersAreNot() throws Exception {
        EventParser custom =
                new EventParser(
                        ParserConfig.builder()
                                .piiIdTypes("email", "x_passport")
                                .clock(() -> NOW)
                                .build());
        String json =
                record("")
                        .replace(
                                "{\"cookie_id\":\"c-1\"}",
                                "{\"x_passport\":\"E1234567\",\"phone\":\"13800138000\"}");
        assertThat(custom.parse(utf8(json)).ids())
                .containsExactly(
                        // phone and email are PII whether listed or not
                        new Id(
                                "phone",
                                HmacOracle.derivedHex(
                                        ParserConfig.DEV_SECRET,
                                        "acme",
                                        "phone",
                                        "+8613800138000")),
                        new Id(
                                "x_passport",
                                HmacOracle.derivedHex(
                                        ParserConfig.DEV_SECRET,
                                        "acme",
                                        "x_passport",
                                        "E1234567")));
    }

    // ---- PII never leaks into messages ------------------------------------------------------

    @Test
    void plainPiiNeverAppearsInMessages() {
        String email = "Jane.Doe@Example.com";
        String phone = "13800138000";
        List<String> records =
                List.of(
                        // wrong types, duplicates and lengths around PII values
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}",
                                        "{\"email\":\""
                                                + email
                                                + "\",\"email\":\""
                                                + email
                                                + "\"}"),
                        record("")
                                .replace("\"evt-1\"", "\"" + email + "\"")
                                .replace("\"acme\"", "\"" + email + "\""),
                        record("").replace("\"page\"", "\"" + phone + "\""),
                        record("").replace("1699999999000", "\"" + phone + "\""),
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}",
                                        "{\"phone\":\"" + phone + "x\"}"),
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}",
                                        "{\"email\":\"" + email.replace("@", "") + "\"}"),
                        record("")
                                .replace(
                                        "{\"cookie_id\":\"c-1\"}",
                                        "{\"phone\":[\"" + phone + "\"]}"),
                        record("\"props\":{\"amount\":\"" + phone + "x\"}"),
                        record("\"traits\":{\"" + email + "\":1,\"" + email + "\":2}"),
                        // syntax errors right at the PII: Jackson's own messages would quote it
                        "{\"ids\":{\"email\":" + email + "}}",
                        "{\"ids\":{\"phone\":" + phone + "abc}}",
                        "{\"ids\":{\"email\":\"" + email + "\"" + email + "}}",
                        "{\"ids\":{\"email\":\"" + email + "\"} " + phone + "}",
                        "[\"" + email + "\"]");
        for (String json : records) {
            InvalidEventException e = rejected(json);
            assertThat(e.getMessage())
                    .as("message for %s", json)
                    .doesNotContainIgnoringCase(email)
                    .doesNotContainIgnoringCase(email.replace("@", ""))
                    .doesNotContain(phone)
                    .doesNotContain("Jane")
                    .doesNotContain("0013");
            DeadLetter dl = parser.parse(utf8(json), "f:1").deadLetter();
            assertThat(dl.message()).isEqualTo(e.getMessage());
            // values of id fields are masked in the payload, broken JSON or not (§4.1); PII in
            // other fields is the producer's doing and stays
            assertThat(dl.payload()).isEqualTo(PayloadMask.IDS_ONLY.mask(json, false));
            if (json.contains("\"ids\":{\"email\"") || json.contains("\"ids\":{\"phone\"")) {
                assertThat(dl.payload())
                        .as("payload of %s", json)
                        .doesNotContainIgnoringCase(email)
                        .doesNotContainIgnoringCase(email.replace("@", ""))
                        .doesNotContain(phone);
            }
        }
    }

    // ---- props, traits, consent --------------------------------------------------------------

    static Stream<Arguments> amounts() {
        return Stream.of(
                Arguments.of("1299.50", 1_299_500_000L),
                Arguments.of("259", 259_000_000L),
                Arguments.of("-3.25", -3_250_000L),
                Arguments.of("\" 12.5 \"", 12_500_000L),
                Arguments.of("\"1e3\"", 1_000_000_000L),
                Arguments.of("1E-2", 10_000L),
                Arguments.of("0.0000005", 0L),
                Arguments.of("0.0000015", 2L),
                Arguments.of("0.0000025", 2L),
                Arguments.of("-0.0000015", -2L),
                Arguments.of("0.1234564999999999999999", 123_456L),
                Arguments.of("1e-999999999", 0L),
                Arguments.of("1E-2147483647", 0L),
                Arguments.of("0E+2147483647", 0L),
                Arguments.of("-0.0", 0L),
                Arguments.of("1000000000000", 1_000_000_000_000_000_000L),
                Arguments.of("-1000000000000", -1_000_000_000_000_000_000L),
                Arguments.of("1000000000000.000000", 1_000_000_000_000_000_000L),
                Arguments.of("1e12", 1_000_000_000_000_000_000L),
                Arguments.of("\"-1E+12\"", -1_000_000_000_000_000_000L),
                Arguments.of("999999999999.9999995", 1_000_000_000_000_000_000L),
                Arguments.of("-999999999999.999999", -999_999_999_999_999_999L),
                Arguments.of("null", null));
    }

    @ParameterizedTest
    @MethodSource("amounts")
    void amountBecomesExactMicros(String amount, Long micros) throws Exception {
        Event event = parser.parse(utf8(record("\"props\":{\"amount\":" + amount + "}")));
        assertThat(event.amountMicros()).isEqualTo(micros);
    }

    @Test
    void amountOverTenToTheTwelveIsInvalid() {
        for (String amount :
                List.of(
                        "1000000000000.0000001",
                        "-1000000000000.0000001",
                        "1000000000001",
                        "-1000000000001",
                        "9223372036854",
                        "9223372036854.775807",
                        "9223372036854775807",
                        "-9223372036854775808",
                        "99999999999999999999999",
                        "\"1e13\"",
                        "1E+2147483647",
                        "-1E+2147483647",
                        "\"1E+2147483647\"",
                        "1E+2147483648",
                        "1e-2147483648")) {
            assertThat(rejected(record("\"props\":{\"amount\":" + amount + "}")).code())
                    .as(amount)
                    .isEqualTo(ErrorCode.INVALID_FIELD);
        }
    }

    @Test
    void propsJsonIsTheCompactPropsObjectWithNumbersAsWritten() throws Exception {
        String pretty =
                "{\n  \"sku\" : \"SKU 1\",\n  \"price\" : 1.10,\n  \"note\" : \"a \\\" b\\\\\",\n"
                        + "  \"big\" : 123456789012345678901234567890,\n  \"tags\" : [ \"x\", { } ]\n}";
        Event event = parser.parse(utf8(record("\"props\":" + pretty)));
        assertThat(event.propsJson())
                .isEqualTo(
                        "{\"sku\":\"SKU 1\",\"price\":1.10,\"note\":\"a \\\" b\\\\\","
                                + "\"big\":123456789012345678901234567890,\"tags\":[\"x\",{}]}");
    }

    @Test
    void propsSliceIsRightAfterMultiByteTextAndAByteOrderMark() throws Exception {
        byte[] body = utf8(record("\"traits\":{\"city\":\"上海\"},\"props\":{\"category\":\"鞋\"}"));
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xef;
        withBom[1] = (byte) 0xbb;
        withBom[2] = (byte) 0xbf;
        System.arraycopy(body, 0, withBom, 3, body.length);
        for (byte[] bytes : List.of(body, withBom)) {
            Event event = parser.parse(bytes);
            assertThat(event.propsJson()).isEqualTo("{\"category\":\"鞋\"}");
            assertThat(event.category()).isEqualTo("鞋");
            assertThat(event.traits()).isEqualTo(Map.of("city", "上海"));
        }
    }

    @Test
    void categoryAndOrderIdNormalisation() throws Exception {
        Event e1 =
                parser.parse(
                        utf8(
                                record(
                                        "\"props\":{\"category\":\"   \",\"order_id\":12345678901234567890}")));
        assertThat(e1.category()).isNull();
        assertThat(e1.orderId()).isEqualTo("12345678901234567890");
        Event e2 = parser.parse(utf8(record("\"props\":{\"category\":null,\"order_id\":\"\"}")));
        assertThat(e2.category()).isNull();
        assertThat(e2.orderId()).isNull();
    }

    @Test
    void nestedPropsKeysDoNotCountAsTopLevelOnes() throws Exception {
        Event event =
                parser.parse(
                        utf8(
                                record(
                                        "\"props\":{\"items\":[{\"amount\":5,\"category\":\"x\"}],"
                                                + "\"meta\":{\"order_id\":\"o\"}}")));
        assertThat(event.amountMicros()).isNull();
        assertThat(event.category()).isNull();
        assertThat(event.orderId()).isNull();
    }

    @Test
    void consentIsReadOnAnyEventType() throws Exception {
        Event event =
                parser.parse(utf8(record("\"consent\":{\"marketing\":false,\"email_opt_in\":1}")));
        assertThat(event.consentMarketing()).isFalse();
        assertThat(event.consentPersonalization()).isNull();
    }

    @Test
    void namesOfOtherTypesAreOptional() throws Exception {
        assertThat(parser.parse(utf8(record("\"name\":\"\""))).name()).isNull();
        assertThat(parser.parse(utf8(record("\"name\":\"home\""))).name()).isEqualTo("home");
    }

    // ---- dead letters --------------------------------------------------------------------------

    @Test
    void deadLetterDecodesInvalidUtf8WithReplacementCharacters() {
        byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xc3, '"', '}'};
        Parsed parsed = parser.parse(bytes, "events.jsonl:7");
        assertThat(parsed.isValid()).isFalse();
        assertThat(parsed.deadLetter())
                .isEqualTo(
                        new DeadLetter(
                                "bad_json",
                                "record is not valid UTF-8: bad byte sequence at offset 6",
                                "{\"a\":\"\uFFFD\"}",
                                "events.jsonl:7",
                                9));
    }

    @Test
    void deadLetterOfAHugeRecordKeepsItsFirst4KiB() {
        byte[] bytes = new byte[600_000];
        Arrays.fill(bytes, (byte) 'a');
        Parsed parsed = parser.parse(bytes, "t/0/1");
        assertThat(parsed.deadLetter())
                .isEqualTo(
                        new DeadLetter(
                                "oversize",
                                "record is 600000 bytes, more than the limit of 65536 bytes"
                                        + " (payload truncated; the record has 600000 bytes)",
                                "a".repeat(4096),
                                "t/0/1",
                                600_000));
    }

    /** The attack: 1 MB of control characters used to become a 3.1 MB dead letter. */
    @Test
    void deadLetterOfControlCharactersIsBoundedAfterEscaping() throws Exception {
        byte[] bytes = new byte[1_000_000];
        Arrays.fill(bytes, (byte) 1);
        DeadLetter dl = parser.parse(bytes, "t/0/2").deadLetter();
        assertThat(dl.error()).isEqualTo("oversize");
        assertThat(dl.payload()).isEqualTo("\u0001".repeat(4096 / 6));
        assertThat(dl.payloadBytes()).isEqualTo(1_000_000);
        byte[] json = dl.toJson().getBytes(StandardCharsets.UTF_8);
        assertThat(json.length).isLessThanOrEqualTo(DeadLetter.MAX_JSON_BYTES);
        JsonNode n = new ObjectMapper().readTree(json);
        assertThat(n.get("payload").asText()).isEqualTo(dl.payload());
        assertThat(n.get("payload_bytes").asLong()).isEqualTo(1_000_000);
        assertThat(n.get("message").asText())
                .endsWith("(payload truncated; the record has 1000000 bytes)");
    }

    @Test
    void oversizeOfAHeadIsTheDeadLetterOfTheWholeRecord() {
        byte[] bytes = new byte[600_000];
        Arrays.fill(bytes, (byte) 'a');
        Parsed whole = parser.parse(bytes, "f.jsonl:3");
        Parsed head = parser.oversize(Arrays.copyOf(bytes, 70_000), 5000, 600_000, "f.jsonl:3");
        assertThat(head).isEqualTo(whole);
        Parsed huge = parser.oversize(bytes, 100, 3_000_000_000L, "f.jsonl:4");
        assertThat(huge.deadLetter())
                .isEqualTo(
                        new DeadLetter(
                                "oversize",
                                "record is 3000000000 bytes, more than the limit of 65536 bytes"
                                        + " (payload truncated; the record has 3000000000 bytes)",
                                "a".repeat(100),
                                "f.jsonl:4",
                                3_000_000_000L));
    }

    @Test
    void nullValueOfAKafkaTombstoneIsADeadLetter() {
        Parsed parsed = parser.parse(null, "t/0/2");
        assertThat(parsed.deadLetter())
                .isEqualTo(new DeadLetter("bad_json", "record has no value (null)", null, "t/0/2"));
    }

    @Test
    void utf16RecordIsBadJsonNotSilentlyDecoded() {
        byte[] utf16 = record("").getBytes(StandardCharsets.UTF_16LE);
        assertThat(
                        catchThrowableOfType(InvalidEventException.class, () -> parser.parse(utf16))
                                .code())
                .isEqualTo(ErrorCode.BAD_JSON);
    }

    @Test
    void rejectsOverlongAndSurrogateUtf8() {
        byte[][] bad = {
            {'"', (byte) 0xc0, (byte) 0xaf, '"'}, // overlong '/'
            {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}, // UTF-16 surrogate
            {'"', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // > U+10FFFF
            {'"', (byte) 0xe2, (byte) 0x82, '"'}, // truncated sequence
        };
        for (byte[] b : bad) {
            assertThat(EventParser.Utf8.firstInvalid(b)).isEqualTo(1);
        }
        assertThat(EventParser.Utf8.firstInvalid(utf8("\"€ 𝄞 é\""))).isEqualTo(-1);
    }

    @Test
    void utf8CheckFindsNulsAndBadBytesAtEveryOffset() {
        for (int at = 0; at < 20; at++) {
            byte[] b = utf8("a".repeat(20));
            b[at] = 0;
            assertThat(EventParser.Utf8.firstInvalid(b)).as("NUL at %d", at).isEqualTo(at);
            b[at] = (byte) 0xff;
            assertThat(EventParser.Utf8.firstInvalid(b)).as("0xff at %d", at).isEqualTo(at);
        }
    }

    /** Only these bytes let a JSON string hold a control character or an unpaired surrogate. */
    @Test
    void utf8CheckTellsWhetherStringsMayHoldControls() {
        for (String clean :
                List.of(
                        "",
                        "{\"event_id\":\"0f8a1c2e-4b7d\",\"tenant\":\"acme\"}",
                        "\t\r\n{}",
                        "é中😀\u00a0\u2027\u202a\u00c2\u0100")) {
            long r = EventParser.Utf8.check(utf8(clean));
            assertThat((int) r).as(clean).isEqualTo(-1);
            assertThat(r & EventParser.Utf8.MAY_HOLD_CONTROLS).as(clean).isZero();
        }
        for (String marker :
                List.of("\\", "\u007f", "\u0080", "\u0085", "\u009f", "\u2028", "\u2029")) {
            for (int at = 0; at < 17; at++) {
                String s = "a".repeat(at) + marker + "b".repeat(16 - at);
                long r = EventParser.Utf8.check(utf8(s));
                assertThat((int) r).isEqualTo(-1);
                assertThat(r & EventParser.Utf8.MAY_HOLD_CONTROLS)
                        .as("%s at %d", marker, at)
                        .isNotZero();
            }
        }
    }

    /** Raw DEL, C1 and separators (no backslash in the record) are found as well as escapes. */
    @Test
    void rawControlCharactersWithoutEscapesAreRejected() {
        for (String raw : List.of("\u007f", "\u0080", "\u009f", "\u2028", "\u2029")) {
            InvalidEventException e = rejected(record("\"channel\":\"w" + raw + "eb\""));
            assertThat(e.getMessage())
                    .isEqualTo("field 'channel' must not contain control characters");
            assertThat(rejected(record("").replace("c-1", "c" + raw + "1")).getMessage())
                    .isEqualTo("field 'ids.cookie_id' must not contain control characters");
        }
    }

    // ---- serialization
    // ---------------------------------------------------------------------------

    @Test
    void worksAfterJavaSerialization() throws Exception {
        String json = record("").replace("{\"cookie_id\":\"c-1\"}", "{\"email\":\"a@b.cn\"}");
        Event before = parser.parse(utf8(json));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(parser);
        }
        EventParser copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (EventParser) in.readObject();
        }
        assertThat(copy.parse(utf8(json))).isEqualTo(before);
        assertThatThrownBy(() -> copy.parse(utf8("{"))).isInstanceOf(InvalidEventException.class);
    }
}
