package io.rtcdp.jobs;

import io.rtcdp.jobs.local.LocalKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker (in this JVM, KRaft) for the streaming ITCases of one class, with rtcdp's
 * topics created: {@code rtcdp.events} with 3 partitions, the others with 1 unless set with {@link
 * #partitions}. Plus the producer and the read-committed consumer the tests use against it.
 */
final class KafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, Integer> topics =
            new TreeMap<>(
                    Map.of(
                            "rtcdp.events", 3,
                            "rtcdp.dlq", 1,
                            "rtcdp.conflicts", 1,
                            "rtcdp.rules", 1,
                            "rtcdp.triggers", 1,
                            "rtcdp.models", 1));

    private Path dir;
    private LocalKafka kafka;

    /** Creates {@code topic} with {@code n} partitions instead of the default. */
    KafkaExtension partitions(String topic, int n) {
        topics.put(topic, n);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("rtcdp-kafka-it");
        kafka = LocalKafka.start(dir);
        kafka.createTopics(topics);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            // the broker may have removed some of its files itself
            if (dir != null && Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (java.io.IOException | java.io.UncheckedIOException gone) {
                    // nothing left to delete
                }
            }
        }
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /**
     * Sends {@code {key, value}} pairs to {@code topic} in order, idempotently, and returns once
     * the broker acknowledged all of them.
     */
    void send(String topic, List<String[]> keyed) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (String[] kv : keyed) {
                producer.send(new ProducerRecord<>(topic, kv[0], kv[1]));
            }
            producer.flush();
        }
    }

    /**
     * Sends values without keys, spread over the partitions of {@code topic} in turn without regard
     * to what they hold: events of one person arrive through different partitions, out of order.
     */
    void sendSpread(String topic, List<String> values) throws Exception {
        int partitions = topics.get(topic);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            int i = 0;
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, i++ % partitions, null, v));
            }
            producer.flush();
        }
    }

    /**
     * The offset consumer group {@code group} has committed on partition 0 of {@code topic}, 0 if
     * none. A Flink Kafka source commits on each completed checkpoint.
     */
    long committedOffset(String group, String topic) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(p)) {
            var offsets =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            var o = offsets.get(new org.apache.kafka.common.TopicPartition(topic, 0));
            return o == null ? 0 : o.offset();
        }
    }

    /**
     * A consumer of {@code topic} from its beginning that sees only committed transactions, as a
     * downstream system reading the job's exactly-once outputs does.
     */
    KafkaConsumer<String, String> committedReader(String group, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p);
        c.subscribe(List.of(topic));
        return c;
    }

    /**
     * The values of {@code topic} from its beginning: reads until {@code expected} arrived or the
     * deadline passed, then polls 2 s more, so that more than expected shows in the count.
     */
    List<byte[]> readValues(String topic, int expected, long deadlineNanos) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        List<byte[]> out = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            while (out.size() < expected && System.nanoTime() < deadlineNanos) {
                c.poll(java.time.Duration.ofMillis(500)).forEach(r -> out.add(r.value()));
            }
            c.poll(java.time.Duration.ofSeconds(2)).forEach(r -> out.add(r.value()));
        }
        return out;
    }
}
