package io.rtcdp.udf.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.ParserConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class OneIdsTest {
    private static final Id U42 = new Id("user_id", "42");
    private static final Id P1 = new Id("phone", "p1");
    private static final String MASTER = "master-secret-0123456789abcdef-01";

    private final OneIds dev = new OneIds(ParserConfig.defaults().tenantKeys());

    @Test
    void knownAnswersComputedWithOpenssl() {
        // K=$(printf '%s' 'rtcdp/tenant-key/v1:acme' | openssl dgst -sha256 -hmac rtcdp-dev-secret)
        // printf 'rtcdp/oneid/v1:acme\x1fuser_id\x1f42' \
        //     | openssl dgst -sha256 -mac HMAC -macopt hexkey:$K
        assertThat(dev.of("acme", U42)).isEqualTo("ob0a969190c76aed2571b");
        // printf 'rtcdp/oneid/v1:acme\x1eq\0\0\0\5phone\0\0\0\2p1' | openssl dgst ... hexkey:$K
        assertThat(dev.quarantined("acme", P1)).isEqualTo("o02adb1027ee26ea6bc4a");
    }

    @Test
    void matchesAnHmacWithTheTenantsKeyComputedDirectly() throws Exception {
        OneIds ids = new OneIds(ParserConfig.builder().defaultSecret(MASTER).build().tenantKeys());
        byte[] key = hmac(utf8(MASTER), utf8("rtcdp/tenant-key/v1:globex"));
        byte[] message = utf8("rtcdp/oneid/v1:globex\u001fphone\u001fp1");
        assertThat(ids.of("globex", P1))
                .isEqualTo("o" + HexFormat.of().formatHex(hmac(key, message)).substring(0, 20));
    }

    @Test
    void notTheUnkeyedSha256OfTheFoundingId() throws Exception {
        // what oneids were before: anyone could recompute them from a list of user ids
        byte[] d = MessageDigest.getInstance("SHA-256").digest(utf8("acme\u001fuser_id\u001f42"));
        assertThat(dev.of("acme", U42))
                .isNotEqualTo("o" + HexFormat.of().formatHex(d).substring(0, 20));
    }

    @Test
    void deterministicAndDependentOnTheKey() {
        OneIds again = new OneIds(ParserConfig.defaults().tenantKeys());
        OneIds other =
                new OneIds(ParserConfig.builder().defaultSecret(MASTER).build().tenantKeys());
        assertThat(again.of("acme", U42)).isEqualTo(dev.of("acme", U42));
        assertThat(again.quarantined("acme", P1)).isEqualTo(dev.quarantined("acme", P1));
        assertThat(again.refounded("acme", U42, "e1", 3))
                .isEqualTo(dev.refounded("acme", U42, "e1", 3));
        assertThat(other.of("acme", U42)).isNotEqualTo(dev.of("acme", U42));
        assertThat(other.quarantined("acme", P1)).isNotEqualTo(dev.quarantined("acme", P1));
    }

    @Test
    void theSameIdInTwoTenantsNamesUnrelatedOneids() {
        assertThat(dev.of("acme", U42)).isNotEqualTo(dev.of("globex", U42));
        assertThat(dev.quarantined("acme", P1)).isNotEqualTo(dev.quarantined("globex", P1));
    }

    @Test
    void variantsAndFoundedOneidsAreDistinctAndWellFormed() {
        Set<String> seen = new HashSet<>();
        for (Id id : new Id[] {U42, P1, new Id("user_id", "p1"), new Id("phone", "42")}) {
            for (String o :
                    new String[] {
                        dev.of("acme", id),
                        dev.quarantined("acme", id),
                        dev.refounded("acme", id, "e1", 0),
                        dev.refounded("acme", id, "e1", 1),
                        dev.refounded("acme", id, "e2", 0)
                    }) {
                assertThat(o).matches("o[0-9a-f]{20}");
                assertThat(seen.add(o)).as(o).isTrue();
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hmac(byte[] key, byte[] message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message);
    }
}
