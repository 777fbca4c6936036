package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code props.items} of orders and refunds (docs/contract.md §1, contract 2.3). */
class EventParserItemsTest {

    private final EventParser parser = new EventParser(EventParserTest.CONFIG);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A valid track event of tenant acme named {@code name}, with {@code props}. */
    private static String event(String name, String props) {
        return "{\"event_id\":\"evt-1\",\"tenant\":\"acme\",\"type\":\"track\",\"name\":\""
                + name
                + "\",\"ts\":1699999999000,\"ids\":{\"cookie_id\":\"c-1\"},\"props\":"
                + props
                + "}";
    }

    private static String order(String items) {
        return event(Event.ORDER_COMPLETED, "{\"amount\":10,\"items\":" + items + "}");
    }

    private InvalidEventException rejected(String json) {
        InvalidEventException e =
                catchThrowableOfType(InvalidEventException.class, () -> parser.parse(utf8(json)));
        assertThat(e).as("rejection of %s", json).isNotNull();
        return e;
    }

    @Test
    void orderLinesAreReadFromNumbersAndNumericStringsTrimmed() throws Exception {
        String props =
                "{\"amount\":31.3,\"items\":["
                        + "{\"sku\":\" 85123A \",\"category\":\" home \",\"quantity\":3,\"price\":2.55},"
                        + "{\"price\":\" 12.75 \",\"quantity\":\" 007 \",\"sku\":\"22423\"},"
                        + "{\"sku\":\"85123A\",\"quantity\":1,\"price\":0,\"category\":null},"
                        + "{\"sku\":\"x\",\"quantity\":1000000000,\"price\":1e12,\"category\":\"  \"},"
                        + "{\"sku\":\"y\",\"quantity\":\"1\",\"price\":\"0.0000005\","
                        + "\"note\":{\"sku\":1},\"tags\":[1,{\"a\":null}],\"qty\":null}]}";

        Event e = parser.parse(utf8(event(Event.ORDER_COMPLETED, props)));

        assertThat(e.items())
                .containsExactly(
                        new OrderItem("85123A", "home", 3, 2_550_000L),
                        new OrderItem("22423", null, 7, 12_750_000L),
                        new OrderItem("85123A", null, 1, 0L),
                        new OrderItem("x", null, 1_000_000_000L, 1_000_000_000_000_000_000L),
                        // half-even, as props.amount: 0.5 micros is 0
                        new OrderItem("y", null, 1, 0L));
        assertThat(e.propsJson()).isEqualTo(props);
        assertThat(e.amountMicros()).isEqualTo(31_300_000L);
    }

    @Test
    void refundsHaveOrderLinesToo() throws Exception {
        Event e =
                parser.parse(
                        utf8(
                                event(
                                        Event.ORDER_REFUNDED,
                                        "{\"items\":[{\"sku\":\"s\",\"quantity\":2,\"price\":\"1.5\"}]}")));

        assertThat(e.items()).containsExactly(new OrderItem("s", null, 2, 1_500_000L));
    }

    @Test
    void itemsBeforeTheNameAreReadToo() throws Exception {
        String json =
                "{\"props\":{\"items\":[{\"sku\":\"s\",\"quantity\":1,\"price\":1}]},"
                        + "\"event_id\":\"e\",\"tenant\":\"acme\",\"ts\":1699999999000,"
                        + "\"ids\":{\"cookie_id\":\"c\"},\"type\":\"track\",\"name\":\"order_completed\"}";

        assertThat(parser.parse(utf8(json)).items())
                .containsExactly(new OrderItem("s", null, 1, 1_000_000L));
    }

    @Test
    void limitsAreReachedExactly() throws Exception {
        String sku = "s".repeat(EventParser.MAX_SKU_LENGTH);
        String category = "c".repeat(EventParser.MAX_CATEGORY_LENGTH);
        Event e =
                parser.parse(
                        utf8(
                                order(
                                        "[{\"sku\":\"\\t"
                                                + sku
                                                + " \",\"category\":\" "
                                                + category
                                                + "\\n\",\"quantity\":\"1000000000\","
                                                + "\"price\":\"1000000000000\"}]")));

        assertThat(e.items())
                .containsExactly(
                        new OrderItem(sku, category, 1_000_000_000L, 1_000_000_000_000_000_000L));
    }

    @Test
    void absentNullOrEmptyItemsAreNoLines() throws Exception {
        assertThat(parser.parse(utf8(event(Event.ORDER_COMPLETED, "{\"amount\":1}"))).items())
                .isEmpty();
        assertThat(parser.parse(utf8(order("null"))).items()).isEmpty();
        assertThat(parser.parse(utf8(order("[]"))).items()).isEmpty();
        assertThat(parser.parse(utf8(event(Event.ORDER_COMPLETED, "null"))).items()).isEmpty();
    }

    /** On any other event {@code props.items} is the producer's own, kept in props unread. */
    @Test
    void itemsOfOtherEventsAreNotRead() throws Exception {
        String bad = "{\"items\":[1,{\"sku\":7}],\"items\":\"twice\"}";
        for (String name :
                List.of(
                        "product_added",
                        "checkout_started",
                        "Order_Completed",
                        "order_completed ")) {
            Event e = parser.parse(utf8(event(name, bad)));
            assertThat(e.items()).as(name).isEmpty();
            assertThat(e.propsJson()).isEqualTo(bad);
        }
        // a page, identify, consent or forget event is no order, whatever its name
        String page =
                "{\"event_id\":\"evt-1\",\"tenant\":\"acme\",\"type\":\"page\","
                        + "\"name\":\"order_completed\",\"ts\":1699999999000,"
                        + "\"ids\":{\"cookie_id\":\"c-1\"},\"props\":"
                        + bad
                        + "}";
        assertThat(parser.parse(utf8(page)).items()).isEmpty();
    }

    @Test
    void duplicateSkusAreSeparateLines() throws Exception {
        Event e =
                parser.parse(
                        utf8(
                                order(
                                        "[{\"sku\":\"s\",\"quantity\":1,\"price\":1},"
                                                + "{\"sku\":\"s\",\"quantity\":1,\"price\":1}]")));

        assertThat(e.items()).hasSize(2).containsOnly(new OrderItem("s", null, 1, 1_000_000L));
    }

    /** A line with every field valid, for the cases that break one thing. */
    private static final String OK = "{\"sku\":\"s\",\"quantity\":1,\"price\":1}";

    static Stream<Arguments> invalidItems() {
        String q = "props.items[0].quantity: must be an integer 1..1000000000";
        String p = "props.items[0].price: must be a number 0..1000000000000";
        return Stream.of(
                // the array
                Arguments.of("\"SECRET\"", "props.items: must be an array of objects, is a string"),
                Arguments.of(
                        "{\"sku\":\"SECRET\"}",
                        "props.items: must be an array of objects, is an object"),
                Arguments.of("7", "props.items: must be an array of objects, is a number"),
                Arguments.of("[\"SECRET\"]", "props.items[0]: must be an object, is a string"),
                Arguments.of("[" + OK + ",null]", "props.items[1]: must be an object, is null"),
                Arguments.of(
                        "[" + OK + ",[" + OK + "]]",
                        "props.items[1]: must be an object, is an array"),
                // sku
                Arguments.of(
                        "[{\"quantity\":1,\"price\":1}]",
                        "props.items[0].sku: is required, a string of 1-64 characters"),
                Arguments.of(
                        "[{\"sku\":null,\"quantity\":1,\"price\":1}]",
                        "props.items[0].sku: is required, a string of 1-64 characters"),
                Arguments.of(
                        "[{\"sku\":85123,\"quantity\":1,\"price\":1}]",
                        "props.items[0].sku: must be a string of 1-64 characters, is a number"),
                Arguments.of(
                        "[{\"sku\":\" \\t \",\"quantity\":1,\"price\":1}]",
                        "props.items[0].sku: must have 1-64 characters after trimming, has 0"),
                Arguments.of(
                        "[{\"sku\":\"SECRET" + "s".repeat(59) + "\",\"quantity\":1,\"price\":1}]",
                        "props.items[0].sku: must have 1-64 characters after trimming, has 65"),
                Arguments.of(
                        "[{\"sku\":\"SECRET\\u0007\",\"quantity\":1,\"price\":1}]",
                        "props.items[0].sku: must not contain control characters"),
                Arguments.of(
                        "[{\"sku\":\"SECRET\\u2028x\",\"quantity\":1,\"price\":1}]",
                        "props.items[0].sku: must not contain control characters"),
                Arguments.of(
                        "[{\"sku\":\"SECRET\\ud800\",\"quantity\":1,\"price\":1}]",
                        "props.items[0].sku: is not valid Unicode (an unpaired surrogate escape)"),
                // category
                Arguments.of(
                        "[{\"sku\":\"s\",\"category\":\"SECRET"
                                + "c".repeat(59)
                                + "\",\"quantity\":1,\"price\":1}]",
                        "props.items[0].category: must have at most 64 characters after trimming,"
                                + " has 65"),
                Arguments.of(
                        "[{\"sku\":\"s\",\"category\":true,\"quantity\":1,\"price\":1}]",
                        "props.items[0].category: must be a string of at most 64 characters, is a"
                                + " boolean"),
                Arguments.of(
                        "[{\"sku\":\"s\",\"category\":\"SECRET\\u0085\",\"quantity\":1,\"price\":1}]",
                        "props.items[0].category: must not contain control characters"),
                // quantity
                Arguments.of(
                        "[{\"sku\":\"s\",\"price\":1}]",
                        "props.items[0].quantity: is required, an integer 1..1000000000"),
                Arguments.of(
                        "[{\"sku\":\"s\",\"quantity\":null,\"price\":1}]",
                        "props.items[0].quantity: is required, an integer 1..1000000000"),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":0,\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":-1,\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1000000001,\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":99999999999999999999,\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1.5,\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":2.0,\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1e3,\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":\"0\",\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":\"-1\",\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":\"+1\",\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":\"1.5\",\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":\"1000000001\",\"price\":1}]", q),
                Arguments.of(
                        "[{\"sku\":\"s\",\"quantity\":\"" + "9".repeat(30) + "\",\"price\":1}]", q),
                Arguments.of(
                        "[{\"sku\":\"s\",\"quantity\":\"" + "0".repeat(64) + "1\",\"price\":1}]",
                        q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":\"\",\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":\"SECRET\",\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":true,\"price\":1}]", q),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":[1],\"price\":1}]", q),
                // price
                Arguments.of(
                        "[{\"sku\":\"s\",\"quantity\":1}]",
                        "props.items[0].price: is required, a number 0..1000000000000"),
                Arguments.of(
                        "[{\"sku\":\"s\",\"quantity\":1,\"price\":null}]",
                        "props.items[0].price: is required, a number 0..1000000000000"),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1,\"price\":-1}]", p),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1,\"price\":-0.0000001}]", p),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1,\"price\":\"-0.5\"}]", p),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1,\"price\":1000000000000.000001}]", p),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1,\"price\":1e13}]", p),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1,\"price\":1E+2147483647}]", p),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1,\"price\":\"SECRET\"}]", p),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1,\"price\":true}]", p),
                Arguments.of("[{\"sku\":\"s\",\"quantity\":1,\"price\":{}}]", p),
                // repeated keys
                Arguments.of(
                        "[{\"sku\":\"s\",\"sku\":\"SECRET\",\"quantity\":1,\"price\":1}]",
                        "props.items[0].sku: appears more than once"),
                Arguments.of(
                        "[{\"sku\":\"s\",\"quantity\":1,\"price\":1,\"quantity\":1}]",
                        "props.items[0].quantity: appears more than once"),
                Arguments.of(
                        "[{\"sku\":\"s\",\"category\":null,\"category\":\"c\",\"quantity\":1,\"price\":1}]",
                        "props.items[0].category: appears more than once"),
                Arguments.of(
                        "[{\"sku\":\"s\",\"price\":1,\"price\":2,\"quantity\":1}]",
                        "props.items[0].price: appears more than once"),
                Arguments.of(
                        "[{\"sku\":\"s\",\"SECRET\":1,\"quantity\":1,\"price\":1,\"SECRET\":2}]",
                        "props.items[0]: has a key more than once"),
                // the index of the line
                Arguments.of(
                        "["
                                + OK
                                + ","
                                + OK
                                + ","
                                + OK
                                + ",{\"sku\":\"s\",\"quantity\":0,\"price\":1}]",
                        "props.items[3].quantity: must be an integer 1..1000000000"));
    }

    @ParameterizedTest
    @MethodSource("invalidItems")
    void anInvalidLineIsInvalidItemNamingIndexFieldAndLimit(String items, String message) {
        for (String name : List.of(Event.ORDER_COMPLETED, Event.ORDER_REFUNDED)) {
            InvalidEventException e =
                    rejected(event(name, "{\"amount\":10,\"items\":" + items + "}"));
            assertThat(e.code()).as(items).isEqualTo(ErrorCode.INVALID_ITEM);
            assertThat(e.getMessage()).isEqualTo(message).doesNotContain("SECRET");
        }
    }

    @Test
    void itemsTwiceInPropsIsInvalidItem() {
        InvalidEventException e =
                rejected(
                        event(
                                Event.ORDER_COMPLETED,
                                "{\"items\":[" + OK + "],\"amount\":1,\"items\":[]}"));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ITEM);
        assertThat(e.getMessage()).isEqualTo("props.items: appears more than once");
    }

    @Test
    void theDeadLetterHasTheCodeInvalidItem() {
        Parsed p = parser.parse(utf8(order("[{\"sku\":\"s\",\"quantity\":0,\"price\":1}]")), "f:1");

        assertThat(p.isValid()).isFalse();
        assertThat(p.deadLetter().error()).isEqualTo("invalid_item");
        assertThat(p.deadLetter().message())
                .isEqualTo("props.items[0].quantity: must be an integer 1..1000000000");
        assertThat(ErrorCode.INPUT).contains(ErrorCode.INVALID_ITEM);
    }

    /** 2,000 lines are more than 64 KiB: the count is checked where records may be larger. */
    @Test
    void twoThousandLinesAreValidTwoThousandAndOneAreNot() throws Exception {
        EventParser big =
                new EventParser(
                        ParserConfig.builder()
                                .clock(() -> EventParserTest.NOW)
                                .maxRecordBytes(1 << 20)
                                .build());
        String line = "{\"sku\":\"sku\",\"quantity\":1,\"price\":0.5}";
        String items2000 = "[" + String.join(",", java.util.Collections.nCopies(2000, line)) + "]";
        String items2001 = "[" + String.join(",", java.util.Collections.nCopies(2001, line)) + "]";

        Event e = big.parse(utf8(order(items2000)));
        assertThat(e.items()).hasSize(EventParser.MAX_ITEMS);
        assertThat(e.items().get(1999)).isEqualTo(new OrderItem("sku", null, 1, 500_000L));

        InvalidEventException tooMany =
                catchThrowableOfType(
                        InvalidEventException.class, () -> big.parse(utf8(order(items2001))));
        assertThat(tooMany.code()).isEqualTo(ErrorCode.INVALID_ITEM);
        assertThat(tooMany.getMessage()).isEqualTo("props.items: must have at most 2000 items");
    }

    @Test
    void theOrderLinesOfAParsedEventCannotBeChanged() throws Exception {
        Event e = parser.parse(utf8(order("[" + OK + "]")));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> e.items().add(new OrderItem("x", null, 1, 1)))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
