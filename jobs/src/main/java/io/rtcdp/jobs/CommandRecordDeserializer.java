package io.rtcdp.jobs;

import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.identity.IdCommand;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the commands topic (docs/contract.md §4.5): each record's value is an {@link IdCommand},
 * its key the command's tenant. A record that is not a valid command, or whose key is not its
 * tenant (a producer must not command another tenant's graph), is refused: logged (where and why,
 * never the value) and counted by reason (metric {@code reason_commandRecordsRejected{reason=…}}:
 * {@code malformed}, {@code wrong_key}). A valid command goes on to the identity stage as the
 * internal event of {@link IdCommand#toEvent}.
 */
final class CommandRecordDeserializer implements KafkaRecordDeserializationSchema<Event> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CommandRecordDeserializer.class);

    /** Why a command record was refused. */
    enum Reason {
        MALFORMED("malformed"),
        WRONG_KEY("wrong_key");

        final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    private transient Map<Reason, Counter> counters;

    @Override
    public void open(DeserializationSchema.InitializationContext ctx) {
        counters = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            counters.put(
                    r,
                    ctx.getMetricGroup()
                            .addGroup("reason", r.label)
                            .counter("commandRecordsRejected"));
        }
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Event> out) {
        if (record.value() == null) {
            reject(record, Reason.MALFORMED, "no value");
            return;
        }
        IdCommand c;
        try {
            c = IdCommand.parse(new String(record.value(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            reject(record, Reason.MALFORMED, e.getMessage());
            return;
        }
        String key = ControlRecords.key(record);
        if (!c.tenant().equals(key)) {
            reject(
                    record,
                    Reason.WRONG_KEY,
                    "a command of tenant "
                            + c.tenant()
                            + " under the key "
                            + ControlRecords.shown(key)
                            + "; the key must be the tenant");
            return;
        }
        out.collect(c.toEvent());
    }

    private void reject(ConsumerRecord<byte[], byte[]> record, Reason reason, String why) {
        if (counters != null) {
            counters.get(reason).inc();
        }
        LOG.warn(
                "Rejected the command at {}/{}/{} ({}): {}",
                record.topic(),
                record.partition(),
                record.offset(),
                reason.label,
                why);
    }

    @Override
    public TypeInformation<Event> getProducedType() {
        return RtcdpTypes.EVENT;
    }
}
