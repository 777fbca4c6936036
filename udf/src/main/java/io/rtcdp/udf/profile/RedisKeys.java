package io.rtcdp.udf.profile;

import io.rtcdp.udf.event.Id;
import java.io.Serializable;

/**
 * The Redis key names of docs/contract.md §3.1, under a configurable prefix (default {@value
 * #DEFAULT_PREFIX}).
 *
 * <p>Each key holds one thing (one profile, one id, one segment), so no write has to change two
 * keys atomically and the same names work on a single Redis and on a Redis Cluster. The builders
 * are called once per Redis write: each is one string concatenation, which the JDK compiles into a
 * single exactly-sized allocation.
 */
public final class RedisKeys implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_PREFIX = "rtcdp";

    private final String prefix;

    /** {@code prefix + ":"}, so each builder appends one part fewer. */
    private final String head;

    /** Keys under {@value #DEFAULT_PREFIX}. */
    public RedisKeys() {
        this(DEFAULT_PREFIX);
    }

    /**
     * @throws IllegalArgumentException if the prefix is empty, contains whitespace or ends with
     *     {@code ':'} (the separator is added here)
     */
    public RedisKeys(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("Redis key prefix must not be empty");
        }
        if (prefix.endsWith(":") || prefix.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(
                    "Redis key prefix must not end with ':' or contain whitespace: '"
                            + prefix
                            + "'");
        }
        this.prefix = prefix;
        this.head = prefix + ':';
    }

    public String prefix() {
        return prefix;
    }

    /** {@code prefix:{t}:profile:{o}}, the profile hash. */
    public String profile(String tenant, String oneid) {
        return head + tenant + ":profile:" + oneid;
    }

    /** {@code prefix:{t}:id:{type}:{value}}, the string holding the oneid that owns the id. */
    public String id(String tenant, String type, String value) {
        return head + tenant + ":id:" + type + ':' + value;
    }

    /**
     * {@code prefix:{t}:id:{type}:{value}} from an id already in its {@code type:value} form (see
     * {@link Id#toString()}).
     */
    public String id(String tenant, String typeAndValue) {
        return head + tenant + ":id:" + typeAndValue;
    }

    public String id(String tenant, Id id) {
        return id(tenant, id.type(), id.value());
    }

    /** {@code prefix:{t}:alias:{o}}, the surviving oneid of a merged-away profile. */
    public String alias(String tenant, String oneid) {
        return head + tenant + ":alias:" + oneid;
    }

    /** {@code prefix:{t}:segment:{name}}, the set of oneids in a segment. */
    public String segment(String tenant, String name) {
        return head + tenant + ":segment:" + name;
    }

    /** {@code prefix:{t}:triggers}, the tenant's trigger stream. */
    public String triggers(String tenant) {
        return head + tenant + ":triggers";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisKeys other && other.prefix.equals(prefix);
    }

    @Override
    public int hashCode() {
        return prefix.hashCode();
    }

    @Override
    public String toString() {
        return "RedisKeys{" + prefix + '}';
    }
}
