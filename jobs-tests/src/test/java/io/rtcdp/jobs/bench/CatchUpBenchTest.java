package io.rtcdp.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatchUpBenchTest {
    @Test
    void theSettingsShownLeaveOutSecretsAndUrls() {
        Map<String, String> job = new LinkedHashMap<>();
        job.put("flink.execution.buffer-timeout.interval", "100ms");
        job.put("redis.url", "redis://:pw@host:6379");
        job.put("default-secret", "s3cr3t");
        job.put("flink.security.kerberos.login.keytab-password", "k");
        job.put("kafka.properties.sasl.jaas.config", "org.apache.kafka... password=\"x\";");
        assertThat(CatchUpBench.shown(job))
                .isEqualTo(
                        "flink.execution.buffer-timeout.interval=100ms redis.url=(hidden)"
                                + " default-secret=(hidden)"
                                + " flink.security.kerberos.login.keytab-password=(hidden)"
                                + " kafka.properties.sasl.jaas.config=(hidden)");
    }
}
