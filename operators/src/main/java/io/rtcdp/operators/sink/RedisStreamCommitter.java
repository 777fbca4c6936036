package io.rtcdp.operators.sink;

import io.rtcdp.udf.profile.RedisKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAddParams;

/**
 * The committer of {@link RedisStreamSink}: see there for the protocol.
 *
 * <p>Failures are judged per entry by {@link RedisFailure}: transient ones (Redis down, {@code
 * LOADING}, {@code MOVED}, …) are retried with backoff from 50 ms to 5 s until Redis answers,
 * blocking the commit; an entry Redis refuses for good (the tenant's stream key holds another type,
 * an ACL, {@code OOM}, {@code READONLY}) is skipped, counted in {@code redisStreamEntriesRejected}
 * (group {@code reason}) and logged (tenant, key and reason, rate-limited; never the entries), so
 * that one tenant's bad key does not hold up the commits of every tenant. A committer cannot emit
 * records, so skipped entries are not in the dead letters; in streaming they still reach the
 * triggers topic, which is written apart from Redis.
 */
final class RedisStreamCommitter implements Committer<StreamBatch> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStreamCommitter.class);

    /** How many later entries a refused entry is looked for among, at most. */
    static final int LOOKUP_LIMIT = 100_000;

    private static final long INITIAL_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 5000;

    /** Counter of entries Redis refused for good, one per {@code reason}. */
    static final String REJECTED_METRIC = "redisStreamEntriesRejected";

    private final UnifiedJedis client;
    private final String endpoint;
    private final RedisKeys keys;
    private final long maxLen;
    private final String idField;
    private final Counter written;
    private final Counter alreadyThere;
    private final Counter retries;
    private final Counter deleted;
    private final AuditOutput audit;
    private final org.apache.flink.metrics.Histogram forgetMillis;
    private final Map<RedisFailure, Counter> rejected = new EnumMap<>(RedisFailure.class);
    private final RejectionLog rejectionLog = new RejectionLog();

    RedisStreamCommitter(
            UnifiedJedis client,
            String endpoint,
            RedisKeys keys,
            long maxLen,
            String idField,
            MetricGroup metrics) {
        this(client, endpoint, keys, maxLen, idField, metrics, null);
    }

    RedisStreamCommitter(
            UnifiedJedis client,
            String endpoint,
            RedisKeys keys,
            long maxLen,
            String idField,
            MetricGroup metrics,
            AuditOutput audit) {
        this.audit = audit;
        this.forgetMillis =
                metrics.histogram(
                        "forgetCompletionMillis",
                        new org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram(128));
        this.client = client;
        this.endpoint = endpoint;
        this.keys = keys;
        this.maxLen = maxLen;
        this.idField = idField;
        this.written = metrics.counter("redisStreamEntriesWritten");
        this.alreadyThere = metrics.counter("redisStreamEntriesAlreadyThere");
        this.retries = metrics.counter("redisStreamRetries");
        this.deleted = metrics.counter("redisStreamEntriesDeleted");
        for (RedisFailure reason : RedisFailure.REJECTIONS) {
            rejected.put(
                    reason,
                    metrics.addGroup(RedisProfileWriter.REASON, reason.reason())
                            .counter(REJECTED_METRIC));
        }
    }

    @Override
    public void commit(Collection<CommitRequest<StreamBatch>> requests)
            throws InterruptedException {
        for (CommitRequest<StreamBatch> request : requests) {
            StreamBatch batch = request.getCommittable();
            boolean[] settled = new boolean[batch.entries().size()];
            long backoff = INITIAL_BACKOFF_MILLIS;
            for (int attempt = 1; ; attempt++) {
                RuntimeException failure = commit(batch, settled);
                if (failure == null) {
                    break;
                }
                retries.inc();
                RedisClients.afterFailure(client);
                // never the entries: they name profiles
                LOG.warn(
                        "Appending stream entries of tenant {} to Redis {} failed (attempt {}),"
                                + " retrying in {} ms: {}",
                        batch.tenant(),
                        endpoint,
                        attempt,
                        backoff,
                        failure.toString());
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    /**
     * Appends one batch, once; idempotent.
     *
     * @throws RuntimeException the first transient failure, if an entry is still to be appended
     */
    void commit(StreamBatch batch) {
        RuntimeException failure = commit(batch, new boolean[batch.entries().size()]);
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Sends the entries not yet settled and settles those Redis appended, had already, or refused
     * for good (skipped: counted and logged).
     *
     * @return the first transient failure, or null if every entry is settled
     */
    private RuntimeException commit(StreamBatch batch, boolean[] settled) {
        List<StreamBatch.Pending> entries = batch.entries();
        if (entries.isEmpty()) {
            return null;
        }
        String key = keys.triggers(batch.tenant());
        settleWithdrawn(entries, settled);
        List<Response<StreamEntryID>> replies = new ArrayList<>(entries.size());
        RuntimeException failure = null;
        try (AbstractPipeline p = client.pipelined()) {
            for (int i = 0; i < entries.size(); i++) {
                StreamBatch.Pending e = entries.get(i);
                if (settled[i] || e.entry().id().isEmpty()) {
                    replies.add(null);
                    continue;
                }
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
        } catch (JedisException | IllegalStateException e) {
            // the replies read before the failure stand; the others fail as not answered
            failure = e;
        }
        RedisFailure rejectedFor = null;
        String reply = null;
        int rejectedEntries = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (settled[i]) {
                continue;
            }
            Response<StreamEntryID> r = i < replies.size() ? replies.get(i) : null;
            try {
                if (r == null) {
                    continue; // never sent: the pipeline failed first
                }
                try {
                    r.get();
                    written.inc();
                } catch (JedisDataException error) {
                    if (!isNotAbove(error)) {
                        throw error;
                    }
                    resolveRefused(key, entries.get(i));
                }
                settled[i] = true;
            } catch (JedisException | IllegalStateException error) {
                RedisFailure f = r != null ? RedisFailure.of(error) : RedisFailure.notAReply(error);
                if (f.retried()) {
                    if (failure == null) {
                        failure = error;
                    }
                    continue;
                }
                settled[i] = true;
                rejected.get(f).inc();
                rejectedEntries++;
                if (rejectedFor == null) {
                    rejectedFor = f;
                    reply = RedisFailure.firstLine(error);
                }
            }
        }
        if (rejectedEntries > 0 && rejectionLog.shouldLog(key, System.currentTimeMillis())) {
            long notLogged = rejectionLog.takeNotLogged();
            LOG.warn(
                    "Redis {} refused {} trigger entries of tenant {} to {} ({}), skipped: {}{}."
                            + " They are not in the dead letters (a committer cannot emit); in"
                            + " streaming they are on the triggers topic.",
                    endpoint,
                    rejectedEntries,
                    batch.tenant(),
                    key,
                    rejectedFor.reason(),
                    reply,
                    notLogged > 0 ? " (" + notLogged + " more rejections not logged since)" : "");
        }
        if (failure == null) {
            failure = deleteEntries(key, entries, settled);
        }
        if (failure == null) {
            failure = writeAudits(batch.tenant(), entries, settled);
        }
        if (failure == null) {
            for (boolean done : settled) {
                if (!done) {
                    failure = new JedisException("stream entries not appended");
                    break;
                }
            }
        }
        return failure;
    }

    /**
     * Carries out the batch's deletions ({@link StreamEntry#deletion}), once every entry of the
     * batch is appended: one scan of the stream up to the last deletion, removing each entry whose
     * field has a deleted value and whose ID is below that deletion's (so a trigger of a profile
     * founded again after its forget stays). Idempotent: a retry deletes what is left.
     *
     * @return a transient failure, or null when every deletion is settled
     */
    private RuntimeException deleteEntries(
            String key, List<StreamBatch.Pending> entries, boolean[] settled) {
        Map<String, Map<String, StreamEntryID>> before = new LinkedHashMap<>();
        StreamEntryID end = null;
        for (int i = 0; i < entries.size(); i++) {
            StreamBatch.Pending p = entries.get(i);
            if (settled[i] || !p.entry().isDeletion()) {
                continue;
            }
            String[] f = p.entry().fields();
            StreamEntryID id = new StreamEntryID(p.streamId());
            before.computeIfAbsent(f[0], x -> new LinkedHashMap<>()).merge(f[1], id, max());
            end = end == null || id.compareTo(end) > 0 ? id : end;
        }
        if (end == null) {
            return null;
        }
        try {
            StreamEntryID from = new StreamEntryID(0, 0);
            while (true) {
                List<redis.clients.jedis.resps.StreamEntry> page =
                        client.xrange(key, from, end, 1000);
                List<StreamEntryID> gone = new ArrayList<>();
                for (redis.clients.jedis.resps.StreamEntry s : page) {
                    for (Map.Entry<String, Map<String, StreamEntryID>> field : before.entrySet()) {
                        String v = s.getFields().get(field.getKey());
                        StreamEntryID upTo = v == null ? null : field.getValue().get(v);
                        if (upTo != null && s.getID().compareTo(upTo) < 0) {
                            gone.add(s.getID());
                            break;
                        }
                    }
                }
                if (!gone.isEmpty()) {
                    deleted.inc(client.xdel(key, gone.toArray(new StreamEntryID[0])));
                }
                if (page.size() < 1000) {
                    break;
                }
                StreamEntryID last = page.get(page.size() - 1).getID();
                from = new StreamEntryID(last.getTime(), last.getSequence() + 1);
            }
        } catch (JedisException | IllegalStateException error) {
            RedisFailure f = RedisFailure.of(error);
            if (f.retried()) {
                return error;
            }
            rejected.get(f).inc();
            LOG.warn(
                    "Redis {} refused the deletion of forgotten profiles' entries from {} ({}): {}",
                    endpoint,
                    key,
                    f.reason(),
                    RedisFailure.firstLine(error));
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).entry().isDeletion()) {
                settled[i] = true;
            }
        }
        return null;
    }

    /**
     * Settles, unwritten, every entry that a deletion later in the batch removes: appending it
     * would be undone at once, and a retried commit would add it again after the deletion (its ID
     * no longer found in the stream).
     */
    private static void settleWithdrawn(List<StreamBatch.Pending> entries, boolean[] settled) {
        for (int j = entries.size() - 1; j >= 0; j--) {
            StreamEntry d = entries.get(j).entry();
            if (!d.isDeletion()) {
                continue;
            }
            for (int i = 0; i < j; i++) {
                StreamEntry e = entries.get(i).entry();
                if (!e.isDeletion() && has(e, d.fields()[0], d.fields()[1])) {
                    settled[i] = true;
                }
            }
        }
    }

    private static boolean has(StreamEntry e, String field, String value) {
        String[] f = e.fields();
        for (int i = 0; i + 1 < f.length; i += 2) {
            if (f[i].equals(field)) {
                return f[i + 1].equals(value);
            }
        }
        return false;
    }

    /**
     * Completes and writes the batch's forget audit records, after its appends and deletions: by
     * then every Redis delete of those forgets is done (the sinks flush before a checkpoint
     * completes, and this runs after it did).
     *
     * @return a failure to retry, or null when every audit record is written
     */
    private RuntimeException writeAudits(
            String tenant, List<StreamBatch.Pending> entries, boolean[] settled) {
        for (int i = 0; i < entries.size(); i++) {
            StreamEntry e = entries.get(i).entry();
            if (settled[i] || !e.isAudit()) {
                continue;
            }
            long appended = Long.parseLong(e.fields()[3]);
            long now = System.currentTimeMillis();
            long latency = Math.max(0, now - appended);
            if (audit != null) {
                try {
                    audit.write(
                            tenant,
                            e.fields()[1]
                                    + ",\"completed_at\":"
                                    + now
                                    + ",\"latency_ms\":"
                                    + latency
                                    + "}");
                } catch (RuntimeException failed) {
                    return failed;
                }
            }
            forgetMillis.update(latency);
            settled[i] = true;
        }
        return null;
    }

    private static java.util.function.BinaryOperator<StreamEntryID> max() {
        return (a, b) -> a.compareTo(b) >= 0 ? a : b;
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
        if (audit != null) {
            audit.close();
        }
        client.close();
    }
}
