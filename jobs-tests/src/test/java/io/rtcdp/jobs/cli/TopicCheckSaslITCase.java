package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topic check of {@code rtcdp run} connects as the job does: with the {@code
 * kafka.properties.*} security settings to a broker that takes only SASL clients, it sees which
 * topics exist; without them, no broker answers it (exit 2, one line).
 */
class TopicCheckSaslITCase {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension().sasl().topic("rtcdp.events", 1);

    @TempDir Path tmp;

    @Test
    void theCheckUsesTheJobsKafkaClientSettings() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("default-secret = sasl-check-secret-0123456789abcdef-01");
        lines.add("kafka.bootstrap-servers = " + KAFKA.bootstrapServers());
        // without the SASL settings no broker answers: waited for 5 s, not the default 30
        lines.add("kafka.check-timeout = 5s");
        Path plain = tmp.resolve("plain.properties");
        Files.write(plain, lines);
        KAFKA.clientProperties()
                .forEach(
                        (k, v) -> {
                            if (!k.equals("bootstrap.servers")) {
                                lines.add("kafka.properties." + k + " = " + v);
                            }
                        });
        Path sasl = tmp.resolve("sasl.properties");
        Files.write(sasl, lines);

        CliRun r = CliRun.of("run", "--config", sasl.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElseThrow())
                .startsWith("rtcdp: missing Kafka topics at " + KAFKA.bootstrapServers())
                .contains("rtcdp.rules (kafka.topic.rules)")
                .doesNotContain("rtcdp.events");

        CliRun none = CliRun.of("run", "--config", plain.toString());
        assertThat(none.code()).as(none.err()).isEqualTo(2);
        assertThat(none.err().trim())
                .startsWith("rtcdp: ")
                .contains(KAFKA.bootstrapServers())
                .doesNotContain("\n");
    }
}
