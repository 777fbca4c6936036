package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The oneids that {@link OneIds#of} does not give: the profile of a quarantined id, and the oneid
 * of a new profile whose founder's natural oneid is already taken. Deterministic like {@link
 * OneIds}, so a replay names them the same way, and of the same form ({@code o} + 20 hex digits).
 *
 * <p>The digest input starts with the tenant and then the byte {@code 0x1e}, which a tenant never
 * contains and {@link OneIds#of} never puts there (it puts {@code 0x1f}), so these oneids are drawn
 * from a space of their own; every further field is length-prefixed, so no two inputs collide.
 */
public final class OneIdVariants {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final byte QUARANTINE = 'q';
    private static final byte REFOUNDED = 'r';
    private static final ThreadLocal<MessageDigest> SHA256 =
            ThreadLocal.withInitial(OneIds::newDigest);

    private OneIdVariants() {}

    /** The oneid of the profile of its own that quarantined {@code id} is. */
    public static String quarantined(String tenant, Id id) {
        return quarantined(tenant, id, SHA256.get());
    }

    /** As {@link #quarantined(String, Id)}, with the caller's own digest (one per thread). */
    public static String quarantined(String tenant, Id id, MessageDigest md) {
        start(md, tenant, QUARANTINE);
        field(md, id.type());
        field(md, id.value());
        return render(md.digest());
    }

    /**
     * The oneid of a profile founded by {@code founder} in event {@code eventId} when {@code
     * OneIds.of(tenant, founder)} is taken; {@code attempt} counts up from 0 while the result is
     * taken too.
     */
    public static String refounded(
            String tenant, Id founder, String eventId, int attempt, MessageDigest md) {
        start(md, tenant, REFOUNDED);
        field(md, founder.type());
        field(md, founder.value());
        field(md, eventId);
        md.update((byte) (attempt >>> 24));
        md.update((byte) (attempt >>> 16));
        md.update((byte) (attempt >>> 8));
        md.update((byte) attempt);
        return render(md.digest());
    }

    private static void start(MessageDigest md, String tenant, byte kind) {
        md.reset();
        md.update(tenant.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0x1e);
        md.update(kind);
    }

    private static void field(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update((byte) (b.length >>> 24));
        md.update((byte) (b.length >>> 16));
        md.update((byte) (b.length >>> 8));
        md.update((byte) b.length);
        md.update(b);
    }

    private static String render(byte[] d) {
        char[] out = new char[21];
        out[0] = 'o';
        for (int i = 0; i < 10; i++) {
            out[1 + 2 * i] = HEX[(d[i] >> 4) & 0xf];
            out[2 + 2 * i] = HEX[d[i] & 0xf];
        }
        return new String(out);
    }
}
