package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class EnvironmentsTest {
    @Test
    void theStreamingJobFlushesNetworkBuffersAfter10MsAndReplayKeepsFlinksDefault() {
        RtcdpConfig cfg = RtcdpConfig.defaults();
        Configuration streaming = Environments.streamingJobConfiguration(cfg, new Configuration());
        assertThat(StreamExecutionEnvironment.getExecutionEnvironment(streaming).getBufferTimeout())
                .isEqualTo(10);
        // replay's throughput path: Flink's 100 ms
        assertThat(Environments.jobConfiguration(cfg).toMap())
                .doesNotContainKey("execution.buffer-timeout.interval");
        assertThat(
                        StreamExecutionEnvironment.getExecutionEnvironment(
                                        Environments.jobConfiguration(cfg))
                                .getBufferTimeout())
                .isEqualTo(100);

        Configuration local = Environments.localConfiguration(cfg, java.nio.file.Path.of("w"));
        Environments.addStreamingDefaults(local);
        assertThat(local.toMap()).containsEntry("execution.buffer-timeout.interval", "10 ms");
    }

    @Test
    void theClustersBufferTimeoutIsKept() {
        Configuration flink =
                Configuration.fromMap(Map.of("execution.buffer-timeout.interval", "50 ms"));
        Configuration job = Environments.streamingJobConfiguration(RtcdpConfig.defaults(), flink);
        assertThat(job.toMap()).doesNotContainKey("execution.buffer-timeout.interval");

        Configuration local =
                Configuration.fromMap(Map.of("execution.buffer-timeout.interval", "0 ms"));
        Environments.addStreamingDefaults(local);
        assertThat(local.toMap()).containsEntry("execution.buffer-timeout.interval", "0 ms");
    }
}
