package io.rtcdp.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;

/**
 * What the extensions that run servers in processes or directories of their own share, and the
 * demo's local Redis too: finding the executable, a free port, waiting for the first answer,
 * stopping, and cleaning up.
 */
public final class ServerProcesses {
    static final String REDIS_INSTALL_HINT =
            "install redis-server: apt-get install -y redis-server";

    private ServerProcesses() {}

    /** {@code name} on the PATH, else an {@link IllegalStateException} saying what to install. */
    static Path executable(String name, String installHint) {
        return onPath(name)
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        name + " not found on the PATH; " + installHint));
    }

    /** The executable {@code name} in a directory of the PATH, if there is one. */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                Path candidate = Path.of(d, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** A loopback port that was free a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits until the {@code redis-server} {@code process}, logging to {@code log}, answers PING on
     * {@code port}. It fails at once with the log's tail when the process exits, and stops it when
     * it does not answer in time.
     */
    static void awaitRedisPing(Process process, int port, Path log, Duration timeout) {
        try {
            awaitRedisPing(
                    port,
                    timeout,
                    () -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(
                                    "redis-server exited with "
                                            + process.exitValue()
                                            + ":\n"
                                            + tail(log));
                        }
                    });
        } catch (AssertionError timedOut) {
            stop(process);
            throw timedOut;
        }
    }

    /**
     * Waits until a Redis server answers PING on loopback {@code port}; {@code alive} throws,
     * ending the wait at once, when the server is known to be gone. An {@link AssertionError} after
     * {@code timeout}.
     */
    public static void awaitRedisPing(int port, Duration timeout, Runnable alive) {
        Await.until(
                "redis-server to answer PING on port " + port,
                timeout,
                () -> {
                    alive.run();
                    try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                        return "PONG".equals(jedis.ping());
                    } catch (RuntimeException notYet) {
                        // not listening yet, or still loading its data set
                        return false;
                    }
                });
    }

    /** Asks {@code p} to end, and kills it if it has not within 5 s. */
    public static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last 20 lines of {@code log}, for failure messages. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Ends what an extension started, after its tests: closes its {@code client} (if any), stops
     * its servers ({@code kill}), removes the {@code shutdownHook} (if any) that would have stopped
     * them at exit and deletes their {@code dir}.
     */
    static void tearDown(AutoCloseable client, Runnable kill, Thread shutdownHook, Path dir)
            throws Exception {
        if (client != null) {
            client.close();
        }
        kill.run();
        if (shutdownHook != null) {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        deleteTree(dir);
    }

    /**
     * Deletes {@code dir} and everything under it, if it is there; files a server removed itself
     * meanwhile are no error.
     */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | UncheckedIOException gone) {
            // nothing left to delete
        }
    }
}
