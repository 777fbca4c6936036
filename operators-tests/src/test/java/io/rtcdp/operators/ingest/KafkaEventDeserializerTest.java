package io.rtcdp.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.ErrorCode;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.event.ParserConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kafka source's parser: one {@link Parsed} per record, never an exception, and a dead letter
 * that says where in Kafka its record is.
 */
class KafkaEventDeserializerTest {
    static final long NOW = 1_700_006_400_000L;

    final KafkaEventDeserializer deserializer =
            new KafkaEventDeserializer(ParserConfig.builder().clock(() -> NOW).build());

    @BeforeEach
    void open() {
        deserializer.open(null);
    }

    List<Parsed> deserialize(byte[] key, byte[] value) {
        List<Parsed> out = new ArrayList<>();
        deserializer.deserialize(
                new ConsumerRecord<>("rtcdp.events", 2, 41L, key, value), new ListCollector<>(out));
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aValidRecordBecomesItsEvent() {
        List<Parsed> out =
                deserialize(
                        null,
                        utf8(
                                "{\"event_id\":\"e-1\",\"tenant\":\"acme\",\"type\":\"page\","
                                        + "\"ts\":1699999999000,\"ids\":{\"cookie_id\":\"c1\"}}"));

        assertThat(out).hasSize(1);
        assertThat(out.get(0).isValid()).isTrue();
        assertThat(out.get(0).event().eventId()).isEqualTo("e-1");
        assertThat(out.get(0).event().ts()).isEqualTo(1_699_999_999_000L);
    }

    @Test
    void theKeyPlaysNoPart() {
        byte[] value =
                utf8(
                        "{\"event_id\":\"e-1\",\"tenant\":\"acme\",\"type\":\"page\","
                                + "\"ts\":1699999999000,\"ids\":{\"cookie_id\":\"c1\"}}");

        assertThat(deserialize(utf8("some other tenant"), value))
                .isEqualTo(deserialize(null, value));
    }

    @Test
    void anInvalidRecordBecomesADeadLetterWithItsTopicPartitionAndOffset() {
        List<Parsed> out = deserialize(null, utf8("{\"event_id\":\"e-1\""));

        assertThat(out).hasSize(1);
        assertThat(out.get(0).isValid()).isFalse();
        assertThat(out.get(0).deadLetter().source()).isEqualTo("rtcdp.events/2/41");
        assertThat(out.get(0).deadLetter().error()).isEqualTo(ErrorCode.BAD_JSON.code());
        assertThat(out.get(0).deadLetter().payload()).isEqualTo("{\"event_id\":\"e-1\"");
    }

    @Test
    void aTombstoneIsADeadLetterNotAFailure() {
        List<Parsed> out = deserialize(utf8("k"), null);

        assertThat(out).hasSize(1);
        assertThat(out.get(0).isValid()).isFalse();
        assertThat(out.get(0).deadLetter().source()).isEqualTo("rtcdp.events/2/41");
    }

    @Test
    void bytesThatAreNotUtf8BecomeADeadLetter() {
        List<Parsed> out = deserialize(null, new byte[] {(byte) 0xC3, (byte) 0x28, '{'});

        assertThat(out).hasSize(1);
        assertThat(out.get(0).isValid()).isFalse();
    }

    @Test
    void producesTheParsedTypeOfTheJob() {
        assertThat(deserializer.getProducedType()).isEqualTo(RtcdpTypes.PARSED);
    }
}
