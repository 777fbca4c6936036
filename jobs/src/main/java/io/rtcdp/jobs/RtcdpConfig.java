package io.rtcdp.jobs;

import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.identity.TenantIdLimits;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * The job's settings, validated once. Built with {@link #builder()}; every setting has a default
 * that suits a local run.
 */
public final class RtcdpConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ParserConfig parser;
    private final TenantIdLimits idLimits;
    private final Duration dedupeWindow;
    private final Duration outOfOrderness;
    private final Duration sourceIdleness;
    private final Duration profileRefreshInterval;
    private final int parallelism;
    private final Duration checkpointInterval;
    private final String checkpointDir;
    private final String redisUrl;
    private final String keyPrefix;
    private final Duration redisFlushInterval;
    private final int redisMaxBufferedProfiles;
    private final String kafkaBootstrap;
    private final String eventsTopic;
    private final String dlqTopic;
    private final String conflictsTopic;
    private final String rulesTopic;
    private final String triggersTopic;
    private final String modelsTopic;
    private final String modelsDir;
    private final java.util.List<String> rulesFiles;
    private final long triggerStreamMaxLen;
    private final Duration rfmRefreshInterval;
    private final io.rtcdp.udf.lifecycle.Lifecycle lifecycle;
    private final String groupId;
    private final int metricsPort;
    private final boolean learningEnabled;
    private final int learningPublishEvery;

    private RtcdpConfig(Builder b) {
        this.parser = b.parser;
        this.idLimits = b.idLimits;
        this.dedupeWindow = b.dedupeWindow;
        this.outOfOrderness = b.outOfOrderness;
        this.sourceIdleness = b.sourceIdleness;
        this.profileRefreshInterval = b.profileRefreshInterval;
        this.parallelism = b.parallelism;
        this.checkpointInterval = b.checkpointInterval;
        this.checkpointDir = b.checkpointDir;
        this.redisUrl = b.redisUrl;
        this.keyPrefix = b.keyPrefix;
        this.redisFlushInterval = b.redisFlushInterval;
        this.redisMaxBufferedProfiles = b.redisMaxBufferedProfiles;
        this.kafkaBootstrap = b.kafkaBootstrap;
        this.eventsTopic = b.eventsTopic;
        this.dlqTopic = b.dlqTopic;
        this.conflictsTopic = b.conflictsTopic;
        this.rulesTopic = b.rulesTopic;
        this.triggersTopic = b.triggersTopic;
        this.modelsTopic = b.modelsTopic;
        this.modelsDir = b.modelsDir;
        this.rulesFiles = java.util.List.copyOf(b.rulesFiles);
        this.triggerStreamMaxLen = b.triggerStreamMaxLen;
        this.rfmRefreshInterval = b.rfmRefreshInterval;
        this.lifecycle = new io.rtcdp.udf.lifecycle.Lifecycle(b.lifecycle);
        this.groupId = b.groupId;
        this.metricsPort = b.metricsPort;
        this.learningEnabled = b.learningEnabled;
        this.learningPublishEvery = b.learningPublishEvery;
    }

    public static Builder builder() {
        return new Builder();
    }

    public ParserConfig parser() {
        return parser;
    }

    public TenantIdLimits idLimits() {
        return idLimits;
    }

    public Duration dedupeWindow() {
        return dedupeWindow;
    }

    public Duration outOfOrderness() {
        return outOfOrderness;
    }

    public Duration sourceIdleness() {
        return sourceIdleness;
    }

    public Duration profileRefreshInterval() {
        return profileRefreshInterval;
    }

    public int parallelism() {
        return parallelism;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public String checkpointDir() {
        return checkpointDir;
    }

    public String redisUrl() {
        return redisUrl;
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    public Duration redisFlushInterval() {
        return redisFlushInterval;
    }

    public int redisMaxBufferedProfiles() {
        return redisMaxBufferedProfiles;
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    public String eventsTopic() {
        return eventsTopic;
    }

    public String dlqTopic() {
        return dlqTopic;
    }

    public String conflictsTopic() {
        return conflictsTopic;
    }

    /** Topic of rule sets (docs/contract.md §6, §4), key = tenant, compacted. */
    public String rulesTopic() {
        return rulesTopic;
    }

    /** Topic of triggers (docs/contract.md §5), written exactly once. */
    public String triggersTopic() {
        return triggersTopic;
    }

    /** Topic of model versions (docs/contract.md §7.5), key = tenant/model. */
    public String modelsTopic() {
        return modelsTopic;
    }

    /** Models directory applied at start-up (one sub-directory per model), or null. */
    public String modelsDir() {
        return modelsDir;
    }

    /** Rule set files (YAML or JSON) applied at start-up. */
    public java.util.List<String> rulesFiles() {
        return rulesFiles;
    }

    /** {@code MAXLEN ~} of each tenant's triggers stream in Redis. */
    public long triggerStreamMaxLen() {
        return triggerStreamMaxLen;
    }

    /** Lifecycle stage thresholds. */
    public io.rtcdp.udf.lifecycle.Lifecycle lifecycle() {
        return lifecycle;
    }

    /** How often each tenant's RFM quintile boundaries are recomputed (processing time). */
    public Duration rfmRefreshInterval() {
        return rfmRefreshInterval;
    }

    public String groupId() {
        return groupId;
    }

    /**
     * Port of the Prometheus reporter's {@code /metrics} endpoint in local runs (demo, replay, run
     * without a cluster); 0 when off. On a cluster the cluster's configuration decides.
     */
    public int metricsPort() {
        return metricsPort;
    }

    /** Whether the online trainer learns from labelled snapshots and publishes model versions. */
    public boolean learningEnabled() {
        return learningEnabled;
    }

    /** Labelled examples per tenant and model between two published model versions. */
    public int learningPublishEvery() {
        return learningPublishEvery;
    }

    /** Builder of {@link RtcdpConfig}. */
    public static final class Builder {
        private ParserConfig parser = ParserConfig.builder().build();
        private TenantIdLimits idLimits = TenantIdLimits.defaults();
        private Duration dedupeWindow = Duration.ofDays(7);
        private Duration outOfOrderness = Duration.ofHours(1);
        private Duration sourceIdleness = Duration.ofSeconds(30);
        private Duration profileRefreshInterval = Duration.ofMinutes(5);
        private int parallelism = 2;
        private Duration checkpointInterval = Duration.ofSeconds(10);
        private String checkpointDir;
        private String redisUrl = "redis://127.0.0.1:6379";
        private String keyPrefix = "rtcdp";
        private Duration redisFlushInterval = Duration.ofMillis(20);
        private int redisMaxBufferedProfiles = 1000;
        private String kafkaBootstrap = "127.0.0.1:9092";
        private String eventsTopic = "rtcdp.events";
        private String dlqTopic = "rtcdp.dlq";
        private String conflictsTopic = "rtcdp.conflicts";
        private String rulesTopic = "rtcdp.rules";
        private String triggersTopic = "rtcdp.triggers";
        private String modelsTopic = "rtcdp.models";
        private String modelsDir;
        private java.util.List<String> rulesFiles = java.util.List.of();
        private long triggerStreamMaxLen = 1_000_000L;
        private Duration rfmRefreshInterval = Duration.ofSeconds(60);
        private io.rtcdp.udf.lifecycle.LifecycleThresholds lifecycle =
                io.rtcdp.udf.lifecycle.LifecycleThresholds.defaults();
        private String groupId = "rtcdp";
        private int metricsPort;
        private boolean learningEnabled = true;
        private int learningPublishEvery =
                io.rtcdp.operators.decide.OnlineTrainer.DEFAULT_PUBLISH_EVERY;

        private Builder() {}

        public Builder learningEnabled(boolean v) {
            learningEnabled = v;
            return this;
        }

        public Builder learningPublishEvery(int v) {
            learningPublishEvery = v;
            return this;
        }

        public Builder parser(ParserConfig v) {
            parser = Objects.requireNonNull(v);
            return this;
        }

        public Builder idLimits(TenantIdLimits v) {
            idLimits = Objects.requireNonNull(v);
            return this;
        }

        public Builder dedupeWindow(Duration v) {
            dedupeWindow = v;
            return this;
        }

        public Builder outOfOrderness(Duration v) {
            outOfOrderness = v;
            return this;
        }

        public Builder sourceIdleness(Duration v) {
            sourceIdleness = v;
            return this;
        }

        public Builder profileRefreshInterval(Duration v) {
            profileRefreshInterval = v;
            return this;
        }

        public Builder parallelism(int v) {
            parallelism = v;
            return this;
        }

        public Builder checkpointInterval(Duration v) {
            checkpointInterval = v;
            return this;
        }

        public Builder checkpointDir(String v) {
            checkpointDir = v;
            return this;
        }

        public Builder redisUrl(String v) {
            redisUrl = v;
            return this;
        }

        public Builder keyPrefix(String v) {
            keyPrefix = v;
            return this;
        }

        public Builder redisFlushInterval(Duration v) {
            redisFlushInterval = v;
            return this;
        }

        public Builder redisMaxBufferedProfiles(int v) {
            redisMaxBufferedProfiles = v;
            return this;
        }

        public Builder kafkaBootstrap(String v) {
            kafkaBootstrap = v;
            return this;
        }

        public Builder rulesTopic(String v) {
            rulesTopic = v;
            return this;
        }

        public Builder modelsTopic(String v) {
            modelsTopic = v;
            return this;
        }

        public Builder modelsDir(String v) {
            modelsDir = v;
            return this;
        }

        public Builder triggersTopic(String v) {
            triggersTopic = v;
            return this;
        }

        public Builder rulesFiles(java.util.List<String> v) {
            rulesFiles = java.util.List.copyOf(v);
            return this;
        }

        public Builder triggerStreamMaxLen(long v) {
            triggerStreamMaxLen = v;
            return this;
        }

        public Builder lifecycle(io.rtcdp.udf.lifecycle.LifecycleThresholds v) {
            lifecycle = java.util.Objects.requireNonNull(v);
            return this;
        }

        public Builder rfmRefreshInterval(Duration v) {
            rfmRefreshInterval = v;
            return this;
        }

        public Builder eventsTopic(String v) {
            eventsTopic = v;
            return this;
        }

        public Builder dlqTopic(String v) {
            dlqTopic = v;
            return this;
        }

        public Builder conflictsTopic(String v) {
            conflictsTopic = v;
            return this;
        }

        public Builder groupId(String v) {
            groupId = v;
            return this;
        }

        /** Serves Prometheus metrics on this port in local runs; 0 (the default) for none. */
        public Builder metricsPort(int v) {
            metricsPort = v;
            return this;
        }

        /** Validates and builds; an invalid setting is an IllegalArgumentException of one line. */
        public RtcdpConfig build() {
            positive("dedupe window", dedupeWindow);
            nonNegative("out-of-orderness", outOfOrderness);
            nonNegative("source idleness", sourceIdleness);
            positive("checkpoint interval", checkpointInterval);
            positive("profile refresh interval", profileRefreshInterval);
            positive("redis flush interval", redisFlushInterval);
            positive("rfm refresh interval", rfmRefreshInterval);
            if (triggerStreamMaxLen < 1) {
                throw new IllegalArgumentException(
                        "triggers stream max length must be at least 1, got "
                                + triggerStreamMaxLen);
            }
            if (learningPublishEvery < 1) {
                throw new IllegalArgumentException(
                        "learning publish-every must be at least 1, got " + learningPublishEvery);
            }
            if (parallelism < 1 || parallelism > 1024) {
                throw new IllegalArgumentException(
                        "parallelism must be between 1 and 1024, got " + parallelism);
            }
            if (metricsPort < 0 || metricsPort > 65535) {
                throw new IllegalArgumentException(
                        "metrics port must be between 1 and 65535 (0 for none), got "
                                + metricsPort);
            }
            if (redisMaxBufferedProfiles < 1) {
                throw new IllegalArgumentException(
                        "redis max buffered profiles must be at least 1, got "
                                + redisMaxBufferedProfiles);
            }
            // Not echoed: the URL may carry a password.
            io.rtcdp.operators.sink.RedisClients.checkUrl(redisUrl);
            if (keyPrefix == null || !keyPrefix.matches("[A-Za-z0-9_.-]{1,32}")) {
                throw new IllegalArgumentException(
                        "key prefix must match [A-Za-z0-9_.-]{1,32}, got " + keyPrefix);
            }
            return new RtcdpConfig(this);
        }

        private static void positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
        }

        private static void nonNegative(String what, Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, got " + d);
            }
        }
    }
}
