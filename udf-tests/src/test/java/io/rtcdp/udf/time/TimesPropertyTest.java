package io.rtcdp.udf.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class TimesPropertyTest {

    /**
     * Strings of the hand-decoded shape, with field values a little beyond their ranges, and
     * variants just outside the shape.
     */
    @Provide
    Arbitrary<String> isoLike() {
        Arbitrary<String> date =
                Combinators.combine(
                                Arbitraries.integers().between(0, 9999),
                                Arbitraries.integers().between(0, 13),
                                Arbitraries.integers().between(0, 32))
                        .as((y, m, d) -> String.format("%04d-%02d-%02d", y, m, d));
        Arbitrary<String> time =
                Combinators.combine(
                                Arbitraries.integers().between(0, 24),
                                Arbitraries.integers().between(0, 60),
                                Arbitraries.integers().between(0, 60),
                                Arbitraries.strings().numeric().ofMaxLength(10),
                                Arbitraries.of(".", ".", ",", ""))
                        .as(
                                (h, mi, s, frac, dot) ->
                                        String.format("%02d:%02d:%02d", h, mi, s)
                                                + (frac.isEmpty() && dot.equals(".")
                                                        ? ""
                                                        : dot + frac));
        Arbitrary<String> offset =
                Arbitraries.oneOf(
                        Arbitraries.of(
                                "Z", "z", "", "+08", "+0800", "-00:00", "+18:00", "+08:00:30"),
                        Combinators.combine(
                                        Arbitraries.of('+', '-'),
                                        Arbitraries.integers().between(0, 19),
                                        Arbitraries.integers().between(0, 60))
                                .as((sign, h, m) -> String.format("%c%02d:%02d", sign, h, m)));
        return Combinators.combine(date, Arbitraries.of("T", "T", "t", " "), time, offset)
                .as((d, t, tm, o) -> d + t + tm + o);
    }

    @Property(tries = 3000)
    void agreesWithTheJdkIsoParser(@ForAll("isoLike") String text) {
        Long expected;
        try {
            expected =
                    DateTimeFormatter.ISO_OFFSET_DATE_TIME
                            .parse(text, Instant::from)
                            .toEpochMilli();
        } catch (DateTimeException e) {
            expected = null;
        }
        if (expected == null) {
            assertThat(catchThrowable(() -> Times.parseEventTs(text)))
                    .as(text)
                    .isInstanceOf(DateTimeException.class);
        } else {
            assertThat(Times.parseEventTs(text)).as(text).isEqualTo(expected);
        }
    }

    @Property
    void parseTimeOfEpochDigitsIsIdentity(@ForAll("epochs") long ms) {
        assertThat(Times.parseTime(Long.toString(ms))).isEqualTo(ms);
        assertThat(Times.parseTime(Instant.ofEpochMilli(ms).toString())).isEqualTo(ms);
    }

    @Provide
    Arbitrary<Long> epochs() {
        return Arbitraries.longs().between(0, 253_402_300_799_999L);
    }
}
