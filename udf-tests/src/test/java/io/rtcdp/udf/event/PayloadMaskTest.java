package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PayloadMaskTest {

    private final PayloadMask mask = new PayloadMask(k -> k.equals("name"));

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                // every id value, PII type or not; JSON integers too
                "{\"ids\":{\"user_id\":\"alice\",\"phone\":13800138000}}"
                        + "|{\"ids\":{\"user_id\":\"***\",\"phone\":\"***\"}}",
                // PII traits only; null, true, false stay
                "{\"traits\":{\"name\":\"Alice\",\"plan\":\"gold\",\"vip\":true},\"ids\":null}"
                        + "|{\"traits\":{\"name\":\"***\",\"plan\":\"gold\",\"vip\":true},\"ids\":null}",
                // repeated keys: each occurrence
                "{\"ids\":{\"phone\":\"1\"},\"ids\":{\"phone\":\"2\",\"phone\":\"3\"}}"
                        + "|{\"ids\":{\"phone\":\"***\"},\"ids\":{\"phone\":\"***\",\"phone\":\"***\"}}",
                // a key that is no id type may itself be the PII; nested values all go
                "{\"ids\":{\"+8613800138000\":\"x\",\"email\":{\"a@b\":[\"c@d\"]}}}"
                        + "|{\"ids\":{\"***\":\"***\",\"email\":{\"***\":[\"***\"]}}}",
                // escaped key names are read as the parser reads them
                "{\"i\\u0064s\":{\"phone\":\"1\"},\"tr\\u0061its\":{\"n\\u0061me\":\"Bob\"}}"
                        + "|{\"i\\u0064s\":{\"phone\":\"***\"},\"tr\\u0061its\":{\"n\\u0061me\":\"***\"}}",
                // broken JSON: a missing colon, a missing comma, garbage, an unclosed string
                // (a string after a value without a comma may be a value of the key before it)
                "{\"ids\" {\"phone\" \"138\"} \"x\":1}|{\"ids\" {\"phone\" \"***\"} \"***\":1}",
                "{\"a\":1 \"ids\":[138 abc,\"x\"]}|{\"a\":1 \"ids\":[\"***\" \"***\",\"***\"]}",
                "{\"ids\":{\"phone\":\"+86138|{\"ids\":{\"phone\":\"***\"",
                // after the root object closed, a key still counts
                "{}],\"ids\":{\"user_id\":\"u\"}|{}],\"ids\":{\"user_id\":\"***\"}",
                // ids under other fields too (a broken record's nesting may be anything)
                "{\"props\":{\"ids\":\"u-1\"}}|{\"props\":{\"ids\":\"***\"}}",
                // a customer's text (props.text, any JSON type), and nothing else of props
                "{\"props\":{\"text\":\"call me on 138\",\"amount\":5,\"sku\":\"text\"}}"
                        + "|{\"props\":{\"text\":\"***\",\"amount\":5,\"sku\":\"text\"}}",
                "{\"props\":{\"a\":{\"text\":\"x\"},\"text\":{\"t\":[\"y\",1]}},\"text\":\"z\"}"
                        + "|{\"props\":{\"a\":{\"text\":\"x\"},\"text\":{\"***\":[\"***\",\"***\"]}},\"text\":\"z\"}",
                "{\"props\":{\"text\":\"unclosed|{\"props\":{\"text\":\"***\"",
                "not json at all|not json at all",
            })
    void masks(String record, String masked) {
        assertThat(mask.mask(record, false)).isEqualTo(masked);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                // a key of an ids object that the cut may have shortened is left out
                "{\"ids\":{\"ph|{\"ids\":{",
                // a masked string is masked, cut or not
                "{\"ids\":{\"phone\":\"+86|{\"ids\":{\"phone\":\"***\"",
                // a bare token in a masked place may become a literal: left out
                "{\"ids\":{\"phone\":nu|{\"ids\":{\"phone\":",
                // elsewhere a cut token is kept as it is: the rest of the record would follow it
                "{\"event_id\":\"e-|{\"event_id\":\"e-",
            })
    void aHeadLeavesOutWhatItsContinuationCouldMask(String head, String masked) {
        assertThat(mask.mask(head, true)).isEqualTo(masked);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"1", "7", "12", "20", "31", "40"})
    void theMaskedHeadBeginsTheMaskedRecord(int cut) {
        String record = "{\"ids\":{\"phone\":\"+8613800138000\",\"user_id\":null},\"x\":1}";
        assertThat(mask.mask(record, false)).startsWith(mask.mask(record.substring(0, cut), true));
    }

    @org.junit.jupiter.api.Test
    void aDeadLetterOfAnOversizeRecordIsMaskedInItsHead() {
        String record =
                "{\"ids\":{\"phone\":\"13800138000\"},\"traits\":{\"name\":\"Alice\"},\"p\":\""
                        + "z".repeat(70_000)
                        + "\"}";
        byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
        DeadLetter d = DeadLetter.of(ErrorCode.OVERSIZE, "big", bytes, "f:1", mask);
        assertThat(d.payload())
                .startsWith("{\"ids\":{\"phone\":\"***\"},\"traits\":{\"name\":\"***\"}")
                .doesNotContain("13800138000", "Alice");
        assertThat(d.payloadBytes()).isEqualTo(bytes.length);
    }
}
