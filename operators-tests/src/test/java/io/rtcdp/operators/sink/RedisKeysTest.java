package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.profile.RedisKeys;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class RedisKeysTest {

    @Test
    void buildsTheContractKeysUnderTheDefaultPrefix() {
        RedisKeys keys = new RedisKeys();
        assertThat(keys.prefix()).isEqualTo("rtcdp");
        assertThat(keys.profile("acme", "o1")).isEqualTo("rtcdp:acme:profile:o1");
        assertThat(keys.id("acme", "email", "ab12")).isEqualTo("rtcdp:acme:id:email:ab12");
        assertThat(keys.id("acme", "cookie_id:c9")).isEqualTo("rtcdp:acme:id:cookie_id:c9");
        assertThat(keys.id("acme", new Id("phone", "ff00"))).isEqualTo("rtcdp:acme:id:phone:ff00");
        assertThat(keys.alias("acme", "o2")).isEqualTo("rtcdp:acme:alias:o2");
        assertThat(keys.segment("acme", "vip")).isEqualTo("rtcdp:acme:segment:vip");
        assertThat(keys.triggers("acme")).isEqualTo("rtcdp:acme:triggers");
    }

    @Test
    void usesAConfiguredPrefix() {
        RedisKeys keys = new RedisKeys("cdp-test");
        assertThat(keys.profile("t", "o")).isEqualTo("cdp-test:t:profile:o");
        assertThat(keys.triggers("t")).isEqualTo("cdp-test:t:triggers");
    }

    @Test
    void rejectsPrefixesThatWouldBreakTheKeyShape() {
        assertThatThrownBy(() -> new RedisKeys("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RedisKeys(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RedisKeys("a:"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("':'");
        assertThatThrownBy(() -> new RedisKeys("a b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void survivesJavaSerializationAsPartOfAFunction() throws Exception {
        RedisKeys keys = new RedisKeys("p");
        RedisKeys copy = InstantiationUtil.clone(keys);
        assertThat(copy).isEqualTo(keys).hasSameHashCodeAs(keys);
        assertThat(copy.profile("t", "o")).isEqualTo("p:t:profile:o");
    }
}
