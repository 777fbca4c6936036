package io.rtcdp.udf.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimesTest {

    @ParameterizedTest
    @CsvSource({
        "2011-09-01, 1314835200000",
        "1970-01-01, 0",
        "2011-09-01T08:00:00+08:00, 1314835200000",
        "2011-09-01T00:00:00Z, 1314835200000",
        "2011-09-01T00:00:00.999Z, 1314835200999",
        "2011-08-31T19:00-05:00, 1314835200000",
        "1314835200000, 1314835200000",
        "0, 0",
        "' 2011-09-01 ', 1314835200000",
    })
    void parseTimeAcceptsTheThreeForms(String text, long expected) {
        assertThat(Times.parseTime(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "yesterday",
                "2011-9-1",
                "2011-09-31",
                "2011-09-01T08:00:00",
                "2011-09-01 08:00:00Z",
                "-5",
                "1e12",
                "99999999999999999999"
            })
    void parseTimeRejectsWithTheAcceptedForms(String text) {
        assertThatThrownBy(() -> Times.parseTime(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid time '" + text + "': use " + Times.TIME_FORMS);
        assertThat(Times.TIME_FORMS).doesNotContain("\n");
    }

    @ParameterizedTest
    @CsvSource({
        "2011-01-02T10:00:00Z, 1293962400000",
        "2011-01-02T10:00:00+08:00, 1293933600000",
        "2011-01-02T10:00:00.1Z, 1293962400100",
        "2011-01-02T10:00:00.123456789-00:30, 1293964200123",
        "1969-12-31T23:59:59.999Z, -1",
        "2011-01-02t10:00:00z, 1293962400000",
        "2011-01-02T10:00:00+08:00:30, 1293933570000",
        "+10000-01-01T00:00:00Z, 253402300800000",
    })
    void parseEventTs(String text, long expected) {
        assertThat(Times.parseEventTs(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2011-01-02T10:00:00",
                "2011-01-02",
                "2011-02-29T10:00:00Z",
                "2011-01-02T24:00:00Z",
                "2011-01-02T10:00:60Z",
                "2011-01-02T10:00:00+19:00",
                "2011-01-02T10:00:00.1234567890Z",
                "2011-01-02T10:00:00Z ",
                "+1000000000-01-01T00:00:00Z",
                "1293962400000"
            })
    void parseEventTsRejects(String text) {
        assertThatThrownBy(() -> Times.parseEventTs(text)).isInstanceOf(DateTimeException.class);
    }
}
