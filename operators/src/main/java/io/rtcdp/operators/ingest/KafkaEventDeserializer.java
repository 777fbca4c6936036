package io.rtcdp.operators.ingest;

import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.event.ParserConfig;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses Kafka record values into events inside the source, so that watermarks are generated per
 * partition from valid events only. A record that is not a valid event becomes a dead letter with
 * its {@code topic/partition/offset}.
 */
public final class KafkaEventDeserializer implements KafkaRecordDeserializationSchema<Parsed> {
    private static final long serialVersionUID = 1L;

    private static final byte[] EMPTY = new byte[0];

    private final ParserConfig parserConfig;
    private transient EventParser parser;

    public KafkaEventDeserializer(ParserConfig parserConfig) {
        this.parserConfig = parserConfig;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        parser = new EventParser(parserConfig);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Parsed> out) {
        byte[] value = record.value() == null ? EMPTY : record.value();
        out.collect(
                parser.parse(
                        value, record.topic() + "/" + record.partition() + "/" + record.offset()));
    }

    @Override
    public TypeInformation<Parsed> getProducedType() {
        return RtcdpTypes.PARSED;
    }
}
