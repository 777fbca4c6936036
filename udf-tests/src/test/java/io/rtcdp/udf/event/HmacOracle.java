package io.rtcdp.udf.event;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The id hash of docs/contract.md §2.2 computed directly with javax.crypto, as an oracle for tests.
 */
final class HmacOracle {
    private HmacOracle() {}

    /** The hash with a tenant's own secret as the key. */
    static String hex(String secret, String type, String normalizedValue) {
        return hex(secret.getBytes(StandardCharsets.UTF_8), type, normalizedValue);
    }

    static String hex(byte[] key, String type, String normalizedValue) {
        return HexFormat.of()
                .formatHex(
                        hmac(key, (type + ":" + normalizedValue).getBytes(StandardCharsets.UTF_8)));
    }

    /** The hash of a tenant without a secret of its own: keyed with the key derived for it. */
    static String derivedHex(String master, String tenant, String type, String normalizedValue) {
        return hex(tenantKey(master, tenant), type, normalizedValue);
    }

    /** K(t) of a tenant without a secret of its own, as §2.2 writes it. */
    static byte[] tenantKey(String master, String tenant) {
        return hmac(
                master.getBytes(StandardCharsets.UTF_8),
                ("rtcdp/tenant-key/v1:" + tenant).getBytes(StandardCharsets.UTF_8));
    }

    static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
