package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.ml.ModelMessages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers of the rules and models topics: tenant isolation by record key, each topic only its
 * kind, models for every tenant only from the start-up directory, tombstones of the compacted
 * topics, the refusals counted by reason, and what they leave to the decision stage to reject and
 * count.
 */
class BroadcastDeserializersTest {

    /** The counters a deserializer registered, by {@code <label value>/<name>}. */
    static Map<String, Counter> open(KafkaRecordDeserializationSchema<?> d) throws Exception {
        Map<String, Counter> counters = new TreeMap<>();
        MetricGroup root =
                new UnregisteredMetricsGroup() {
                    @Override
                    public MetricGroup addGroup(String key, String value) {
                        return new UnregisteredMetricsGroup() {
                            @Override
                            public Counter counter(String name) {
                                return counters.computeIfAbsent(
                                        value + "/" + name, n -> new SimpleCounter());
                            }
                        };
                    }
                };
        d.open(
                new DeserializationSchema.InitializationContext() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return root;
                    }

                    @Override
                    public UserCodeClassLoader getUserCodeClassLoader() {
                        return SimpleUserCodeClassLoader.create(
                                BroadcastDeserializersTest.class.getClassLoader());
                    }
                });
        return counters;
    }

    static Map<String, Long> counts(Map<String, Counter> counters) {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, c) -> m.put(k, c.getCount()));
        return m;
    }

    /** The texts {@code d} passes on for a record of {@code key} and {@code value}. */
    static List<String> read(KafkaRecordDeserializationSchema<String> d, String key, String value)
            throws Exception {
        List<String> out = new ArrayList<>();
        d.deserialize(
                new ConsumerRecord<>("topic", 0, 7L, bytes(key), bytes(value)),
                new ListCollector<>(out));
        return out;
    }

    static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    @Nested
    class RuleSets {
        final RuleSetDeserializer d = new RuleSetDeserializer();
        Map<String, Counter> counters;

        @TempDir Path tmp;

        @BeforeEach
        void open() throws Exception {
            counters = BroadcastDeserializersTest.open(d);
        }

        @Test
        void everyReasonIsCountedFromTheStart() {
            assertThat(counts(counters))
                    .containsOnlyKeys(
                            "wrong_key/controlRecordsRejected",
                            "wrong_topic/controlRecordsRejected",
                            "any_tenant/controlRecordsRejected")
                    .allSatisfy((k, v) -> assertThat(v).isZero());
        }

        @Test
        void aModelOnTheRulesTopicIsRefusedAndCounted() throws Exception {
            ScoresOracle.writeModels(tmp);
            for (String m : ModelMessages.readDirectory(tmp)) {
                String tenant = ModelMessages.encode("t1", ModelMessages.decode(m).model());
                assertThat(read(d, "t1", tenant)).isEmpty();
                assertThat(read(d, "t1", m)).isEmpty();
            }
            assertThat(counts(counters)).containsEntry("wrong_topic/controlRecordsRejected", 4L);
        }

        @Test
        void aRuleSetUnderItsTenantsKeyIsPassedOn() throws Exception {
            assertThat(read(d, "t1", RulesHotReloadITCase.V1))
                    .containsExactly(RulesHotReloadITCase.V1);
        }

        @Test
        void aRuleSetUnderAnotherTenantsKeyIsDropped() throws Exception {
            assertThat(read(d, "t2", RulesHotReloadITCase.V100_WRONG_KEY)).isEmpty();
            assertThat(read(d, null, RulesHotReloadITCase.V1)).as("no key").isEmpty();
            assertThat(counts(counters)).containsEntry("wrong_key/controlRecordsRejected", 2L);
        }

        @Test
        void aTombstoneIsNoRuleSet() throws Exception {
            assertThat(read(d, "t1", null)).isEmpty();
        }

        @Test
        void textThatIsNoRuleSetIsLeftToTheDecisionStage() throws Exception {
            // it names no tenant to check the key against; the decision stage rejects and counts it
            assertThat(read(d, "t1", "not: [yaml")).containsExactly("not: [yaml");
        }

        @Test
        void producesText() {
            assertThat(d.getProducedType()).isEqualTo(Types.STRING);
        }
    }

    @Nested
    class Models {
        final ModelRecordDeserializer d = new ModelRecordDeserializer();
        Map<String, Counter> counters;

        @TempDir Path tmp;

        @BeforeEach
        void open() throws Exception {
            counters = BroadcastDeserializersTest.open(d);
        }

        /** A real model message, of the models every tenant without its own gets. */
        String anyTenantsPurchase() throws Exception {
            ScoresOracle.writeModels(tmp);
            return ModelMessages.readDirectory(tmp).stream()
                    .filter(m -> m.contains("\"purchase\""))
                    .findFirst()
                    .orElseThrow();
        }

        /** The same model as tenant t1's own. */
        String purchase() throws Exception {
            return ModelMessages.encode("t1", ModelMessages.decode(anyTenantsPurchase()).model());
        }

        @Test
        void aModelUnderItsTenantAndNameIsPassedOn() throws Exception {
            String m = purchase();

            assertThat(read(d, "t1/purchase", m)).containsExactly(m);
            assertThat(counts(counters)).allSatisfy((k, v) -> assertThat(v).isZero());
        }

        @Test
        void aModelUnderAnotherKeyIsDropped() throws Exception {
            String m = purchase();

            assertThat(read(d, "t2/purchase", m)).as("another tenant").isEmpty();
            assertThat(read(d, "t1/churn", m)).as("another model").isEmpty();
            assertThat(read(d, null, m)).as("no key").isEmpty();
            assertThat(counts(counters)).containsEntry("wrong_key/controlRecordsRejected", 3L);
        }

        @Test
        void aModelForEveryTenantComesOnlyFromTheStartUpDirectory() throws Exception {
            String m = anyTenantsPurchase();

            assertThat(read(d, "*/purchase", m)).isEmpty();
            assertThat(counts(counters)).containsEntry("any_tenant/controlRecordsRejected", 1L);
        }

        @Test
        void aTombstoneIsNoModel() throws Exception {
            assertThat(read(d, "t1/purchase", null)).isEmpty();
            assertThat(counts(counters)).allSatisfy((k, v) -> assertThat(v).isZero());
        }

        @Test
        void aRecordThatIsNoModelMessageIsDropped() throws Exception {
            assertThat(read(d, "t1/purchase", "hello")).isEmpty();
            assertThat(read(d, "t1", RulesHotReloadITCase.V1)).as("a rule set").isEmpty();
            assertThat(counts(counters)).containsEntry("wrong_topic/controlRecordsRejected", 2L);
        }

        @Test
        void aBrokenModelMessageIsLeftToTheDecisionStage() throws Exception {
            // a model message whose data is not base64: rejected and counted where models are
            String broken =
                    purchase().replaceFirst("\"data\":\"[^\"]*\"", "\"data\":\"not base64!\"");
            assertThat(ModelMessages.isModel(broken)).isTrue();

            assertThat(read(d, "t1/purchase", broken)).containsExactly(broken);
        }
    }
}
