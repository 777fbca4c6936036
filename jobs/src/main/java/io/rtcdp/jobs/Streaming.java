package io.rtcdp.jobs;

import io.rtcdp.operators.ingest.EventFileFormat;
import io.rtcdp.operators.ingest.KafkaEventDeserializer;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.identity.Conflict;
import io.rtcdp.udf.identity.ConflictJson;
import io.rtcdp.udf.ml.ModelException;
import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.rules.Trigger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.base.source.hybrid.HybridSource;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The streaming wiring: events from Kafka, profiles to Redis, dead letters to Kafka. */
public final class Streaming {
    private Streaming() {}

    public static KafkaSource<Parsed> source(RtcdpConfig cfg) {
        return KafkaSource.<Parsed>builder()
                .setProperties(KafkaClientProperties.of(cfg))
                .setBootstrapServers(cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP))
                .setTopics(cfg.get(RtcdpOptions.EVENTS_TOPIC))
                .setGroupId(cfg.get(RtcdpOptions.GROUP_ID))
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new KafkaEventDeserializer(cfg.parser()))
                .setProperty("partition.discovery.interval.ms", "60000")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
    }

    public static KafkaSink<DeadLetter> deadLetterSink(RtcdpConfig cfg) {
        String topic = cfg.get(RtcdpOptions.DLQ_TOPIC);
        KafkaRecordSerializationSchema<DeadLetter> schema =
                (d, ctx, ts) ->
                        new ProducerRecord<>(
                                topic, null, d.toJson().getBytes(StandardCharsets.UTF_8));
        return KafkaSink.<DeadLetter>builder()
                .setKafkaProducerConfig(KafkaClientProperties.of(cfg))
                .setBootstrapServers(cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP))
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /**
     * Conflicts to the conflicts topic, at least once; key = the oneid the event went to, so that a
     * forgotten profile's tombstone (null value) removes its conflicts from the compacted topic.
     */
    /** The audit records of forgets to the audit topic, key = tenant. */
    public static io.rtcdp.operators.sink.AuditOutput.Factory auditOutput(RtcdpConfig cfg) {
        java.util.Properties p = KafkaClientProperties.of(cfg);
        p.put("bootstrap.servers", cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP));
        return io.rtcdp.operators.sink.AuditOutput.kafka(cfg.get(RtcdpOptions.AUDIT_TOPIC), p);
    }

    public static KafkaSink<Conflict> conflictSink(RtcdpConfig cfg) {
        String topic = cfg.get(RtcdpOptions.CONFLICTS_TOPIC);
        KafkaRecordSerializationSchema<Conflict> schema =
                (c, ctx, ts) ->
                        new ProducerRecord<>(
                                topic,
                                c.key().getBytes(StandardCharsets.UTF_8),
                                // a retraction (forget) is the oneid's tombstone
                                c.isRetraction()
                                        ? null
                                        : ConflictJson.toJson(c).getBytes(StandardCharsets.UTF_8));
        return KafkaSink.<Conflict>builder()
                .setKafkaProducerConfig(KafkaClientProperties.of(cfg))
                .setBootstrapServers(cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP))
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /**
     * Rule sets from the rules topic, from its beginning (it is compacted: the latest set of each
     * tenant). A record whose key is not the tenant its rule set names is dropped with a log line,
     * so one tenant's producer cannot replace another tenant's rules; text that does not parse is
     * passed on, for the decision stage to reject and count.
     */
    public static KafkaSource<String> rulesSource(RtcdpConfig cfg) {
        return KafkaSource.<String>builder()
                .setProperties(KafkaClientProperties.of(cfg))
                .setBootstrapServers(cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP))
                .setTopics(cfg.get(RtcdpOptions.RULES_TOPIC))
                .setGroupId(cfg.get(RtcdpOptions.GROUP_ID) + "-rules")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RuleSetDeserializer())
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * Model versions from the models topic, from its beginning; a record's key must be {@code
     * tenant/model} of the model it holds (see {@link ModelRecordDeserializer}).
     */
    public static KafkaSource<String> modelsSource(RtcdpConfig cfg) {
        return KafkaSource.<String>builder()
                .setProperties(KafkaClientProperties.of(cfg))
                .setBootstrapServers(cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP))
                .setTopics(cfg.get(RtcdpOptions.MODELS_TOPIC))
                .setGroupId(cfg.get(RtcdpOptions.GROUP_ID) + "-models")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ModelRecordDeserializer())
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * Operators' commands from the commands topic ({@link CommandRecordDeserializer}): from the
     * offsets committed at the last checkpoint (the earliest on a first start), so a new job of the
     * same group id does not apply the commands of its predecessor again.
     */
    public static KafkaSource<io.rtcdp.udf.event.Event> commandsSource(RtcdpConfig cfg) {
        return KafkaSource.<io.rtcdp.udf.event.Event>builder()
                .setProperties(KafkaClientProperties.of(cfg))
                .setBootstrapServers(cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP))
                .setTopics(cfg.get(RtcdpOptions.COMMANDS_TOPIC))
                .setGroupId(cfg.get(RtcdpOptions.GROUP_ID) + "-commands")
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new CommandRecordDeserializer())
                .setProperty("partition.discovery.interval.ms", "60000")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
    }

    /**
     * Triggers to the triggers topic, exactly once: Kafka transactions committed with each
     * checkpoint (readers use {@code isolation.level=read_committed}); key = oneid. A forgotten
     * profile's oneid gets a tombstone (null value) after its triggers: the topic is compacted.
     */
    public static KafkaSink<Trigger> triggerSink(RtcdpConfig cfg) {
        String topic = cfg.get(RtcdpOptions.TRIGGERS_TOPIC);
        KafkaRecordSerializationSchema<Trigger> schema =
                (t, ctx, ts) ->
                        new ProducerRecord<>(
                                topic,
                                t.oneid().getBytes(StandardCharsets.UTF_8),
                                // a retraction (forget) is the oneid's tombstone
                                t.isRetraction()
                                        ? null
                                        : t.toJson().getBytes(StandardCharsets.UTF_8));
        return KafkaSink.<Trigger>builder()
                .setKafkaProducerConfig(KafkaClientProperties.of(cfg))
                .setBootstrapServers(cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP))
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(cfg.get(RtcdpOptions.GROUP_ID) + "-triggers")
                // the broker's maximum is 15 min; the connector's default of 1 h is refused
                .setProperty("transaction.timeout.ms", "600000")
                .build();
    }

    /**
     * Model versions the online trainer publishes, to the models topic the job also reads (key =
     * {@code tenant/model}). At least once: a duplicate is ignored by the version check of the
     * readers.
     */
    public static KafkaSink<String> modelSink(RtcdpConfig cfg) {
        String topic = cfg.get(RtcdpOptions.MODELS_TOPIC);
        KafkaRecordSerializationSchema<String> schema =
                (text, ctx, ts) -> {
                    String key;
                    try {
                        key = ModelMessages.decode(text).key();
                    } catch (ModelException e) {
                        throw new IllegalStateException("the trainer published a bad model", e);
                    }
                    return new ProducerRecord<>(
                            topic,
                            key.getBytes(StandardCharsets.UTF_8),
                            text.getBytes(StandardCharsets.UTF_8));
                };
        return KafkaSink.<String>builder()
                .setKafkaProducerConfig(KafkaClientProperties.of(cfg))
                .setBootstrapServers(cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP))
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /**
     * The events of the files {@code history}, then of the events topic (Flink's hybrid source):
     * every file is read to its end before the first record of the topic, which is then read from
     * the offsets the group committed (its earliest on a first start). An event in both is counted
     * once: the dedupe stage, whose state spans the switch, drops the second (within {@code
     * dedupe.window} of event time).
     */
    public static Source<Parsed, ?, ?> historyThenLive(
            RtcdpConfig cfg, List<java.nio.file.Path> history) {
        org.apache.flink.core.fs.Path[] paths =
                history.stream()
                        .map(p -> new org.apache.flink.core.fs.Path(p.toAbsolutePath().toUri()))
                        .toArray(org.apache.flink.core.fs.Path[]::new);
        FileSource<Parsed> files =
                FileSource.forBulkFileFormat(new EventFileFormat(cfg.parser()), paths).build();
        return HybridSource.builder(files).addSource(source(cfg)).build();
    }

    /** Refuses the settings of a replay only ({@code replay.until}): a live job reads on. */
    public static void refuseReplaySettings(RtcdpConfig cfg) {
        if (cfg.get(RtcdpOptions.REPLAY_UNTIL) != null) {
            throw new IllegalArgumentException(
                    "replay.until is a setting of rtcdp replay only: a live job reads on");
        }
    }

    /** Adds the streaming job to {@code env}. */
    public static void build(RtcdpConfig cfg, StreamExecutionEnvironment env) {
        build(cfg, env, List.of());
    }

    /**
     * Adds the streaming job to {@code env}; with {@code history} files, it reads them first
     * ({@link #historyThenLive}).
     */
    public static void build(
            RtcdpConfig cfg, StreamExecutionEnvironment env, List<java.nio.file.Path> history) {
        refuseReplaySettings(cfg);
        RtcdpJob.Builder job = RtcdpJob.builder(cfg);
        if (history.isEmpty()) {
            job.eventsSource(source(cfg));
        } else {
            job.historyThenLiveSource(historyThenLive(cfg, history));
        }
        job.profileSink(Replay.redisSink(cfg))
                .idKeySink(Replay.redisSink(cfg))
                .deadLetterSink(deadLetterSink(cfg))
                .conflictSink(conflictSink(cfg))
                .ruleSetFiles(cfg.rulesFiles())
                .modelsDir(cfg.get(RtcdpOptions.MODELS_DIR))
                .rulesSource(rulesSource(cfg))
                .controlSource(modelsSource(cfg))
                .commandsSource(commandsSource(cfg))
                .triggerSink(triggerSink(cfg))
                .auditOutput(auditOutput(cfg))
                .modelSink(modelSink(cfg))
                .build()
                .addTo(env);
    }
}
