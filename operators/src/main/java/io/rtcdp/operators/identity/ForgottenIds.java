package io.rtcdp.operators.identity;

import io.rtcdp.operators.sink.RedisClients;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.event.PiiHasher;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * The forgotten ids kept in Redis (docs/contract.md §3.1, §3.6), so that a forget holds beyond the
 * job's state: a later {@code rtcdp replay} of the original history into the same Redis, or a
 * streaming job started without its state, does not bring the person back. One string key per
 * forgotten id, {@code <prefix>:{t}:forgotten:{h}} with h = hex(HMAC-SHA256(the tenant's secret,
 * "type:value")) (the value already hashed for PII types, so nothing in the name or value is an
 * id), holding the forget's event time, with the tombstone TTL.
 *
 * <p>The identity stage loads every tenant's keys when it opens (a SCAN; forgets are few) and
 * writes one when it forgets an id; an event carrying a loaded id at or before its forget's time is
 * dropped as one in the stage's own tombstone state is.
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

    /** tenant → id hash → forget time. */
    private transient Map<String, Map<String, Long>> loaded;

    public ForgottenIds(String url, String prefix, Duration ttl, ParserConfig secrets) {
        this.url = url;
        this.prefix = prefix;
        this.ttlMillis = ttl.toMillis();
        this.hasher = new PiiHasher(secrets);
    }

    /** Connects and loads every tenant's forgotten ids. */
    void open() {
        client = RedisClients.create(url);
        loaded = new HashMap<>();
        String head = prefix + ":";
        String tail = ":forgotten:";
        int n = 0;
        for (String key : RedisClients.scanKeys(client, head + "*" + tail + "*")) {
            int at = key.indexOf(tail, head.length());
            if (at < 0) {
                continue;
            }
            String value = client.get(key);
            if (value == null) {
                continue; // expired meanwhile
            }
            String tenant = key.substring(head.length(), at);
            String hash = key.substring(at + tail.length());
            try {
                loaded.computeIfAbsent(tenant, t -> new HashMap<>())
                        .merge(hash, Long.parseLong(value), Math::max);
                n++;
            } catch (NumberFormatException notATime) {
                LOG.warn("Ignoring forgotten-id key {}: its value is not a time", key);
            }
        }
        if (n > 0) {
            LOG.info("Loaded {} forgotten ids from Redis", n);
        }
    }

    void close() {
        if (client != null) {
            client.close();
        }
    }

    /** The time of the latest forget of {@code id} known from Redis, or null. */
    Long forgottenAt(String tenant, Id id) {
        Map<String, Long> ofTenant = loaded.get(tenant);
        if (ofTenant == null || ofTenant.isEmpty()) {
            return null;
        }
        return ofTenant.get(key(tenant, id));
    }

    /**
     * Writes the tombstone of {@code id}, forgotten at event time {@code ts}, waiting while Redis
     * is unreachable; a write Redis refuses for good is logged (never the id) and skipped.
     */
    void remember(String tenant, Id id, long ts) throws InterruptedException {
        String hash = key(tenant, id);
        Long had = loaded.computeIfAbsent(tenant, t -> new HashMap<>()).get(hash);
        long at = had == null ? ts : Math.max(had, ts);
        loaded.get(tenant).put(hash, at);
        String key = prefix + ":" + tenant + ":forgotten:" + hash;
        long backoff = 50;
        while (true) {
            try {
                client.set(key, Long.toString(at), SetParams.setParams().px(ttlMillis));
                return;
            } catch (JedisDataException refused) {
                LOG.error(
                        "Redis refused the forgotten-id key of tenant {}: {}",
                        tenant,
                        refused.getMessage());
                return;
            } catch (JedisException down) {
                LOG.warn(
                        "Writing a forgotten-id key of tenant {} failed, retrying in {} ms: {}",
                        tenant,
                        backoff,
                        down.toString());
                RedisClients.afterFailure(client);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private String key(String tenant, Id id) {
        return hasher.hash(tenant, id.type(), id.value());
    }
}
