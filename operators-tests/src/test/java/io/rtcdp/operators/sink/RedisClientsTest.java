package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedisClientsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "redis://127.0.0.1:6379",
                "redis://u:p@h:6379/2",
                "rediss://h:6380",
                "redis-cluster://h1:7000",
                "redis-cluster://h1:7000,h2:7001,10.0.0.3:7002/",
                "rediss-cluster://user:p%40ss@h1:7000,[::1]:7001",
                "redis-cluster://:pw@h1:7000/0"
            })
    void acceptsTheDocumentedForms(String url) {
        RedisClients.checkUrl(url);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "h:6379",
                "http://h:6379",
                "redis://h",
                "redis://h:6379/x",
                "redis-cluster://",
                "redis-cluster://h1",
                "redis-cluster://h1:7000,",
                "redis-cluster://h1:7000,h2:0",
                "redis-cluster://h1:7000/2",
                "redis-cluster://h 1:7000",
                "redis-cluster://:p%zz@h1:7000"
            })
    void rejectsAnythingElseInOneLineWithoutTheUrl(String url) {
        assertThatThrownBy(() -> RedisClients.checkUrl(url))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(
                        e ->
                                assertThat(e.getMessage())
                                        .doesNotContain("\n")
                                        .doesNotContain("p%zz")
                                        .doesNotContain("h 1"));
    }

    @Test
    void selectsTheClusterByScheme() {
        assertThat(RedisClients.isCluster("redis-cluster://h:1")).isTrue();
        assertThat(RedisClients.isCluster("rediss-cluster://h:1")).isTrue();
        assertThat(RedisClients.isCluster("redis://h:1")).isFalse();
        assertThat(RedisClients.isCluster("rediss://h:1")).isFalse();
    }

    @Test
    void theEndpointHasNoCredentials() {
        assertThat(RedisClients.endpoint("redis-cluster://u:secret@h1:7000, h2:7001/"))
                .isEqualTo("redis-cluster://h1:7000,h2:7001");
        assertThat(RedisClients.endpoint("rediss-cluster://:secret@h1:7000"))
                .isEqualTo("rediss-cluster://h1:7000");
        assertThat(RedisClients.endpoint("redis://u:secret@h:6379/2"))
                .isEqualTo("redis://h:6379/2");
    }
}
