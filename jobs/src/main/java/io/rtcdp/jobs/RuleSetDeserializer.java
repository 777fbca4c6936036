package io.rtcdp.jobs;

import io.rtcdp.jobs.ControlRecords.Reason;
import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.rules.RuleSet;
import io.rtcdp.udf.rules.RuleSetException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads rule-set records of the rules topic (docs/contract.md §4): the value is the rule set's
 * text; the key must be the tenant it names (tenant isolation). A record with another key, and a
 * model message (models come only from the models topic), is refused: logged and counted ({@link
 * ControlRecords}). Text that does not parse as a rule set is passed on, for the decision stage to
 * reject with its errors and count.
 */
final class RuleSetDeserializer implements KafkaRecordDeserializationSchema<String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RuleSetDeserializer.class);

    private final ControlRecords rejected = new ControlRecords();

    @Override
    public void open(DeserializationSchema.InitializationContext ctx) {
        rejected.open(ctx);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<String> out) {
        if (record.value() == null) {
            return; // a tombstone of the compacted topic: rules are replaced, never removed
        }
        String text = new String(record.value(), StandardCharsets.UTF_8);
        String key = ControlRecords.key(record);
        if (ModelMessages.isModel(text)) {
            rejected.reject(
                    LOG,
                    record,
                    Reason.WRONG_TOPIC,
                    "a model message; models come from the models topic");
            return;
        }
        try {
            String tenant = RuleSet.parse(text).tenant();
            if (!tenant.equals(key)) {
                rejected.reject(
                        LOG,
                        record,
                        Reason.WRONG_KEY,
                        "a rule set of tenant "
                                + tenant
                                + " under the key "
                                + ControlRecords.shown(key)
                                + "; the key must be the tenant");
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
