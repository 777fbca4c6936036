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

    static String hex(String secret, String type, String normalizedValue) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest =
                    mac.doFinal((type + ":" + normalizedValue).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
