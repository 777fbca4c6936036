package io.rtcdp.operators.sink;

import io.rtcdp.operators.sink.ProfileUpdateBuffer.PendingProfile;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.RedisKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The {@link SinkWriter} of {@link RedisProfileSink}: buffers coalesced updates and writes them in
 * one pipeline per flush, retrying a failed flush until it succeeds. See the sink's javadoc for the
 * guarantees.
 *
 * <p>Everything runs in the task thread: {@code write}, {@code flush} and the flush timer (Flink
 * runs processing-time callbacks in the mailbox). Only the metric gauges are read from elsewhere.
 */
final class RedisProfileWriter implements SinkWriter<ProfileUpdate> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisProfileWriter.class);

    /**
     * KEYS[1] the profile hash; ARGV[1] the update's ver, ARGV[2] wall-clock ms, ARGV[3] the number
     * n of fields to remove, ARGV[4..3+n] those fields, then field/value pairs to set. Reading and
     * writing {@code ver} in one script is what keeps it monotonic: no other client can write the
     * hash in between. {@code %d} because Redis would print a large Lua number in exponent form.
     */
    static final String SCRIPT =
            "local stored = tonumber(redis.call('HGET', KEYS[1], 'ver')) or 0\n"
                    + "local ver = tonumber(ARGV[1])\n"
                    + "if ver <= stored then ver = stored + 1 end\n"
                    + "local n = tonumber(ARGV[3])\n"
                    + "if n > 0 then redis.call('HDEL', KEYS[1], unpack(ARGV, 4, 3 + n)) end\n"
                    + "redis.call('HSET', KEYS[1], 'ver', string.format('%d', ver),"
                    + " 'updated_at', ARGV[2], unpack(ARGV, 4 + n))\n";

    /** Alias keys of merged-away profiles live 30 days (contract: at least 30 days). */
    private static final redis.clients.jedis.params.SetParams ALIAS_TTL =
            new redis.clients.jedis.params.SetParams().ex(30L * 24 * 3600);

    private static final String[] SMALL_COUNTS = new String[64];

    static {
        for (int i = 0; i < SMALL_COUNTS.length; i++) {
            SMALL_COUNTS[i] = Integer.toString(i);
        }
    }

    /** A single Redis or a cluster, see {@link RedisClients}. */
    private final UnifiedJedis client;

    private final String endpoint;
    private final ProcessingTimeService timeService;
    private final long flushIntervalMillis;
    private final int maxBufferedProfiles;
    private final long initialBackoffMillis;
    private final long maxBackoffMillis;
    private final ProfileUpdateBuffer buffer;

    private final Counter profileWrites;
    private final Counter idWrites;
    private final Counter segmentWrites;
    private final Counter retries;
    private final Counter recordsSend;
    private final RedisWriteMetrics latency;
    private volatile long lastFlushMillis;

    /** SHA-1 of {@link #SCRIPT} as Redis returned it; null until loaded or after NOSCRIPT. */
    private String scriptSha;

    /** Whether the last {@link #send()} was answered NOSCRIPT. */
    private boolean scriptLost;

    private boolean timerPending;
    private boolean closed;

    RedisProfileWriter(
            UnifiedJedis client,
            String endpoint,
            RedisKeys keys,
            long flushIntervalMillis,
            int maxBufferedProfiles,
            long initialBackoffMillis,
            long maxBackoffMillis,
            ProcessingTimeService timeService,
            SinkWriterMetricGroup metrics) {
        this.client = client;
        this.endpoint = endpoint;
        this.timeService = timeService;
        this.flushIntervalMillis = flushIntervalMillis;
        this.maxBufferedProfiles = maxBufferedProfiles;
        this.initialBackoffMillis = initialBackoffMillis;
        this.maxBackoffMillis = maxBackoffMillis;
        this.buffer = new ProfileUpdateBuffer(keys);
        this.profileWrites = metrics.counter("redisProfileWrites");
        this.idWrites = metrics.counter("redisIdWrites");
        this.segmentWrites = metrics.counter("redisSegmentWrites");
        this.retries = metrics.counter("redisRetries");
        this.recordsSend = metrics.getNumRecordsSendCounter();
        // A racy read of the map size is fine for a gauge.
        metrics.gauge("redisBufferedProfiles", (Gauge<Integer>) buffer::profileCount);
        metrics.gauge("redisLastFlushMillis", (Gauge<Long>) () -> lastFlushMillis);
        this.latency = new RedisWriteMetrics(metrics);
    }

    @Override
    public void write(ProfileUpdate update, Context context) throws InterruptedException {
        buffer.add(update);
        latency.buffered(update);
        if (buffer.profileCount() + buffer.idCount() >= maxBufferedProfiles) {
            flushBuffer();
        } else if (!timerPending) {
            // One timer per batch rather than a periodic one: an idle writer never wakes up. A
            // batch flushed early by size leaves the timer to flush the next batch a bit early.
            timerPending = true;
            timeService.registerTimer(
                    timeService.getCurrentProcessingTime() + flushIntervalMillis, this::onTimer);
        }
    }

    private void onTimer(long time) throws InterruptedException {
        timerPending = false;
        if (!closed) {
            flushBuffer();
        }
    }

    /**
     * Called by Flink before each checkpoint barrier and at end of input: returning means every
     * update received so far is in Redis, so the checkpoint covers it (at-least-once).
     */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        flushBuffer();
    }

    @Override
    public void close() {
        closed = true;
        client.close();
    }

    /** Writes the buffer, retrying until Redis has taken all of it, then empties it. */
    private void flushBuffer() throws InterruptedException {
        if (buffer.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        long backoff = initialBackoffMillis;
        boolean reloadedScript = false;
        for (int attempt = 1; ; attempt++) {
            JedisException failure;
            try {
                failure = send();
            } catch (JedisException e) {
                failure = e;
            }
            if (failure == null) {
                break;
            }
            retries.inc();
            // A cluster re-reads its slot map, so the retry follows MOVED, failover, resharding.
            RedisClients.afterFailure(client);
            if (scriptLost && !reloadedScript) {
                // NOSCRIPT: Redis restarted or its script cache was flushed. Expected, so retry
                // at once with the script loaded again; the batch is idempotent.
                reloadedScript = true;
                LOG.info("Redis {} lost the profile write script, loading it again", endpoint);
                continue;
            }
            // Only the cause is logged, never the batch: field values may be personal data.
            LOG.warn(
                    "Writing {} profiles and {} id keys to Redis {} failed (attempt {}), retrying"
                            + " in {} ms: {}",
                    buffer.profileCount(),
                    buffer.idCount(),
                    endpoint,
                    attempt,
                    backoff,
                    describe(failure));
            // Blocking the task thread is the point: backpressure stops the pipeline instead of
            // dropping writes. Cancelling the task interrupts the sleep.
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, maxBackoffMillis);
        }
        long profiles = 0;
        for (PendingProfile p : buffer.profiles()) {
            profiles += (p.deleteFirst() ? 1 : 0) + (p.write() ? 1 : 0);
        }
        profileWrites.inc(profiles);
        idWrites.inc(buffer.idCount());
        segmentWrites.inc(buffer.segmentCount());
        recordsSend.inc(profiles + buffer.idCount());
        buffer.clear();
        long took = System.nanoTime() - started;
        lastFlushMillis = took / 1_000_000;
        latency.flushed(took);
    }

    /**
     * Sends the whole buffer in one pipeline.
     *
     * @return the first error Redis answered to a command, or null if all succeeded
     * @throws JedisException if Redis could not be reached or the connection broke
     */
    private JedisException send() {
        if (scriptSha == null) {
            scriptSha = RedisClients.loadScript(client, SCRIPT);
        }
        String sha = scriptSha;
        scriptLost = false;
        String now = Long.toString(System.currentTimeMillis());
        // A cluster's pipeline sends each command to the master of its key's slot.
        List<Response<?>> replies = new ArrayList<>();
        try (AbstractPipeline pipeline = client.pipelined()) {
            for (PendingProfile p : buffer.profiles()) {
                if (p.deleteFirst()) {
                    replies.add(pipeline.del(p.key()));
                }
                if (p.write()) {
                    replies.add(pipeline.evalsha(sha, 1, scriptArgs(p, now)));
                }
            }
            for (Map.Entry<String, String> alias : buffer.aliasWrites()) {
                if (alias.getValue() == null) {
                    replies.add(pipeline.del(alias.getKey()));
                } else {
                    replies.add(pipeline.set(alias.getKey(), alias.getValue(), ALIAS_TTL));
                }
            }
            for (Map.Entry<String, String> id : buffer.idWrites()) {
                if (id.getValue() == null) {
                    replies.add(pipeline.del(id.getKey()));
                } else {
                    replies.add(pipeline.set(id.getKey(), id.getValue()));
                }
            }
            for (var segment : buffer.segmentWrites()) {
                sendMemberships(pipeline, segment.getKey(), segment.getValue(), replies);
            }
            pipeline.sync();
        }
        JedisException first = null;
        for (Response<?> reply : replies) {
            try {
                reply.get();
            } catch (JedisException error) {
                // MOVED and ASK (a cluster resharding) arrive here too, and are retried.
                if (error instanceof JedisDataException data && isNoScript(data)) {
                    scriptSha = null;
                    scriptLost = true;
                }
                if (first == null) {
                    first = error;
                }
            }
        }
        return first;
    }

    /** One SADD of the members added and one SREM of those removed; both are idempotent. */
    private static void sendMemberships(
            AbstractPipeline pipeline,
            String setKey,
            Map<String, Boolean> members,
            List<Response<?>> replies) {
        List<String> added = new java.util.ArrayList<>(members.size());
        List<String> removed = new java.util.ArrayList<>(0);
        for (Map.Entry<String, Boolean> m : members.entrySet()) {
            (m.getValue() ? added : removed).add(m.getKey());
        }
        if (!added.isEmpty()) {
            replies.add(pipeline.sadd(setKey, added.toArray(new String[0])));
        }
        if (!removed.isEmpty()) {
            replies.add(pipeline.srem(setKey, removed.toArray(new String[0])));
        }
    }

    /** {@code [key, ver, now, n, unset × n, (field, value) × m]}, as {@link #SCRIPT} reads them. */
    private static String[] scriptArgs(PendingProfile p, String now) {
        Collection<String> unset = p.unset();
        Map<String, String> set = p.set();
        String[] args = new String[4 + unset.size() + 2 * set.size()];
        args[0] = p.key();
        args[1] = Long.toString(p.ver());
        args[2] = now;
        int i = 4;
        for (String field : unset) {
            if (field == null) {
                throw nullField(p, null);
            }
            if (!isReserved(field)) {
                args[i++] = field;
            }
        }
        int removed = i - 4;
        args[3] = removed < SMALL_COUNTS.length ? SMALL_COUNTS[removed] : Integer.toString(removed);
        for (Map.Entry<String, String> e : set.entrySet()) {
            String field = e.getKey();
            String value = e.getValue();
            if (field == null || value == null) {
                throw nullField(p, field);
            }
            if (!isReserved(field)) {
                args[i++] = field;
                args[i++] = value;
            }
        }
        return i == args.length ? args : Arrays.copyOf(args, i);
    }

    /**
     * A null field name or value can never be written (Jedis would refuse it with an error that
     * looks retryable), so it fails the job instead of stalling it. Checked here, in the one pass
     * over the fields, rather than per update on arrival.
     */
    private static IllegalArgumentException nullField(PendingProfile p, String field) {
        return new IllegalArgumentException(
                (field == null ? "Null field name" : "Null value of field '" + field + "'")
                        + " in an update of "
                        + p.key());
    }

    /**
     * {@code ver} and {@code updated_at} belong to the script; an update cannot set or remove them.
     */
    private static boolean isReserved(String field) {
        return field.equals(ProfileFields.VER) || field.equals(ProfileFields.UPDATED_AT);
    }

    private static boolean isNoScript(JedisDataException e) {
        return e instanceof JedisNoScriptException
                || (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"));
    }

    /** The exception and its causes, one line. */
    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        Throwable c = t.getCause();
        for (int depth = 0; c != null && depth < 5; depth++, c = c.getCause()) {
            sb.append(" <- ").append(c);
        }
        return sb.toString();
    }
}
