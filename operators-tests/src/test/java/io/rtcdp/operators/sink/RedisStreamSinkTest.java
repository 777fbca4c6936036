package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.profile.RedisKeys;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;

/** The triggers stream sink against a real redis-server: each entry lands exactly once. */
class RedisStreamSinkTest {
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final RedisKeys KEYS = new RedisKeys();
    private static final String STREAM = KEYS.triggers("acme");

    @BeforeEach
    void clean() {
        REDIS.flushAll();
    }

    private static RedisStreamCommitter committer() {
        return committer(
                InternalSinkCommitterMetricGroup.wrap(
                        UnregisteredMetricsGroup.createOperatorMetricGroup()));
    }

    private static RedisStreamCommitter committer(MetricGroup metrics) {
        return new RedisStreamCommitter(
                RedisClient.builder().fromURI(java.net.URI.create(REDIS.url())).build(),
                REDIS.url(),
                KEYS,
                1000,
                "trigger_id",
                metrics);
    }

    private static Committer.CommitRequest<StreamBatch> request(StreamBatch batch) {
        return new Committer.CommitRequest<>() {
            @Override
            public StreamBatch getCommittable() {
                return batch;
            }

            @Override
            public int getNumberOfRetries() {
                return 0;
            }

            @Override
            public void signalFailedWithKnownReason(Throwable t) {
                throw new AssertionError(t);
            }

            @Override
            public void signalFailedWithUnknownReason(Throwable t) {
                throw new AssertionError(t);
            }

            @Override
            public void retryLater() {
                throw new AssertionError("retryLater");
            }

            @Override
            public void updateAndRetryLater(StreamBatch committable) {
                throw new AssertionError("updateAndRetryLater");
            }

            @Override
            public void signalAlreadyCommitted() {}
        };
    }

    private static StreamEntry entry(String id) {
        return new StreamEntry("acme", id, new String[] {"trigger_id", id, "rule", "r1"});
    }

    private static List<String> idsInStream() {
        List<String> ids = new ArrayList<>();
        for (var e : REDIS.client().xrange(STREAM, (StreamEntryID) null, null)) {
            ids.add(e.getFields().get("trigger_id"));
        }
        return ids;
    }

    @Test
    void aRetriedCommitAddsNothing() throws Exception {
        RedisStreamSink.Writer writer = new RedisStreamSink.Writer();
        for (int i = 0; i < 5; i++) {
            writer.write(entry("t" + i));
        }
        List<StreamBatch> batches = new ArrayList<>(writer.prepareCommit());
        assertThat(batches).hasSize(1);
        // the committable survives a checkpoint: serialize and read it back before committing
        StreamBatch batch =
                StreamBatch.Serializer.INSTANCE.deserialize(
                        1, StreamBatch.Serializer.INSTANCE.serialize(batches.get(0)));
        try (RedisStreamCommitter c = committer()) {
            c.commit(batch);
            c.commit(batch); // the job failed after the commit and retries it
        }
        assertThat(idsInStream()).containsExactly("t0", "t1", "t2", "t3", "t4");
        assertThat(writer.prepareCommit()).isEmpty();
    }

    @Test
    void anEntryOvertakenByTheStreamIsAddedOnceWithANewId() throws Exception {
        RedisStreamSink.Writer writer = new RedisStreamSink.Writer();
        writer.write(entry("late"));
        StreamBatch batch = writer.prepareCommit().iterator().next();
        // another writer (or a clock step) put a later ID into the stream first
        REDIS.client()
                .xadd(
                        STREAM,
                        XAddParams.xAddParams().id(Long.MAX_VALUE / 2, 0),
                        java.util.Map.of("trigger_id", "other"));
        try (RedisStreamCommitter c = committer()) {
            c.commit(batch);
            c.commit(batch);
        }
        assertThat(idsInStream()).containsExactly("other", "late");
    }

    @Test
    void aTenantWhoseStreamKeyHoldsAnotherTypeDoesNotBlockTheOthers() throws Exception {
        REDIS.client().set(KEYS.triggers("broken"), "not a stream");
        RedisStreamSink.Writer writer = new RedisStreamSink.Writer();
        writer.write(new StreamEntry("broken", "b1", new String[] {"trigger_id", "b1"}));
        writer.write(new StreamEntry("broken", "b2", new String[] {"trigger_id", "b2"}));
        writer.write(entry("t1"));
        List<Committer.CommitRequest<StreamBatch>> requests = new ArrayList<>();
        for (StreamBatch b : writer.prepareCommit()) {
            requests.add(request(b));
        }
        RecordingSinkWriterMetricGroup metrics = new RecordingSinkWriterMetricGroup();
        try (RedisStreamCommitter c = committer(metrics)) {
            // returns: the refused entries are skipped, not retried forever
            c.commit(requests);
        }
        assertThat(idsInStream()).containsExactly("t1");
        assertThat(REDIS.client().get(KEYS.triggers("broken"))).isEqualTo("not a stream");
        assertThat(metrics.count("reason.wrongtype.redisStreamEntriesRejected")).isEqualTo(2);
        assertThat(metrics.count("redisStreamEntriesWritten")).isEqualTo(1);
        assertThat(metrics.count("redisStreamRetries")).isZero();
    }

    @Test
    void idsIncreasePerTenantAcrossCheckpoints() throws Exception {
        RedisStreamSink.Writer writer = new RedisStreamSink.Writer();
        List<String> streamIds = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3; i++) {
                writer.write(entry(round + "-" + i));
            }
            for (StreamBatch b : writer.prepareCommit()) {
                b.entries().forEach(p -> streamIds.add(p.streamId()));
            }
        }
        for (int i = 1; i < streamIds.size(); i++) {
            assertThat(new StreamEntryID(streamIds.get(i)))
                    .isGreaterThan(new StreamEntryID(streamIds.get(i - 1)));
        }
    }

    private static StreamEntry of(String id, String oneid) {
        return new StreamEntry(
                "acme", id, new String[] {"trigger_id", id, "oneid", oneid, "rule", "r1"});
    }

    @Test
    void aDeletionRemovesTheEntriesOfItsOneidWrittenBeforeItOnly() throws Exception {
        RedisStreamSink.Writer writer = new RedisStreamSink.Writer();
        writer.write(of("a1", "o1"));
        writer.write(of("b1", "o2"));
        try (RedisStreamCommitter c = committer()) {
            for (StreamBatch b : writer.prepareCommit()) {
                c.commit(b);
            }
            writer.write(of("a2", "o1"));
            // a forget of o1, then the profile founded again (a later event of the same id)
            writer.write(
                    RedisStreamSink.entry(
                            io.rtcdp.udf.rules.Trigger.retraction("acme", "o1", 0, 0)));
            writer.write(of("a3", "o1"));
            writer.write(of("b2", "o2"));
            List<StreamBatch> batches = new ArrayList<>(writer.prepareCommit());
            StreamBatch batch =
                    StreamBatch.Serializer.INSTANCE.deserialize(
                            1, StreamBatch.Serializer.INSTANCE.serialize(batches.get(0)));
            c.commit(batch);
            assertThat(idsInStream()).containsExactly("b1", "a3", "b2");
            // a retried commit of the batch changes nothing
            c.commit(batch);
            assertThat(idsInStream()).containsExactly("b1", "a3", "b2");
        }
    }
}
