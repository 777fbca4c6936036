package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job's topics and the commands that create a missing one. */
class KafkaTopicsTest {
    @Test
    void everyTopicSettingIsATopicOfTheJob() {
        List<String> settings = new ArrayList<>();
        for (RtcdpOptions.Setting<?> s : RtcdpOptions.all()) {
            if (s.option().key().startsWith("kafka.topic.")) {
                settings.add(s.option().key());
            }
        }
        assertThat(KafkaTopics.of(RtcdpConfig.defaults()))
                .extracting(t -> t.setting().key())
                .containsExactlyInAnyOrderElementsOf(settings);
    }

    @Test
    void cleanupPoliciesAreTheDocumentedOnes() {
        Map<String, String> policy = new java.util.TreeMap<>();
        KafkaTopics.of(RtcdpConfig.defaults())
                .forEach(t -> policy.put(t.name(), t.config().get("cleanup.policy")));
        assertThat(policy)
                .containsEntry("rtcdp.events", "delete")
                .containsEntry("rtcdp.rules", "compact")
                .containsEntry("rtcdp.models", "compact")
                .containsEntry("rtcdp.commands", "delete")
                .containsEntry("rtcdp.dlq", "delete")
                .containsEntry("rtcdp.conflicts", "compact,delete")
                .containsEntry("rtcdp.triggers", "compact,delete")
                .containsEntry("rtcdp.audit", "delete");
    }

    @Test
    void theMessageOfMissingTopicsIsOneLineThenOneCreateCommandEach() {
        RtcdpConfig cfg =
                ConfigLoader.withEnvironment(k -> null)
                        .commandLine(
                                Map.of(
                                        "kafka.bootstrap-servers", "k1:9092,k2:9092",
                                        "parallelism", "3",
                                        "kafka.topic.events", "acme.events"))
                        .load();
        List<KafkaTopics.Topic> all = KafkaTopics.of(cfg);
        KafkaTopics.Topic events = all.get(0);
        KafkaTopics.Topic triggers =
                all.stream().filter(t -> t.name().equals("rtcdp.triggers")).findFirst().get();
        String m = KafkaTopics.missingMessage(cfg, List.of(events, triggers));
        assertThat(m.lines().toList())
                .containsExactly(
                        "missing Kafka topics at k1:9092,k2:9092: acme.events"
                                + " (kafka.topic.events), rtcdp.triggers (kafka.topic.triggers);"
                                + " create them as follows (add your own --replication-factor),"
                                + " or start with --create-topics",
                        "  kafka-topics.sh --bootstrap-server k1:9092,k2:9092 --create --topic"
                                + " acme.events --partitions 3 --config cleanup.policy=delete",
                        "  kafka-topics.sh --bootstrap-server k1:9092,k2:9092 --create --topic"
                                + " rtcdp.triggers --partitions 1 --config"
                                + " cleanup.policy=compact,delete --config retention.ms=2592000000"
                                + " --config delete.retention.ms=86400000");
        RtcdpConfig six =
                ConfigLoader.withEnvironment(k -> null)
                        .commandLine(Map.of("kafka.create-topics.partitions", "6"))
                        .load();
        assertThat(KafkaTopics.partitions(six, KafkaTopics.of(six).get(0))).isEqualTo(6);
        assertThat(KafkaTopics.partitions(six, KafkaTopics.of(six).get(1))).isEqualTo(1);
    }
}
