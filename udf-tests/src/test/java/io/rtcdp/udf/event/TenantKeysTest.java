package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TenantKeysTest {
    static final String MASTER = "master-secret-0123456789abcdef-01";
    static final String ACME = "acme-secret-0123456789abcdef-0123";

    private final TenantKeys keys =
            ParserConfig.builder()
                    .defaultSecret(MASTER)
                    .tenantSecret("acme", ACME)
                    .build()
                    .tenantKeys();

    @Test
    void derivedKeyKnownAnswerComputedWithOpenssl() {
        // printf '%s' 'rtcdp/tenant-key/v1:acme' | openssl dgst -sha256 -hmac 'rtcdp-dev-secret'
        assertThat(ParserConfig.defaults().tenantKeys().hex("acme"))
                .isEqualTo("4e3cc5adc785b6855bd6847b5555ad85c069bb33b6c1d9f7044d0c0e0fe09f3a");
    }

    @Test
    void tenantsWithoutASecretGetTheKeyDerivedFromTheMaster() {
        for (String tenant : new String[] {"globex", "initech", "a", "z".repeat(64)}) {
            assertThat(keys.key(tenant))
                    .as(tenant)
                    .isEqualTo(HmacOracle.tenantKey(MASTER, tenant))
                    .hasSize(32);
            assertThat(keys.hex(tenant))
                    .isEqualTo(HexFormat.of().formatHex(HmacOracle.tenantKey(MASTER, tenant)));
            assertThat(keys.hasOwnSecret(tenant)).isFalse();
        }
        assertThat(keys.key("globex")).isNotEqualTo(keys.key("initech"));
    }

    @Test
    void aConfiguredTenantSecretIsTheKeyItself() {
        assertThat(keys.key("acme")).isEqualTo(ACME.getBytes(StandardCharsets.UTF_8));
        assertThat(keys.hasOwnSecret("acme")).isTrue();
    }

    @Test
    void theMacIsKeyedWithTheTenantsKey() {
        byte[] message = "phone:+8613800138000".getBytes(StandardCharsets.UTF_8);
        assertThat(keys.mac("globex").doFinal(message))
                .isEqualTo(HmacOracle.hmac(HmacOracle.tenantKey(MASTER, "globex"), message));
        assertThat(keys.mac("acme").doFinal(message))
                .isEqualTo(HmacOracle.hmac(ACME.getBytes(StandardCharsets.UTF_8), message));
    }

    @Test
    void macsOfArbitraryTenantsStayBounded() {
        byte[] message = {1, 2, 3};
        for (int i = 0; i < TenantKeys.MAX_CACHED_MACS * 2 + 7; i++) {
            keys.mac("t" + i).doFinal(message);
            assertThat(keys.cachedMacs()).isLessThanOrEqualTo(TenantKeys.MAX_CACHED_MACS);
        }
        assertThat(keys.cachedMacs()).isEqualTo(TenantKeys.MAX_CACHED_MACS);
        // an evicted tenant is keyed the same when it comes back
        assertThat(keys.mac("t0").doFinal(message))
                .isEqualTo(HmacOracle.hmac(HmacOracle.tenantKey(MASTER, "t0"), message));
    }

    @Test
    void sameKeysAfterJavaSerializationAndNoSecretInToString() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(keys);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            TenantKeys copy = (TenantKeys) in.readObject();
            assertThat(copy.key("globex")).isEqualTo(keys.key("globex"));
            assertThat(copy.key("acme")).isEqualTo(keys.key("acme"));
        }
        assertThat(keys.toString()).contains("acme").doesNotContain(ACME).doesNotContain(MASTER);
    }
}
