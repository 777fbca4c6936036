package io.rtcdp.jobs;

import io.rtcdp.jobs.ControlRecords.Reason;
import io.rtcdp.udf.ml.ModelException;
import io.rtcdp.udf.ml.ModelMessages;
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
 * Reads model-version records of the models topic ({@link ModelMessages} text, docs/contract.md §4,
 * §7.5). Refused, logged and counted ({@link ControlRecords}): a record whose key is not {@code
 * tenant/model} of the model it holds (tenant isolation), a model for every tenant ({@code *}: only
 * the start-up models directory sets those, so no producer of the topic can replace the model of
 * all tenants), and a record that is no model message (rule sets come from the rules topic).
 * Malformed model messages are passed on for the decision stage to reject and count, so the
 * rejection of a bad model is visible in one place.
 */
final class ModelRecordDeserializer implements KafkaRecordDeserializationSchema<String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelRecordDeserializer.class);

    private final ControlRecords rejected = new ControlRecords();

    @Override
    public void open(DeserializationSchema.InitializationContext ctx) {
        rejected.open(ctx);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<String> out) {
        if (record.value() == null) {
            return;
        }
        String text = new String(record.value(), StandardCharsets.UTF_8);
        String key = ControlRecords.key(record);
        if (!ModelMessages.isModel(text)) {
            rejected.reject(
                    LOG,
                    record,
                    Reason.WRONG_TOPIC,
                    "not a model message; rule sets come from the rules topic");
            return;
        }
        try {
            ModelMessages.Decoded m = ModelMessages.decode(text);
            if (ModelMessages.ANY_TENANT.equals(m.tenant())) {
                rejected.reject(
                        LOG,
                        record,
                        Reason.ANY_TENANT,
                        "model "
                                + m.key()
                                + " is for every tenant; only the start-up models directory"
                                + " sets those");
                return;
            }
            if (!m.key().equals(key)) {
                rejected.reject(
                        LOG,
                        record,
                        Reason.WRONG_KEY,
                        "model "
                                + m.key()
                                + " under the key "
                                + ControlRecords.shown(key)
                                + "; the key must be tenant/model");
                return;
            }
        } catch (ModelException e) {
            // a model message that does not decode: the decision stage rejects and counts it
        }
        out.collect(text);
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }
}
