package io.rtcdp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.commands.JedisCommands;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.ShutdownParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A real {@code redis-server} for the tests of one class, on a free port, without persistence
 * unless stopped on purpose.
 *
 * <pre>{@code
 * @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();
 * ... REDIS.url() ... REDIS.client().hgetAll(key) ...
 * }</pre>
 *
 * <p>{@link #stop()} shuts the server down the way a persistent Redis restart would (it saves its
 * data set to a private directory) and {@link #start()} brings it back on the same port with that
 * data, so outage tests can check that nothing written before the outage was lost. Its script cache
 * is not kept, as on a real restart.
 *
 * <p>{@link #appendOnly()} makes a server that logs every write to an append-only file before
 * answering it ({@code appendfsync always}), so that it can also be killed without warning ({@link
 * #kill9()}, SIGKILL) and {@link #start() started} again with every acknowledged write; {@link
 * #pause()} and {@link #resume()} stop and continue the process (SIGSTOP, SIGCONT), as a machine
 * that hangs does.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);

    private final boolean appendOnly;
    private int port = -1;
    private Path dir;
    private Process process;
    private RedisClient client;
    private Thread shutdownHook;

    /** A server without persistence, unless {@link #stop()} saves it. */
    public RedisServerExtension() {
        this(false);
    }

    private RedisServerExtension(boolean appendOnly) {
        this.appendOnly = appendOnly;
    }

    /** A server with an append-only file written before each reply ({@code appendfsync always}). */
    public static RedisServerExtension appendOnly() {
        return new RedisServerExtension(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path executable = findRedisServer();
        dir = Files.createTempDirectory("redis-server-");
        // A free port can be taken between probing and binding; try a few.
        IllegalStateException last = null;
        for (int i = 0; i < 3; i++) {
            port = ServerProcesses.freePort();
            try {
                launch(executable);
                last = null;
                break;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        // The server is restarted under the client's feet in outage tests.
        pool.setTestOnBorrow(true);
        client = RedisClient.builder().hostAndPort("127.0.0.1", port).poolConfig(pool).build();
        shutdownHook = new Thread(this::kill, "redis-server-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        ServerProcesses.tearDown(client, this::kill, shutdownHook, dir);
    }

    /** {@code redis://127.0.0.1:port}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** A client for assertions; it survives {@link #stop()}/{@link #start()}. */
    public RedisClient client() {
        return client;
    }

    public void flushAll() {
        client.flushAll();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Saves the data set and shuts the server down, like a restart of a persistent Redis. */
    public synchronized void stop() {
        if (!isRunning()) {
            throw new IllegalStateException("redis-server is not running");
        }
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            jedis.shutdown(ShutdownParams.shutdownParams().save());
        }
        try {
            if (!process.waitFor(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("redis-server did not shut down");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        process = null;
    }

    /**
     * Kills the server with SIGKILL: no save, no goodbye to clients. With {@link #appendOnly()},
     * {@link #start()} brings back every write it acknowledged.
     */
    public synchronized void kill9() throws InterruptedException {
        if (!isRunning()) {
            throw new IllegalStateException("redis-server is not running");
        }
        process.destroyForcibly();
        if (!process.waitFor(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("redis-server did not die");
        }
        process = null;
    }

    /** Stops the server process (SIGSTOP): connections stay open, nothing is answered. */
    public synchronized void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Continues a {@link #pause() paused} server (SIGCONT). */
    public synchronized void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        if (!isRunning()) {
            throw new IllegalStateException("redis-server is not running");
        }
        Process kill =
                new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                        .inheritIO()
                        .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
    }

    /** Starts the server again on the same port, with the data set saved by {@link #stop()}. */
    public synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException("redis-server is already running");
        }
        launch(findRedisServer());
    }

    /**
     * Every key and its content, sorted by key: a string as {@code String}, a hash as a sorted
     * {@code Map}, a set as a sorted {@code Set}, a list as a {@code List}, other types by their
     * type name. For comparing a whole data set with an expected one.
     */
    public Map<String, Object> contents() {
        TreeMap<String, Object> all = new TreeMap<>();
        for (String key : keys(client)) {
            all.put(key, valueOf(client, key));
        }
        return all;
    }

    /** Every key of {@code redis} (one server, or one master of a cluster), sorted, by SCAN. */
    public static SortedSet<String> keys(JedisCommands redis) {
        SortedSet<String> keys = new TreeSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().count(1000);
        do {
            ScanResult<String> page = redis.scan(cursor, params);
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }

    /** The content of {@code key} in the form of {@link #contents()}. */
    static Object valueOf(JedisCommands redis, String key) {
        String type = redis.type(key);
        return switch (type) {
            case "string" -> redis.get(key);
            case "hash" -> new TreeMap<>(redis.hgetAll(key));
            case "set" -> new TreeSet<>(redis.smembers(key));
            case "list" -> redis.lrange(key, 0, -1);
            default -> type;
        };
    }

    /**
     * {@link #contents()} without {@code ver} and {@code updated_at} of every hash: they count
     * writes and time; everything else two runs over the same data must agree on.
     */
    public Map<String, Object> comparableContents() {
        return withoutWriteCounters(contents());
    }

    /** {@code contents} without {@code ver} and {@code updated_at} of every hash. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> withoutWriteCounters(Map<String, Object> contents) {
        Map<String, Object> out = new TreeMap<>();
        contents.forEach(
                (k, v) -> {
                    if (v instanceof Map<?, ?> m) {
                        Map<String, String> h = new TreeMap<>((Map<String, String>) m);
                        h.remove("ver");
                        h.remove("updated_at");
                        out.put(k, h);
                    } else {
                        out.put(k, v);
                    }
                });
        return out;
    }

    /**
     * The keys whose values differ, at most {@code max} of them: {@code key: expected vs actual},
     * or {@code key: unexpected …} for a key only {@code actual} has.
     */
    public static List<String> differences(
            Map<String, Object> expected, Map<String, Object> actual, int max) {
        List<String> out = new ArrayList<>();
        for (String key : actual.keySet()) {
            if (!expected.containsKey(key) && out.size() < max) {
                out.add(key + ": unexpected " + actual.get(key));
            }
        }
        for (String key : expected.keySet()) {
            if (!expected.get(key).equals(actual.get(key)) && out.size() < max) {
                out.add(key + ": " + expected.get(key) + " vs " + actual.get(key));
            }
        }
        return out;
    }

    private synchronized void launch(Path executable) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(
                List.of(
                        "--port", Integer.toString(port),
                        "--bind", "127.0.0.1",
                        "--save", "",
                        "--appendonly", appendOnly ? "yes" : "no",
                        "--appendfsync", "always",
                        "--dir", dir.toString(),
                        "--dbfilename", "dump.rdb"));
        Path log = dir.resolve("redis.log");
        try {
            process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                            .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + executable, e);
        }
        ServerProcesses.awaitRedisPing(process, port, log, STARTUP_TIMEOUT);
    }

    private synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        ServerProcesses.stop(p);
        process = null;
    }

    private static Path findRedisServer() {
        return ServerProcesses.executable("redis-server", ServerProcesses.REDIS_INSTALL_HINT);
    }
}
