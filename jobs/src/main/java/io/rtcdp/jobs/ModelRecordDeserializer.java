package io.rtcdp.jobs;

import io.rtcdp.udf.ml.ModelException;
import io.rtcdp.udf.ml.ModelMessages;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads model-version records of the models topic ({@link ModelMessages} text). The key must be
 * {@code tenant/model} of the model the record holds (tenant isolation); other records are dropped
 * and logged. Malformed messages are passed on for the decision stage to reject and count, so the
 * rejection is visible in one place.
 */
final class ModelRecordDeserializer implements KafkaRecordDeserializationSchema<String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelRecordDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<String> out) {
        if (record.value() == null) {
            return;
        }
        String text = new String(record.value(), StandardCharsets.UTF_8);
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        try {
            ModelMessages.Decoded m = ModelMessages.decode(text);
            if (!m.key().equals(key)) {
                LOG.warn(
                        "Dropped model {} at {}/{}/{}: its record key is {}",
                        m.key(),
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        key);
                return;
            }
        } catch (ModelException e) {
            if (!ModelMessages.isModel(text)) {
                LOG.warn(
                        "Dropped a record at {}/{}/{} that is not a model message: {}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        e.getMessage());
                return;
            }
        }
        out.collect(text);
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }
}
