package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.identity.IdCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The reader of the commands topic: tenant isolation by key, malformed commands counted. */
class CommandRecordDeserializerTest {
    private final CommandRecordDeserializer d = new CommandRecordDeserializer();

    private List<Event> read(String key, String value) {
        List<Event> out = new ArrayList<>();
        d.deserialize(
                new ConsumerRecord<>(
                        "rtcdp.commands",
                        0,
                        3L,
                        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                        value == null ? null : value.getBytes(StandardCharsets.UTF_8)),
                new ListCollector<>(out));
        return out;
    }

    @Test
    void aCommandUnderItsTenantsKeyGoesOnOthersAreCountedByReason() throws Exception {
        var counters = BroadcastDeserializersTest.open(d);
        IdCommand c = IdCommand.release("acme", new Id("phone", "0a1b"), 7L);

        assertThat(read("acme", c.toJson())).containsExactly(c.toEvent());
        assertThat(read("other", c.toJson())).isEmpty();
        assertThat(read(null, c.toJson())).isEmpty();
        assertThat(read("acme", "{\"type\":\"release\"}")).isEmpty();
        assertThat(read("acme", "not json")).isEmpty();
        assertThat(read("acme", null)).isEmpty();

        assertThat(BroadcastDeserializersTest.counts(counters))
                .isEqualTo(
                        Map.of(
                                "malformed/commandRecordsRejected", 3L,
                                "wrong_key/commandRecordsRejected", 2L));
    }
}
