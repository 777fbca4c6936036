package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.profile.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poison corpus ({@link PoisonCorpus}) streamed through Kafka into the streaming job: the job
 * keeps running (restarts are off, so a failure would fail it), every poison record reaches the DLQ
 * topic with its code and a size Kafka takes, every profile of the other tenants equals an SQL
 * computation over their events at its {@code as_of} and stands at or before its tenant's own last
 * event time, whatever Mallory's live events did to the shared watermark.
 */
class PoisonKafkaITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @RegisterExtension
    static final KafkaExtension KAFKA = RtcdpTopics.kafka().topic("rtcdp.events", 4);

    @TempDir static Path tmp;

    @Test
    void poisonStopsNothingInTheStreamingJob() throws Exception {
        PoisonCorpus corpus = new PoisonCorpus();
        List<byte[]> mixed = corpus.mixed(23);
        KAFKA.sendSpreadBytes("rtcdp.events", mixed);
        // Mallory's live events on every partition: the shared watermark goes ahead of everyone
        List<byte[]> live = new ArrayList<>();
        for (String s : corpus.live) {
            live.add(s.getBytes(StandardCharsets.UTF_8));
        }
        KAFKA.sendSpreadBytes("rtcdp.events", live);

        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(ParserConfig.builder().clock(() -> PoisonCorpus.NOW).build())
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .build();
        JobClient job = FlinkTestCluster.startStreaming(cfg, "poison-kafka-it");
        try {
            RedisKeys keys = new RedisKeys("rtcdp");
            var redis = REDIS.client();
            Map<String, String> oneidOf = new HashMap<>();
            record Progress(int profilesComplete, String m1EventsTotal) {}
            Await.until(
                    "all "
                            + corpus.validPerUser.size()
                            + " profiles complete and mallory/m1 at 2000 events",
                    Duration.ofMinutes(4),
                    () -> {
                        assertThat(job.getJobStatus().get())
                                .isNotIn(
                                        JobStatus.FAILING,
                                        JobStatus.FAILED,
                                        JobStatus.RESTARTING,
                                        JobStatus.CANCELLING,
                                        JobStatus.CANCELED);
                        int done = 0;
                        for (var e : corpus.validPerUser.entrySet()) {
                            String[] tu = e.getKey().split("/");
                            String oneid = redis.get(keys.id(tu[0], "user_id", tu[1]));
                            String total =
                                    oneid == null
                                            ? null
                                            : redis.hget(
                                                    keys.profile(tu[0], oneid), "f.events_total");
                            if (total != null && Long.parseLong(total) >= e.getValue()) {
                                oneidOf.put(e.getKey(), oneid);
                                done++;
                            }
                        }
                        String m1 = redis.get(keys.id("mallory", "user_id", "m1"));
                        String m1Total =
                                m1 == null
                                        ? null
                                        : redis.hget(keys.profile("mallory", m1), "f.events_total");
                        return new Progress(done, m1Total);
                    },
                    p ->
                            p.profilesComplete() == corpus.validPerUser.size()
                                    && "2000".equals(p.m1EventsTotal()));

            // the DLQ topic: every poison record with its code, nothing else
            Map<String, String> codeByName =
                    readDlq(corpus, System.nanoTime() + Duration.ofMinutes(1).toNanos());
            Map<String, String> expected = new TreeMap<>();
            for (PoisonCorpus.Poison p : corpus.poison) {
                expected.put(p.name(), p.code());
            }
            assertThat(codeByName).isEqualTo(expected);

            // alpha and gamma: exact at their as_of, never past their own last event
            StringBuilder rows = new StringBuilder();
            Map<String, Long> maxTs = new HashMap<>();
            for (String s : corpus.valid) {
                JsonNode n = PoisonCorpus.JSON.readTree(s);
                String tenant = n.get("tenant").asText();
                rows.append(
                        SqlFeatureOracle.eventRow(
                                tenant + "/" + n.get("ids").get("user_id").asText(), n));
                maxTs.merge(tenant, n.get("ts").asLong(), Math::max);
            }
            Files.writeString(tmp.resolve("ev.csv"), rows.toString(), StandardCharsets.UTF_8);
            Map<String, Map<String, String>> actual = new HashMap<>();
            Map<String, Long> asOf = new HashMap<>();
            for (var e : oneidOf.entrySet()) {
                String tenant = e.getKey().split("/")[0];
                Map<String, String> h = redis.hgetAll(keys.profile(tenant, e.getValue()));
                actual.put(e.getKey(), h);
                long a = Long.parseLong(h.get("as_of"));
                assertThat(a).as(e.getKey()).isLessThanOrEqualTo(maxTs.get(tenant));
                asOf.put(e.getKey(), a);
            }
            String load = SqlFeatureOracle.loadEventRows(tmp.resolve("ev.csv"));
            Map<String, Map<String, String>> want = SqlFeatureOracle.compute(tmp, load, asOf);
            assertThat(want).hasSize(corpus.validPerUser.size());
            assertThat(SqlFeatureOracle.mismatches(want, actual)).isEmpty();

            // Mallory's sums held at the maximum, not wrapped round
            String m2 = redis.get(keys.id("mallory", "user_id", "m2"));
            assertThat(redis.hget(keys.profile("mallory", m2), "f.revenue_total"))
                    .isEqualTo("9223372036854.775807");
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }

    private static Map<String, String> readDlq(PoisonCorpus corpus, long deadline)
            throws Exception {
        List<byte[]> values = KAFKA.readValues("rtcdp.dlq", corpus.poison.size(), deadline);
        assertThat(values).as("dead letters").hasSize(corpus.poison.size());
        Map<String, String> out = new TreeMap<>();
        for (byte[] v : values) {
            assertThat(v.length).as("dead letter size").isLessThanOrEqualTo(8192);
            JsonNode d = PoisonCorpus.JSON.readTree(v);
            assertThat(d.get("source").asText()).startsWith("rtcdp.events/");
            String payload = d.get("payload").asText();
            String name = null;
            for (PoisonCorpus.Poison x : corpus.poison) {
                if (payload.startsWith(x.prefix())) {
                    name = x.name();
                }
            }
            assertThat(name).as("a dead letter of no poison record: %s", d).isNotNull();
            assertThat(out.put(name, d.get("error").asText())).as(name).isNull();
        }
        return out;
    }
}
