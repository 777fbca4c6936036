package io.rtcdp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared broker of the streaming tests, against itself: topics, producers, readers. */
class KafkaExtensionTest {
    @RegisterExtension
    static final KafkaExtension KAFKA =
            new KafkaExtension().topic("spread", 3).topic("keyed", 1).topic("keyed", 2);

    @Test
    void createsTheTopicsWithTheLastPartitionCountGiven() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            Map<String, Integer> partitions = new TreeMap<>();
            admin.describeTopics(List.of("spread", "keyed"))
                    .allTopicNames()
                    .get()
                    .forEach((name, d) -> partitions.put(name, d.partitions().size()));

            assertThat(partitions).containsExactly(Map.entry("keyed", 2), Map.entry("spread", 3));
        }
    }

    @Test
    void sendSpreadPutsTheValuesOnThePartitionsInTurn() throws Exception {
        KAFKA.sendSpread("spread", List.of("a", "b", "c", "d"));

        List<String> values =
                KAFKA
                        .readValues(
                                "spread", 4, System.nanoTime() + Duration.ofSeconds(30).toNanos())
                        .stream()
                        .map(v -> new String(v, StandardCharsets.UTF_8))
                        .toList();

        assertThat(values).containsExactlyInAnyOrder("a", "b", "c", "d");
    }

    @Test
    void sendSpreadOfATopicTheExtensionDidNotCreateFailsClearly() {
        assertThatThrownBy(() -> KAFKA.sendSpread("nope", List.of("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope");
    }

    @Test
    void keyedRecordsArriveInOrderPerKeyThroughTheCommittedReader() throws Exception {
        KAFKA.send("keyed", List.of(new String[] {"k1", "1"}, new String[] {"k1", "2"}));

        try (KafkaConsumer<String, String> reader = KAFKA.committedReader("test", "keyed")) {
            List<String> seen = new java.util.ArrayList<>();
            Await.until(
                    "both records of k1",
                    Duration.ofSeconds(30),
                    () -> {
                        for (ConsumerRecord<String, String> r :
                                reader.poll(Duration.ofMillis(200))) {
                            seen.add(r.key() + "=" + r.value());
                        }
                        return seen;
                    },
                    s -> s.size() >= 2);
            assertThat(seen).containsExactly("k1=1", "k1=2");
        }
    }

    @Test
    void aGroupThatCommittedNothingIsAtOffsetZero() throws Exception {
        assertThat(KAFKA.committedOffset("no-such-group", "keyed")).isZero();
    }
}
