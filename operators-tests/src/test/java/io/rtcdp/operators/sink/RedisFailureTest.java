package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rtcdp.testing.RedisServerExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisAskDataException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.exceptions.JedisValidationException;

/**
 * The classification of Redis failures, on the exceptions Jedis really throws for the replies of a
 * real redis-server (and, where a server state is hard to make, on Jedis's types with Redis's reply
 * texts).
 */
class RedisFailureTest {

    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    private RedisClient redis;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        redis = REDIS.client();
    }

    @Test
    void wrongTypeIsRejectedAlsoInsideTheWriteScript() {
        redis.set("k", "not a hash");
        assertThat(classify(() -> redis.hset("k", "f", "v"))).isEqualTo(RedisFailure.WRONGTYPE);
        Throwable inScript =
                catchThrowable(() -> redis.eval(RedisProfileWriter.SCRIPT, 1, scriptArgs("k")));
        assertThat(RedisFailure.of(inScript)).isEqualTo(RedisFailure.WRONGTYPE);
        assertThat(RedisFailure.firstLine(inScript)).startsWith("WRONGTYPE Operation against");
        assertThat(classify(() -> redis.sadd("k", "m"))).isEqualTo(RedisFailure.WRONGTYPE);
        assertThat(classify(() -> redis.xadd("k", StreamEntryID.NEW_ENTRY, Map.of("a", "b"))))
                .isEqualTo(RedisFailure.WRONGTYPE);
    }

    @Test
    void outOfMemoryIsRejected() {
        try (Jedis admin = admin()) {
            admin.configSet("maxmemory", "1");
            try {
                assertThat(classify(() -> redis.hset("h", "f", "v"))).isEqualTo(RedisFailure.OOM);
                assertThat(
                                classify(
                                        () ->
                                                redis.eval(
                                                        RedisProfileWriter.SCRIPT,
                                                        1,
                                                        scriptArgs("h"))))
                        .isEqualTo(RedisFailure.OOM);
            } finally {
                admin.configSet("maxmemory", "0");
            }
        }
    }

    @Test
    void aReplicaIsRejectedAsReadOnly() {
        // a replica of a master that is not there: it refuses writes
        try (Jedis admin = admin()) {
            admin.replicaof("127.0.0.1", 1);
            try {
                assertThat(classify(() -> redis.set("k", "v"))).isEqualTo(RedisFailure.READONLY);
                assertThat(
                                classify(
                                        () ->
                                                redis.eval(
                                                        RedisProfileWriter.SCRIPT,
                                                        1,
                                                        scriptArgs("h"))))
                        .isEqualTo(RedisFailure.READONLY);
            } finally {
                admin.replicaofNoOne();
            }
        }
    }

    @Test
    void aclDenialIsRejectedButWrongCredentialsAreRetried() {
        try (Jedis admin = admin()) {
            admin.aclSetUser("limited", "on", ">pw", "~rtcdp:t:profile:*", "+@all");
            admin.aclSetUser("nodel", "on", ">pw", "~*", "+@all", "-del");
        }
        try (RedisClient limited = client("limited", "pw");
                RedisClient nodel = client("nodel", "pw")) {
            assertThat(classify(() -> limited.set("rtcdp:t:id:u:1", "o")))
                    .isEqualTo(RedisFailure.NOPERM);
            assertThat(classify(() -> nodel.del("k"))).isEqualTo(RedisFailure.NOPERM);
            // the DEL inside the write script is checked too, and reported as ERR
            Throwable inScript =
                    catchThrowable(() -> nodel.eval(RedisProfileWriter.SCRIPT, 1, deleteArgs("h")));
            assertThat(RedisFailure.firstLine(inScript)).startsWith("ERR The user executing");
            assertThat(RedisFailure.of(inScript)).isEqualTo(RedisFailure.NOPERM);
        }
        try (RedisClient wrong = client("limited", "wrong")) {
            RedisFailure f = classify(() -> wrong.set("rtcdp:t:profile:a", "v"));
            assertThat(f).isEqualTo(RedisFailure.AUTH);
            assertThat(f.retried()).isTrue();
        }
        try (Jedis anonymous = admin();
                Jedis admin = admin()) {
            admin.configSet("requirepass", "secret");
            try {
                assertThat(classify(() -> anonymous.set("k", "v"))).isEqualTo(RedisFailure.AUTH);
            } finally {
                // the admin connection authenticated before the password was set
                admin.configSet("requirepass", "");
            }
        }
    }

    @Test
    void otherErrorRepliesAreRejected() {
        assertThat(classify(() -> redis.sendCommand(() -> "NOSUCHCOMMAND".getBytes())))
                .isEqualTo(RedisFailure.OTHER);
        redis.set("s", "x");
        assertThat(classify(() -> redis.incr("s"))).isEqualTo(RedisFailure.OTHER);
        try (Jedis jedis = admin()) {
            jedis.sendCommand(Protocol.Command.MULTI);
            // a command the server refuses to queue aborts the transaction
            catchThrowable(() -> jedis.sendCommand(Protocol.Command.SET, "only-a-key"));
            Throwable abort = catchThrowable(() -> jedis.sendCommand(Protocol.Command.EXEC));
            assertThat(RedisFailure.firstLine(abort)).startsWith("EXECABORT");
            assertThat(RedisFailure.of(abort)).isEqualTo(RedisFailure.OTHER);
        }
        assertThat(RedisFailure.of(new JedisValidationException("bad argument")))
                .isEqualTo(RedisFailure.OTHER);
        assertThat(RedisFailure.of(new JedisDataException("MISCONF Errors writing to disk")))
                .isEqualTo(RedisFailure.OTHER);
        assertThat(RedisFailure.of(new JedisDataException((String) null)))
                .isEqualTo(RedisFailure.OTHER);
    }

    @Test
    void aBusyServerIsRetried() throws Exception {
        try (Jedis admin = admin()) {
            admin.configSet("busy-reply-threshold", "50");
        }
        CompletableFuture<Object> script = new CompletableFuture<>();
        Thread runner =
                new Thread(
                        () -> {
                            try (Jedis jedis =
                                    new Jedis(
                                            new HostAndPort("127.0.0.1", REDIS.port()),
                                            DefaultJedisClientConfig.builder()
                                                    .socketTimeoutMillis(30_000)
                                                    .build())) {
                                script.complete(jedis.eval("while true do end"));
                            } catch (RuntimeException e) {
                                script.complete(e);
                            }
                        });
        runner.start();
        try (Jedis probe = new Jedis("127.0.0.1", REDIS.port())) {
            RedisFailure f = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (f == null && System.nanoTime() < deadline) {
                Throwable t = catchThrowable(() -> probe.set("k", "v"));
                f = t == null ? null : RedisFailure.of(t);
            }
            assertThat(f).isEqualTo(RedisFailure.BUSY);
            assertThat(f.retried()).isTrue();
            probe.scriptKill();
        } finally {
            runner.join(10_000);
            try (Jedis admin = admin()) {
                admin.configSet("busy-reply-threshold", "5000");
            }
        }
        assertThat(script.get()).isInstanceOf(JedisDataException.class);
    }

    @Test
    void aMissingScriptIsRetried() {
        assertThat(classify(() -> redis.evalsha("0123456789012345678901234567890123456789", 0)))
                .isEqualTo(RedisFailure.NOSCRIPT);
    }

    @Test
    void connectionFailuresAndTimeoutsAreRetried() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (RedisClient dead =
                RedisClient.builder()
                        .fromURI(URI.create("redis://127.0.0.1:" + deadPort))
                        .build()) {
            Throwable refused = catchThrowable(() -> dead.set("k", "v"));
            assertThat(refused).isInstanceOf(JedisConnectionException.class);
            assertThat(RedisFailure.of(refused)).isEqualTo(RedisFailure.CONNECTION);
        }
        // a server that accepts and never answers, as a paused Redis does: a read timeout
        java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread acceptor =
                    new Thread(
                            () -> {
                                // holds the connection open, silent, until the client gave up
                                try (Socket s = silent.accept()) {
                                    answered.await();
                                } catch (Exception ignored) {
                                    // closed by the test
                                }
                            });
            acceptor.setDaemon(true);
            acceptor.start();
            Throwable timeout =
                    catchThrowable(
                            () -> {
                                try (Jedis jedis =
                                        new Jedis(
                                                new HostAndPort("127.0.0.1", silent.getLocalPort()),
                                                DefaultJedisClientConfig.builder()
                                                        .socketTimeoutMillis(200)
                                                        .build())) {
                                    jedis.set("k", "v");
                                }
                            });
            answered.countDown();
            assertThat(timeout).isInstanceOf(JedisConnectionException.class);
            assertThat(RedisFailure.of(timeout)).isEqualTo(RedisFailure.CONNECTION);
        }
        assertThat(RedisFailure.of(new JedisClusterOperationException("No more cluster attempts")))
                .isEqualTo(RedisFailure.CONNECTION);
    }

    @Test
    void aPipelineReplyNeverReadIsAConnectionFailure() {
        Response<String> unanswered;
        try (AbstractPipeline p = redis.pipelined()) {
            unanswered = p.set("k", "v");
            // not synced: as a reply of a cluster node whose connection failed
            Throwable t = catchThrowable(unanswered::get);
            assertThat(t).isInstanceOf(IllegalStateException.class);
            assertThat(RedisFailure.of(t)).isEqualTo(RedisFailure.CONNECTION);
        }
    }

    @Test
    void clusterStatesAreRetried() {
        HostAndPort node = new HostAndPort("127.0.0.1", 7001);
        assertThat(
                        RedisFailure.of(
                                new JedisMovedDataException(
                                        "MOVED 3999 127.0.0.1:7001", node, 3999)))
                .isEqualTo(RedisFailure.REDIRECT);
        assertThat(
                        RedisFailure.of(
                                new JedisAskDataException("ASK 3999 127.0.0.1:7001", node, 3999)))
                .isEqualTo(RedisFailure.REDIRECT);
        for (String reply :
                List.of(
                        "TRYAGAIN Multiple keys request during rehashing of slot",
                        "CLUSTERDOWN The cluster is down",
                        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set"
                                + " to 'no'.",
                        "NOREPLICAS Not enough good replicas to write.")) {
            assertThat(RedisFailure.of(new JedisDataException(reply)))
                    .as(reply)
                    .isEqualTo(RedisFailure.CLUSTER);
        }
        assertThat(
                        RedisFailure.of(
                                new JedisDataException(
                                        "LOADING Redis is loading the dataset in memory")))
                .isEqualTo(RedisFailure.LOADING);
    }

    @Test
    void aFailureOutsideAReplyIsAlwaysRetried() {
        // e.g. the greeting of a server at its client limit, read while connecting
        JedisDataException greeting = new JedisDataException("ERR max number of clients reached");
        assertThat(RedisFailure.of(greeting).retried()).isFalse();
        assertThat(RedisFailure.notAReply(greeting)).isEqualTo(RedisFailure.CONNECTION);
        assertThat(RedisFailure.notAReply(new JedisDataException("LOADING Redis is loading")))
                .isEqualTo(RedisFailure.LOADING);
    }

    @Test
    void theRejectionReasonsAreTheMetricLabels() {
        assertThat(
                        java.util.Arrays.stream(RedisFailure.REJECTIONS)
                                .map(RedisFailure::reason)
                                .toList())
                .containsExactly("wrongtype", "noperm", "oom", "readonly", "other");
        for (RedisFailure f : RedisFailure.values()) {
            assertThat(List.of(RedisFailure.REJECTIONS).contains(f)).isEqualTo(!f.retried());
        }
        String longReply = "ERR " + "x".repeat(500) + "\nsecond line";
        assertThat(RedisFailure.firstLine(new JedisDataException(longReply)))
                .hasSize(RedisFailure.MAX_REPLY_CHARS)
                .doesNotContain("second");
    }

    private RedisClient client(String user, String password) {
        return RedisClient.builder()
                .fromURI(
                        URI.create(
                                "redis://" + user + ":" + password + "@127.0.0.1:" + REDIS.port()))
                .build();
    }

    private static RedisFailure classify(Runnable command) {
        Throwable t = catchThrowable(command::run);
        assertThat(t).as("the command fails").isNotNull();
        return RedisFailure.of(t);
    }

    /** Key and arguments of a write of one field, as the writer's script takes them. */
    private static String[] scriptArgs(String key) {
        return new String[] {key, "1", "0", "0", "0", "f", "v"};
    }

    /** The same with the delete first. */
    private static String[] deleteArgs(String key) {
        return new String[] {key, "1", "0", "1", "0", "f", "v"};
    }

    private static Jedis admin() {
        return new Jedis("127.0.0.1", REDIS.port());
    }
}
