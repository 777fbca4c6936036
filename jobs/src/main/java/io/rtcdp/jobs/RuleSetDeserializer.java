package io.rtcdp.jobs;

import io.rtcdp.udf.rules.RuleSet;
import io.rtcdp.udf.rules.RuleSetException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads rule-set records of the rules topic: the value is the rule set's text; the key must be the
 * tenant it names (tenant isolation). Records with another key are dropped and logged.
 */
final class RuleSetDeserializer implements KafkaRecordDeserializationSchema<String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RuleSetDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<String> out) {
        if (record.value() == null) {
            return; // a tombstone of the compacted topic: rules are replaced, never removed
        }
        String text = new String(record.value(), StandardCharsets.UTF_8);
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        try {
            String tenant = RuleSet.parse(text).tenant();
            if (!tenant.equals(key)) {
                LOG.warn(
                        "Dropped a rule set for tenant {} at {}/{}/{}: its record key is {}, not"
                                + " the tenant",
                        tenant,
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        key);
                return;
            }
        } catch (RuleSetException e) {
            // passed on: the decision stage rejects it with its errors and counts it
        }
        out.collect(text);
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }
}
