package io.rtcdp.jobs;

import static io.rtcdp.jobs.RtcdpOptions.CHECKPOINT_DIR;
import static io.rtcdp.jobs.RtcdpOptions.CHECKPOINT_INTERVAL;
import static io.rtcdp.jobs.RtcdpOptions.DEDUPE_WINDOW;
import static io.rtcdp.jobs.RtcdpOptions.GROUP_ID;
import static io.rtcdp.jobs.RtcdpOptions.KAFKA_BOOTSTRAP;
import static io.rtcdp.jobs.RtcdpOptions.LEARNING_ENABLED;
import static io.rtcdp.jobs.RtcdpOptions.LEARNING_PUBLISH_EVERY;
import static io.rtcdp.jobs.RtcdpOptions.PARALLELISM;
import static io.rtcdp.jobs.RtcdpOptions.PROFILE_REFRESH_INTERVAL;
import static io.rtcdp.jobs.RtcdpOptions.REDIS_URL;
import static io.rtcdp.jobs.RtcdpOptions.TRIGGER_STREAM_MAX_LEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.lifecycle.LifecycleThresholds;
import io.rtcdp.udf.lifecycle.TenantLifecycles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    @TempDir Path tmp;

    private Path file(String text) throws IOException {
        Path f = tmp.resolve("rtcdp.properties");
        Files.writeString(f, text);
        return f;
    }

    private RtcdpConfig load(String text) throws IOException {
        return ConfigLoader.withEnvironment(n -> null).file(file(text)).load();
    }

    /** A loader over Flink's configuration {@code flink}, without environment variables. */
    private static ConfigLoader over(Configuration flink) {
        return ConfigLoader.withEnvironment(n -> null).flinkConfiguration(flink);
    }

    private String error(String text) {
        try {
            load(text);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage().replace(tmp.resolve("rtcdp.properties").toString(), "FILE");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no error for " + text);
    }

    @Test
    void readsEverySettingAndPerTenantIdLimits() throws IOException {
        RtcdpConfig c =
                load(
                        """
                        kafka.bootstrap-servers = k1:9092
                        redis.url = redis://r:6380
                        parallelism = 4
                        dedupe.window = 3d
                        profile.refresh-interval = 1m
                        triggers.stream-max-len = 500
                        learning.enabled = false
                        learning.publish-every = 100
                        rules.files = a.yaml, b.json
                        ids.limit.device_id = 4
                        tenant.acme.ids.limit.cookie_id = 7
                        tenant.acme.ids.limit.custom-types = 3
                        tenant.acme.ids.limit.user-id-evidence = 3
                        kafka.topic.commands = ops.commands
                                                tenant-secret.acme = s3cret-0123456789abcdef-0123456789
                        """);
        assertThat(c.get(KAFKA_BOOTSTRAP)).isEqualTo("k1:9092");
        assertThat(c.get(REDIS_URL)).isEqualTo("redis://r:6380");
        assertThat(c.get(PARALLELISM)).isEqualTo(4);
        assertThat(c.get(DEDUPE_WINDOW)).isEqualTo(Duration.ofDays(3));
        assertThat(c.get(PROFILE_REFRESH_INTERVAL)).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.get(TRIGGER_STREAM_MAX_LEN)).isEqualTo(500L);
        assertThat(c.get(LEARNING_ENABLED)).isFalse();
        assertThat(c.get(LEARNING_PUBLISH_EVERY)).isEqualTo(100);
        assertThat(c.rulesFiles()).containsExactly("a.yaml", "b.json");
        assertThat(c.idLimits().forTenant("other").limit("device_id")).isEqualTo(4);
        assertThat(c.idLimits().forTenant("other").limit("cookie_id")).isEqualTo(50);
        assertThat(c.idLimits().forTenant("acme").limit("device_id")).isEqualTo(4);
        assertThat(c.idLimits().forTenant("acme").limit("cookie_id")).isEqualTo(7);
        assertThat(c.idLimits().forTenant("acme").customTypes()).isEqualTo(3);
        assertThat(c.idLimits().forTenant("other").customTypes()).isEqualTo(8);
        assertThat(c.idLimits().forTenant("acme").userIdEvidence()).isEqualTo(3);
        assertThat(c.idLimits().forTenant("other").userIdEvidence()).isZero();
        assertThat(c.get(RtcdpOptions.COMMANDS_TOPIC)).isEqualTo("ops.commands");
        assertThat(c.parser().hasOwnSecret("acme")).isTrue();
        assertThat(c.parser().usesDevSecret()).isTrue();
    }

    @Test
    void declaredPiiTypesAndTraitsForAllTenantsAndOne() throws IOException {
        RtcdpConfig c =
                load(
                        """
                        pii-types = user_id, x_crm
                        pii-traits = name
                        tenant.acme.pii-types = union_id
                        tenant.acme.pii-traits = name,mobile
                        tenant.acme.ids.limit.cookie_id = 7
                        """);
        assertThat(c.parser().piiIdTypes("other"))
                .containsExactlyInAnyOrder("phone", "email", "user_id", "x_crm");
        assertThat(c.parser().piiIdTypes("acme"))
                .containsExactlyInAnyOrder("phone", "email", "union_id");
        assertThat(c.parser().isPiiTrait("other", "name")).isTrue();
        assertThat(c.parser().isPiiTrait("other", "mobile")).isFalse();
        assertThat(c.parser().isPiiTrait("acme", "mobile")).isTrue();
        assertThat(c.idLimits().forTenant("acme").limit("cookie_id")).isEqualTo(7);
        // phone and email cannot be taken away
        assertThat(load("pii-types = user_id\n").parser().piiIdTypes("x"))
                .containsExactlyInAnyOrder("phone", "email", "user_id");
        assertThat(load("").parser().piiIdTypes("x")).containsExactlyInAnyOrder("phone", "email");
        assertThat(load("").parser().hasPiiTraits()).isFalse();
    }

    @Test
    void lifecycleThresholdsForAllTenantsAndOne() throws IOException {
        RtcdpConfig c =
                load(
                        """
                        lifecycle.at-risk-within = 60d
                        tenant.acme.lifecycle.dormant-within = 365d
                        tenant.acme.lifecycle.new-within = 7d
                        """);
        long day = LifecycleThresholds.DAY;
        assertThat(c.lifecycles().forTenant("other").thresholds())
                .isEqualTo(new LifecycleThresholds(30 * day, 30 * day, 60 * day, 180 * day));
        assertThat(c.lifecycles().forTenant("acme").thresholds())
                .isEqualTo(new LifecycleThresholds(7 * day, 30 * day, 60 * day, 365 * day));
        assertThat(load("").lifecycles()).isEqualTo(TenantLifecycles.defaults());
    }

    @Test
    void withoutSettingsEveryDefaultApplies() throws IOException {
        RtcdpConfig c = load("");
        for (RtcdpOptions.Setting<?> s : RtcdpOptions.all()) {
            assertThat((Object) c.get(s.option()))
                    .as(s.option().key())
                    .isEqualTo(s.option().hasDefaultValue() ? s.option().defaultValue() : null);
        }
        assertThat(c.rulesFiles()).isEmpty();
        assertThat(c.parser().defaultCountryCode()).isEqualTo("+86");
    }

    @Test
    void theCommandLineOverridesTheFileWhichOverridesFlinksConfiguration() throws IOException {
        Configuration flink =
                Configuration.fromMap(
                        Map.of(
                                "kafka.group-id", "from-flink",
                                "kafka.bootstrap-servers", "flink:9092",
                                "redis.key-prefix", "flinkprefix",
                                // Flink's own keys, and keys of no one, are not rtcdp's concern
                                "state.backend.type", "hashmap",
                                "some.plugin.option", "x"));
        RtcdpConfig c =
                over(flink)
                        .file(file("kafka.group-id=from-file\nkafka.bootstrap-servers=file:9092\n"))
                        .commandLine(Map.of("kafka.group-id", "from-d"))
                        .load();
        assertThat(c.get(GROUP_ID)).isEqualTo("from-d");
        assertThat(c.get(KAFKA_BOOTSTRAP)).isEqualTo("file:9092");
        assertThat(c.get(RtcdpOptions.KEY_PREFIX)).isEqualTo("flinkprefix");
    }

    @Test
    void flinksConfigurationDecidesTheSettingsItKnowsAndAValueGivenTooMustAgree()
            throws IOException {
        Configuration flink =
                Configuration.fromMap(
                        Map.of(
                                "parallelism.default", "4",
                                "execution.checkpointing.interval", "30 s",
                                "execution.checkpointing.dir", "s3://b/cp"));
        RtcdpConfig c = over(flink).file(file("checkpoint.interval=30s\n")).load();
        assertThat(c.get(PARALLELISM)).isEqualTo(4);
        assertThat(c.get(CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.get(CHECKPOINT_DIR)).isEqualTo("s3://b/cp");
        // nothing of the cluster's is overridden by the job's Flink settings
        Configuration job = Environments.jobConfiguration(c, flink);
        assertThat(job.toMap()).doesNotContainKeys(flink.toMap().keySet().toArray(String[]::new));
        assertThat(job.toMap()).containsEntry("state.backend.type", "rocksdb");

        assertThatThrownBy(() -> over(flink).commandLine(Map.of("parallelism", "2")).load())
                .hasMessage(
                        "-D: setting 'parallelism' is '2': Flink's configuration sets"
                                + " parallelism.default to '4'; set it in one place");
    }

    @Test
    void anInvalidRtcdpValueInFlinksConfigurationIsOneLineToo() {
        Configuration flink = Configuration.fromMap(Map.of("dedupe.window", "forever"));
        assertThatThrownBy(() -> over(flink).load())
                .hasMessage(
                        "Flink's configuration: setting 'dedupe.window' is 'forever': must be a"
                                + " duration such as 500ms, 10s, 5m, 1h, 7d");
    }

    @Test
    void environmentVariablesAreSubstitutedInValues() throws IOException {
        Map<String, String> env =
                Map.of("REDIS_PASSWORD", "p$w0rd", "ACME_SECRET", LONG_SECRET, "EMPTY", "");
        Map<String, String> m =
                ConfigLoader.substituteEnv(
                        Map.of(
                                "redis.url", "redis://rtcdp:${env:REDIS_PASSWORD}@redis:6379",
                                "tenant-secret.acme", "${env:ACME_SECRET}",
                                "kafka.group-id", "g${env:EMPTY}-${env:ACME_SECRET}",
                                "redis.key-prefix", "rtcdp"),
                        env::get,
                        "f");
        assertThat(m)
                .isEqualTo(
                        Map.of(
                                "redis.url",
                                "redis://rtcdp:p$w0rd@redis:6379",
                                "tenant-secret.acme",
                                LONG_SECRET,
                                "kafka.group-id",
                                "g-" + LONG_SECRET,
                                "redis.key-prefix",
                                "rtcdp"));
        RtcdpConfig c =
                ConfigLoader.withEnvironment(env::get)
                        .file(file("tenant-secret.acme=${env:ACME_SECRET}\n"))
                        .commandLine(Map.of("redis.url", "redis://:${env:REDIS_PASSWORD}@r:1"))
                        .load();
        assertThat(c.parser().hasOwnSecret("acme")).isTrue();
        assertThat(c.get(REDIS_URL)).isEqualTo("redis://:p$w0rd@r:1");
        assertThatThrownBy(
                        () ->
                                ConfigLoader.withEnvironment(env::get)
                                        .file(file("tenant-secret.acme=${env:NOT_SET}\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith(
                        ": setting 'tenant-secret.acme' names the environment variable NOT_SET,"
                                + " which is not set");
    }

    /** 34 bytes, with a backslash and a dollar sign, which the substitution must keep. */
    private static final String LONG_SECRET = "s3\\cret-$1-0123456789abcdef-012345";

    @Test
    void filesAreSubstitutedInValuesWithoutTheirLastLineBreak(@TempDir Path dir)
            throws IOException {
        Path nl = Files.writeString(dir.resolve("acme.secret"), LONG_SECRET + "\n");
        Path crlf = Files.writeString(dir.resolve("globex.secret"), LONG_SECRET + "\r\n");
        Path two = Files.writeString(dir.resolve("two-lines"), "a\n\n");
        Path none = Files.writeString(dir.resolve("bare"), "pw");
        Map<String, String> m =
                ConfigLoader.substituteEnv(
                        Map.of(
                                "tenant-secret.acme", "${file:" + nl + "}",
                                "tenant-secret.globex", "${file:" + crlf + "}",
                                "kafka.group-id", "${file:" + two + "}",
                                "redis.url", "redis://:${file:" + none + "}@r:1"),
                        n -> null,
                        "f");
        assertThat(m)
                .isEqualTo(
                        Map.of(
                                "tenant-secret.acme",
                                LONG_SECRET,
                                "tenant-secret.globex",
                                LONG_SECRET,
                                "kafka.group-id",
                                "a\n",
                                "redis.url",
                                "redis://:pw@r:1"));
        RtcdpConfig c =
                ConfigLoader.withEnvironment(n -> null)
                        .file(
                                file(
                                        "default-secret=${file:"
                                                + nl
                                                + "}\ntenant-secret.globex=${file:"
                                                + crlf
                                                + "}\n"))
                        .load();
        assertThat(c.parser().usesDevSecret()).isFalse();
        assertThat(c.parser().tenantKeys().key("globex"))
                .isEqualTo(LONG_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void anUnreadableFileIsOneLineNamingItButNoContent(@TempDir Path dir) {
        Path missing = dir.resolve("missing.secret");
        assertThatThrownBy(
                        () ->
                                ConfigLoader.withEnvironment(n -> null)
                                        .commandLine(
                                                Map.of(
                                                        "default-secret",
                                                        "${file:" + missing + "}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "-D: setting 'default-secret' names the file "
                                + missing
                                + ", which cannot be read (NoSuchFileException)");
        assertThatThrownBy(
                        () ->
                                ConfigLoader.withEnvironment(n -> null)
                                        .commandLine(
                                                Map.of("default-secret", "${file:" + dir + "}")))
                .hasMessageStartingWith("-D: setting 'default-secret' names the file " + dir)
                .message()
                .doesNotContain("\n");
    }

    @Test
    void aShortSecretIsOneLineWithoutItsValue(@TempDir Path dir) throws IOException {
        Path shortOne = Files.writeString(dir.resolve("short"), "s3cret\n");
        assertThat(error("default-secret = ${file:" + shortOne + "}\n"))
                .isEqualTo(
                        "FILE: setting 'default-secret' (value not shown): the default tenant"
                                + " secret is 6 bytes long; give at least 32 (e.g. the output of"
                                + " openssl rand -hex 32)");
        assertThat(error("tenant-secret.acme = s3cret\n"))
                .startsWith("FILE: setting 'tenant-secret.acme' (value not shown): ")
                .doesNotContain("s3cret\n");
    }

    @Test
    void anUnknownKeyIsOneLineNamingItAndWhereItCameFrom() {
        assertThat(error("redis.urll=x\n"))
                .startsWith(
                        "FILE: unknown setting 'redis.urll' (rtcdp's settings are in the README");
        assertThat(error("state.backend.type=rocksdb\n"))
                .startsWith("FILE: unknown setting 'state.backend.type'")
                .contains("Flink's own settings go in Flink's configuration")
                .endsWith("; or here as flink.state.backend.type)");
        assertThat(error("redis.urll=x\n")).doesNotContain("flink.");
        assertThatThrownBy(
                        () ->
                                ConfigLoader.withEnvironment(n -> null)
                                        .commandLine(Map.of("paralelism", "2")))
                .hasMessageStartingWith("-D: unknown setting 'paralelism'");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "dedupe.window = 7 dayz | FILE: setting 'dedupe.window' is '7 dayz': must be a"
                        + " duration such as 500ms, 10s, 5m, 1h, 7d",
                "dedupe.window = 0s | FILE: setting 'dedupe.window' is '0s': must be a positive"
                        + " duration",
                "parallelism = two | FILE: setting 'parallelism' is 'two': must be a whole number",
                "parallelism = 0 | FILE: setting 'parallelism' is '0': must be between 1 and 1024",
                "triggers.stream-max-len = 0 | FILE: setting 'triggers.stream-max-len' is '0': must"
                        + " be at least 1",
                "learning.enabled = yes | FILE: setting 'learning.enabled' is 'yes': must be true or"
                        + " false",
                "redis.key-prefix = a:b | FILE: setting 'redis.key-prefix' is 'a:b': must match"
                        + " [A-Za-z0-9_.-]{1,32}",
                "ids.default-country-code = 86 | FILE: setting 'ids.default-country-code' is '86':"
                        + " default country code '86' is invalid; use '+' and 1-4 digits, e.g. +86",
                "ids.limit.device_id = 0 | FILE: setting 'ids.limit.device_id' is '0': id limit for"
                        + " device_id must be at least 1, got 0",
                "ids.limit.user-id-evidence = 1 | FILE: setting 'ids.limit.user-id-evidence' is"
                        + " '1': the user_id evidence of the protection policy must be at least 2"
                        + " events, or 0 for no protection, got 1",
                "tenant.acme.ids.limit.phone = many | FILE: setting"
                        + " 'tenant.acme.ids.limit.phone' is 'many': must be a whole number",
                "tenant.acme.colour = red | FILE: setting 'tenant.acme.colour' is 'red': is no"
                        + " setting; per tenant there are tenant.<tenant>.ids.limit.<type>,"
                        + " tenant.<tenant>.pii-types, tenant.<tenant>.pii-traits and"
                        + " tenant.<tenant>.lifecycle.<stage>-within",
                "lifecycle.active-within = soon | FILE: setting 'lifecycle.active-within' is"
                        + " 'soon': invalid lifecycle.active-within duration 'soon': use a positive whole"
                        + " number with a unit ms, s, m, h or d (30d, 12h)",
                "lifecycle.stale-within = 9d | FILE: setting 'lifecycle.stale-within' is '9d': is"
                        + " no setting; the thresholds are lifecycle.new-within,"
                        + " lifecycle.active-within, lifecycle.at-risk-within and"
                        + " lifecycle.dormant-within",
                "tenant.acme.lifecycle.dormant-within = 0d | FILE: setting"
                        + " 'tenant.acme.lifecycle.dormant-within' is '0d': invalid"
                        + " tenant.acme.lifecycle.dormant-within duration '0d': use a positive whole"
                        + " number with a unit ms, s, m, h or d (30d, 12h)",
                "lifecycle.at-risk-within = 20d | lifecycle: lifecycle thresholds must increase"
                        + " (active < at_risk < dormant), got new=2592000000ms"
                        + " active=2592000000ms at_risk=1728000000ms dormant=15552000000ms",
                "pii-types = phone,ssn | FILE: setting 'pii-types' is 'phone,ssn': PII id type"
                        + " 'ssn' is not an id type; use user_id, phone, email, union_id,"
                        + " device_id, cookie_id or x_<name>",
                "tenant.acme.pii-types = X_a | FILE: setting 'tenant.acme.pii-types' is 'X_a': PII"
                        + " id type of tenant 'acme' 'X_a' is not an id type; use user_id, phone,"
                        + " email, union_id, device_id, cookie_id or x_<name>",
                "pii-traits = full name | FILE: setting 'pii-traits' is 'full name': PII trait"
                        + " 'full name' is not a trait key of 1-64 characters without control"
                        + " characters, commas or spaces",
                "kafka.topic.events = | FILE: setting 'kafka.topic.events' is '': must not be empty",
            })
    void anInvalidValueIsOneLineNamingKeyValueOriginAndWhatIsExpected(String line, String message) {
        assertThat(error(line + "\n")).isEqualTo(message);
    }

    @Test
    void aSecretIsNeverShown() {
        assertThat(error("redis.url = redis-cluster://:s3cret@10.0.0.1\n"))
                .startsWith(
                        "FILE: setting 'redis.url' (value not shown): Redis Cluster URL must list"
                                + " seed nodes as host:port")
                .doesNotContain("s3cret");
        assertThat(error("tenant-secret.ACME = s3cret\n"))
                .startsWith("FILE: setting 'tenant-secret.ACME' (value not shown): ")
                .doesNotContain("s3cret");
    }

    @Test
    void theBuilderChecksAsTheLoaderDoes() {
        assertThatThrownBy(() -> RtcdpConfig.builder().set(PARALLELISM, 0).build())
                .hasMessage("setting 'parallelism' is '0': must be between 1 and 1024");
        assertThat(RtcdpConfig.builder().set(PARALLELISM, 3).build().get(PARALLELISM)).isEqualTo(3);
    }

    @Test
    void kafkaClientSettingsReachEveryClientAndAreNeverShown() throws IOException {
        RtcdpConfig c =
                load(
                        "kafka.properties.security.protocol = SASL_SSL\n"
                                + "kafka.properties.sasl.mechanism = SCRAM-SHA-512\n"
                                + "kafka.properties.sasl.jaas.config ="
                                + " org.apache.kafka.common.security.scram.ScramLoginModule"
                                + " required username=\"rtcdp\" password=\"pw\";\n");
        assertThat(KafkaClientProperties.of(c))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                + " username=\"rtcdp\" password=\"pw\";");
        assertThat(KafkaClientProperties.of(RtcdpConfig.defaults())).isEmpty();

        assertThat(error("kafka.properties.ssl.keystore.pasword = pw\n"))
                .isEqualTo(
                        "FILE: setting 'kafka.properties.ssl.keystore.pasword' (value not shown): is"
                                + " no Kafka client setting (see the consumer, producer and admin"
                                + " client settings of Kafka's documentation)");
        assertThat(error("kafka.properties.bootstrap.servers = other:9092\n"))
                .isEqualTo(
                        "FILE: setting 'kafka.properties.bootstrap.servers' (value not shown): is"
                                + " set by rtcdp itself (use kafka.bootstrap-servers)");
        assertThat(error("kafka.properties.isolation.level = read_uncommitted\n"))
                .endsWith("is set by rtcdp itself");
    }

    @Test
    void theVersionStepIsAPositiveWholeNumber() throws IOException {
        assertThat(load("").get(RtcdpOptions.CONTROL_MAX_VERSION_STEP))
                .isEqualTo(10_000_000_000_000L);
        assertThat(
                        load("control.max-version-step = 1000\n")
                                .get(RtcdpOptions.CONTROL_MAX_VERSION_STEP))
                .isEqualTo(1000L);
        assertThat(error("control.max-version-step = 0\n"))
                .isEqualTo("FILE: setting 'control.max-version-step' is '0': must be at least 1");
    }
}
