package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.TenantKeys;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;

/**
 * Derives oneids (docs/contract.md §2.3). A oneid is derived from the tenant and the id that
 * founded the profile, so a replay of the same history (or a retry after a failure) names every
 * profile the same way, and no coordination is needed to allocate one. It is opaque to users:
 * {@code o} followed by 20 hex digits, the first 80 bits of an HMAC-SHA256 keyed with the tenant's
 * key {@code K(t)} ({@link TenantKeys}). Without the key nobody can recompute a oneid from a list
 * of ids, so the oneids of a forgotten person left in trigger history lead nowhere, and the same
 * founding id names unrelated oneids in two tenants.
 *
 * <p>The HMAC's message starts with {@link #DOMAIN}, which contains a {@code /}: an id type never
 * does, and a PII hash's message starts with the id type, so a oneid is never a PII hash prefix
 * under the same key. Then the tenant, then a separator byte that a tenant never contains: {@code
 * 0x1f} for a founded profile ({@link #of}), {@code 0x1e} for the variants ({@link #quarantined},
 * {@link #refounded}), which are so drawn from a space of their own; the variants' further fields
 * are length-prefixed, so no two inputs collide.
 *
 * <p>Not thread-safe (it uses the Macs of its {@link TenantKeys}): one instance per user.
 */
public final class OneIds implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The first bytes of every oneid's HMAC message. */
    public static final String DOMAIN = "rtcdp/oneid/v1:";

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final byte[] DOMAIN_BYTES = DOMAIN.getBytes(StandardCharsets.US_ASCII);
    private static final byte QUARANTINE = 'q';
    private static final byte REFOUNDED = 'r';

    private final TenantKeys keys;

    public OneIds(TenantKeys keys) {
        this.keys = keys;
    }

    /** The oneid of a profile founded by {@code founder}. */
    public String of(String tenant, Id founder) {
        Mac mac = start(tenant);
        mac.update((byte) 0x1f);
        mac.update(founder.type().getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0x1f);
        return render(mac.doFinal(founder.value().getBytes(StandardCharsets.UTF_8)));
    }

    /** The oneid of the profile of its own that quarantined {@code id} is. */
    public String quarantined(String tenant, Id id) {
        Mac mac = variant(tenant, QUARANTINE);
        field(mac, id.type());
        field(mac, id.value());
        return render(mac.doFinal());
    }

    /**
     * The oneid of a profile founded by {@code founder} in event {@code eventId} when {@code
     * of(tenant, founder)} is taken; {@code attempt} counts up from 0 while the result is taken
     * too.
     */
    public String refounded(String tenant, Id founder, String eventId, int attempt) {
        Mac mac = variant(tenant, REFOUNDED);
        field(mac, founder.type());
        field(mac, founder.value());
        field(mac, eventId);
        mac.update(int32(attempt));
        return render(mac.doFinal());
    }

    private Mac start(String tenant) {
        Mac mac = keys.mac(tenant);
        mac.update(DOMAIN_BYTES);
        mac.update(tenant.getBytes(StandardCharsets.UTF_8));
        return mac;
    }

    private Mac variant(String tenant, byte kind) {
        Mac mac = start(tenant);
        mac.update((byte) 0x1e);
        mac.update(kind);
        return mac;
    }

    private static void field(Mac mac, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        mac.update(int32(b.length));
        mac.update(b);
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
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
