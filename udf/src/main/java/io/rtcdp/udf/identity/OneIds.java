package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Derives oneids. A oneid is derived from the tenant and the id that founded the profile, so a
 * replay of the same history (or a retry after a failure) names every profile the same way, and no
 * coordination is needed to allocate one. It is opaque to users: {@code o} followed by 20 hex
 * digits (80 bits of SHA-256), which reveals nothing of the id (PII ids are HMACs already).
 */
public final class OneIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ThreadLocal<MessageDigest> SHA256 =
            ThreadLocal.withInitial(OneIds::newDigest);

    private OneIds() {}

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String of(String tenant, Id founder) {
        return of(tenant, founder, SHA256.get());
    }

    /** As {@link #of(String, Id)}, with the caller's own digest (one per thread). */
    public static String of(String tenant, Id founder, MessageDigest md) {
        md.reset();
        md.update(tenant.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0x1f);
        md.update(founder.type().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0x1f);
        byte[] d = md.digest(founder.value().getBytes(StandardCharsets.UTF_8));
        char[] out = new char[21];
        out[0] = 'o';
        for (int i = 0; i < 10; i++) {
            out[1 + 2 * i] = HEX[(d[i] >> 4) & 0xf];
            out[2 + 2 * i] = HEX[d[i] & 0xf];
        }
        return new String(out);
    }
}
