package io.rtcdp.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node Kafka broker in this JVM (KRaft, combined broker and controller), for the demo and
 * the integration tests.
 */
public final class LocalKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private final boolean sasl;

    private LocalKafka(KafkaClusterTestKit cluster, boolean sasl) {
        this.cluster = cluster;
        this.sasl = sasl;
    }

    /** Starts a broker whose data lives under {@code baseDir}. */
    public static LocalKafka start(Path baseDir) throws Exception {
        return start(baseDir, false);
    }

    /**
     * Starts a broker whose data lives under {@code baseDir}; with {@code sasl}, its client
     * listener takes only SASL_PLAINTEXT with the PLAIN mechanism (users {@link #SASL_USER} and the
     * test kit's admin), so a client without credentials cannot connect.
     */
    // the test kit prints to System.out, which is silenced while it formats and starts
    @SuppressWarnings("checkstyle:standardStreams")
    public static LocalKafka start(Path baseDir, boolean sasl) throws Exception {
        TestKitNodes.Builder b =
                new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBaseDirectory(baseDir);
        if (sasl) {
            b.setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT);
        }
        TestKitNodes nodes = b.build();
        KafkaClusterTestKit.Builder kit = new KafkaClusterTestKit.Builder(nodes);
        if (sasl) {
            // the test kit turns the authorizer on with SASL: the controller listener (plaintext,
            // ANONYMOUS) and the kit's admin may do everything
            kit.setConfigProp("super.users", "User:ANONYMOUS;User:" + JaasUtils.KAFKA_PLAIN_ADMIN);
        }
        KafkaClusterTestKit cluster =
                kit.setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("num.partitions", "1")
                        .setConfigProp("log.flush.interval.messages", Long.MAX_VALUE)
                        .build();
        // the test kit prints its formatting steps to stdout; the demo's output is ours
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            cluster.format();
            cluster.startup();
        } finally {
            System.setOut(stdout);
        }
        cluster.waitForReadyBrokers();
        return new LocalKafka(cluster, sasl);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * What a client needs to connect: the bootstrap servers and, on a SASL broker, the test kit's
     * admin credentials.
     */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (sasl) {
            p.put("security.protocol", "SASL_PLAINTEXT");
            p.put("sasl.mechanism", "PLAIN");
            p.put(
                    "sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required"
                            + " username=\""
                            + JaasUtils.KAFKA_PLAIN_ADMIN
                            + "\" password=\""
                            + JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD
                            + "\";");
        }
        return p;
    }

    /** Creates topics with the given partition counts, replication factor 1. */
    public void createTopics(Map<String, Integer> partitions) throws Exception {
        Properties p = clientProperties();
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> topics = new ArrayList<>();
            partitions.forEach((name, n) -> topics.add(new NewTopic(name, n, (short) 1)));
            admin.createTopics(topics).all().get();
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
