package io.rtcdp.udf.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic trigger ids (docs/contract.md §5.1): the same rule, profile and cause give the same
 * id, so a retried or replayed emission can be recognised downstream.
 */
public final class TriggerIds {
    private TriggerIds() {}

    /** A digest per thread: looking one up costs more than hashing an id. */
    private static final ThreadLocal<MessageDigest> SHA_256 =
            ThreadLocal.withInitial(
                    () -> {
                        try {
                            return MessageDigest.getInstance("SHA-256");
                        } catch (NoSuchAlgorithmException e) {
                            throw new IllegalStateException(e);
                        }
                    });

    /**
     * Lower-case hex of the first 16 bytes of SHA-256 over {@code tenant \n rule \n oneid \n
     * cause}.
     *
     * @param cause the causing event's id for event-caused triggers, otherwise a string the caller
     *     chooses that names the cause, such as {@code asof:<ms>} or {@code rules:<version>}
     */
    public static String of(String tenant, String rule, String oneid, String cause) {
        MessageDigest sha = SHA_256.get();
        String canonical = tenant + '\n' + rule + '\n' + oneid + '\n' + cause;
        byte[] d = sha.digest(canonical.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d, 0, 16);
    }
}
