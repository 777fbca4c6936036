package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.jobs.cli.CliRun;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadGroupParams;

/**
 * The users {@code rtcdp redis-acl} prints, applied to a real redis-server as its output would be
 * piped into redis-cli: tenant a's reader reads a's keys and nothing else, writes nothing, lists no
 * key names and runs no admin command; the job's user writes every tenant's keys under the prefix
 * and nothing outside it, and a whole replay through it writes without a single refusal.
 */
class RedisAclITCase {
    static final long START =
            OffsetDateTime.parse("2024-05-01T00:00:00Z").toInstant().toEpochMilli();
    static final Path RULES = Path.of("../examples/rules/demo.yaml").toAbsolutePath().normalize();

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir static Path tmp;

    @BeforeAll
    static void users() throws Exception {
        for (String t : List.of("a", "b")) {
            apply(redisAcl("--tenant", t, "--password-file", passwordFile("pw-" + t)));
        }
        apply(redisAcl("--role", "job", "--password-file", passwordFile("pw-job")));
    }

    /** Writes, as the default user, the keys of docs/contract.md §3.1 for a tenant. */
    private static void keysOf(String t) {
        var r = REDIS.client();
        r.hset("rtcdp:" + t + ":profile:o1", Map.of("ver", "1", "lifecycle", "active"));
        r.set("rtcdp:" + t + ":id:user_id:42", "o1");
        r.set("rtcdp:" + t + ":alias:o0", "o1");
        r.sadd("rtcdp:" + t + ":segment:vip", "o1");
        r.xadd("rtcdp:" + t + ":triggers", XAddParams.xAddParams(), Map.of("rule", "r1"));
    }

    @Test
    void aTenantsReaderReadsOnlyThatTenantsKeys() {
        REDIS.flushAll();
        keysOf("a");
        keysOf("b");
        REDIS.client().set("other:key", "x");
        try (Jedis a = as("rtcdp-a-reader", "pw-a")) {
            assertThat(a.hgetAll("rtcdp:a:profile:o1")).containsEntry("lifecycle", "active");
            assertThat(a.get("rtcdp:a:id:user_id:42")).isEqualTo("o1");
            assertThat(a.get("rtcdp:a:alias:o0")).isEqualTo("o1");
            assertThat(a.smembers("rtcdp:a:segment:vip")).containsExactly("o1");
            assertThat(a.xrange("rtcdp:a:triggers", (StreamEntryID) null, null)).hasSize(1);
            assertThat(a.exists("rtcdp:a:profile:o1")).isTrue();
            assertThat(a.ping()).isEqualTo("PONG");

            // the other tenant's keys and keys outside rtcdp: not even their existence
            denied(() -> a.hgetAll("rtcdp:b:profile:o1"));
            denied(() -> a.get("rtcdp:b:id:user_id:42"));
            denied(() -> a.smembers("rtcdp:b:segment:vip"));
            denied(() -> a.xrange("rtcdp:b:triggers", (StreamEntryID) null, null));
            denied(() -> a.exists("rtcdp:b:profile:o1"));
            denied(() -> a.get("other:key"));
            denied(() -> a.mget("rtcdp:a:id:user_id:42", "rtcdp:b:id:user_id:42"));
            // SORT ... GET could read keys named by a pattern: not allowed at all
            denied(() -> a.sendCommand(Protocol.Command.SORT, "rtcdp:a:segment:vip"));

            // no writes, not even to its own keys
            denied(() -> a.hset("rtcdp:a:profile:o1", "lifecycle", "churned"));
            denied(() -> a.del("rtcdp:a:profile:o1"));
            denied(() -> a.set("rtcdp:a:id:user_id:43", "o2"));
            denied(() -> a.sadd("rtcdp:a:segment:vip", "o2"));
            denied(() -> a.xadd("rtcdp:a:triggers", XAddParams.xAddParams(), Map.of("k", "v")));
            denied(() -> a.del("rtcdp:a:triggers"));
            denied(() -> a.xtrim("rtcdp:a:triggers", 0, false));
            denied(() -> a.eval("return redis.call('GET', KEYS[1])", 1, "rtcdp:b:id:user_id:42"));

            // key names are listed by no command: they hold user ids and segment names
            denied(() -> a.keys("*"));
            denied(() -> a.keys("rtcdp:a:*"));
            denied(() -> a.scan(ScanParams.SCAN_POINTER_START));
            denied(
                    () ->
                            a.scan(
                                    ScanParams.SCAN_POINTER_START,
                                    new ScanParams().match("rtcdp:a:*")));
            denied(a::randomKey);
            denied(a::dbSize);

            // admin and other clients
            denied(a::flushAll);
            denied(() -> a.configGet("*"));
            denied(() -> a.configSet("maxmemory", "1"));
            denied(a::aclList);
            denied(() -> a.sendCommand(Protocol.Command.ACL, "SETUSER", "rtcdp-a-reader", "+@all"));
            denied(a::clientList);
            denied(() -> a.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "normal"));
            denied(a::info);
            denied(() -> a.publish("rtcdp", "x"));
            denied(a::shutdown);
        }
        assertThat(REDIS.client().hget("rtcdp:a:profile:o1", "lifecycle")).isEqualTo("active");
        assertThat(REDIS.client().exists("other:key")).isTrue();
    }

    @Test
    void aReaderConsumesItsTriggerStreamInAGroupAndNoOtherStream() {
        REDIS.flushAll();
        keysOf("a");
        keysOf("b");
        try (Jedis a = as("rtcdp-a-reader", "pw-a")) {
            String stream = "rtcdp:a:triggers";
            assertThat(a.xgroupCreate(stream, "app", new StreamEntryID(0, 0), false))
                    .isEqualTo("OK");
            var read =
                    a.xreadGroupAsMap(
                            "app",
                            "c1",
                            XReadGroupParams.xReadGroupParams().count(10),
                            Map.of(stream, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            assertThat(read.get(stream)).hasSize(1);
            assertThat(a.xack(stream, "app", read.get(stream).get(0).getID())).isEqualTo(1);
            denied(() -> a.xgroupDestroy(stream, "app"));
            denied(() -> a.xgroupCreate("rtcdp:b:triggers", "app", new StreamEntryID(0, 0), false));
        }
    }

    @Test
    void theJobWritesEveryTenantsKeysAndNothingElse() {
        REDIS.flushAll();
        REDIS.client().set("other:key", "x");
        try (Jedis job = as("rtcdp-job", "pw-job")) {
            for (String t : List.of("a", "b")) {
                job.hset("rtcdp:" + t + ":profile:o1", "lifecycle", "new");
                job.set("rtcdp:" + t + ":id:user_id:42", "o1");
                job.sadd("rtcdp:" + t + ":segment:vip", "o1", "o2");
                job.srem("rtcdp:" + t + ":segment:vip", "o2");
                job.xadd("rtcdp:" + t + ":triggers", XAddParams.xAddParams(), Map.of("k", "v"));
                job.del("rtcdp:" + t + ":id:user_id:42");
                // the profile write script's calls are checked against the same key pattern
                job.eval(
                        "redis.call('HSET', KEYS[1], 'ver', '2')", 1, "rtcdp:" + t + ":profile:o1");
            }
            assertThat(REDIS.client().hgetAll("rtcdp:b:profile:o1"))
                    .isEqualTo(Map.of("lifecycle", "new", "ver", "2"));
            assertThat(REDIS.client().smembers("rtcdp:a:segment:vip")).containsExactly("o1");

            denied(() -> job.set("other:key", "y"));
            denied(() -> job.del("other:key"));
            denied(() -> job.get("other:key"));
            denied(() -> job.eval("return redis.call('DEL', KEYS[1])", 1, "other:key"));
            denied(() -> job.keys("*"));
            denied(() -> job.scan(ScanParams.SCAN_POINTER_START));
            denied(job::flushAll);
            denied(job::flushDB);
            denied(() -> job.configGet("*"));
            denied(job::aclList);
            denied(job::clientList);
            denied(job::info);
            denied(() -> job.sendCommand(Protocol.Command.SCRIPT, "FLUSH"));
            denied(() -> job.rename("rtcdp:a:profile:o1", "other:moved"));
        }
        assertThat(REDIS.client().get("other:key")).isEqualTo("x");
    }

    @Test
    void aReplayThroughTheJobsUserWritesEverythingWithoutARefusal() throws Exception {
        REDIS.flushAll();
        PopulationGenerator gen =
                PopulationGenerator.builder()
                        .seed(18)
                        .tenant("demo")
                        .persons(200)
                        .events(5_000)
                        .startMillis(START)
                        .duration(Duration.ofDays(60))
                        .badFraction(0)
                        .build();
        Path events = tmp.resolve("events.jsonl");
        PopulationGenerator.writeJsonl(gen.iterator(), events);
        long now = gen.suggestedNow();
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> now).build())
                        .set(
                                RtcdpOptions.REDIS_URL,
                                "redis://rtcdp-job:pw-job@127.0.0.1:" + REDIS.port())
                        .set(RtcdpOptions.RULES_FILES, RULES.toString())
                        .set(RtcdpOptions.PARALLELISM, 1)
                        .build();
        Path dlq = tmp.resolve("dlq.jsonl");
        Replay.run(
                cfg,
                List.of(events),
                dlq,
                tmp.resolve("conflicts.jsonl"),
                tmp.resolve("work"),
                FlinkTestCluster.noRestarts());

        // a refused write would be a redis_rejected dead letter
        assertThat(Files.exists(dlq) ? Files.readString(dlq) : "").isBlank();
        Set<String> keys = RedisServerExtension.keys(REDIS.client());
        assertThat(keys).allMatch(k -> k.startsWith("rtcdp:demo:"));
        for (String kind : List.of("profile:", "id:", "segment:", "triggers")) {
            assertThat(keys).as(kind).anyMatch(k -> k.startsWith("rtcdp:demo:" + kind));
        }
    }

    private static Jedis as(String user, String password) {
        return new Jedis(
                new HostAndPort("127.0.0.1", REDIS.port()),
                DefaultJedisClientConfig.builder().user(user).password(password).build());
    }

    private static void denied(ThrowingCallable call) {
        assertThatThrownBy(call).hasMessageStartingWith("NOPERM");
    }

    private static String passwordFile(String password) throws Exception {
        Path f = tmp.resolve(password + ".txt");
        Files.writeString(f, password + "\n");
        return f.toString();
    }

    /** Sends each line of {@code rtcdp redis-acl} as redis-cli would: split at spaces. */
    private static void apply(String lines) {
        for (String line : lines.split("\n")) {
            String[] words = line.split(" ");
            assertThat(words[0] + ' ' + words[1]).isEqualTo("ACL SETUSER");
            Object reply =
                    REDIS.client()
                            .sendCommand(
                                    Protocol.Command.ACL,
                                    Arrays.copyOfRange(words, 1, words.length));
            assertThat(new String((byte[]) reply, StandardCharsets.UTF_8)).isEqualTo("OK");
        }
    }

    /** Standard output of {@code rtcdp redis-acl ARGS}, which must exit 0. */
    private static String redisAcl(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "redis-acl";
        System.arraycopy(args, 0, all, 1, args.length);
        CliRun r = CliRun.of(all);
        assertThat(r.code()).isZero();
        return r.out().trim();
    }
}
