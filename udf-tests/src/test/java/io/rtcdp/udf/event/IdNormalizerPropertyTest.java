package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class IdNormalizerPropertyTest {

    private static final Pattern PHONE = Pattern.compile("\\+[0-9]{5,18}");

    /**
     * What docs/contract.md §2.1 says, as a regex: drop spaces (of any script), dashes, brackets
     * and dots. Only BMP characters are generated, so code points and chars agree.
     */
    private static final Pattern SEPARATORS =
            Pattern.compile("[\\p{Z}\\t\\n\\x0B\\f\\r\\x1C-\\x1F\\p{Pd}()\\[\\].]");

    @Provide
    Arbitrary<String> phoneLike() {
        return Arbitraries.oneOf(
                Arbitraries.strings()
                        .numeric()
                        .withChars(" -()[].+\t\u3000\u2013\u00a0\uff0dx")
                        .ofMaxLength(30),
                Arbitraries.strings().withCharRange('\u0000', '\ud7ff').ofMaxLength(30));
    }

    @Provide
    Arbitrary<String> emailLike() {
        return Arbitraries.oneOf(
                Arbitraries.strings()
                        .alpha()
                        .numeric()
                        .withChars("@@. \t\u3000ÉİßΣ")
                        .ofMaxLength(30),
                Arbitraries.strings().ofMaxLength(30));
    }

    @Provide
    Arbitrary<String> countryCodes() {
        return Arbitraries.of("+86", "+44", "+1", "+852", "+1234");
    }

    @Property
    void phoneMatchesTheContractRule(
            @ForAll("phoneLike") String raw, @ForAll("countryCodes") String countryCode) {
        String stripped = SEPARATORS.matcher(raw).replaceAll("");
        String withCode =
                stripped.isEmpty() || stripped.startsWith("+") ? stripped : countryCode + stripped;
        String expected = PHONE.matcher(withCode).matches() ? withCode : null;
        assertThat(IdNormalizer.phone(raw, countryCode)).isEqualTo(expected);
    }

    @Property
    void phoneIsIdempotent(
            @ForAll("phoneLike") String raw, @ForAll("countryCodes") String countryCode) {
        String once = IdNormalizer.phone(raw, countryCode);
        if (once != null) {
            assertThat(IdNormalizer.phone(once, countryCode)).isEqualTo(once);
            assertThat(IdNormalizer.phone(once, "+44")).isEqualTo(once);
        }
    }

    @Property
    void emailIsIdempotentAndLowerCase(@ForAll("emailLike") String raw) {
        String once = IdNormalizer.email(raw);
        if (once != null) {
            assertThat(IdNormalizer.email(once)).isEqualTo(once);
            assertThat(once).isEqualTo(once.toLowerCase(Locale.ROOT)).isEqualTo(once.strip());
            assertThat(once.chars().filter(c -> c == '@').count()).isEqualTo(1);
        }
    }

    @Property
    void otherTypesAreIdempotent(@ForAll String raw) {
        String once = IdNormalizer.normalize("device_id", raw, "+86");
        if (once != null) {
            assertThat(IdNormalizer.normalize("device_id", once, "+86")).isEqualTo(once);
            assertThat(once).isNotBlank();
        } else {
            assertThat(raw).isBlank();
        }
    }
}
