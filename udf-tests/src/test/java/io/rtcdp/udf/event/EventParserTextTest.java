package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.rtcdp.udf.text.TextClassifier;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code props.text} (docs/contract.md §1, contract 2.6): read on any event, classified, and left
 * out of the props that are kept.
 */
class EventParserTextTest {

    private final EventParser parser = new EventParser(EventParserTest.CONFIG);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String event(String type, String props) {
        return "{\"event_id\":\"evt-1\",\"tenant\":\"acme\",\"type\":\""
                + type
                + "\""
                + ("track".equals(type) ? ",\"name\":\"chat_message\"" : "")
                + ",\"ts\":1699999999000,\"ids\":{\"cookie_id\":\"c-1\"},\"props\":"
                + props
                + "}";
    }

    @Test
    void aTextIsClassifiedAndNotKept() throws Exception {
        String text = "The parcel arrived broken and nobody answers my emails, this is terrible";
        Event e =
                parser.parse(
                        utf8(event("track", "{\"topic\":\"delivery\",\"text\":\"" + text + "\"}")));

        assertThat(e.text()).isEqualTo(TextClassifier.builtIn().classify(text));
        assertThat(e.propsJson()).isEqualTo("{\"topic\":\"delivery\"}");
    }

    /** The member goes wherever it stands, with the comma that separated it, and nothing else. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"text\":\"hi\"}|{}",
                "{ \"text\" : \"hi\" }|{}",
                "{\"text\":\"hi\",\"a\":1}|{\"a\":1}",
                "{\"a\":1,\"text\":\"hi\"}|{\"a\":1}",
                "{\"a\":1, \"text\": \"h\\\"i,}\" ,\"b\":[1,{\"text\":\"x\"}]}|{\"a\":1,\"b\":[1,{\"text\":\"x\"}]}",
                "{\"a\":\"text\",\"text\":\"\\u4f60\\u597d\",\"c\":{}}|{\"a\":\"text\",\"c\":{}}",
                "{\"text\":null,\"a\":true}|{\"a\":true}",
            })
    void theTextMemberIsLeftOutOfTheKeptProps(String props, String kept) throws Exception {
        Event e = parser.parse(utf8(event("page", props)));

        assertThat(e.propsJson()).isEqualTo(kept);
        assertThat(e.text() == null).isEqualTo(props.contains("null"));
    }

    @Test
    void aTextOnAnyTypeOfEventIsRead() throws Exception {
        for (String type : new String[] {"track", "page", "identify", "consent"}) {
            Event e = parser.parse(utf8(event(type, "{\"text\":\"我要退款，东西坏了\"}")));
            assertThat(e.text()).as(type).isNotNull();
            assertThat(e.propsJson()).isEqualTo("{}");
        }
    }

    @Test
    void aTextThatIsNotAStringOrComesTwiceIsInvalid() {
        for (String props :
                new String[] {
                    "{\"text\":1}",
                    "{\"text\":{\"a\":\"b\"}}",
                    "{\"text\":[\"a\"]}",
                    "{\"text\":true}"
                }) {
            InvalidEventException e =
                    catchThrowableOfType(
                            InvalidEventException.class,
                            () -> parser.parse(utf8(event("track", props))));
            assertThat(e).as(props).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FIELD);
            assertThat(e.getMessage()).contains("props.text");
        }
        InvalidEventException twice =
                catchThrowableOfType(
                        InvalidEventException.class,
                        () ->
                                parser.parse(
                                        utf8(event("track", "{\"text\":\"a\",\"text\":\"b\"}"))));
        assertThat(twice.code()).isEqualTo(ErrorCode.INVALID_FIELD);
        assertThat(twice.getMessage()).contains("props.text");
    }

    /** Control characters, lone surrogates and long texts are a customer's text, not an error. */
    @Test
    void anyStringIsAText() throws Exception {
        String[] texts = {
            "",
            " ",
            "line one\\nline two\\ttab",
            "\\ud800 lone",
            "\\u0000\\u0007",
            "x".repeat(60_000),
            "x".repeat(70_000)
        };
        for (String t : texts) {
            String json = event("track", "{\"text\":\"" + t + "\"}");
            if (json.length() > 65_536) {
                // the record limit (64 KiB) stands: a text that long is oversize
                assertThat(parser.parse(utf8(json), "f:1").deadLetter().error())
                        .isEqualTo(ErrorCode.OVERSIZE.code());
                continue;
            }
            Event e = parser.parse(utf8(json));
            assertThat(e.text()).as(t).isNotNull();
            assertThat(e.propsJson()).isEqualTo("{}");
        }
    }
}
