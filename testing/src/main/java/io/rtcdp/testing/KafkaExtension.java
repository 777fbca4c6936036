package io.rtcdp.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker ({@link LocalKafka}: in this JVM, KRaft) for the tests of one class, with the
 * topics given by {@link #topic} created before the first test. Plus the producers and the
 * read-committed consumer the tests use against it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaExtension KAFKA = new KafkaExtension().topic("events", 3).topic("dlq", 1);
 * ... KAFKA.bootstrapServers() ... KAFKA.send("events", records) ...
 * }</pre>
 */
public final class KafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, Integer> topics = new TreeMap<>();

    private Path dir;
    private LocalKafka kafka;
    private boolean sasl;

    /**
     * A broker that takes only SASL_PLAINTEXT (PLAIN) clients; {@link #clientProperties()} holds
     * the credentials of its admin user.
     */
    public KafkaExtension sasl() {
        sasl = true;
        return this;
    }

    /** Creates {@code topic} with {@code n} partitions (again: {@code n} instead of before). */
    public KafkaExtension topic(String topic, int n) {
        topics.put(topic, n);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("rtcdp-kafka-it");
        kafka = LocalKafka.start(dir, sasl);
        kafka.createTopics(topics);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            ServerProcesses.deleteTree(dir);
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The bootstrap servers and, with {@link #sasl()}, the security settings of a client. */
    public Properties clientProperties() {
        return kafka.clientProperties();
    }

    /**
     * Sends {@code {key, value}} pairs to {@code topic} in order, idempotently, and returns once
     * the broker acknowledged all of them.
     */
    public void send(String topic, List<String[]> keyed) throws Exception {
        Properties p = producerSettings(StringSerializer.class);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
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
    public void sendSpread(String topic, List<String> values) throws Exception {
        sendSpreadBytes(
                topic, values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** {@link #sendSpread} of values given as bytes, which need not be text. */
    public void sendSpreadBytes(String topic, List<byte[]> values) throws Exception {
        Integer partitions = topics.get(topic);
        if (partitions == null) {
            throw new IllegalArgumentException(topic + " is not a topic of this extension");
        }
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(producerSettings(ByteArraySerializer.class))) {
            int i = 0;
            for (byte[] v : values) {
                producer.send(new ProducerRecord<>(topic, i++ % partitions, null, v));
            }
            producer.flush();
        }
    }

    /** A producer's settings: this broker, keys and values by {@code serializer}, up to 4 MiB. */
    private Properties producerSettings(Class<? extends Serializer<?>> serializer) {
        Properties p = clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, serializer.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, serializer.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return p;
    }

    /**
     * The offset consumer group {@code group} has committed on partition 0 of {@code topic}, 0 if
     * none. A Flink Kafka source commits on each completed checkpoint.
     */
    public long committedOffset(String group, String topic) throws Exception {
        Properties p = clientProperties();
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
    public KafkaConsumer<String, String> committedReader(String group, String topic) {
        Properties p = clientProperties();
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
    public List<byte[]> readValues(String topic, int expected, long deadlineNanos) {
        Properties p = clientProperties();
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
