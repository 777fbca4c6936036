package io.rtcdp.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtcdp.jobs.KafkaTopics;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The dev overlay's Strimzi {@code KafkaTopic}s are every topic the job reads or writes: one per
 * topic setting of the job ({@code kafka.topic.*} of {@link RtcdpOptions}, their defaults, which
 * the ConfigMap keeps), with the cleanup policy {@code rtcdp run} asks for ({@link KafkaTopics}).
 */
class DevKafkaTopicsTest {
    @Test
    void theDevOverlayCreatesEveryTopicOfTheJobWithItsCleanupPolicy() throws IOException {
        Map<String, JsonNode> overlay = new TreeMap<>();
        for (JsonNode d : K8sManifestsTest.render(K8sManifestsTest.K8S.resolve("overlays/dev"))) {
            if (d.path("kind").asText().equals("KafkaTopic")) {
                overlay.put(K8sManifestsTest.name(d), d);
            }
        }
        List<String> settings = new ArrayList<>();
        for (RtcdpOptions.Setting<?> s : RtcdpOptions.all()) {
            if (s.option().key().startsWith("kafka.topic.")) {
                settings.add(s.option().defaultValue().toString());
            }
        }
        assertThat(settings).hasSizeGreaterThanOrEqualTo(8);
        assertThat(overlay.keySet())
                .as("KafkaTopics of k8s/overlays/dev (kafka.yaml)")
                .containsAll(settings);

        List<KafkaTopics.Topic> topics = KafkaTopics.of(RtcdpConfig.defaults());
        assertThat(topics)
                .extracting(KafkaTopics.Topic::name)
                .containsExactlyInAnyOrderElementsOf(new TreeSet<>(settings));
        for (KafkaTopics.Topic t : topics) {
            JsonNode config = overlay.get(t.name()).path("spec").path("config");
            for (Map.Entry<String, String> e : t.config().entrySet()) {
                assertThat(config.path(e.getKey()).asText())
                        .as("%s of KafkaTopic %s", e.getKey(), t.name())
                        .isEqualTo(e.getValue());
            }
        }
    }
}
