package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class RedisProfileSinkTest {

    @Test
    void defaults() {
        RedisProfileSink sink = RedisProfileSink.builder().redisUrl("redis://h:6379").build();

        assertThat(sink.redisUrl()).isEqualTo("redis://h:6379");
        assertThat(sink.keyPrefix()).isEqualTo("rtcdp");
        assertThat(sink.flushInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(sink.maxBufferedProfiles()).isEqualTo(1000);
    }

    @Test
    void keepsTheSettingsThroughJavaSerialization() throws Exception {
        RedisProfileSink sink =
                RedisProfileSink.builder()
                        .redisUrl("rediss://u:p@h:6380/2")
                        .keyPrefix("cdp")
                        .flushInterval(Duration.ofMillis(5))
                        .maxBufferedProfiles(10)
                        .build();

        RedisProfileSink copy = InstantiationUtil.clone(sink);

        assertThat(copy.redisUrl()).isEqualTo("rediss://u:p@h:6380/2");
        assertThat(copy.keyPrefix()).isEqualTo("cdp");
        assertThat(copy.flushInterval()).isEqualTo(Duration.ofMillis(5));
        assertThat(copy.maxBufferedProfiles()).isEqualTo(10);
    }

    @Test
    void neverShowsCredentials() {
        RedisProfileSink sink =
                RedisProfileSink.builder().redisUrl("redis://user:s3cret@h:6379/1").build();

        assertThat(sink.toString()).contains("redis://h:6379/1").doesNotContain("s3cret");
        assertThatThrownBy(() -> RedisProfileSink.builder().redisUrl("redis://u:s3cret@h").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void rejectsEachInvalidSettingWithOneClearMessage() {
        assertInvalid(RedisProfileSink.builder(), "redisUrl is required");
        assertInvalid(RedisProfileSink.builder().redisUrl(" "), "redisUrl is required");
        for (String url :
                new String[] {
                    "http://h:6379",
                    "redis://h",
                    "redis://:6379",
                    "h:6379",
                    "redis://h:6379/x",
                    "redis://h:6379/ 1"
                }) {
            assertInvalid(RedisProfileSink.builder().redisUrl(url), "redisUrl must look like");
        }
        assertInvalid(valid().keyPrefix("a:"), "keyPrefix");
        assertInvalid(valid().keyPrefix(""), "keyPrefix");
        assertInvalid(valid().flushInterval(null), "flushInterval");
        assertInvalid(valid().flushInterval(Duration.ZERO), "flushInterval");
        assertInvalid(valid().flushInterval(Duration.ofNanos(999_999)), "flushInterval");
        assertInvalid(valid().flushInterval(Duration.ofMillis(-5)), "flushInterval");
        assertInvalid(valid().maxBufferedProfiles(0), "maxBufferedProfiles");
    }

    @Test
    void acceptsTheUrlForms() {
        for (String url :
                new String[] {
                    "redis://127.0.0.1:6379",
                    "redis://h:1/",
                    "redis://h:1/15",
                    "rediss://h:1",
                    "redis://:pw@h:1",
                    "redis://user:pw@h:1/0"
                }) {
            assertThat(RedisProfileSink.builder().redisUrl(url).build().redisUrl()).isEqualTo(url);
        }
    }

    private static RedisProfileSink.Builder valid() {
        return RedisProfileSink.builder().redisUrl("redis://127.0.0.1:6379");
    }

    private static void assertInvalid(RedisProfileSink.Builder builder, String message) {
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
