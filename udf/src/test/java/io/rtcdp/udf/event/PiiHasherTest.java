package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class PiiHasherTest {

    private final PiiHasher hasher =
            new PiiHasher(
                    ParserConfig.builder()
                            .tenantSecret("acme", "acme-secret")
                            .tenantSecret("globex", "globex-secret")
                            .build());

    @Test
    void knownAnswersComputedWithOpenssl() {
        // printf '%s' 'phone:+8613800138000' | openssl dgst -sha256 -hmac 'rtcdp-dev-secret'
        assertThat(hasher.hash("no_secret_tenant", "phone", "+8613800138000"))
                .isEqualTo("932c7d63b645e4b22a87e2c7fbef5686f993799ca8a7ffc8976dea975a255fcb");
        // printf '%s' 'email:jane.doe@example.com' | openssl dgst -sha256 -hmac 'acme-secret'
        assertThat(hasher.hash("acme", "email", "jane.doe@example.com"))
                .isEqualTo("3aab66a9808e3fc8247c1004f50a23a960e0b8cf6e502aca562c49a4d81703df");
    }

    @Test
    void matchesJavaxCryptoForEveryTenantAndValue() {
        String[][] cases = {
            {"acme", "acme-secret", "phone", "+8613800138000"},
            {"globex", "globex-secret", "phone", "+8613800138000"},
            {"initech", ParserConfig.DEV_SECRET, "email", "li.wei@example.cn"},
            {"acme", "acme-secret", "email", "élodie@exemple.fr"},
            {"acme", "acme-secret", "x_passport", "护照-E1234567"},
            {"acme", "acme-secret", "email", "a".repeat(1000) + "@b"},
            {"acme", "acme-secret", "phone", "+8613800138000"},
        };
        for (String[] c : cases) {
            assertThat(hasher.hash(c[0], c[2], c[3]))
                    .as("%s %s", c[0], c[3])
                    .isEqualTo(HmacOracle.hex(c[1], c[2], c[3]))
                    .hasSize(64)
                    .matches("[0-9a-f]{64}");
        }
    }

    @Test
    void typeIsPartOfTheHashedText() {
        assertThat(hasher.hash("acme", "phone", "x"))
                .isNotEqualTo(hasher.hash("acme", "email", "x"));
    }

    @Test
    void protectHashesOnlyPiiTypes() {
        assertThat(hasher.protect("acme", "cookie_id", "c-1")).isEqualTo("c-1");
        assertThat(hasher.protect("acme", "email", "a@b"))
                .isEqualTo(HmacOracle.hex("acme-secret", "email", "a@b"));
        assertThat(hasher.isPii("acme", "phone")).isTrue();
        assertThat(hasher.isPii("acme", "user_id")).isFalse();
    }

    @Test
    void declaredTypesAndTraitsAreHashedPerTenant() {
        PiiHasher declared =
                new PiiHasher(
                        ParserConfig.builder()
                                .tenantSecret("acme", "acme-secret")
                                .piiIdTypes("user_id")
                                .tenantPiiIdTypes("globex", java.util.List.of("union_id"))
                                .piiTraits("name")
                                .tenantPiiTraits("globex", java.util.List.of("mobile"))
                                .build());
        assertThat(declared.protect("acme", "user_id", "alice"))
                .isEqualTo(HmacOracle.hex("acme-secret", "user_id", "alice"));
        // globex's own list replaces the default list; phone and email stay PII
        assertThat(declared.protect("globex", "user_id", "alice")).isEqualTo("alice");
        assertThat(declared.protect("globex", "union_id", "u-1"))
                .isEqualTo(HmacOracle.hex(ParserConfig.DEV_SECRET, "union_id", "u-1"));
        assertThat(declared.isPii("globex", "phone")).isTrue();
        // printf '%s' 'trait:name:Alice Liddell' | openssl dgst -sha256 -hmac 'acme-secret'
        assertThat(declared.protectTrait("acme", "name", "Alice Liddell"))
                .isEqualTo(HmacOracle.hex("acme-secret", "trait", "name:Alice Liddell"))
                .isEqualTo("d9a7ba0fc5801655f5f91a4d6f94c055196100b1ec7a802e49dbcd2724fd85d0");
        assertThat(declared.protectTrait("acme", "mobile", "138")).isEqualTo("138");
        assertThat(declared.protectTrait("globex", "name", "Alice")).isEqualTo("Alice");
        assertThat(declared.protectTrait("globex", "mobile", "138"))
                .isEqualTo(HmacOracle.hex(ParserConfig.DEV_SECRET, "trait", "mobile:138"));
    }

    @Test
    void hashesAgainAfterJavaSerialization() throws Exception {
        String before = hasher.hash("globex", "phone", "+8613800138000");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(hasher);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            PiiHasher copy = (PiiHasher) in.readObject();
            assertThat(copy.hash("globex", "phone", "+8613800138000")).isEqualTo(before);
        }
    }
}
