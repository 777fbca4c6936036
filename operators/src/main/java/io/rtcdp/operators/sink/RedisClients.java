package io.rtcdp.operators.sink;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Redis clients from a URL: a single Redis ({@code redis://}, {@code rediss://}) or a Redis Cluster
 * ({@code redis-cluster://}, {@code rediss-cluster://}). Both are {@link UnifiedJedis}, so callers
 * use one API; the few things that differ on a cluster (loading a script on every node, refreshing
 * the slot map after a failure, scanning every master) are here.
 *
 * <pre>{@code
 * redis://[user:password@]host:port[/db]
 * rediss://[user:password@]host:port[/db]                      TLS, hostname verified
 * redis-cluster://[user:password@]host:port[,host:port...]     seed nodes of a cluster
 * rediss-cluster://[user:password@]host:port[,host:port...]    the same over TLS
 * }</pre>
 *
 * <p>A cluster client learns the slot map from any reachable seed when it is created (so, unlike a
 * single-node client, creating it fails while no seed answers) and routes every command, and every
 * command of a pipeline, to the master of its key's slot. Key names are the same on a single Redis
 * and on a cluster (docs/contract.md §3): every write touches one key, so no hash tags are needed.
 */
public final class RedisClients {
    public static final String CLUSTER_SCHEME = "redis-cluster";
    public static final String CLUSTER_TLS_SCHEME = "rediss-cluster";

    /** The one-line message for a URL that is none of the accepted forms. */
    static final String URL_FORMS =
            "redis://[user:password@]host:port[/db], rediss://..., or"
                    + " redis-cluster://host1:port1,host2:port2 (seed nodes of a Redis Cluster;"
                    + " rediss-cluster:// for TLS)";

    private RedisClients() {}

    /** Whether the URL names a Redis Cluster. */
    public static boolean isCluster(String url) {
        return url != null
                && (url.startsWith(CLUSTER_SCHEME + "://")
                        || url.startsWith(CLUSTER_TLS_SCHEME + "://"));
    }

    /**
     * A client for the URL. Connections are opened on first use for a single Redis; a cluster
     * client reads the slot map from a seed node at once and fails if none answers.
     *
     * @throws IllegalArgumentException if the URL is none of the accepted forms (the message does
     *     not repeat the URL, which may carry a password)
     */
    public static UnifiedJedis create(String url) {
        checkUrl(url);
        if (!isCluster(url)) {
            return RedisClient.builder().fromURI(URI.create(url)).build();
        }
        ClusterUrl c = ClusterUrl.parse(url);
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().ssl(c.tls);
        if (c.user != null) {
            config.user(c.user);
        }
        if (c.password != null) {
            config.password(c.password);
        }
        return RedisClusterClient.builder().nodes(c.nodes).clientConfig(config.build()).build();
    }

    /**
     * @throws IllegalArgumentException naming the accepted forms if the URL is none of them
     */
    public static void checkUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(
                    "a Redis URL is required, e.g. redis://127.0.0.1:6379");
        }
        if (isCluster(url)) {
            ClusterUrl.parse(url);
            return;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null
                || !(JedisURIHelper.isRedisScheme(uri) || JedisURIHelper.isRedisSSLScheme(uri))
                || !JedisURIHelper.isValid(uri)
                || !(uri.getPath() == null || uri.getPath().matches("/?\\d*"))) {
            throw new IllegalArgumentException("Redis URL must look like " + URL_FORMS);
        }
    }

    /** The URL without credentials, for logs: {@code scheme://host:port[,host:port][/db]}. */
    public static String endpoint(String url) {
        if (isCluster(url)) {
            ClusterUrl c = ClusterUrl.parse(url);
            List<String> nodes = new ArrayList<>();
            c.nodes.forEach(n -> nodes.add(n.toString()));
            return (c.tls ? CLUSTER_TLS_SCHEME : CLUSTER_SCHEME) + "://" + String.join(",", nodes);
        }
        URI uri = URI.create(url);
        String path = uri.getPath() == null ? "" : uri.getPath();
        return uri.getScheme() + "://" + uri.getHost() + ':' + uri.getPort() + path;
    }

    /**
     * Loads a Lua script and returns its SHA-1. On a cluster the script is loaded on every node the
     * client knows (masters and replicas), because EVALSHA runs on the master of its key's slot and
     * each node has a script cache of its own.
     *
     * @throws JedisException if a node cannot be reached
     */
    public static String loadScript(UnifiedJedis client, String script) {
        if (!(client instanceof RedisClusterClient cluster)) {
            return client.scriptLoad(script);
        }
        String sha = null;
        Map<String, ConnectionPool> nodes = cluster.getClusterNodes();
        if (nodes.isEmpty()) {
            cluster.refreshClusterTopology();
            nodes = cluster.getClusterNodes();
        }
        for (ConnectionPool pool : nodes.values()) {
            try (Connection connection = pool.getResource()) {
                // Not closed: closing it would close the pooled connection, not return it.
                sha = new Jedis(connection).scriptLoad(script);
            }
        }
        if (sha == null) {
            throw new JedisException("the Redis Cluster client knows no node");
        }
        return sha;
    }

    /**
     * After a failed write: a cluster client re-reads the slot map, so that a retry follows MOVED
     * redirections, a failover or a resharding. Nothing to do for a single Redis. Never throws: a
     * cluster that cannot be reached now is retried with the next attempt. (A pipeline does not
     * follow ASK: a write to a slot that is being migrated fails and is retried, with backoff,
     * until the migration of that slot completes.)
     */
    public static void afterFailure(UnifiedJedis client) {
        if (client instanceof RedisClusterClient cluster) {
            try {
                cluster.refreshClusterTopology();
            } catch (JedisException unreachable) {
                // The next attempt fails again and comes back here.
            }
        }
    }

    /**
     * Redis's {@code hash-max-listpack-value}: the longest value a hash may hold and stay in the
     * compact listpack encoding (a cluster client asks one of its nodes). Empty when it cannot be
     * read (a managed Redis that renamed or forbids CONFIG, a user without the permission, Redis
     * unreachable).
     */
    public static java.util.OptionalInt hashListpackValueLimit(UnifiedJedis client) {
        // Redis 7's name, then Redis 6's (an alias in 7)
        for (String name : List.of("hash-max-listpack-value", "hash-max-ziplist-value")) {
            try {
                Object reply =
                        client.sendCommand(
                                redis.clients.jedis.Protocol.Command.CONFIG, "GET", name);
                // RESP2: [name, value]; RESP3's map: [name=value]
                Object value = null;
                if (reply instanceof List<?> l && l.size() == 2) {
                    value = l.get(1);
                } else if (reply instanceof List<?> l
                        && l.size() == 1
                        && l.get(0) instanceof Map.Entry<?, ?> e) {
                    value = e.getValue();
                }
                if (value instanceof byte[] b) {
                    value = new String(b, StandardCharsets.UTF_8);
                }
                if (value instanceof String v) {
                    return java.util.OptionalInt.of(Integer.parseInt(v.trim()));
                }
            } catch (RuntimeException unreadable) {
                // not knowing is no reason to stop writing
                return java.util.OptionalInt.empty();
            }
        }
        return java.util.OptionalInt.empty();
    }

    /**
     * Every key matching the glob {@code pattern}: on a cluster, SCAN runs on every master (a key
     * seen on more than one node during a resharding is listed once).
     */
    public static Set<String> scanKeys(UnifiedJedis client, String pattern) {
        Set<String> keys = new LinkedHashSet<>();
        var scan = client.scanIteration(1000, pattern);
        while (!scan.isIterationCompleted()) {
            keys.addAll(scan.nextBatch().getResult());
        }
        return keys;
    }

    /** The parts of a {@code redis-cluster://} URL. */
    private record ClusterUrl(boolean tls, String user, String password, Set<HostAndPort> nodes) {

        static ClusterUrl parse(String url) {
            boolean tls = url.startsWith(CLUSTER_TLS_SCHEME + "://");
            String rest = url.substring(url.indexOf("://") + 3);
            if (rest.endsWith("/") || rest.endsWith("/0")) {
                rest = rest.substring(0, rest.lastIndexOf('/'));
            }
            String user = null;
            String password = null;
            int at = rest.lastIndexOf('@');
            if (at >= 0) {
                String userInfo = rest.substring(0, at);
                rest = rest.substring(at + 1);
                int colon = userInfo.indexOf(':');
                if (colon < 0) {
                    password = decode(userInfo);
                } else {
                    user = colon == 0 ? null : decode(userInfo.substring(0, colon));
                    password = decode(userInfo.substring(colon + 1));
                }
            }
            Set<HostAndPort> nodes = new LinkedHashSet<>();
            for (String node : rest.split(",", -1)) {
                HostAndPort hp = hostAndPort(node.trim());
                if (hp == null) {
                    throw new IllegalArgumentException(
                            "Redis Cluster URL must list seed nodes as host:port separated by"
                                    + " commas, e.g. redis-cluster://10.0.0.1:7000,10.0.0.2:7000"
                                    + " (no database number: a cluster has only db 0)");
                }
                nodes.add(hp);
            }
            return new ClusterUrl(tls, user, password, nodes);
        }

        private static HostAndPort hostAndPort(String s) {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                return null;
            }
            String host = s.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty() || !host.matches("[A-Za-z0-9._:-]+")) {
                return null;
            }
            int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            return port < 1 || port > 65535 ? null : new HostAndPort(host, port);
        }

        private static String decode(String s) {
            try {
                return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // Not echoed: it is the user name or password.
                throw new IllegalArgumentException(
                        "Redis URL has a bad %-escape in its user name or password");
            }
        }
    }
}
