package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ParserConfigTest {
    private static final String S0 = "s0-0123456789abcdef-0123456789abc";
    private static final String S1 = "s1-0123456789abcdef-0123456789abc";
    private static final String S2 = "s2-0123456789abcdef-0123456789abc";

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void secretsOfAtLeast32BytesAreAcceptedAndTheDevelopmentSecretStays() {
        String exactly32 = "0123456789abcdef0123456789abcdef";
        ParserConfig c =
                ParserConfig.builder()
                        .defaultSecret(exactly32)
                        .tenantSecret("acme", "é".repeat(16))
                        .build();
        assertThat(c.hasOwnSecret("acme")).isTrue();
        assertThat(
                        ParserConfig.builder()
                                .defaultSecret(ParserConfig.DEV_SECRET)
                                .build()
                                .usesDevSecret())
                .isTrue();
    }

    @Test
    void aShortSecretIsRejectedWithoutShowingIt() {
        String secret = "0123456789abcdef0123456789abcde"; // 31 bytes
        assertThatThrownBy(() -> ParserConfig.builder().defaultSecret(secret).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the default tenant secret is 31 bytes long; give at least 32 (e.g. the"
                                + " output of openssl rand -hex 32)")
                .message()
                .doesNotContain(secret);
        assertThatThrownBy(() -> ParserConfig.builder().tenantSecret("acme", "s3cret").build())
                .hasMessage(
                        "the secret of tenant 'acme' is 6 bytes long; give at least 32 (e.g. the"
                                + " output of openssl rand -hex 32)");
    }

    @Test
    void defaults() {
        long before = System.currentTimeMillis();
        ParserConfig c = ParserConfig.defaults();
        assertThat(c.usesDevSecret()).isTrue();
        assertThat(c.tenantKeys().key("acme"))
                .isEqualTo(HmacOracle.tenantKey("rtcdp-dev-secret", "acme"));
        assertThat(c.hasOwnSecret("acme")).isFalse();
        assertThat(c.countryCodeFor("acme")).isEqualTo("+86");
        assertThat(c.piiIdTypes()).isEqualTo(Set.of("phone", "email"));
        assertThat(c.maxFutureSkewMillis()).isEqualTo(86_400_000L);
        assertThat(c.maxRecordBytes()).isEqualTo(65_536);
        assertThat(c.clock().getAsLong()).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void perTenantSettingsOverrideDefaults() {
        ParserConfig c =
                ParserConfig.builder()
                        .tenantSecrets(Map.of("acme", S1, "globex", S2))
                        .defaultSecret(S0)
                        .countryCode("uk_shop", "+44")
                        .defaultCountryCode("+852")
                        .piiIdTypes("email")
                        .maxFutureSkew(Duration.ofMinutes(5))
                        .maxRecordBytes(1024)
                        .clock(() -> 42L)
                        .build();
        assertThat(c.usesDevSecret()).isFalse();
        assertThat(c.tenantKeys().key("acme")).isEqualTo(utf8(S1));
        assertThat(c.tenantKeys().key("globex")).isEqualTo(utf8(S2));
        assertThat(c.tenantKeys().key("other")).isEqualTo(HmacOracle.tenantKey(S0, "other"));
        assertThat(c.tenantsWithSecrets()).containsExactlyInAnyOrder("acme", "globex");
        assertThat(c.countryCodeFor("uk_shop")).isEqualTo("+44");
        assertThat(c.countryCodeFor("acme")).isEqualTo("+852");
        assertThat(c.isPii("email")).isTrue();
        // phone and email are PII whatever the list says
        assertThat(c.isPii("phone")).isTrue();
        assertThat(c.maxFutureSkewMillis()).isEqualTo(300_000L);
        assertThat(c.maxRecordBytes()).isEqualTo(1024);
        assertThat(c.clock().getAsLong()).isEqualTo(42L);
    }

    @Test
    void devSecretCountsWhenAnyTenantUsesIt() {
        assertThat(
                        ParserConfig.builder()
                                .defaultSecret(S0)
                                .tenantSecret("acme", ParserConfig.DEV_SECRET)
                                .build()
                                .usesDevSecret())
                .isTrue();
    }

    @Test
    void toStringNamesNoSecret() {
        ParserConfig c =
                ParserConfig.builder()
                        .tenantSecret("acme", "top-secret-1-0123456789abcdef-0123")
                        .defaultSecret("top-secret-0-0123456789abcdef-0123")
                        .build();
        assertThat(c.toString()).contains("acme").doesNotContain("top-secret");
    }

    @Test
    void serializableWithItsClock() throws Exception {
        ParserConfig c = ParserConfig.builder().tenantSecret("acme", S1).clock(() -> 7L).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(c);
            out.writeObject(ParserConfig.defaults());
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            ParserConfig copy = (ParserConfig) in.readObject();
            assertThat(copy.clock().getAsLong()).isEqualTo(7L);
            assertThat(copy.tenantKeys().key("acme")).isEqualTo(utf8(S1));
            ParserConfig defaults = (ParserConfig) in.readObject();
            assertThat(defaults.clock().getAsLong()).isPositive();
        }
    }

    static Stream<Arguments> invalid() {
        return Stream.<Arguments>of(
                arg(
                        b -> b.tenantSecret("Acme", "s"),
                        "tenant secret given for invalid tenant 'Acme'"),
                arg(b -> b.tenantSecret("acme", ""), "the secret of tenant 'acme' is empty"),
                arg(b -> b.defaultSecret(""), "the default tenant secret is empty"),
                arg(b -> b.defaultSecret(null), "the default tenant secret is empty"),
                arg(b -> b.defaultCountryCode("86"), "default country code '86' is invalid"),
                arg(b -> b.defaultCountryCode("+0"), "default country code '+0' is invalid"),
                arg(b -> b.countryCode("acme", "+12345"), "country code of tenant 'acme'"),
                arg(b -> b.countryCode("a b", "+1"), "country code given for invalid tenant"),
                arg(b -> b.piiIdTypes("phone", "ssn"), "PII id type 'ssn' is not an id type"),
                arg(
                        b -> b.tenantPiiIdTypes("acme", List.of("X_a")),
                        "PII id type of tenant 'acme' 'X_a' is not an id type"),
                arg(
                        b -> b.tenantPiiIdTypes("A", List.of("user_id")),
                        "PII id types given for invalid tenant 'A'"),
                arg(b -> b.piiTraits("full name"), "PII trait 'full name' is not a trait key"),
                arg(b -> b.piiTraits(""), "PII trait '' is not a trait key"),
                arg(
                        b -> b.tenantPiiTraits("acme", List.of("a,b")),
                        "PII trait of tenant 'acme' 'a,b' is not a trait key"),
                arg(b -> b.maxFutureSkew(Duration.ofSeconds(-1)), "max future skew must be"),
                arg(b -> b.maxFutureSkew(null), "max future skew must be"),
                arg(b -> b.maxFutureSkew(Duration.ofDays(400_000)), "max future skew must be"),
                arg(
                        b -> b.maxRecordBytes(0),
                        "max record size must be between 2 and 67108864 bytes, got 0"),
                arg(
                        b -> b.maxRecordBytes(Integer.MAX_VALUE),
                        "max record size must be between 2 and 67108864 bytes"),
                arg(b -> b.clock(null), "clock is null"));
    }

    private static Arguments arg(UnaryOperator<ParserConfig.Builder> change, String message) {
        return Arguments.of(change, message);
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void buildRejectsWithOneClearLine(UnaryOperator<ParserConfig.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(ParserConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .message()
                .doesNotContain("\n");
    }
}
