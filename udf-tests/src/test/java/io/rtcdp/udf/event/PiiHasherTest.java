package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class PiiHasherTest {
    static final String ACME = "acme-secret-0123456789abcdef-0123";
    static final String GLOBEX = "globex-secret-0123456789abcdef-01";

    private final PiiHasher hasher =
            new PiiHasher(
                    ParserConfig.builder()
                            .tenantSecret("acme", ACME)
                            .tenantSecret("globex", GLOBEX)
                            .build());

    @Test
    void knownAnswersComputedWithOpenssl() {
        // K=$(printf '%s' 'rtcdp/tenant-key/v1:no_secret_tenant' \
        //     | openssl dgst -sha256 -hmac 'rtcdp-dev-secret')   # the tenant's derived key
        // printf '%s' 'phone:+8613800138000' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$K
        assertThat(hasher.hash("no_secret_tenant", "phone", "+8613800138000"))
                .isEqualTo("93674a859fd1090a05527a15a5a9aab483bdf740acf8dd70bd0a2bd19364a721");
        // printf '%s' 'email:jane.doe@example.com' \
        //     | openssl dgst -sha256 -hmac 'acme-secret-0123456789abcdef-0123'
        assertThat(hasher.hash("acme", "email", "jane.doe@example.com"))
                .isEqualTo("1b255dcfb72e4937ac16c7bb810e55778f8e9e2eaeebba1bbed0f4c4c1d7222f");
    }

    @Test
    void matchesJavaxCryptoForEveryTenantAndValue() {
        String[][] cases = {
            {"acme", ACME, "phone", "+8613800138000"},
            {"globex", GLOBEX, "phone", "+8613800138000"},
            {"acme", ACME, "email", "élodie@exemple.fr"},
            {"acme", ACME, "x_passport", "护照-E1234567"},
            {"acme", ACME, "email", "a".repeat(1000) + "@b"},
            {"acme", ACME, "phone", "+8613800138000"},
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
    void tenantsWithoutASecretHashWithTheKeyDerivedForThem() {
        for (String tenant : new String[] {"initech", "umbrella", "a", "x".repeat(64)}) {
            assertThat(hasher.hash(tenant, "email", "li.wei@example.cn"))
                    .as(tenant)
                    .isEqualTo(
                            HmacOracle.derivedHex(
                                    ParserConfig.DEV_SECRET, tenant, "email", "li.wei@example.cn"));
        }
        // not linkable across tenants: the same phone gives unrelated hashes
        assertThat(hasher.hash("initech", "phone", "+8613800138000"))
                .isNotEqualTo(hasher.hash("umbrella", "phone", "+8613800138000"))
                .isNotEqualTo(HmacOracle.hex(ParserConfig.DEV_SECRET, "phone", "+8613800138000"));
    }

    @Test
    void manyTenantsKeepTheCacheBoundedAndHashRight() {
        for (int i = 0; i < TenantKeys.MAX_CACHED_MACS * 3; i++) {
            hasher.hash("t" + i, "phone", "+8613800138000");
        }
        // evicted tenants hash the same when they come back
        assertThat(hasher.hash("t0", "phone", "+8613800138000"))
                .isEqualTo(
                        HmacOracle.derivedHex(
                                ParserConfig.DEV_SECRET, "t0", "phone", "+8613800138000"));
        assertThat(hasher.hash("acme", "phone", "+8613800138000"))
                .isEqualTo(HmacOracle.hex(ACME, "phone", "+8613800138000"));
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
                .isEqualTo(HmacOracle.hex(ACME, "email", "a@b"));
        assertThat(hasher.isPii("acme", "phone")).isTrue();
        assertThat(hasher.isPii("acme", "user_id")).isFalse();
    }

    @Test
    void declaredTypesAndTraitsAreHashedPerTenant() {
        PiiHasher declared =
                new PiiHasher(
                        ParserConfig.builder()
                                .tenantSecret("acme", ACME)
                                .piiIdTypes("user_id")
                                .tenantPiiIdTypes("globex", java.util.List.of("union_id"))
                                .piiTraits("name")
                                .tenantPiiTraits("globex", java.util.List.of("mobile"))
                                .build());
        assertThat(declared.protect("acme", "user_id", "alice"))
                .isEqualTo(HmacOracle.hex(ACME, "user_id", "alice"));
        // globex's own list replaces the default list; phone and email stay PII
        assertThat(declared.protect("globex", "user_id", "alice")).isEqualTo("alice");
        assertThat(declared.protect("globex", "union_id", "u-1"))
                .isEqualTo(
                        HmacOracle.derivedHex(
                                ParserConfig.DEV_SECRET, "globex", "union_id", "u-1"));
        assertThat(declared.isPii("globex", "phone")).isTrue();
        assertThat(declared.protectTrait("acme", "name", "Alice Liddell"))
                .isEqualTo(HmacOracle.hex(ACME, "trait", "name:Alice Liddell"));
        assertThat(declared.protectTrait("acme", "mobile", "138")).isEqualTo("138");
        assertThat(declared.protectTrait("globex", "name", "Alice")).isEqualTo("Alice");
        assertThat(declared.protectTrait("globex", "mobile", "138"))
                .isEqualTo(
                        HmacOracle.derivedHex(
                                ParserConfig.DEV_SECRET, "globex", "trait", "mobile:138"));
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
