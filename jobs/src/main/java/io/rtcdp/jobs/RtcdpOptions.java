package io.rtcdp.jobs;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.rtcdp.operators.decide.OnlineTrainer;
import io.rtcdp.operators.sink.RedisClients;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.identity.IdLimits;
import io.rtcdp.udf.lifecycle.LifecycleThresholds;
import io.rtcdp.udf.rules.VersionStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.TimeUtils;

/**
 * Every rtcdp setting in one place: key, type, default and description as a Flink {@link
 * ConfigOption}, and next to each the rule its value must follow. {@link ConfigLoader} reads them
 * from Flink's configuration, the properties file and {@code -D}; {@link RtcdpConfig} is the typed
 * view the job reads; the README's Configuration table is generated from {@link #all()} (a test
 * fails, printing the table, when the README's differs).
 *
 * <p>The keys have no common prefix because users' files already use them; a key that is no rtcdp
 * setting is rejected, so a typo is never silently ignored.
 */
public final class RtcdpOptions {
    /** What a value must be: throws an IllegalArgumentException saying so ("must be ..."). */
    @FunctionalInterface
    public interface Check<T> {
        void check(T value);
    }

    // declared before the options: each option adds itself while the class initialises
    private static final List<Setting<?>> ALL = new ArrayList<>();

    public static final ConfigOption<String> KAFKA_BOOTSTRAP =
            setting(
                    key("kafka.bootstrap-servers")
                            .stringType()
                            .defaultValue("127.0.0.1:9092")
                            .withDescription("Kafka brokers"),
                    nonBlank());
    public static final ConfigOption<String> EVENTS_TOPIC =
            topic("kafka.topic.events", "rtcdp.events", "input topic of the events");
    public static final ConfigOption<String> DLQ_TOPIC =
            topic(
                    "kafka.topic.dlq",
                    "rtcdp.dlq",
                    "dead-letter topic (it also holds the Redis writes Redis refused for good,"
                            + " code `redis_rejected`)");
    public static final ConfigOption<String> CONFLICTS_TOPIC =
            topic(
                    "kafka.topic.conflicts",
                    "rtcdp.conflicts",
                    "refused identity links (key = oneid; JSON: `tenant`, `event_id`, `ts`,"
                            + " `refused`, `oneid`, `other_oneid`, `reason`; a forgotten"
                            + " profile's key gets a tombstone: a compacted topic)");
    public static final ConfigOption<String> AUDIT_TOPIC =
            topic(
                    "kafka.topic.audit",
                    "rtcdp.audit",
                    "one audit record per completed `forget` (key = tenant; JSON without PII:"
                            + " `tenant`, `forget_id`, `ts`, `profiles`, `ids`, `keys`,"
                            + " `appended_at`, `completed_at`, `latency_ms`), at least once");
    public static final ConfigOption<Map<String, String>> KAFKA_PROPERTIES =
            family(
                    key("kafka.properties")
                            .mapType()
                            .defaultValue(Map.of())
                            .withDescription(
                                    "a Kafka client setting given to every consumer and producer"
                                            + " of the job, such as `kafka.properties.security.protocol"
                                            + "=SASL_SSL`, `kafka.properties.sasl.mechanism`,"
                                            + " `kafka.properties.sasl.jaas.config` or"
                                            + " `kafka.properties.ssl.truststore.location` (take"
                                            + " passwords from `${file:…}` or `${env:…}`); values"
                                            + " are never shown in messages. Settings the job"
                                            + " manages itself (`bootstrap.servers`, `group.id`,"
                                            + " serializers, `transactional.id`, offsets,"
                                            + " `isolation.level`) are refused"),
                    "<name>",
                    true,
                    KafkaClientProperties::check);
    public static final ConfigOption<String> GROUP_ID =
            setting(
                    key("kafka.group-id")
                            .stringType()
                            .defaultValue("rtcdp")
                            .withDescription(
                                    "consumer group (offsets are committed on checkpoints); also"
                                            + " the prefix of the triggers sink's transactional"
                                            + " ids"),
                    nonBlank());
    public static final ConfigOption<String> REDIS_URL =
            secret(
                    key("redis.url")
                            .stringType()
                            .defaultValue("redis://127.0.0.1:6379")
                            .withDescription(
                                    "`redis://[user:pass@]host:port[/db]` or `rediss://` for TLS;"
                                            + " a Redis Cluster:"
                                            + " `redis-cluster://[user:pass@]host1:port1,host2:port2`"
                                            + " (seed nodes; `rediss-cluster://` for TLS). The"
                                            + " same URL forms work for `--redis`. Never shown in"
                                            + " messages (it may hold a password)"),
                    RedisClients::checkUrl);
    public static final ConfigOption<String> KEY_PREFIX =
            setting(
                    key("redis.key-prefix")
                            .stringType()
                            .defaultValue("rtcdp")
                            .withDescription("prefix of every Redis key"),
                    matches("[A-Za-z0-9_.-]{1,32}"));
    public static final ConfigOption<Duration> REDIS_FLUSH_INTERVAL =
            setting(
                    key("redis.flush-interval")
                            .durationType()
                            .defaultValue(Duration.ofMillis(20))
                            .withDescription(
                                    "longest time a profile change waits in the sink's buffer"),
                    positive());
    public static final ConfigOption<Integer> REDIS_MAX_BUFFERED_PROFILES =
            setting(
                    key("redis.max-buffered-profiles")
                            .intType()
                            .defaultValue(1000)
                            .withDescription("buffer size that triggers a flush"),
                    atLeast(1));
    public static final ConfigOption<Integer> PARALLELISM =
            setting(
                    key("parallelism")
                            .intType()
                            .defaultValue(2)
                            .withDescription(
                                    "job parallelism; Flink's `parallelism.default` decides when"
                                            + " Flink's configuration sets it (a"
                                            + " FlinkDeployment's `job.parallelism`)"),
                    between(1, 1024));
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            setting(
                    key("checkpoint.interval")
                            .durationType()
                            .defaultValue(Duration.ofSeconds(10))
                            .withDescription(
                                    "checkpoint interval (RocksDB, incremental); Flink's"
                                            + " `execution.checkpointing.interval` decides when"
                                            + " Flink's configuration sets it"),
                    positive());
    public static final ConfigOption<String> CHECKPOINT_DIR =
            setting(
                    key("checkpoint.dir")
                            .stringType()
                            .noDefaultValue()
                            .withDescription(
                                    "checkpoint directory (a URI such as `s3://bucket/path` or a"
                                            + " local path); Flink's"
                                            + " `execution.checkpointing.dir` decides when Flink's"
                                            + " configuration sets it. Without either, a local"
                                            + " `run` checkpoints to `./rtcdp-state/checkpoints`"
                                            + " (owner-only; `replay`, `demo`, `bench`: their work"
                                            + " directory) and `run` under `flink run` refuses to"
                                            + " start (exit 2): never to the JobManager's memory"),
                    nonBlank());
    public static final ConfigOption<Map<String, String>> FLINK_SETTINGS =
            family(
                    key("flink")
                            .mapType()
                            .defaultValue(Map.of())
                            .withDescription(
                                    "a Flink configuration key and its value, applied over the"
                                            + " Flink settings rtcdp adds (and, locally, over its"
                                            + " defaults), e.g."
                                            + " `flink.execution.buffer-timeout.interval=10 ms`"
                                            + " or `flink.execution.state-recovery.path=<a"
                                            + " checkpoint>`; a value Flink cannot read is exit 2."
                                            + " `parallelism.default` and the checkpoint interval"
                                            + " and directory are rtcdp's `parallelism`,"
                                            + " `checkpoint.interval` and `checkpoint.dir`"),
                    "<key>",
                    false,
                    FlinkSettings::check);
    public static final ConfigOption<Duration> DEDUPE_WINDOW =
            setting(
                    key("dedupe.window")
                            .durationType()
                            .defaultValue(Duration.ofDays(7))
                            .withDescription(
                                    "a repeated `event_id` within this much event time is"
                                            + " dropped"),
                    positive());
    public static final ConfigOption<Duration> FORGET_TOMBSTONE_TTL =
            setting(
                    key("forget.tombstone-ttl")
                            .durationType()
                            .defaultValue(Duration.ofDays(30))
                            .withDescription(
                                    "how long the ids of a `forget` are remembered: an event"
                                            + " carrying one, not later than the forget, is"
                                            + " dropped (late or replayed history)"),
                    positive());
    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            setting(
                    key("event-time.out-of-orderness")
                            .durationType()
                            .defaultValue(Duration.ofHours(1))
                            .withDescription(
                                    "watermark delay; later events are still counted exactly"),
                    notNegative());
    public static final ConfigOption<Duration> SOURCE_IDLENESS =
            setting(
                    key("source.idleness")
                            .durationType()
                            .defaultValue(Duration.ofSeconds(30))
                            .withDescription(
                                    "a Kafka partition without data stops holding back event"
                                            + " time"),
                    notNegative());
    public static final ConfigOption<Duration> PROFILE_REFRESH_INTERVAL =
            setting(
                    key("profile.refresh-interval")
                            .durationType()
                            .defaultValue(Duration.ofMinutes(5))
                            .withDescription(
                                    "an idle profile's windows are refreshed at most once per this"
                                            + " much event time"),
                    positive());
    public static final ConfigOption<String> REPLAY_UNTIL =
            setting(
                    key("replay.until")
                            .stringType()
                            .noDefaultValue()
                            .withDescription(
                                    "`rtcdp replay` only (`--until`): read no event after this"
                                            + " time (an ISO date or instant, or epoch ms; later"
                                            + " events are left out and counted,"
                                            + " `eventsAfterUntil`) and bring every profile to it"
                                            + " when the input ends, so that its values and"
                                            + " scores are as of that time; not with"
                                            + " `--savepoint`; `rtcdp run` refuses it"),
                    v -> io.rtcdp.udf.time.Times.parseTime(v));
    public static final ConfigOption<Integer> STATE_CACHE_SIZE =
            setting(
                    key("state.cache-size")
                            .intType()
                            .defaultValue(0)
                            .withDescription(
                                    "profiles whose state each subtask of the fragment, profile"
                                            + " and decision stages keeps on the heap in front of"
                                            + " RocksDB (write-through; a few KB each per stage);"
                                            + " 0, the default, reads RocksDB every time (the"
                                            + " caches cut the stages' CPU but added as much GC in"
                                            + " the bench: docs/operations.md)"),
                    between(0, 10_000_000));
    public static final ConfigOption<String> DEFAULT_COUNTRY_CODE =
            setting(
                    key("ids.default-country-code")
                            .stringType()
                            .defaultValue(ParserConfig.DEFAULT_COUNTRY_CODE)
                            .withDescription("given to phone numbers without a leading `+`"),
                    v -> ParserConfig.builder().defaultCountryCode(v).build());
    public static final ConfigOption<String> DEFAULT_SECRET =
            secret(
                    key("default-secret")
                            .stringType()
                            .noDefaultValue()
                            .withDescription(
                                    "master secret (at least 32 bytes): the HMAC key of"
                                            + " the PII ids and traits (`pii-types`, `pii-traits`)"
                                            + " and the oneids of each tenant without its own is"
                                            + " derived from it per tenant; required by `rtcdp"
                                            + " run`, which refuses to start without it (exit 2)"),
                    v -> ParserConfig.builder().defaultSecret(v).build());
    public static final ConfigOption<Map<String, String>> TENANT_SECRETS =
            family(
                    key("tenant-secret")
                            .mapType()
                            .defaultValue(Map.of())
                            .withDescription(
                                    "one tenant's HMAC key itself (at least 32 bytes) for its PII"
                                            + " ids and traits and its oneids, instead of the one"
                                            + " derived from `default-secret`"),
                    "<tenant>",
                    true,
                    (tenant, v) -> ParserConfig.builder().tenantSecret(tenant, v).build());
    public static final ConfigOption<String> PII_TYPES =
            setting(
                    key("pii-types")
                            .stringType()
                            .defaultValue("phone,email")
                            .withDescription(
                                    "id types whose values are PII: replaced by their HMAC right"
                                            + " after parsing (contract §2.2), never in key names,"
                                            + " state or outputs in plain text; `phone` and `email`"
                                            + " always are; any other type (`user_id`, `union_id`,"
                                            + " `device_id`, `cookie_id`, `x_<name>`) can be"
                                            + " added, comma-separated; per tenant"
                                            + " `tenant.<tenant>.pii-types`"),
                    v -> ParserConfig.builder().piiIdTypes(list(v)).build());
    public static final ConfigOption<String> PII_TRAITS =
            setting(
                    key("pii-traits")
                            .stringType()
                            .noDefaultValue()
                            .withDescription(
                                    "trait keys whose values are PII, comma-separated: replaced"
                                            + " by the HMAC of `trait:<key>:<value>` at parse time;"
                                            + " per tenant `tenant.<tenant>.pii-traits`"),
                    v -> ParserConfig.builder().piiTraits(list(v)).build());
    public static final ConfigOption<Integer> METRICS_PORT =
            setting(
                    key("metrics.prometheus.port")
                            .intType()
                            .defaultValue(0)
                            .withDescription(
                                    "in a local run (not under `flink run`), serve the job's"
                                            + " metrics for Prometheus at"
                                            + " `http://HOST:PORT/metrics`; 0 for none. `run`,"
                                            + " `replay` and `demo` also take `--metrics-port"
                                            + " PORT`. On a cluster, Flink's own configuration"
                                            + " enables the reporter (see"
                                            + " `k8s/base/flinkdeployment.yaml`, metrics in"
                                            + " docs/operations.md)"),
                    between(0, 65535));
    public static final ConfigOption<String> RULES_FILES =
            setting(
                    key("rules.files")
                            .stringType()
                            .noDefaultValue()
                            .withDescription(
                                    "rule set files (YAML or JSON, comma-separated) applied at"
                                            + " start-up; later versions come from the rules"
                                            + " topic"),
                    v -> {});
    public static final ConfigOption<String> TEXT_MODEL =
            setting(
                    key("text.model")
                            .stringType()
                            .noDefaultValue()
                            .withDescription(
                                    "a text classifier's model JSON (rtcdp text train) for"
                                            + " props.text; none: the one shipped with rtcdp"),
                    v -> {});
    public static final ConfigOption<String> RULES_TOPIC =
            topic(
                    "kafka.topic.rules",
                    "rtcdp.rules",
                    "rule sets, key = tenant (a record whose key is not the rule set's tenant is"
                            + " dropped)");
    public static final ConfigOption<String> TRIGGERS_TOPIC =
            topic(
                    "kafka.topic.triggers",
                    "rtcdp.triggers",
                    "triggers, key = oneid, exactly once (Kafka transactions; read with"
                            + " `isolation.level=read_committed`); a forgotten profile's key gets a"
                            + " tombstone: a compacted topic");
    public static final ConfigOption<Long> TRIGGER_STREAM_MAX_LEN =
            setting(
                    key("triggers.stream-max-len")
                            .longType()
                            .defaultValue(1_000_000L)
                            .withDescription("`MAXLEN ~` of each tenant's Redis triggers stream"),
                    atLeast(1));
    public static final ConfigOption<String> MODELS_DIR =
            setting(
                    key("models.dir")
                            .stringType()
                            .noDefaultValue()
                            .withDescription(
                                    "models directory (one sub-directory per model, as `rtcdp"
                                            + " train --out` writes them) applied at start-up for"
                                            + " every tenant"),
                    nonBlank());
    public static final ConfigOption<String> MODELS_TOPIC =
            topic(
                    "kafka.topic.models",
                    "rtcdp.models",
                    "model versions in and out, key = `tenant/model`; the online trainer"
                            + " publishes here");
    public static final ConfigOption<String> COMMANDS_TOPIC =
            topic(
                    "kafka.topic.commands",
                    "rtcdp.commands",
                    "operators' commands to the identity stage (`rtcdp ids release`), key ="
                            + " tenant (a record whose key is not its command's tenant, or that is"
                            + " no valid command, is dropped and counted)");
    public static final ConfigOption<Integer> CREATE_TOPICS_PARTITIONS =
            setting(
                    key("kafka.create-topics.partitions")
                            .intType()
                            .defaultValue(0)
                            .withDescription(
                                    "partitions of the events topic that `rtcdp run"
                                            + " --create-topics` creates and that the"
                                            + " `kafka-topics.sh` lines of a missing one name; 0:"
                                            + " the job's `parallelism` (the other topics get 1)"),
                    between(0, 10_000));
    public static final ConfigOption<Duration> KAFKA_CHECK_TIMEOUT =
            setting(
                    key("kafka.check-timeout")
                            .durationType()
                            .defaultValue(Duration.ofSeconds(30))
                            .withDescription(
                                    "how long `rtcdp run`'s start-up check of the Kafka topics"
                                            + " waits for a broker before it gives up (one line,"
                                            + " exit 2)"),
                    positive());
    public static final ConfigOption<Long> CONTROL_MAX_VERSION_STEP =
            setting(
                    key("control.max-version-step")
                            .longType()
                            .defaultValue(VersionStep.DEFAULT_MAX_STEP)
                            .withDescription(
                                    "a rule set or model version more than this above the"
                                            + " version in force (above 0 when none is) is"
                                            + " refused and counted (`ruleSetsRejected`,"
                                            + " `modelsRejected`), so one record cannot pin a"
                                            + " tenant to a huge version; the default leaves room"
                                            + " for versions that are epoch seconds or"
                                            + " milliseconds"),
                    atLeast(1));
    public static final ConfigOption<Duration> MARKETING_SHARE_INTERVAL =
            setting(
                    key("marketing.share-interval")
                            .durationType()
                            .defaultValue(Duration.ofSeconds(1))
                            .withDescription(
                                    "how often the decision stage's subtasks share their counts"
                                            + " of the tenants' purchase probabilities, which"
                                            + " `score.marketing` ranks in (processing time;"
                                            + " contract §7.4)"),
                    positive());

    public static final ConfigOption<Duration> RFM_REFRESH_INTERVAL =
            setting(
                    key("rfm.refresh-interval")
                            .durationType()
                            .defaultValue(Duration.ofSeconds(60))
                            .withDescription(
                                    "how often each tenant's RFM quintile boundaries are rebuilt"
                                            + " (processing time)"),
                    positive());
    public static final ConfigOption<Duration> REC_REFRESH_INTERVAL =
            setting(
                    key("rec.refresh-interval")
                            .durationType()
                            .defaultValue(Duration.ofSeconds(60))
                            .withDescription(
                                    "how often each tenant's item table (co-purchase statistics"
                                            + " and popularity) is rebuilt for the next-purchase"
                                            + " recommendations (processing time); each rebuild"
                                            + " scores every profile of the tenant again: with"
                                            + " tens of millions of profiles, hours"
                                            + " (docs/scaling.md)"),
                    positive());
    public static final ConfigOption<Duration> REC_HALF_LIFE =
            setting(
                    key("rec.half-life")
                            .durationType()
                            .defaultValue(Duration.ofDays(30))
                            .withDescription(
                                    "half-life of an item's popularity in event time: an order"
                                            + " counts half as much this long after it"),
                    positive());
    public static final ConfigOption<Map<String, String>> ID_LIMITS =
            family(
                    key("ids.limit")
                            .mapType()
                            .defaultValue(Map.of())
                            .withDescription(
                                    "ids of a type per profile, for all tenants (defaults:"
                                            + " `user_id` 1, `union_id` 1, `phone` 3, `email` 3,"
                                            + " `device_id` 10, `cookie_id` 50, `x_*` 10 of each"
                                            + " custom type); `ids.limit.custom-types` (8): how"
                                            + " many different custom `x_` types one profile may"
                                            + " have (a link beyond it is refused with reason"
                                            + " `limit:custom_types`);"
                                            + " `ids.limit.user-id-evidence` (0: off): the"
                                            + " protection policy, N ≥ 2 events carrying an id and one"
                                            + " `user_id` keep the id with that `user_id` against"
                                            + " other users' events (reason"
                                            + " `user_id_protected`, docs/oneid.md)"),
                    "<type>",
                    false,
                    RtcdpOptions::checkIdLimit);

    /** {@code <tenant>.ids.limit.<type>}: a tenant's id limit. */
    static final Pattern TENANT_ID_LIMIT =
            Pattern.compile("([a-z0-9_-]{1,64})\\.ids\\.limit\\.(.+)");

    /** {@code <stage>-within}: a lifecycle threshold ({@link #LIFECYCLE}). */
    static final Pattern LIFECYCLE_ENTRY = Pattern.compile("(new|active|at-risk|dormant)-within");

    /** {@code <tenant>.lifecycle.<stage>-within}: a tenant's lifecycle threshold. */
    static final Pattern TENANT_LIFECYCLE =
            Pattern.compile("([a-z0-9_-]{1,64})\\.lifecycle\\.(new|active|at-risk|dormant)-within");

    public static final ConfigOption<Map<String, String>> LIFECYCLE =
            family(
                    key("lifecycle")
                            .mapType()
                            .defaultValue(Map.of())
                            .withDescription(
                                    "the lifecycle stages' thresholds for all tenants, as"
                                            + " durations (`45d`, `12h`; contract §3.2):"
                                            + " `lifecycle.new-within` (30d),"
                                            + " `lifecycle.active-within` (30d),"
                                            + " `lifecycle.at-risk-within` (90d),"
                                            + " `lifecycle.dormant-within` (180d), with active <"
                                            + " at-risk < dormant; a tenant's own:"
                                            + " `tenant.<tenant>.lifecycle.<stage>-within`. A"
                                            + " changed threshold applies to a profile from its"
                                            + " next event or refresh"),
                    "<stage>-within",
                    false,
                    (name, v) -> {
                        if (!LIFECYCLE_ENTRY.matcher(name).matches()) {
                            throw new IllegalArgumentException(
                                    "is no setting; the thresholds are lifecycle.new-within,"
                                            + " lifecycle.active-within,"
                                            + " lifecycle.at-risk-within and"
                                            + " lifecycle.dormant-within");
                        }
                        LifecycleThresholds.parseDuration("lifecycle." + name, v);
                    });

    /** {@code <tenant>.pii-types} and {@code <tenant>.pii-traits}: a tenant's PII lists. */
    static final Pattern TENANT_PII =
            Pattern.compile("([a-z0-9_-]{1,64})\\.(pii-types|pii-traits)");

    public static final ConfigOption<Map<String, String>> TENANT_SETTINGS =
            family(
                    key("tenant")
                            .mapType()
                            .defaultValue(Map.of())
                            .withDescription(
                                    "a setting for one tenant: `ids.limit.<type>`, `pii-types`,"
                                            + " `pii-traits` (the tenant's list replaces the"
                                            + " default list), `lifecycle.<stage>-within`"),
                    "<tenant>.<setting>",
                    false,
                    (name, v) -> {
                        Matcher m = TENANT_ID_LIMIT.matcher(name);
                        if (m.matches()) {
                            checkIdLimit(m.group(2), v);
                            return;
                        }
                        Matcher lifecycle = TENANT_LIFECYCLE.matcher(name);
                        if (lifecycle.matches()) {
                            LifecycleThresholds.parseDuration("tenant." + name, v);
                            return;
                        }
                        Matcher pii = TENANT_PII.matcher(name);
                        if (!pii.matches()) {
                            throw new IllegalArgumentException(
                                    "is no setting; per tenant there are"
                                            + " tenant.<tenant>.ids.limit.<type>,"
                                            + " tenant.<tenant>.pii-types,"
                                            + " tenant.<tenant>.pii-traits and"
                                            + " tenant.<tenant>.lifecycle.<stage>-within");
                        }
                        if (pii.group(2).equals("pii-types")) {
                            ParserConfig.builder().tenantPiiIdTypes(pii.group(1), list(v)).build();
                        } else {
                            ParserConfig.builder().tenantPiiTraits(pii.group(1), list(v)).build();
                        }
                    });

    /** A comma-separated list of a setting, its entries trimmed; empty for a blank value. */
    public static List<String> list(String value) {
        List<String> entries = new ArrayList<>();
        for (String e : value.split(",", -1)) {
            if (!e.isBlank() || value.isBlank()) {
                entries.add(e.strip());
            }
        }
        entries.removeIf(String::isEmpty);
        return entries;
    }

    public static final ConfigOption<Duration> MODELS_BGNBD_REFIT_INTERVAL =
            setting(
                    key("models.bgnbd-refit-interval")
                            .durationType()
                            .defaultValue(Duration.ofDays(28))
                            .withDescription(
                                    "how often BG/NBD's parameters are fitted again to each"
                                            + " tenant's customers, in the tenant's event time;"
                                            + " models with BG/NBD inputs (`p_alive`,"
                                            + " `bgnbd_purchase`) are served with the latest fit"
                                            + " instead of their `model.json` parameters; `0s`"
                                            + " turns the live fit off"),
                    notNegative());

    public static final ConfigOption<Boolean> LEARNING_ENABLED =
            setting(
                    key("learning.enabled")
                            .booleanType()
                            .defaultValue(true)
                            .withDescription(
                                    "online learning: the trainer learns each tenant's models from"
                                            + " labelled snapshots (FTRL, starting from the served"
                                            + " version) and publishes new versions to"
                                            + " `kafka.topic.models`, which the job reads back and"
                                            + " serves; its live quality metrics (group"
                                            + " `model=<name>`: `auc`, `logLoss`, `ece`,"
                                            + " `servedVersion`, `windowSize`, `examples`,"
                                            + " `examplesSkipped`, `versionsPublished`) need it"
                                            + " too"),
                    v -> {});
    public static final ConfigOption<Integer> LEARNING_PUBLISH_EVERY =
            setting(
                    key("learning.publish-every")
                            .intType()
                            .defaultValue(OnlineTrainer.DEFAULT_PUBLISH_EVERY)
                            .withDescription(
                                    "labelled examples of a tenant's model between two published"
                                            + " versions"),
                    atLeast(1));

    /**
     * The rtcdp settings that are Flink settings under an older name. Flink's configuration decides
     * them when it sets them (the cluster's checkpoint directory, a FlinkDeployment's parallelism);
     * an rtcdp value given as well must agree with it.
     */
    public static final List<FlinkEquivalent<?>> FLINK_EQUIVALENTS =
            List.of(
                    new FlinkEquivalent<>(PARALLELISM, CoreOptions.DEFAULT_PARALLELISM),
                    new FlinkEquivalent<>(
                            CHECKPOINT_INTERVAL, CheckpointingOptions.CHECKPOINTING_INTERVAL),
                    new FlinkEquivalent<>(
                            CHECKPOINT_DIR, CheckpointingOptions.CHECKPOINTS_DIRECTORY));

    private RtcdpOptions() {}

    /** Every setting, in the README's order. */
    public static List<Setting<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    /** Whether {@code key} is an rtcdp setting (or one of a family's, such as tenant-secret.x). */
    public static boolean isSetting(String key) {
        return ALL.stream().anyMatch(s -> s.covers(key));
    }

    /** Whether {@code key} is an rtcdp setting whose value is secret (never shown). */
    public static boolean isSecret(String key) {
        return ALL.stream().anyMatch(s -> s.secret() && s.covers(key));
    }

    /**
     * {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 7d} (Flink's durations, which also
     * take {@code 10 s}, {@code 1 min} or ISO-8601 {@code PT10S}): the settings' durations, for the
     * command line options that take one.
     */
    public static Duration duration(String text) {
        try {
            return TimeUtils.parseDuration(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "not a duration: '" + text + "' (use e.g. 500ms, 10s, 5m, 1h, 7d)");
        }
    }

    /**
     * Reads every setting of {@code conf} and checks it; the first that is not valid is an
     * IllegalArgumentException of one line naming the key, the value (unless secret), where it came
     * from ({@code originOf}, null when unknown) and what is expected.
     */
    static void validate(Configuration conf, Function<String, String> originOf) {
        for (Setting<?> s : ALL) {
            s.validate(conf, originOf);
        }
    }

    /** The one line of an invalid value. */
    static IllegalArgumentException invalid(
            String origin, String key, String value, boolean secret, String reason) {
        String line =
                (origin == null ? "" : origin + ": ")
                        + "setting '"
                        + key
                        + "' "
                        + (secret ? "(value not shown)" : "is '" + value + "'")
                        + ": "
                        + reason;
        return new IllegalArgumentException(line.replaceAll("[\\r\\n]+", " "));
    }

    /**
     * A setting: its option, the rule its value follows, whether the value is secret (never shown),
     * and for a family (a Flink map option read from the keys under it, such as {@code
     * tenant-secret.<tenant>}) what follows the option's key.
     */
    public record Setting<T>(
            ConfigOption<T> option, Check<T> check, boolean secret, String family) {
        /** The key as documented: {@code redis.url}, {@code tenant-secret.<tenant>}. */
        public String documentedKey() {
            return family == null ? option.key() : option.key() + "." + family;
        }

        /** The description, as written (plain text with Markdown code spans). */
        public String description() {
            return option.description().getBlocks().stream()
                    .map(b -> ((TextElement) b).getFormat())
                    .collect(java.util.stream.Collectors.joining(" "));
        }

        boolean covers(String key) {
            return family == null
                    ? key.equals(option.key())
                    : key.startsWith(option.key() + ".")
                            && key.length() > option.key().length() + 1;
        }

        void validate(Configuration conf, Function<String, String> originOf) {
            String key = option.key();
            T value;
            try {
                value = conf.get(option);
            } catch (IllegalArgumentException e) {
                throw invalid(
                        originOf.apply(key),
                        key,
                        conf.toMap().get(key),
                        secret,
                        "must be " + expectedType());
            }
            if (value == null) {
                return;
            }
            try {
                check.check(value);
            } catch (IllegalArgumentException e) {
                // a family's entry names its own key and value
                String k = e instanceof EntryProblem p ? key + "." + p.name : key;
                String v = e instanceof EntryProblem p ? p.value : conf.toMap().get(key);
                throw invalid(originOf.apply(k), k, v, secret, e.getMessage());
            }
        }

        /** What a value of this type looks like; the type is the default value's. */
        String expectedType() {
            Object d = option.hasDefaultValue() ? option.defaultValue() : "";
            if (d instanceof Duration) {
                return "a duration such as 500ms, 10s, 5m, 1h, 7d";
            }
            if (d instanceof Boolean) {
                return "true or false";
            }
            if (d instanceof Number) {
                return "a whole number";
            }
            return "text";
        }
    }

    /** An rtcdp setting and the Flink setting that decides it when Flink's configuration has it. */
    public record FlinkEquivalent<T>(ConfigOption<T> rtcdp, ConfigOption<T> flink) {}

    /** A family's entry that is not valid. */
    private static final class EntryProblem extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final String name;
        final String value;

        EntryProblem(String name, String value, String reason) {
            super(reason);
            this.name = name;
            this.value = value;
        }
    }

    // ---- declaring

    private static <T> ConfigOption<T> setting(ConfigOption<T> option, Check<T> check) {
        ALL.add(new Setting<>(option, check, false, null));
        return option;
    }

    private static <T> ConfigOption<T> secret(ConfigOption<T> option, Check<T> check) {
        ALL.add(new Setting<>(option, check, true, null));
        return option;
    }

    private static ConfigOption<String> topic(String key, String topic, String description) {
        return setting(
                key(key).stringType().defaultValue(topic).withDescription(description), nonBlank());
    }

    /** Checks each entry, {@code (name after the key, value)}. */
    private static ConfigOption<Map<String, String>> family(
            ConfigOption<Map<String, String>> option,
            String entry,
            boolean secret,
            BiConsumer<String, String> entryCheck) {
        Check<Map<String, String>> check =
                m ->
                        m.forEach(
                                (name, v) -> {
                                    try {
                                        entryCheck.accept(name, v);
                                    } catch (IllegalArgumentException e) {
                                        throw new EntryProblem(name, v, e.getMessage());
                                    }
                                });
        ALL.add(new Setting<>(option, check, secret, entry));
        return option;
    }

    // ---- rules

    private static Check<String> nonBlank() {
        return v -> {
            if (v.isBlank()) {
                throw new IllegalArgumentException("must not be empty");
            }
        };
    }

    private static Check<String> matches(String regex) {
        Pattern p = Pattern.compile(regex);
        return v -> {
            if (!p.matcher(v).matches()) {
                throw new IllegalArgumentException("must match " + regex);
            }
        };
    }

    private static Check<Duration> positive() {
        return d -> {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("must be a positive duration");
            }
        };
    }

    private static Check<Duration> notNegative() {
        return d -> {
            if (d.isNegative()) {
                throw new IllegalArgumentException("must not be negative");
            }
        };
    }

    private static <N extends Number> Check<N> atLeast(long min) {
        return between(min, Long.MAX_VALUE);
    }

    private static <N extends Number> Check<N> between(long min, long max) {
        return n -> {
            if (n.longValue() < min || n.longValue() > max) {
                throw new IllegalArgumentException(
                        max == Long.MAX_VALUE
                                ? "must be at least " + min
                                : "must be between " + min + " and " + max);
            }
        };
    }

    private static void checkIdLimit(String type, String v) {
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number");
        }
        IdLimits.withOverrides(Map.of(type, n));
    }

    /** The id limits by type of a family's entries. */
    static Map<String, Integer> idLimits(Map<String, String> entries) {
        Map<String, Integer> m = new java.util.HashMap<>();
        entries.forEach((type, v) -> m.put(type, Integer.parseInt(Objects.requireNonNull(v))));
        return m;
    }
}
