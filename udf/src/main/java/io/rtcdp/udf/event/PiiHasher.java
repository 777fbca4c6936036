package io.rtcdp.udf.event;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * Replaces PII id values by {@code hex(HMAC-SHA256(tenant secret, "<type>:<normalised value>"))}
 * (docs/contract.md §2.2), lower-case hex.
 *
 * <p>Not thread-safe: it reuses one {@link Mac} per secret and scratch buffers, so that a hash
 * costs no allocation beyond its result. Serializable for use in Flink functions; the {@code Mac}s
 * are created again, lazily, after deserialization. Tenants without a secret of their own share the
 * default secret's {@code Mac}, so arbitrary tenant names in the input cannot grow the cache.
 */
public final class PiiHasher implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final ParserConfig config;

    private transient Map<String, Mac> tenantMacs;
    private transient Mac defaultMac;
    private transient byte[] input;
    private transient byte[] digest;

    public PiiHasher(ParserConfig config) {
        this.config = config;
    }

    /** Whether the tenant's values of this id type are replaced by their hash. */
    public boolean isPii(String tenant, String idType) {
        return config.isPii(tenant, idType);
    }

    /**
     * The value to keep for an id: its hash for the tenant's PII types (§2.2), else the normalised
     * value itself.
     */
    public String protect(String tenant, String idType, String normalizedValue) {
        return config.isPii(tenant, idType)
                ? hash(tenant, idType, normalizedValue)
                : normalizedValue;
    }

    /**
     * The value to keep for a trait: for the tenant's PII traits {@code hex(HMAC-SHA256(secret of
     * tenant, "trait:" + key + ":" + value))}, else the value itself.
     */
    public String protectTrait(String tenant, String key, String value) {
        return config.isPiiTrait(tenant, key) ? hash(tenant, "trait:" + key, value) : value;
    }

    /**
     * {@code hex(HMAC-SHA256(secret of tenant, idType + ":" + normalizedValue))}, 64 characters.
     */
    public String hash(String tenant, String idType, String normalizedValue) {
        Mac mac = macFor(tenant);
        int len = encode(idType, normalizedValue);
        mac.update(input, 0, len);
        try {
            mac.doFinal(digest, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        byte[] hex = new byte[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            int b = digest[i] & 0xff;
            hex[2 * i] = HEX[b >>> 4];
            hex[2 * i + 1] = HEX[b & 0xf];
        }
        // Latin-1 decoding of ASCII is a plain copy into a compact string.
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code type:value} as UTF-8 into {@link #input}; returns the length. */
    private int encode(String type, String value) {
        int n = type.length() + 1 + value.length();
        if (input == null || input.length < n) {
            input = new byte[Math.max(n, 256)];
        }
        int p = 0;
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (c >= 0x80) {
                return encodeSlow(type, value);
            }
            input[p++] = (byte) c;
        }
        input[p++] = ':';
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                return encodeSlow(type, value);
            }
            input[p++] = (byte) c;
        }
        return p;
    }

    private int encodeSlow(String type, String value) {
        byte[] bytes = (type + ':' + value).getBytes(StandardCharsets.UTF_8);
        if (input.length < bytes.length) {
            input = Arrays.copyOf(bytes, bytes.length);
        } else {
            System.arraycopy(bytes, 0, input, 0, bytes.length);
        }
        return bytes.length;
    }

    private Mac macFor(String tenant) {
        if (defaultMac == null) {
            defaultMac = newMac(config.defaultSecret());
            tenantMacs = new HashMap<>();
            digest = new byte[defaultMac.getMacLength()];
        }
        Mac mac = tenantMacs.get(tenant);
        if (mac != null) {
            return mac;
        }
        if (!config.hasOwnSecret(tenant)) {
            return defaultMac;
        }
        mac = newMac(config.secretFor(tenant));
        tenantMacs.put(tenant, mac);
        return mac;
    }

    private static Mac newMac(String secret) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            // HmacSHA256 is a mandatory JCA algorithm; its absence is a broken JVM, not bad input.
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
