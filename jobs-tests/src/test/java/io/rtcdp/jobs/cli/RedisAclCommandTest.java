package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rtcdp redis-acl}: the exact rules of each role, the password only as its SHA-256, and one
 * line with exit code 2 for each bad argument.
 */
class RedisAclCommandTest {
    /** SHA-256 of "s3cret", as {@code printf s3cret | sha256sum} prints it. */
    static final String S3CRET_SHA256 =
            "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";

    @TempDir Path tmp;

    /** The exit code, standard output and standard error of one command line. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CliRun r = CliRun.of(args);
        return new Run(r.code(), r.out().trim(), r.err().trim());
    }

    private int files;

    private Path passwordFile(String content) throws Exception {
        Path f = tmp.resolve("password" + files++);
        Files.writeString(f, content);
        return f;
    }

    @Test
    void aReaderReadsOnlyItsTenantsKeysWithAHashedPassword() throws Exception {
        Run r = run("redis-acl", "--tenant", "a", "--password-file", passwordFile("s3cret\n") + "");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .isEqualTo(
                        "ACL SETUSER rtcdp-a-reader reset on #"
                                + S3CRET_SHA256
                                + " %R~rtcdp:a:* resetchannels -@all"
                                + " +auth +hello +ping +echo +select +client|setname"
                                + " +client|getname +client|id +cluster|slots +cluster|shards"
                                + " +readonly +readwrite +asking"
                                + " +exists +type +ttl +pttl +get +mget +strlen"
                                + " +hget +hmget +hgetall +hexists +hlen +hkeys +hvals +hstrlen"
                                + " +hscan +smembers +sismember +smismember +scard +sscan"
                                + " +sinter +sintercard +sunion +sdiff"
                                + " +xrange +xrevrange +xlen +xread +xinfo|stream"
                                + " (~rtcdp:a:triggers resetchannels -@all +xgroup|create"
                                + " +xgroup|createconsumer +xreadgroup +xack +xpending +xclaim"
                                + " +xautoclaim +xinfo|groups +xinfo|consumers +xinfo|stream)")
                .doesNotContain("s3cret")
                .doesNotContain("\n");
        assertThat(r.out())
                .doesNotContainPattern("[+](keys|scan|randomkey|flushall|config|acl)\\b");
    }

    @Test
    void theJobWritesEveryTenantUnderItsPrefix() throws Exception {
        Run r =
                run(
                        "redis-acl",
                        "--role",
                        "job",
                        "--key-prefix",
                        "cdp",
                        "--format",
                        "aclfile",
                        "--password-file",
                        passwordFile("s3cret\r\n").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(
                        "user rtcdp-job reset on #"
                                + S3CRET_SHA256
                                + " ~cdp:* resetchannels -@all"
                                + " +auth +hello +ping +echo +select +client|setname"
                                + " +client|getname +client|id +cluster|slots +cluster|shards"
                                + " +readonly +readwrite +asking"
                                + " +evalsha +eval +script|load +hget +hset +hdel +del +set"
                                + " +sadd +srem +xadd +xrange +xdel +hgetall");
    }

    @Test
    void aPasswordFromTheEnvironmentIsHashedToo() {
        String path = System.getenv("PATH");
        Run r = run("redis-acl", "--tenant", "t1", "--user", "app.t1", "--password-env", "PATH");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .startsWith(
                        "ACL SETUSER app.t1 reset on #" + RedisAclRules.passwordHash(path) + " ")
                .contains(" %R~rtcdp:t1:* ")
                .doesNotContain(path);
    }

    @Test
    void withoutAPasswordNobodyCanLogInAndStandardErrorSaysSo() {
        Run r = run("redis-acl", "--tenant", "a");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .startsWith("ACL SETUSER rtcdp-a-reader reset on %R~rtcdp:a:* ")
                .doesNotContain("nopass")
                .doesNotContain("#")
                .doesNotContain(">");
        assertThat(r.err())
                .startsWith("rtcdp: no --password-file or --password-env: nobody can log in as")
                .doesNotContain("\n");
    }

    @Test
    void badArgumentsExitWithTwoAndOneLine() throws Exception {
        String pw = passwordFile("s3cret").toString();
        String[][] bad = {
            {"redis-acl"},
            {"redis-acl", "--tenant", "A"},
            {"redis-acl", "--tenant", "a:b"},
            {"redis-acl", "--tenant", "*"},
            {"redis-acl", "--tenant", "x".repeat(65)},
            {"redis-acl", "--tenant", "a", "--key-prefix", "rtcdp:"},
            {"redis-acl", "--tenant", "a", "--key-prefix", "rt cdp"},
            {"redis-acl", "--tenant", "a", "--key-prefix", "rt*"},
            {"redis-acl", "--tenant", "a", "--key-prefix", ""},
            {"redis-acl", "--tenant", "a", "--user", "two words"},
            {"redis-acl", "--tenant", "a", "--role", "writer"},
            {"redis-acl", "--role", "job", "--tenant", "a"},
            {"redis-acl", "--tenant", "a", "--format", "json"},
            {"redis-acl", "--tenant", "a", "--password", "s3cret"},
            {"redis-acl", "--tenant", "a", "--password-file", tmp.resolve("none").toString()},
            {"redis-acl", "--tenant", "a", "--password-env", "RTCDP_SURELY_UNSET_VARIABLE_42"},
            {"redis-acl", "--tenant", "a", "--password-file", pw, "--password-env", "PATH"},
            {"redis-acl", "--tenant", "a", "--password-file", passwordFile("").toString()},
            {"redis-acl", "--tenant", "a", "--password-file", passwordFile("a\nb").toString()},
        };
        for (String[] args : bad) {
            Run r = run(args);
            String as = String.join(" ", args);
            assertThat(r.code()).as(as).isEqualTo(2);
            assertThat(r.out()).as(as).isEmpty();
            assertThat(r.err()).as(as).startsWith("rtcdp: ").doesNotContain("\n");
        }
        assertThat(run("redis-acl", "--tenant", "A").err())
                .isEqualTo("rtcdp: --tenant must match [a-z0-9_-]{1,64}, got 'A'");
    }
}
