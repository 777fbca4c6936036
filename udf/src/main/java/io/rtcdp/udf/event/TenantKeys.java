package io.rtcdp.udf.event;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC key of each tenant, {@code K(t)} of docs/contract.md §2.2: a tenant's own configured
 * secret ({@code tenant-secret.<t>}, its UTF-8 bytes) if it has one, else a key derived from the
 * default (master) secret:
 *
 * <pre>K(t) = HMAC-SHA256(key = UTF-8(default-secret), message = UTF-8("rtcdp/tenant-key/v1:" + t))
 * </pre>
 *
 * So no two tenants hash with the same key unless configured to: the same phone gives unrelated
 * hashes (and oneids) in two tenants, and an app of one tenant can be given {@code K(t)} without
 * learning the master secret. Everything that hashes an id or derives a oneid takes its key from
 * here.
 *
 * <p>Not thread-safe: it keeps the {@link Mac}s of recently used tenants, at most {@link
 * #MAX_CACHED_MACS}, least recently used evicted, so that arbitrary tenant names in the input
 * cannot grow memory without bound. Serializable for Flink functions; the Macs are created again,
 * lazily, after deserialization. {@link #toString()} names no secret.
 */
public final class TenantKeys implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What precedes the tenant in the derivation's message. */
    public static final String DERIVATION_PREFIX = "rtcdp/tenant-key/v1:";

    /** How many tenants' Macs are kept ready. */
    public static final int MAX_CACHED_MACS = 1024;

    private static final String ALGORITHM = "HmacSHA256";

    private final String master;
    private final Map<String, String> own;

    private transient Map<String, Mac> macs;
    private transient Mac masterMac;

    TenantKeys(String master, Map<String, String> own) {
        this.master = master;
        this.own = Map.copyOf(own);
    }

    /** The keys of a configuration's tenants. */
    public static TenantKeys of(ParserConfig config) {
        return config.tenantKeys();
    }

    /** {@code K(t)}: the tenant's own secret's UTF-8 bytes, else derived from the master secret. */
    public byte[] key(String tenant) {
        String s = own.get(tenant);
        if (s != null) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        if (masterMac == null) {
            masterMac = newMac(master.getBytes(StandardCharsets.UTF_8));
        }
        return masterMac.doFinal((DERIVATION_PREFIX + tenant).getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #key} in lower-case hex, as {@code rtcdp secrets derive} prints it. */
    public String hex(String tenant) {
        return HexFormat.of().formatHex(key(tenant));
    }

    /** Whether the tenant has a secret of its own (else its key is derived from the master). */
    public boolean hasOwnSecret(String tenant) {
        return own.containsKey(tenant);
    }

    /**
     * A reset HMAC-SHA256 {@link Mac} keyed with {@code K(tenant)}, owned by this object: use it
     * (update, doFinal) before the next call.
     */
    public Mac mac(String tenant) {
        if (macs == null) {
            macs =
                    new LinkedHashMap<>(64, 0.75f, true) {
                        @Override
                        protected boolean removeEldestEntry(Map.Entry<String, Mac> eldest) {
                            return size() > MAX_CACHED_MACS;
                        }
                    };
        }
        Mac mac = macs.get(tenant);
        if (mac == null) {
            mac = newMac(key(tenant));
            macs.put(tenant, mac);
        } else {
            mac.reset();
        }
        return mac;
    }

    /** How many tenants' Macs are kept (for tests of the bound). */
    int cachedMacs() {
        return macs == null ? 0 : macs.size();
    }

    static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            // HmacSHA256 is a mandatory JCA algorithm; its absence is a broken JVM, not bad input.
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "TenantKeys{tenantsWithSecrets=" + own.keySet() + "}";
    }
}
