package io.rtcdp.jobs.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
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

    /**
     * Every command's help renders cleanly: a {@code %} in a description that is not a format
     * specifier makes picocli warn on stderr and print the text raw; a {@code ${...}} that is not
     * escaped ({@code $${...}}) is a picocli variable and renders as {@code null}.
     */
    @Test
    void everyHelpRendersWithoutWarnings() {
        picocli.CommandLine top = new picocli.CommandLine(new RtcdpCli());
        java.util.List<String[]> lines = new java.util.ArrayList<>();
        lines.add(new String[] {"--help"});
        collect(top, new java.util.ArrayList<>(), lines);
        assertThat(lines).hasSizeGreaterThan(10);
        for (String[] line : lines) {
            CliRun r = CliRun.of(line);
            assertThat(r.code()).as(String.join(" ", line)).isZero();
            assertThat(r.err()).as(String.join(" ", line)).isEmpty();
            assertThat(r.out()).as(String.join(" ", line)).startsWith("Usage: rtcdp");
            assertThat(r.out()).as(String.join(" ", line)).doesNotContainPattern("\\bnull\\b");
        }
        assertThat(CliRun.of("replay", "--help").out().replaceAll("\\s+", " "))
                .contains("${env:NAME} or ${file:PATH}");
    }

    private static void collect(
            picocli.CommandLine cmd, java.util.List<String> path, java.util.List<String[]> into) {
        for (var sub : cmd.getSubcommands().entrySet()) {
            if (sub.getKey().equals("help")) {
                continue;
            }
            java.util.List<String> p = new java.util.ArrayList<>(path);
            p.add(sub.getKey());
            java.util.List<String> line = new java.util.ArrayList<>(p);
            line.add("--help");
            into.add(line.toArray(new String[0]));
            collect(sub.getValue(), p, into);
        }
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
                    {"run", "-Dtenant-secret.acme=a-long-tenant-secret-0123456789abcdef"}
                }) {
            String[] r = run(args);
            assertThat(r[0]).as(String.join(" ", args)).isEqualTo("2");
            assertThat(r[1])
                    .as(String.join(" ", args))
                    .startsWith("rtcdp: no PII secret configured")
                    .doesNotContain("\n");
        }
    }

    private static final String MASTER = "master-secret-0123456789abcdef-01";

    @Test
    void aSecretShorterThan32BytesExitsWithTwoWithoutShowingIt() throws Exception {
        Path cfg = tmp.resolve("short.properties");
        Files.writeString(cfg, "default-secret = s3cret-short\n");
        for (String[] args :
                new String[][] {
                    {"run", "--config", cfg.toString()},
                    {"run", "-Dtenant-secret.acme=s3cret-short"},
                    {"secrets", "derive", "--tenant", "acme", "--config", cfg.toString()},
                    {
                        "secrets",
                        "derive",
                        "--tenant",
                        "acme",
                        "--tenant-secret",
                        "acme=s3cret-short"
                    },
                    {"profile", "--tenant", "acme", "--id", "user_id:1", "--config", cfg.toString()}
                }) {
            String[] r = run(args);
            assertThat(r[0]).as(String.join(" ", args)).isEqualTo("2");
            assertThat(r[1])
                    .as(String.join(" ", args))
                    .startsWith("rtcdp: ")
                    .contains("is 12 bytes long; give at least 32")
                    .doesNotContain("s3cret-short")
                    .doesNotContain("\n");
        }
        assertThat(
                        run(
                                "secrets",
                                "derive",
                                "--tenant",
                                "a",
                                "--tenant-secret",
                                "a=s3cret-short")[1])
                .isEqualTo(
                        "rtcdp: --tenant-secret: the secret of tenant 'a' is 12 bytes long; give at"
                                + " least 32 (e.g. the output of openssl rand -hex 32)");
    }

    @Test
    void secretsDeriveTakesTheSecretsFromAFileAndPrintsTheTenantsKey() throws Exception {
        Path secret = tmp.resolve("master.secret");
        Files.writeString(secret, MASTER + "\n");
        Path cfg = tmp.resolve("rtcdp.properties");
        Files.writeString(
                cfg,
                "default-secret = ${file:"
                        + secret
                        + "}\ntenant-secret.globex = globex-secret-0123456789abcdef-0\n");
        CliRun acme =
                CliRun.of("secrets", "derive", "--tenant", "acme", "--config", cfg.toString());
        assertThat(acme.code()).isZero();
        assertThat(acme.err()).isEmpty();
        // HMAC-SHA256(master, "rtcdp/tenant-key/v1:acme"), computed here with javax.crypto
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(MASTER.getBytes(UTF_8), "HmacSHA256"));
        assertThat(acme.out())
                .isEqualTo(
                        java.util.HexFormat.of()
                                        .formatHex(
                                                mac.doFinal(
                                                        "rtcdp/tenant-key/v1:acme".getBytes(UTF_8)))
                                + System.lineSeparator());
        CliRun globex =
                CliRun.of("secrets", "derive", "--tenant", "globex", "--config", cfg.toString());
        assertThat(globex.out().trim())
                .isEqualTo(
                        java.util.HexFormat.of()
                                .formatHex("globex-secret-0123456789abcdef-0".getBytes(UTF_8)));
        CliRun missing =
                CliRun.of(
                        "secrets",
                        "derive",
                        "--tenant",
                        "acme",
                        "--config",
                        tmp.resolve("none.properties").toString());
        assertThat(missing.code()).isEqualTo(2);
        String[] badTenant = run("secrets", "derive", "--tenant", "ACME");
        assertThat(badTenant[0]).isEqualTo("2");
        assertThat(badTenant[1])
                .isEqualTo("rtcdp: --tenant must match [a-z0-9_-]{1,64}, got 'ACME'");
        Path unreadable = tmp.resolve("nothing.secret");
        Files.writeString(cfg, "default-secret = ${file:" + unreadable + "}\n");
        String[] noFile = run("secrets", "derive", "--tenant", "acme", "--config", cfg.toString());
        assertThat(noFile[0]).isEqualTo("2");
        assertThat(noFile[1])
                .isEqualTo(
                        "rtcdp: "
                                + cfg
                                + ": setting 'default-secret' names the file "
                                + unreadable
                                + ", which cannot be read (NoSuchFileException)");
    }

    @Test
    void aSecretOnTheCommandLineWorksButIsWarnedAbout() {
        CliRun r =
                CliRun.of(
                        "secrets",
                        "derive",
                        "--tenant",
                        "acme",
                        "--tenant-secret",
                        "acme=" + MASTER);
        assertThat(r.code()).isZero();
        assertThat(r.out().trim())
                .isEqualTo(java.util.HexFormat.of().formatHex(MASTER.getBytes(UTF_8)));
        assertThat(r.err().trim())
                .isEqualTo(SecretOptions.COMMAND_LINE_WARNING)
                .contains("visible to other users of this machine (ps)")
                .doesNotContain(MASTER);
        CliRun dev = CliRun.of("secrets", "derive", "--tenant", "acme");
        assertThat(dev.code()).isZero();
        assertThat(dev.err()).contains("public development secret");
    }

    @Test
    void aMissingSavepointOrHistoryFileExitsWithTwoBeforeAnythingStarts() throws Exception {
        Path cfg = tmp.resolve("rtcdp.properties");
        Files.writeString(cfg, "default-secret = " + "k".repeat(32) + "\n");
        Path none = tmp.resolve("no-savepoint");
        String[] savepoint =
                run("run", "--config", cfg.toString(), "--from-savepoint", none.toString());
        assertThat(savepoint[0]).isEqualTo("2");
        assertThat(savepoint[1]).startsWith("rtcdp: no savepoint at " + none).doesNotContain("\n");
        String[] history = run("run", "--config", cfg.toString(), "--history", none.toString());
        assertThat(history[0]).isEqualTo("2");
        assertThat(history[1]).isEqualTo("rtcdp: --history: not readable: " + none);
        Path in = tmp.resolve("in.jsonl");
        Files.writeString(in, "");
        String[] atEnd =
                run(
                        "replay",
                        "--input",
                        in.toString(),
                        "--savepoint",
                        tmp.resolve("sp").toString(),
                        "--refresh-interval",
                        "end");
        assertThat(atEnd[0]).isEqualTo("2");
        assertThat(atEnd[1]).contains("--savepoint refreshes profiles as the live job does");
    }

    @Test
    void replayUntilIsAReplaySettingOnly() throws Exception {
        Path cfg = tmp.resolve("until.properties");
        Files.writeString(
                cfg, "default-secret = " + "k".repeat(32) + "\nreplay.until = 2011-09-01\n");
        String[] live = run("run", "--config", cfg.toString());
        assertThat(live[0]).isEqualTo("2");
        assertThat(live[1])
                .isEqualTo(
                        "rtcdp: replay.until is a setting of rtcdp replay only: a live job reads on");
        Path in = tmp.resolve("in-until.jsonl");
        Files.writeString(in, "");
        String[] bad = run("replay", "--input", in.toString(), "--until", "soon");
        assertThat(bad[0]).isEqualTo("2");
        assertThat(bad[1]).startsWith("rtcdp: setting 'replay.until' is 'soon': invalid time");
        String[] withSavepoint =
                run(
                        "replay",
                        "--input",
                        in.toString(),
                        "--until",
                        "2011-09-01",
                        "--savepoint",
                        tmp.resolve("sp-until").toString(),
                        "--refresh-interval",
                        "5m");
        assertThat(withSavepoint[0]).isEqualTo("2");
        assertThat(withSavepoint[1]).contains("not with --savepoint").doesNotContain("\n");
    }

    @Test
    void anUnreadableInputExitsWithTwo() {
        String[] r = run("replay", "--input", tmp.resolve("missing.jsonl").toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).startsWith("rtcdp: input file not readable");
    }

    @Test
    void idsReleasePrintsTheCommandRecordAndSendsNothingWithoutSend() throws Exception {
        CliRun r =
                CliRun.of(
                        "ids",
                        "release",
                        "--tenant",
                        "acme",
                        "--id",
                        "phone:+86 138 0013 8000",
                        "-Ddefault-secret=a-secret-of-the-job-0123456789abcdef",
                        // nothing listens here: without --send nothing connects
                        "--bootstrap-servers",
                        "127.0.0.1:1");
        assertThat(r.code()).as(r.err()).isZero();
        String[] record = r.out().trim().split("\t");
        assertThat(record[0]).isEqualTo("rtcdp.commands");
        assertThat(record[1]).isEqualTo("acme");
        io.rtcdp.udf.identity.IdCommand c = io.rtcdp.udf.identity.IdCommand.parse(record[2]);
        assertThat(c.tenant()).isEqualTo("acme");
        assertThat(c.type()).isEqualTo("release");
        // the phone normalised and hashed as the job does: no plaintext in the record
        io.rtcdp.udf.event.ParserConfig pc =
                io.rtcdp.udf.event.ParserConfig.builder()
                        .defaultSecret("a-secret-of-the-job-0123456789abcdef")
                        .build();
        assertThat(c.id())
                .isEqualTo(
                        new io.rtcdp.udf.event.Id(
                                "phone",
                                new io.rtcdp.udf.event.PiiHasher(pc)
                                        .protect("acme", "phone", "+8613800138000")));
        assertThat(r.out()).doesNotContain("13800138000");
        assertThat(r.err()).contains("not sent");
    }

    @Test
    void idsReleaseRefusesBadArgumentsAndAMissingSecretWithTwo() {
        String secret = "-Ddefault-secret=a-secret-of-the-job-0123456789abcdef";
        String[][] bad = {
            {"ids", "release", "--tenant", "Acme!", "--id", "phone:+8613800138000", secret},
            {"ids", "release", "--tenant", "acme", "--id", "nocolon", secret},
            {"ids", "release", "--tenant", "acme", "--id", "fax:123", secret},
            {"ids", "release", "--tenant", "acme", "--id", "phone:not a number", secret},
            {"ids", "release", "--tenant", "acme", "--id", "phone:+8613800138000"},
            {"ids", "release", "--tenant", "acme"},
            {"ids"}
        };
        for (String[] args : bad) {
            String[] r = run(args);
            assertThat(r[0]).as(String.join(" ", args)).isEqualTo("2");
            assertThat(r[1]).as(String.join(" ", args)).startsWith("rtcdp: ").doesNotContain("\n");
        }
        assertThat(run(bad[4])[1]).contains("no PII secret configured");
        // an id type that is no PII needs no secret
        assertThat(run("ids", "release", "--tenant", "acme", "--id", "device_id:d-1")[0])
                .isEqualTo("0");
    }
}
