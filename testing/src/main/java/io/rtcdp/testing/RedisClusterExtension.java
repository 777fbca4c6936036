package io.rtcdp.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

/**
 * A real Redis Cluster of three masters (no replicas) for the tests of one class: three {@code
 * redis-server --cluster-enabled yes} processes on free ports, joined by {@code redis-cli --cluster
 * create}, ready once every node reports {@code cluster_state:ok}. The processes are killed after
 * the class, and when the start fails half way.
 *
 * <pre>{@code
 * @RegisterExtension static final RedisClusterExtension CLUSTER = new RedisClusterExtension();
 * ... CLUSTER.url() ... CLUSTER.contents() ... CLUSTER.node(0).dbSize() ...
 * }</pre>
 */
public final class RedisClusterExtension implements BeforeAllCallback, AfterAllCallback {

    public static final int MASTERS = 3;

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private Path dir;
    private RedisClusterClient client;
    private Thread shutdownHook;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path server =
                ServerProcesses.executable("redis-server", ServerProcesses.REDIS_INSTALL_HINT);
        Path cli = ServerProcesses.executable("redis-cli", ServerProcesses.REDIS_INSTALL_HINT);
        dir = Files.createTempDirectory("redis-cluster-");
        shutdownHook = new Thread(this::killAll, "redis-cluster-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            for (int i = 0; i < MASTERS; i++) {
                startNode(server);
            }
            createCluster(cli);
            awaitClusterOk();
        } catch (Exception | Error e) {
            killAll();
            throw e;
        }
        Set<HostAndPort> seeds = new HashSet<>();
        ports.forEach(p -> seeds.add(new HostAndPort("127.0.0.1", p)));
        client = RedisClusterClient.builder().nodes(seeds).build();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        ServerProcesses.tearDown(client, this::killAll, shutdownHook, dir);
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}. */
    public String url() {
        return "redis-cluster://"
                + ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** A cluster client for assertions. */
    public RedisClusterClient client() {
        return client;
    }

    /** A direct connection to master {@code i} (close it after use). */
    public Jedis node(int i) {
        return new Jedis("127.0.0.1", ports.get(i));
    }

    /** Empties every master. */
    public void flushAll() {
        for (int i = 0; i < MASTERS; i++) {
            try (Jedis j = node(i)) {
                j.flushAll();
            }
        }
    }

    /** The keys each master holds, master by master. */
    public List<Set<String>> keysByNode() {
        List<Set<String>> out = new ArrayList<>();
        for (int i = 0; i < MASTERS; i++) {
            try (Jedis j = node(i)) {
                out.add(RedisServerExtension.keys(j));
            }
        }
        return out;
    }

    /**
     * Every key of every master and its content, in the form of {@link
     * RedisServerExtension#contents()}: read node by node, so it does not depend on the client's
     * routing.
     */
    public Map<String, Object> contents() {
        TreeMap<String, Object> all = new TreeMap<>();
        List<Set<String>> byNode = keysByNode();
        for (int i = 0; i < MASTERS; i++) {
            try (Jedis j = node(i)) {
                for (String key : byNode.get(i)) {
                    if (all.put(key, RedisServerExtension.valueOf(j, key)) != null) {
                        throw new IllegalStateException(key + " is on two masters");
                    }
                }
            }
        }
        return all;
    }

    private void startNode(Path server) throws IOException {
        // A free port can be taken between probing and binding; try a few.
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            try {
                processes.add(launch(server, port));
                ports.add(port);
                return;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    private Process launch(Path server, int port) throws IOException {
        List<String> command =
                List.of(
                        server.toString(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        dir.resolve("nodes-" + port + ".conf").toString(),
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString());
        Path log = dir.resolve("redis-" + port + ".log");
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        ServerProcesses.awaitRedisPing(p, port, log, STARTUP_TIMEOUT);
        return p;
    }

    private void createCluster(Path cli) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
        ports.forEach(p -> command.add("127.0.0.1:" + p));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Path log = dir.resolve("cluster-create.log");
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        if (!p.waitFor(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            ServerProcesses.stop(p);
            throw new IllegalStateException("redis-cli --cluster create did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(
                    "redis-cli --cluster create exited with "
                            + p.exitValue()
                            + ":\n"
                            + ServerProcesses.tail(log));
        }
    }

    /** Every node agrees the cluster is up: all slots covered and every node known to all. */
    private void awaitClusterOk() {
        Set<Integer> pending = new LinkedHashSet<>(ports);
        Await.until(
                "cluster_state:ok on every node; the ports of those not ok",
                STARTUP_TIMEOUT,
                () -> {
                    pending.removeIf(RedisClusterExtension::nodeOk);
                    return pending;
                },
                Set::isEmpty);
    }

    private static boolean nodeOk(int port) {
        try (Jedis j = new Jedis("127.0.0.1", port)) {
            return j.clusterInfo().contains("cluster_state:ok")
                    && j.clusterNodes().lines().count() == MASTERS;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private synchronized void killAll() {
        processes.forEach(ServerProcesses::stop);
        processes.clear();
    }

    /** A port P such that P and its cluster bus port P + 10000 are both free. */
    private static int freePort() throws IOException {
        java.util.Random random = new java.util.Random();
        for (int i = 0; i < 100; i++) {
            int port = 20_000 + random.nextInt(35_000);
            try (ServerSocket a = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                    ServerSocket b =
                            new ServerSocket(port + 10_000, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port pair P, P + 10000 found");
    }
}
