package io.rtcdp.jobs;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka client settings of {@code kafka.properties.<name>} ({@link
 * RtcdpOptions#KAFKA_PROPERTIES}): authentication and encryption (SASL, SSL) and any other client
 * tuning, given to every consumer and producer of the job. A name must be a setting of Kafka's
 * consumer, producer or admin client (a typo is refused, not ignored), and not one the job manages
 * itself: those would break offsets, exactly-once or tenant routing.
 */
final class KafkaClientProperties {
    /** Settings the job sets itself: refused here. */
    static final Set<String> MANAGED =
            Set.of(
                    "bootstrap.servers",
                    "group.id",
                    "group.instance.id",
                    "key.serializer",
                    "value.serializer",
                    "key.deserializer",
                    "value.deserializer",
                    "transactional.id",
                    "enable.auto.commit",
                    "auto.offset.reset",
                    "isolation.level");

    private static final Set<String> KNOWN = known();

    private KafkaClientProperties() {}

    private static Set<String> known() {
        Set<String> names = new TreeSet<>();
        names.addAll(ConsumerConfig.configNames());
        names.addAll(ProducerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return names;
    }

    /** Checks one entry: {@code name} after {@code kafka.properties.}, and its value. */
    static void check(String name, String value) {
        if (MANAGED.contains(name)) {
            throw new IllegalArgumentException(
                    "is set by rtcdp itself"
                            + (name.equals("bootstrap.servers")
                                    ? " (use kafka.bootstrap-servers)"
                                    : name.equals("group.id") ? " (use kafka.group-id)" : ""));
        }
        if (!KNOWN.contains(name)) {
            throw new IllegalArgumentException(
                    "is no Kafka client setting (see the consumer, producer and admin client"
                            + " settings of Kafka's documentation)");
        }
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
    }

    /** The entries as client properties, to give every Kafka source and sink of the job. */
    static Properties of(RtcdpConfig cfg) {
        Properties p = new Properties();
        for (Map.Entry<String, String> e : cfg.get(RtcdpOptions.KAFKA_PROPERTIES).entrySet()) {
            p.setProperty(e.getKey(), e.getValue());
        }
        return p;
    }
}
