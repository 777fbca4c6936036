package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.ml.ModelMessages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers of the rules and models topics: tenant isolation by record key, tombstones of the
 * compacted topics, and what they leave to the decision stage to reject and count.
 */
class BroadcastDeserializersTest {

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

        @Test
        void aRuleSetUnderItsTenantsKeyIsPassedOn() throws Exception {
            assertThat(read(d, "t1", RulesHotReloadITCase.V1))
                    .containsExactly(RulesHotReloadITCase.V1);
        }

        @Test
        void aRuleSetUnderAnotherTenantsKeyIsDropped() throws Exception {
            assertThat(read(d, "t2", RulesHotReloadITCase.V100_WRONG_KEY)).isEmpty();
            assertThat(read(d, null, RulesHotReloadITCase.V1)).as("no key").isEmpty();
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

        @TempDir Path tmp;

        /** A real model message, of the models every tenant without its own gets. */
        String purchase() throws Exception {
            ScoresOracle.writeModels(tmp);
            return ModelMessages.readDirectory(tmp).stream()
                    .filter(m -> m.contains("\"purchase\""))
                    .findFirst()
                    .orElseThrow();
        }

        @Test
        void aModelUnderItsTenantAndNameIsPassedOn() throws Exception {
            String m = purchase();

            assertThat(read(d, "*/purchase", m)).containsExactly(m);
        }

        @Test
        void aModelUnderAnotherKeyIsDropped() throws Exception {
            String m = purchase();

            assertThat(read(d, "t1/purchase", m)).as("another tenant").isEmpty();
            assertThat(read(d, "*/churn", m)).as("another model").isEmpty();
            assertThat(read(d, null, m)).as("no key").isEmpty();
        }

        @Test
        void aTombstoneIsNoModel() throws Exception {
            assertThat(read(d, "*/purchase", null)).isEmpty();
        }

        @Test
        void aRecordThatIsNoModelMessageIsDropped() throws Exception {
            assertThat(read(d, "*/purchase", "hello")).isEmpty();
            assertThat(read(d, "*/purchase", RulesHotReloadITCase.V1)).isEmpty();
        }

        @Test
        void aBrokenModelMessageIsLeftToTheDecisionStage() throws Exception {
            // a model message whose data is not base64: rejected and counted where models are
            String broken =
                    purchase().replaceFirst("\"data\":\"[^\"]*\"", "\"data\":\"not base64!\"");
            assertThat(ModelMessages.isModel(broken)).isTrue();

            assertThat(read(d, "*/purchase", broken)).containsExactly(broken);
        }
    }
}
