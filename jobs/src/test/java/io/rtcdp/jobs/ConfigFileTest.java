package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigFileTest {
    @Test
    void readsEverySettingAndPerTenantIdLimits() {
        RtcdpConfig c =
                ConfigFile.parse(
                        Map.of(
                                "kafka.bootstrap-servers", "k1:9092",
                                "redis.url", "redis://r:6380",
                                "parallelism", "4",
                                "dedupe.window", "3d",
                                "profile.refresh-interval", "1m",
                                "ids.limit.device_id", "4",
                                "tenant.acme.ids.limit.cookie_id", "7",
                                "tenant.acme.ids.limit.custom-types", "3",
                                "tenant-secret.acme", "s3cret"),
                        "test.properties");
        assertThat(c.kafkaBootstrap()).isEqualTo("k1:9092");
        assertThat(c.redisUrl()).isEqualTo("redis://r:6380");
        assertThat(c.parallelism()).isEqualTo(4);
        assertThat(c.dedupeWindow()).isEqualTo(Duration.ofDays(3));
        assertThat(c.profileRefreshInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.idLimits().forTenant("other").limit("device_id")).isEqualTo(4);
        assertThat(c.idLimits().forTenant("other").limit("cookie_id")).isEqualTo(50);
        assertThat(c.idLimits().forTenant("acme").limit("device_id")).isEqualTo(4);
        assertThat(c.idLimits().forTenant("acme").limit("cookie_id")).isEqualTo(7);
        assertThat(c.idLimits().forTenant("acme").customTypes()).isEqualTo(3);
        assertThat(c.idLimits().forTenant("other").customTypes()).isEqualTo(8);
        assertThat(c.parser().hasOwnSecret("acme")).isTrue();
    }

    @Test
    void onlineLearningSettings() {
        RtcdpConfig d = ConfigFile.parse(Map.of(), "f");
        assertThat(d.learningEnabled()).isTrue();
        assertThat(d.learningPublishEvery()).isEqualTo(5_000);
        RtcdpConfig c =
                ConfigFile.parse(
                        Map.of("learning.enabled", "false", "learning.publish-every", "100"), "f");
        assertThat(c.learningEnabled()).isFalse();
        assertThat(c.learningPublishEvery()).isEqualTo(100);
        assertThatThrownBy(() -> ConfigFile.parse(Map.of("learning.enabled", "yes"), "f"))
                .hasMessage("f: setting 'learning.enabled' must be true or false, got 'yes'");
        assertThatThrownBy(() -> ConfigFile.parse(Map.of("learning.publish-every", "0"), "f"))
                .hasMessage("f: learning publish-every must be at least 1, got 0");
    }

    @Test
    void aRedisClusterIsSelectedByItsUrl() {
        RtcdpConfig c =
                ConfigFile.parse(
                        Map.of("redis.url", "redis-cluster://10.0.0.1:7000,10.0.0.2:7000"), "f");
        assertThat(c.redisUrl()).isEqualTo("redis-cluster://10.0.0.1:7000,10.0.0.2:7000");
        assertThatThrownBy(
                        () ->
                                ConfigFile.parse(
                                        Map.of("redis.url", "redis-cluster://10.0.0.1"), "f"))
                .hasMessageStartingWith("f: Redis Cluster URL must list seed nodes as host:port");
    }

    @Test
    void aBadSettingIsOneLineNamingIt() {
        assertThatThrownBy(() -> ConfigFile.parse(Map.of("redis.urll", "x"), "f"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("f: unknown setting 'redis.urll'");
        assertThatThrownBy(() -> ConfigFile.parse(Map.of("parallelism", "two"), "f"))
                .hasMessage("f: setting 'parallelism' must be a number, got 'two'");
        assertThatThrownBy(() -> ConfigFile.parse(Map.of("dedupe.window", "7 days"), "f"))
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> ConfigFile.parse(Map.of("ids.limit.device_id", "0"), "f"))
                .hasMessageContaining("device_id must be at least 1");
    }

    @Test
    void environmentVariablesAreSubstitutedInValues() {
        Map<String, String> env =
                Map.of("REDIS_PASSWORD", "p$w0rd", "ACME_SECRET", "s3\\cret", "EMPTY", "");
        Map<String, String> m =
                ConfigFile.substituteEnv(
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
                                "redis.url", "redis://rtcdp:p$w0rd@redis:6379",
                                "tenant-secret.acme", "s3\\cret",
                                "kafka.group-id", "g-s3\\cret",
                                "redis.key-prefix", "rtcdp"));
        assertThat(ConfigFile.parse(m, "f").parser().hasOwnSecret("acme")).isTrue();
        assertThatThrownBy(
                        () ->
                                ConfigFile.substituteEnv(
                                        Map.of("tenant-secret.acme", "${env:NOT_SET}"),
                                        env::get,
                                        "f"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "f: setting 'tenant-secret.acme' names the environment variable NOT_SET,"
                                + " which is not set");
    }
}
