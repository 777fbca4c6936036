package io.rtcdp.jobs;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;

/**
 * What the readers of the control topics (rules, models) share: the counted refusals of records
 * that must not reach the decision stage, by reason (metric {@code
 * reason_controlRecordsRejected{reason=…}}, every reason present from the start, 0 when none).
 * These topics change what the job serves for every profile of a tenant, so a refused record is
 * both logged (where, and why; never the record's text, which may be long) and counted.
 */
final class ControlRecords implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Why a control record was refused. */
    enum Reason {
        /**
         * Its key is not the tenant (and model) it names: another tenant's producer, or a mistake.
         */
        WRONG_KEY("wrong_key"),
        /** A model on the rules topic, or a rule set (or anything else) on the models topic. */
        WRONG_TOPIC("wrong_topic"),
        /**
         * A model for every tenant ({@code *}) from a topic: only the start-up directory sets it.
         */
        ANY_TENANT("any_tenant");

        final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    private transient Map<Reason, Counter> counters;

    void open(DeserializationSchema.InitializationContext ctx) {
        counters = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            counters.put(
                    r,
                    ctx.getMetricGroup()
                            .addGroup("reason", r.label)
                            .counter("controlRecordsRejected"));
        }
    }

    /** Logs and counts a refused record. */
    void reject(Logger log, ConsumerRecord<byte[], byte[]> record, Reason reason, String why) {
        if (counters != null) {
            counters.get(reason).inc();
        }
        log.warn(
                "Rejected the record at {}/{}/{} ({}): {}",
                record.topic(),
                record.partition(),
                record.offset(),
                reason.label,
                why);
    }

    /** The record's key as text, or null. */
    static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }

    /** A key as it may be logged: at most 80 characters, control characters replaced. */
    static String shown(String key) {
        if (key == null) {
            return "(none)";
        }
        String k = key.length() > 80 ? key.substring(0, 80) + "..." : key;
        return "'" + k.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
