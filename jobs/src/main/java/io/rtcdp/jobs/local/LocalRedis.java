package io.rtcdp.jobs.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A Redis server on loopback for the demo and the bench: the machine's {@code redis-server} when it
 * is installed, else the Redis binary bundled with embedded-redis.
 */
public final class LocalRedis implements AutoCloseable {
    private final Process process;
    private final redis.embedded.RedisServer embedded;
    private final int port;

    private LocalRedis(Process process, redis.embedded.RedisServer embedded, int port) {
        this.process = process;
        this.embedded = embedded;
        this.port = port;
    }

    public static LocalRedis start() throws IOException, InterruptedException {
        int port = freePort();
        String binary = findOnPath("redis-server");
        if (binary != null) {
            Process p =
                    new ProcessBuilder(
                                    List.of(
                                            binary,
                                            "--port",
                                            Integer.toString(port),
                                            "--bind",
                                            "127.0.0.1",
                                            "--save",
                                            "",
                                            "--appendonly",
                                            "no"))
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            LocalRedis r = new LocalRedis(p, null, port);
            r.awaitReady(Duration.ofSeconds(10));
            return r;
        }
        redis.embedded.RedisServer server =
                redis.embedded.RedisServer.newRedisServer()
                        .port(port)
                        .bind("127.0.0.1")
                        .setting("save \"\"")
                        .build();
        server.start();
        LocalRedis r = new LocalRedis(null, server, port);
        r.awaitReady(Duration.ofSeconds(10));
        return r;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * CPU time the server has used so far, in ms (from /proc on Linux), or -1 where that cannot be
     * read.
     */
    public long cpuMillis() {
        if (process == null) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write("PING\r\n".getBytes());
                if (s.getInputStream().read() == '+') {
                    return;
                }
            } catch (IOException notYet) {
                // the server is still starting
            }
            Thread.sleep(20);
        }
        close();
        throw new IOException("redis did not start on port " + port);
    }

    private static String findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (embedded != null) {
            try {
                embedded.stop();
            } catch (IOException ignored) {
                // best effort on shutdown
            }
        }
    }
}
