package io.rtcdp.operators.identity;

import io.rtcdp.operators.TenantMemo;
import io.rtcdp.operators.sink.RedisClients;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.event.PiiHasher;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The forgotten ids kept in Redis (docs/contract.md §3.1, §3.6), so that a forget holds beyond the
 * job's state: a later {@code rtcdp replay} of the original history into the same Redis, or a
 * streaming job started without its state, does not bring the person back. One hash per tenant,
 * {@code <prefix>:{t}:forgotten}: field h = hex(HMAC-SHA256(the tenant's secret, "type:value"))
 * (the value already hashed for PII types, so nothing in it is an id), value {@code <the forget's
 * event time>:<expiry, wall-clock ms>}; expired fields are ignored and removed when read.
 *
 * <p>The identity stage reads a tenant's hash at its first event of that tenant (one HGETALL;
 * forgets are few) and adds a field when it forgets an id; an event carrying a known id at or
 * before its forget's time is dropped as one in the stage's own tombstone state is. One key per
 * tenant, no SCAN: the job's ACL user needs no command that lists key names.
 */
public final class ForgottenIds implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ForgottenIds.class);
    private static final long MAX_BACKOFF_MILLIS = 5000;

    private final String url;
    private final String prefix;
    private final long ttlMillis;
    private final PiiHasher hasher;

    private transient UnifiedJedis client;

    /** tenant → id hash → forget time, for the tenants read so far. */
    private transient Map<String, Map<String, Long>> loaded;

    /** {@link #loaded}'s entry of the tenant {@link #of} asked for last. */
    private transient TenantMemo<Map<String, Long>> ofTenant;

    public ForgottenIds(String url, String prefix, Duration ttl, ParserConfig secrets) {
        this.url = url;
        this.prefix = prefix;
        this.ttlMillis = ttl.toMillis();
        this.hasher = new PiiHasher(secrets);
    }

    void open() {
        client = RedisClients.create(url);
        loaded = new HashMap<>();
        ofTenant = new TenantMemo<>(loaded, null);
    }

    void close() {
        if (client != null) {
            client.close();
        }
    }

    private String key(String tenant) {
        return prefix + ":" + tenant + ":forgotten";
    }

    /**
     * The tenant's forgotten ids, read from Redis the first time, waiting while Redis is
     * unreachable (as the sinks do): the stage takes no event of a tenant before it knows them.
     */
    private Map<String, Long> of(String tenant) throws InterruptedException {
        Map<String, Long> known = ofTenant.get(tenant);
        if (known != null) {
            return known;
        }
        long backoff = 50;
        for (int attempt = 1; ; attempt++) {
            try {
                known = read(tenant);
                loaded.put(tenant, known);
                return known;
            } catch (JedisDataException refused) {
                // an ACL without HGETALL, a wrong type: a configuration fault, not transient
                throw new IllegalStateException(
                        "cannot read the forgotten ids of tenant "
                                + tenant
                                + " from Redis: "
                                + refused.getMessage(),
                        refused);
            } catch (JedisException down) {
                LOG.warn(
                        "Reading the forgotten ids of tenant {} from Redis {} failed (attempt {}),"
                                + " retrying in {} ms: {}",
                        tenant,
                        RedisClients.endpoint(url),
                        attempt,
                        backoff,
                        down.toString());
                RedisClients.afterFailure(client);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private Map<String, Long> read(String tenant) {
        Map<String, Long> known = new HashMap<>();
        long now = System.currentTimeMillis();
        java.util.List<String> expired = new java.util.ArrayList<>();
        for (Map.Entry<String, String> f : client.hgetAll(key(tenant)).entrySet()) {
            String v = f.getValue();
            int colon = v.indexOf(':');
            try {
                long at = Long.parseLong(v.substring(0, colon));
                long expires = Long.parseLong(v.substring(colon + 1));
                if (expires <= now) {
                    expired.add(f.getKey());
                } else {
                    known.merge(f.getKey(), at, Math::max);
                }
            } catch (RuntimeException notATombstone) {
                LOG.warn("Ignoring a malformed field of {}", key(tenant));
            }
        }
        if (!expired.isEmpty()) {
            client.hdel(key(tenant), expired.toArray(new String[0]));
        }
        if (!known.isEmpty()) {
            LOG.info("Read {} forgotten ids of tenant {} from Redis", known.size(), tenant);
        }
        return known;
    }

    /**
     * Whether Redis knows a forget of one of {@code ids} at or after event time {@code ts}. The
     * tenant's tombstones are looked up once per event, and the ids hashed only when it has some
     * (nearly every tenant has none, nearly always).
     */
    boolean forgotten(String tenant, List<Id> ids, long ts) throws InterruptedException {
        Map<String, Long> known = of(tenant);
        if (known.isEmpty()) {
            return false;
        }
        for (Id id : ids) {
            Long at = known.get(hash(tenant, id));
            if (at != null && ts <= at) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds the tombstone of {@code id}, forgotten at event time {@code ts}, waiting while Redis is
     * unreachable; a write Redis refuses for good is logged (never the id) and skipped.
     */
    void remember(String tenant, Id id, long ts) throws InterruptedException {
        String hash = hash(tenant, id);
        Map<String, Long> known = of(tenant);
        Long had = known.get(hash);
        long at = had == null ? ts : Math.max(had, ts);
        known.put(hash, at);
        String value = at + ":" + (System.currentTimeMillis() + ttlMillis);
        long backoff = 50;
        while (true) {
            try {
                client.hset(key(tenant), hash, value);
                return;
            } catch (JedisDataException refused) {
                LOG.error(
                        "Redis refused a forgotten id of tenant {} in {}: {}",
                        tenant,
                        key(tenant),
                        refused.getMessage());
                return;
            } catch (JedisException down) {
                LOG.warn(
                        "Writing a forgotten id of tenant {} failed, retrying in {} ms: {}",
                        tenant,
                        backoff,
                        down.toString());
                RedisClients.afterFailure(client);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private String hash(String tenant, Id id) {
        return hasher.hash(tenant, id.type(), id.value());
    }
}
