package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad arguments or config: one clear line on stderr and exit code 2. */
class RtcdpCliTest {
    @TempDir Path tmp;

    private static String[] run(String... args) {
        CliRun r = CliRun.of(args);
        return new String[] {Integer.toString(r.code()), r.err().trim()};
    }

    @Test
    void missingOrUnknownArgumentsExitWithTwo() {
        String[] r = run("replay");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1])
                .startsWith("rtcdp: Missing required option: '--input=FILE'")
                .doesNotContain("\n");
        assertThat(run("frobnicate")[0]).isEqualTo("2");
        assertThat(run("profile", "--tenant", "t", "--id", "nocolon")[0]).isEqualTo("2");
    }

    @Test
    void badPiiListsExitWithTwo() {
        String[] types =
                run("profile", "--tenant", "t", "--id", "user_id:1", "--pii-types", "phone,ssn");
        assertThat(types[0]).isEqualTo("2");
        assertThat(types[1])
                .startsWith("rtcdp: PII id type 'ssn' is not an id type")
                .doesNotContain("\n");
        String[] traits =
                run(
                        "profile",
                        "--tenant",
                        "t",
                        "--id",
                        "user_id:1",
                        "--tenant-pii-traits",
                        "t=full name");
        assertThat(traits[0]).isEqualTo("2");
        assertThat(traits[1])
                .startsWith("rtcdp: PII trait of tenant 't' 'full name' is not a trait key")
                .doesNotContain("\n");
    }

    @Test
    void aBadConfigFileExitsWithTwoAndNamesTheSetting() throws Exception {
        Path cfg = tmp.resolve("rtcdp.properties");
        Files.writeString(cfg, "checkpoint.interval = soon\n");
        String[] r = run("run", "--config", cfg.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1])
                .isEqualTo(
                        "rtcdp: "
                                + cfg
                                + ": setting 'checkpoint.interval' is 'soon': must be a duration"
                                + " such as 500ms, 10s, 5m, 1h, 7d");
    }

    @Test
    void settingsOnTheCommandLineAreCheckedAsTheFilesAre() throws Exception {
        Path cfg = tmp.resolve("rtcdp.properties");
        Files.writeString(cfg, "parallelism = 2\n");
        String[] bad = run("run", "--config", cfg.toString(), "-Dparallelism=0");
        assertThat(bad[0]).isEqualTo("2");
        assertThat(bad[1])
                .isEqualTo("rtcdp: -D: setting 'parallelism' is '0': must be between 1 and 1024");
        String[] unknown = run("run", "-Dstate.backend.type=hashmap");
        assertThat(unknown[0]).isEqualTo("2");
        assertThat(unknown[1])
                .startsWith("rtcdp: -D: unknown setting 'state.backend.type'")
                .doesNotContain("\n");
        String[] unknownInFile = run("run", "--config", cfg.toString(), "-Dredis.urll=x");
        assertThat(unknownInFile[0]).isEqualTo("2");
        String[] missing = run("run", "--config", tmp.resolve("nothing.properties").toString());
        assertThat(missing[0]).isEqualTo("2");
        assertThat(missing[1]).contains("nothing.properties: cannot read").doesNotContain("\n");
        Files.writeString(cfg, "redis.urll = x\n");
        assertThat(run("run", "--config", cfg.toString())[1])
                .startsWith("rtcdp: " + cfg + ": unknown setting 'redis.urll'");
    }

    @Test
    void aBadRedisUrlExitsWithTwoWithoutEchoingThePassword() throws Exception {
        Path in = tmp.resolve("in.jsonl");
        Files.writeString(in, "");
        for (String url :
                new String[] {
                    "redis-cluster://:s3cret@host1:7000,host2",
                    "redis-cluster://:s3cret@",
                    "redis-cluster://:s3cret@h:7000/3",
                    "http://:s3cret@h:6379"
                }) {
            String[] replay = run("replay", "--input", in.toString(), "--redis", url);
            assertThat(replay[0]).as(url).isEqualTo("2");
            assertThat(replay[1])
                    .as(url)
                    .startsWith("rtcdp: ")
                    .contains("redis-cluster://")
                    .doesNotContain("s3cret")
                    .doesNotContain("\n");
            String[] profile = run("profile", "--tenant", "t", "--id", "user_id:1", "--redis", url);
            assertThat(profile[0]).as(url).isEqualTo("2");
            assertThat(profile[1]).as(url).doesNotContain("s3cret").doesNotContain("\n");
        }
        Path cfg = tmp.resolve("cluster.properties");
        Files.writeString(cfg, "redis.url = redis-cluster://h1:7000,h2:notaport\n");
        String[] r = run("run", "--config", cfg.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("host:port separated by commas").doesNotContain("\n");
    }

    @Test
    void theStreamingJobRefusesThePublicDevelopmentSecret() throws Exception {
        Path cfg = tmp.resolve("rtcdp.properties");
        Files.writeString(cfg, "redis.key-prefix = rtcdp\n");
        for (String[] args :
                new String[][] {
                    {"run", "--config", cfg.toString()},
                    {"run", "-Ddefault-secret=rtcdp-dev-secret"},
                    {"run", "-Dtenant-secret.acme=a-long-tenant-secret"}
                }) {
            String[] r = run(args);
            assertThat(r[0]).as(String.join(" ", args)).isEqualTo("2");
            assertThat(r[1])
                    .as(String.join(" ", args))
                    .startsWith("rtcdp: no PII secret configured")
                    .doesNotContain("\n");
        }
    }

    @Test
    void anUnreadableInputExitsWithTwo() {
        String[] r = run("replay", "--input", tmp.resolve("missing.jsonl").toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).startsWith("rtcdp: input file not readable");
    }
}
