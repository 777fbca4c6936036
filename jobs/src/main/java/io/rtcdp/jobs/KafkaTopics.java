package io.rtcdp.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.ConfigOption;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The Kafka topics the streaming job reads and writes, as docs/contract.md §4 and
 * docs/operations.md describe them (cleanup policy, retention), and their check at start: every one
 * must exist, or {@code --create-topics} creates those missing.
 */
public final class KafkaTopics {
    /** One topic of the job: its setting, whether the job reads or writes it, its Kafka config. */
    public record Topic(
            ConfigOption<String> setting,
            String name,
            boolean reads,
            boolean writes,
            Map<String, String> config) {
        /** The {@code kafka-topics.sh} line that creates it. */
        public String createCommand(String bootstrap, int partitions) {
            StringBuilder sb =
                    new StringBuilder("kafka-topics.sh --bootstrap-server ")
                            .append(bootstrap)
                            .append(" --create --topic ")
                            .append(name)
                            .append(" --partitions ")
                            .append(partitions);
            config.forEach((k, v) -> sb.append(" --config ").append(k).append('=').append(v));
            return sb.toString();
        }
    }

    private static final Map<String, String> DELETE = Map.of("cleanup.policy", "delete");
    private static final Map<String, String> COMPACT = Map.of("cleanup.policy", "compact");

    /** compact,delete with 30 days' retention: the topics a forget's tombstones clean (Forget). */
    private static Map<String, String> compactDelete() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cleanup.policy", "compact,delete");
        m.put("retention.ms", "2592000000");
        m.put("delete.retention.ms", "86400000");
        return m;
    }

    private KafkaTopics() {}

    /** Every topic of the job, in the order of docs/contract.md §4: the inputs, then outputs. */
    public static List<Topic> of(RtcdpConfig cfg) {
        List<Topic> t = new ArrayList<>();
        t.add(topic(cfg, RtcdpOptions.EVENTS_TOPIC, true, false, DELETE));
        t.add(topic(cfg, RtcdpOptions.RULES_TOPIC, true, false, COMPACT));
        t.add(topic(cfg, RtcdpOptions.MODELS_TOPIC, true, true, COMPACT));
        t.add(topic(cfg, RtcdpOptions.COMMANDS_TOPIC, true, false, DELETE));
        Map<String, String> dlq = new LinkedHashMap<>(DELETE);
        dlq.put("retention.ms", "604800000");
        t.add(topic(cfg, RtcdpOptions.DLQ_TOPIC, false, true, dlq));
        t.add(topic(cfg, RtcdpOptions.CONFLICTS_TOPIC, false, true, compactDelete()));
        t.add(topic(cfg, RtcdpOptions.TRIGGERS_TOPIC, false, true, compactDelete()));
        t.add(topic(cfg, RtcdpOptions.AUDIT_TOPIC, false, true, DELETE));
        return t;
    }

    private static Topic topic(
            RtcdpConfig cfg,
            ConfigOption<String> setting,
            boolean reads,
            boolean writes,
            Map<String, String> config) {
        return new Topic(setting, cfg.get(setting), reads, writes, config);
    }

    /**
     * Partitions of a topic the job creates or asks to create: the events topic's from {@code
     * kafka.create-topics.partitions}, else the job's parallelism (its source reads one partition
     * per subtask at most); 1 for the others.
     */
    public static int partitions(RtcdpConfig cfg, Topic t) {
        if (t.setting() != RtcdpOptions.EVENTS_TOPIC) {
            return 1;
        }
        int n = cfg.get(RtcdpOptions.CREATE_TOPICS_PARTITIONS);
        return n > 0 ? n : cfg.get(RtcdpOptions.PARALLELISM);
    }

    /** The one line, and a create command per topic, of missing topics (exit 2). */
    public static String missingMessage(RtcdpConfig cfg, List<Topic> missing) {
        String bootstrap = cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP);
        StringBuilder sb =
                new StringBuilder("missing Kafka topic")
                        .append(missing.size() > 1 ? "s" : "")
                        .append(" at ")
                        .append(bootstrap)
                        .append(": ");
        List<String> names = new ArrayList<>();
        missing.forEach(t -> names.add(t.name() + " (" + t.setting().key() + ")"));
        sb.append(String.join(", ", names))
                .append(
                        "; create them as follows (add your own --replication-factor), or start"
                                + " with --create-topics");
        for (Topic t : missing) {
            sb.append(System.lineSeparator())
                    .append("  ")
                    .append(t.createCommand(bootstrap, partitions(cfg, t)));
        }
        return sb.toString();
    }

    private static Duration timeout(RtcdpConfig cfg) {
        return cfg.get(RtcdpOptions.KAFKA_CHECK_TIMEOUT);
    }

    /** The Admin client settings: the job's security settings, every wait bounded. */
    static Properties adminProperties(RtcdpConfig cfg) {
        Properties p = KafkaClientProperties.of(cfg);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP));
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout(cfg).toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(ms));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(ms / 2));
        p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "rtcdp-topic-check");
        return p;
    }

    /**
     * Checks that every topic of the job exists on the brokers; with {@code create}, creates those
     * missing (partitions as {@link #partitions}, replication the brokers' default) and returns
     * their names. An IllegalArgumentException (exit 2, the message names what to do) when topics
     * are missing without {@code create}, or when no broker answers within {@code
     * kafka.check-timeout}.
     */
    public static List<String> check(RtcdpConfig cfg, boolean create) {
        List<Topic> topics = of(cfg);
        String bootstrap = cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP);
        Duration timeout = timeout(cfg);
        long deadline = System.nanoTime() + timeout.toNanos();
        Admin admin;
        try {
            admin = Admin.create(adminProperties(cfg));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot reach Kafka at "
                            + bootstrap
                            + " (kafka.bootstrap-servers): "
                            + oneLine(e));
        }
        try {
            List<Topic> missing = missing(admin, topics, bootstrap, timeout, deadline);
            if (missing.isEmpty()) {
                return List.of();
            }
            if (!create) {
                throw new IllegalArgumentException(missingMessage(cfg, missing));
            }
            List<NewTopic> fresh = new ArrayList<>();
            for (Topic t : missing) {
                fresh.add(
                        new NewTopic(t.name(), Optional.of(partitions(cfg, t)), Optional.empty())
                                .configs(t.config()));
            }
            List<String> created = new ArrayList<>();
            Map<String, KafkaFuture<Void>> results = admin.createTopics(fresh).values();
            for (Map.Entry<String, KafkaFuture<Void>> e : results.entrySet()) {
                try {
                    await(e.getValue(), deadline);
                    created.add(e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalArgumentException(
                                "cannot create Kafka topic "
                                        + e.getKey()
                                        + " at "
                                        + bootstrap
                                        + ": "
                                        + oneLine(ex.getCause()));
                    }
                } catch (TimeoutException ex) {
                    throw unreachable(bootstrap, timeout);
                }
            }
            return created;
        } finally {
            admin.close(Duration.ofSeconds(2));
        }
    }

    private static List<Topic> missing(
            Admin admin, List<Topic> topics, String bootstrap, Duration timeout, long deadline) {
        List<String> names = new ArrayList<>();
        topics.forEach(t -> names.add(t.name()));
        Map<String, KafkaFuture<TopicDescription>> described =
                admin.describeTopics(names).topicNameValues();
        List<Topic> missing = new ArrayList<>();
        for (Topic t : topics) {
            try {
                await(described.get(t.name()), deadline);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing.add(t);
                } else if (e.getCause()
                        instanceof org.apache.kafka.common.errors.TimeoutException) {
                    throw unreachable(bootstrap, timeout);
                } else {
                    throw new IllegalArgumentException(
                            "cannot check Kafka topic "
                                    + t.name()
                                    + " at "
                                    + bootstrap
                                    + ": "
                                    + oneLine(e.getCause()));
                }
            } catch (TimeoutException e) {
                throw unreachable(bootstrap, timeout);
            }
        }
        return missing;
    }

    private static <T> T await(KafkaFuture<T> f, long deadline)
            throws ExecutionException, TimeoutException {
        long left = Math.max(1, deadline - System.nanoTime());
        try {
            return f.get(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the Kafka topics", e);
        }
    }

    private static IllegalArgumentException unreachable(String bootstrap, Duration timeout) {
        return new IllegalArgumentException(
                "no Kafka broker answered at "
                        + bootstrap
                        + " within "
                        + (timeout.toMillis() % 1000 == 0
                                ? timeout.toSeconds() + " s"
                                : timeout.toMillis() + " ms")
                        + " (kafka.bootstrap-servers; check the address, the port and, for"
                        + " SASL or TLS, kafka.properties.*; kafka.check-timeout)");
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("[\\r\\n]+", " ");
    }
}
