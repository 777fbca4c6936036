package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kafka.properties.*} reach every Kafka client of the job: on a broker that takes only SASL
 * clients (a client without credentials is refused), the streaming job configured with the
 * credentials reads events and writes profiles and dead letters.
 */
class KafkaSecurityITCase {
    static final long START =
            OffsetDateTime.parse("2024-03-01T00:00:00Z").toInstant().toEpochMilli();

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();
    @RegisterExtension static final KafkaExtension KAFKA = RtcdpTopics.kafka().sasl();

    @Test
    void theJobConnectsWithTheGivenClientSettingsToABrokerThatRequiresSasl() throws Exception {
        Properties plain = new Properties();
        plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        try (Admin admin = Admin.create(plain)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS))
                    .as("a client without credentials");
        }

        Map<String, String> security = new HashMap<>();
        KAFKA.clientProperties()
                .forEach(
                        (k, v) -> {
                            if (!k.equals(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                                security.put(k.toString(), v.toString());
                            }
                        });
        assertThat(security).containsKeys("security.protocol", "sasl.jaas.config");

        long now = START + Duration.ofDays(1).toMillis();
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> now).build())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.KAFKA_PROPERTIES, security)
                        .set(RtcdpOptions.GROUP_ID, "kafka-security-it")
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 1)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .build();
        KAFKA.send(
                "rtcdp.events",
                List.of(
                        new String[] {
                            "u1", TestEvents.track("e1", "u1", "product_viewed", START + 1000, "")
                        },
                        new String[] {"u1", "{not json"}));

        Configuration conf = Environments.jobConfiguration(cfg);
        conf.addAll(FlinkTestCluster.noRestarts());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env);
        JobClient job = env.executeAsync("kafka-security-it");
        try {
            RedisKeys keys = new RedisKeys("rtcdp");
            Await.until(
                    "the event's profile in Redis",
                    Duration.ofSeconds(90),
                    () -> {
                        String oneid = REDIS.client().get(keys.id("t1", "user_id", "u1"));
                        return oneid != null
                                && "1"
                                        .equals(
                                                REDIS.client()
                                                        .hget(
                                                                keys.profile("t1", oneid),
                                                                "f.events_total"));
                    });
            List<byte[]> dlq =
                    KAFKA.readValues(
                            "rtcdp.dlq", 1, System.nanoTime() + Duration.ofSeconds(60).toNanos());
            assertThat(dlq).hasSize(1);
            assertThat(new String(dlq.get(0), StandardCharsets.UTF_8)).contains("bad_json");
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }
}
