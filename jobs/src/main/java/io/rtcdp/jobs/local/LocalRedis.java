package io.rtcdp.jobs.local;

import io.rtcdp.testing.ServerProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A Redis server on loopback for the demo and the bench: the machine's {@code redis-server} when it
 * is installed, else the Redis binary bundled with embedded-redis; with the hash setting that
 * docs/operations.md recommends ({@code hash-max-listpack-value 512}).
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

    public static LocalRedis start() throws IOException {
        int port = ServerProcesses.freePort();
        Optional<Path> binary = ServerProcesses.onPath("redis-server");
        if (binary.isPresent()) {
            Process p =
                    new ProcessBuilder(
                                    List.of(
                                            binary.get().toString(),
                                            "--port",
                                            Integer.toString(port),
                                            "--bind",
                                            "127.0.0.1",
                                            "--save",
                                            "",
                                            "--appendonly",
                                            "no",
                                            // profile hashes stay compact (docs/operations.md);
                                            // Redis 6's name, an alias in 7
                                            "--hash-max-ziplist-value",
                                            "512"))
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
                        .setting("hash-max-ziplist-value 512")
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
            return ProcStat.cpuTicks(stat) * 1000 / ProcStat.TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    private void awaitReady(Duration timeout) throws IOException {
        try {
            ServerProcesses.awaitRedisPing(
                    port,
                    timeout,
                    () -> {
                        if (process != null && !process.isAlive()) {
                            throw new IllegalStateException(
                                    "redis-server exited with " + process.exitValue());
                        }
                    });
        } catch (AssertionError | IllegalStateException e) {
            close();
            throw new IOException("redis did not start on port " + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (process != null) {
            ServerProcesses.stop(process);
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
