package io.rtcdp.operators.sink;

import io.rtcdp.udf.profile.RedisKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAddParams;

/** The committer of {@link RedisStreamSink}: see there for the protocol. */
final class RedisStreamCommitter implements Committer<StreamBatch> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStreamCommitter.class);

    /** How many later entries a refused entry is looked for among, at most. */
    static final int LOOKUP_LIMIT = 100_000;

    private static final long INITIAL_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 5000;

    private final UnifiedJedis client;
    private final String endpoint;
    private final RedisKeys keys;
    private final long maxLen;
    private final String idField;
    private final Counter written;
    private final Counter alreadyThere;
    private final Counter retries;

    RedisStreamCommitter(
            UnifiedJedis client,
            String endpoint,
            RedisKeys keys,
            long maxLen,
            String idField,
            SinkCommitterMetricGroup metrics) {
        this.client = client;
        this.endpoint = endpoint;
        this.keys = keys;
        this.maxLen = maxLen;
        this.idField = idField;
        this.written = metrics.counter("redisStreamEntriesWritten");
        this.alreadyThere = metrics.counter("redisStreamEntriesAlreadyThere");
        this.retries = metrics.counter("redisStreamRetries");
    }

    @Override
    public void commit(Collection<CommitRequest<StreamBatch>> requests)
            throws InterruptedException {
        for (CommitRequest<StreamBatch> request : requests) {
            long backoff = INITIAL_BACKOFF_MILLIS;
            for (int attempt = 1; ; attempt++) {
                try {
                    commit(request.getCommittable());
                    break;
                } catch (JedisException e) {
                    retries.inc();
                    // never the entries: they name profiles
                    LOG.warn(
                            "Appending {} stream entries of tenant {} to Redis {} failed (attempt"
                                    + " {}), retrying in {} ms: {}",
                            request.getCommittable().entries().size(),
                            request.getCommittable().tenant(),
                            endpoint,
                            attempt,
                            backoff,
                            e.toString());
                    Thread.sleep(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                }
            }
        }
    }

    /** Appends one batch; idempotent. */
    void commit(StreamBatch batch) {
        if (batch.entries().isEmpty()) {
            return;
        }
        String key = keys.triggers(batch.tenant());
        List<Response<StreamEntryID>> replies = new ArrayList<>(batch.entries().size());
        try (AbstractPipeline p = client.pipelined()) {
            for (StreamBatch.Pending e : batch.entries()) {
                replies.add(
                        p.xadd(
                                key,
                                XAddParams.xAddParams()
                                        .id(e.streamId())
                                        .maxLen(maxLen)
                                        .approximateTrimming(),
                                fields(e.entry())));
            }
            p.sync();
        }
        for (int i = 0; i < replies.size(); i++) {
            try {
                replies.get(i).get();
                written.inc();
            } catch (JedisDataException error) {
                if (!isNotAbove(error)) {
                    throw error;
                }
                resolveRefused(key, batch.entries().get(i));
            }
        }
    }

    /**
     * An entry whose ID Redis refused: either it is there already (a retried commit), or the stream
     * moved past its ID without it; then it is added with an automatic ID unless found later on.
     */
    private void resolveRefused(String key, StreamBatch.Pending e) {
        String id = e.entry().id();
        StreamEntryID from = new StreamEntryID(e.streamId());
        int seen = 0;
        while (seen < LOOKUP_LIMIT) {
            List<redis.clients.jedis.resps.StreamEntry> page = client.xrange(key, from, null, 1000);
            for (redis.clients.jedis.resps.StreamEntry s : page) {
                if (id.equals(s.getFields().get(idField))) {
                    alreadyThere.inc();
                    return;
                }
            }
            seen += page.size();
            if (page.size() < 1000) {
                break;
            }
            StreamEntryID last = page.get(page.size() - 1).getID();
            from = new StreamEntryID(last.getTime(), last.getSequence() + 1);
        }
        client.xadd(
                key,
                XAddParams.xAddParams().maxLen(maxLen).approximateTrimming(),
                fields(e.entry()));
        written.inc();
    }

    private static boolean isNotAbove(JedisDataException e) {
        String m = e.getMessage();
        return m != null && m.contains("equal or smaller");
    }

    private static Map<String, String> fields(StreamEntry e) {
        String[] f = e.fields();
        Map<String, String> m = new LinkedHashMap<>(f.length);
        for (int i = 0; i + 1 < f.length; i += 2) {
            m.put(f[i], f[i + 1]);
        }
        return m;
    }

    @Override
    public void close() {
        client.close();
    }
}
