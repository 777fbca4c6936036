package io.rtcdp.udf.event;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * Replaces PII id values by {@code hex(HMAC-SHA256(K(tenant), "<type>:<normalised value>"))}
 * (docs/contract.md §2.2), lower-case hex, with the tenant's key {@code K(t)} of {@link
 * TenantKeys}.
 *
 * <p>Not thread-safe: it reuses the {@link Mac}s of {@link TenantKeys} (a bounded cache of recent
 * tenants, so arbitrary tenant names in the input cannot grow memory without bound) and scratch
 * buffers, so that a hash costs no allocation beyond its result. Serializable for use in Flink
 * functions; the {@code Mac}s are created again, lazily, after deserialization.
 */
public final class PiiHasher implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final ParserConfig config;
    private final TenantKeys keys;

    private transient byte[] input;
    private transient byte[] digest;

    public PiiHasher(ParserConfig config) {
        this.config = config;
        this.keys = config.tenantKeys();
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

    /** {@code hex(HMAC-SHA256(K(tenant), idType + ":" + normalizedValue))}, 64 characters. */
    public String hash(String tenant, String idType, String normalizedValue) {
        Mac mac = keys.mac(tenant);
        if (digest == null) {
            digest = new byte[mac.getMacLength()];
        }
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
}
