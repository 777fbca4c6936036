package io.rtcdp.operators.sink;

import io.rtcdp.udf.profile.RedisKeys;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import redis.clients.jedis.UnifiedJedis;

/**
 * Writes {@link ProfileUpdate}s to the Redis serving layer (docs/contract.md §3): the profile hash
 * {@code prefix:{t}:profile:{o}} and the id keys {@code prefix:{t}:id:{type}:{value}}.
 *
 * <pre>{@code
 * updates.sinkTo(RedisProfileSink.builder()
 *         .redisUrl("redis://127.0.0.1:6379")
 *         .build());
 * }</pre>
 *
 * <p><b>What a write does.</b> A non-delete update runs one Lua script on its profile hash that,
 * atomically, reads the stored {@code ver} (0 if absent), stores {@code max(stored + 1, update
 * ver)} and {@code updated_at} (wall-clock ms of the write), removes the {@code unset} fields and
 * sets the {@code set} fields; each of its ids gets {@code SET id-key oneid}. A delete removes the
 * hash and the id keys it names. {@code ver} and {@code updated_at} are owned by the writer: an
 * update's own fields of those names are ignored. Once the writer has written a hash, it knows its
 * {@code ver} (the script returns it), and a later write that removes no field is one {@code HSET}
 * of the same result without the read (see {@link RedisProfileWriter}).
 *
 * <p><b>{@code ver} never goes backwards.</b> Because the script derives the new {@code ver} from
 * the stored one inside Redis (or the writer from the one it wrote itself, which no one else
 * writes), every write of a profile raises it by at least one, whatever the update carries: after a
 * job restart that replays updates from the last checkpoint, after a replay of history into a live
 * Redis, or when a flush is retried. Readers can therefore use {@code ver} to tell that a profile
 * changed; it is not the count of updates (coalesced updates make one write, retried flushes make
 * more). Lua numbers are doubles, so {@code ver} is exact up to 2^53.
 *
 * <p><b>Batching.</b> Each parallel writer buffers updates coalesced per profile (see {@link
 * ProfileUpdateBuffer}) and flushes them in one Redis pipeline when {@link
 * Builder#maxBufferedProfiles(int)} profiles are pending, when {@link Builder#flushInterval}
 * elapsed since the first pending update, and in {@code flush()}, which Flink calls before every
 * checkpoint barrier and at end of input. Updates of one profile must reach the same writer in
 * order (key the stream by profile, or chain the sink to the keyed profile operator).
 *
 * <p><b>Delivery: at-least-once, idempotent.</b> A checkpoint completes only after every update
 * before its barrier is in Redis (or was rejected, below). On recovery the updates after the
 * checkpoint are written again, which leaves the same fields and id keys (only {@code ver} and
 * {@code updated_at} move on).
 *
 * <p><b>Redis failures</b> are judged per command ({@link RedisFailure}). <em>Transient</em> ones
 * (Redis down, restarting or paused, a timeout, {@code LOADING}, {@code MOVED}/{@code ASK}, {@code
 * TRYAGAIN}, {@code CLUSTERDOWN}, {@code MASTERDOWN}, {@code BUSY}, {@code NOSCRIPT}, and wrong
 * credentials, which concern the whole connection) are retried, only the commands concerned, with
 * exponential backoff from 50 ms to 5 s, forever, logging each failed attempt; meanwhile the task
 * thread is blocked, so backpressure stops the job rather than drop writes. Cancelling the job
 * interrupts the wait. An outage longer than the checkpoint timeout fails checkpoints, which fails
 * the job unless {@code execution.checkpointing.tolerable-failed-checkpoints} allows for it.
 * <em>Permanent</em> ones ({@code WRONGTYPE}, {@code NOPERM}, {@code OOM}, {@code READONLY}, any
 * other error reply) concern one command on one key: that write is not retried, the other keys are
 * written, and the write is counted, logged (key and reason, rate-limited) and, where the sink runs
 * as {@link RedisWriteOperator} (as in the rtcdp job), emitted as a dead letter {@code
 * redis_rejected} with the refused write; this plain {@code Sink} can only log and count it.
 *
 * <p>A refused write leaves its key as it was: a refused profile write misses its fields until the
 * profile's next full write (the first write of each profile after a job restart is full), a
 * refused id, alias or segment write until that key is written again. To repair, fix the cause
 * (delete the wrong-typed key, grant the ACL, free memory, point at the master), then either
 * restart the job from its latest checkpoint, or re-apply the dead letters' payloads in order. A
 * delete and a write of one profile in one flush are one atomic script, and a write after a refused
 * delete deletes the hash first (see {@link RedisProfileWriter}), so the fields of a deleted
 * profile never mix with a new one's.
 *
 * <p><b>Metrics</b> (on the writer's operator group): counters {@code redisProfileWrites} (hash
 * writes and deletes), {@code redisIdWrites} (id key SETs and DELs), {@code redisSegmentWrites}
 * (segment members added or removed), {@code redisRetries} (flush attempts that had to be retried),
 * {@code redisWritesRejected} in the group {@code reason} ({@code wrongtype}, {@code noperm},
 * {@code oom}, {@code readonly}, {@code other}), gauges {@code redisBufferedProfiles} and {@code
 * redisLastFlushMillis} (duration of the last flush, retries included), and Flink's {@code
 * numRecordsSend} (all Redis writes).
 */
public final class RedisProfileSink implements Sink<ProfileUpdate> {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(20);
    public static final int DEFAULT_MAX_BUFFERED_PROFILES = 1000;

    static final long INITIAL_BACKOFF_MILLIS = 50;
    static final long MAX_BACKOFF_MILLIS = 5000;

    private final String redisUrl;
    private final String keyPrefix;
    private final Duration flushInterval;
    private final int maxBufferedProfiles;

    private RedisProfileSink(Builder b) {
        this.redisUrl = b.redisUrl;
        this.keyPrefix = b.keyPrefix;
        this.flushInterval = b.flushInterval;
        this.maxBufferedProfiles = b.maxBufferedProfiles;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SinkWriter<ProfileUpdate> createWriter(WriterInitContext context) throws IOException {
        return createWriter(context.getProcessingTimeService(), context.metricGroup());
    }

    /**
     * The writer of a plain sink: rejected writes are only logged and counted (also used outside a
     * Flink task, by tests and benchmarks).
     */
    RedisProfileWriter createWriter(
            ProcessingTimeService timeService, SinkWriterMetricGroup metrics) {
        return createWriter(
                timeService, metrics, metrics.getNumRecordsSendCounter(), rejected -> {});
    }

    /** The writer, handing each rejected write to {@code rejectedWrites}. */
    RedisProfileWriter createWriter(
            ProcessingTimeService timeService,
            MetricGroup metrics,
            Counter recordsSend,
            Consumer<RejectedWrite> rejectedWrites) {
        // Connections are opened on first use, so a writer starts even while Redis is down and
        // its first flush waits for it.
        UnifiedJedis client = RedisClients.create(redisUrl);
        return new RedisProfileWriter(
                client,
                endpoint(redisUrl),
                new RedisKeys(keyPrefix),
                flushInterval.toMillis(),
                maxBufferedProfiles,
                INITIAL_BACKOFF_MILLIS,
                MAX_BACKOFF_MILLIS,
                timeService,
                metrics,
                recordsSend,
                rejectedWrites);
    }

    public String redisUrl() {
        return redisUrl;
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    public Duration flushInterval() {
        return flushInterval;
    }

    public int maxBufferedProfiles() {
        return maxBufferedProfiles;
    }

    @Override
    public String toString() {
        return "RedisProfileSink{"
                + endpoint(redisUrl)
                + ", prefix="
                + keyPrefix
                + ", flushInterval="
                + flushInterval
                + ", maxBufferedProfiles="
                + maxBufferedProfiles
                + '}';
    }

    /** {@code scheme://host:port/db} without credentials, for logs. */
    static String endpoint(String url) {
        return RedisClients.endpoint(url);
    }

    /** Builder of {@link RedisProfileSink}; {@link #redisUrl} is required. */
    public static final class Builder {
        private String redisUrl;
        private String keyPrefix = RedisKeys.DEFAULT_PREFIX;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private int maxBufferedProfiles = DEFAULT_MAX_BUFFERED_PROFILES;

        private Builder() {}

        /**
         * {@code redis://[user:password@]host:port[/db]}, or {@code rediss://} for TLS (with
         * hostname verification); for a Redis Cluster {@code
         * redis-cluster://[user:password@]host:port[,host:port...]} (seed nodes), see {@link
         * RedisClients}.
         */
        public Builder redisUrl(String redisUrl) {
            this.redisUrl = redisUrl;
            return this;
        }

        /** Key prefix, default {@value RedisKeys#DEFAULT_PREFIX}. */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
            return this;
        }

        /** Longest time an update waits in the buffer, default 20 ms. */
        public Builder flushInterval(Duration flushInterval) {
            this.flushInterval = flushInterval;
            return this;
        }

        /** Number of pending profiles that triggers a flush, default 1000. */
        public Builder maxBufferedProfiles(int maxBufferedProfiles) {
            this.maxBufferedProfiles = maxBufferedProfiles;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid setting
         */
        public RedisProfileSink build() {
            checkUrl(redisUrl);
            try {
                new RedisKeys(keyPrefix);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("keyPrefix: " + e.getMessage(), e);
            }
            if (flushInterval == null
                    || flushInterval.isNegative()
                    || flushInterval.toMillis() < 1) {
                throw new IllegalArgumentException(
                        "flushInterval must be at least 1 ms, got " + flushInterval);
            }
            if (maxBufferedProfiles < 1) {
                throw new IllegalArgumentException(
                        "maxBufferedProfiles must be at least 1, got " + maxBufferedProfiles);
            }
            return new RedisProfileSink(this);
        }

        private static void checkUrl(String url) {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException(
                        "redisUrl is required, e.g. redis://127.0.0.1:6379");
            }
            try {
                RedisClients.checkUrl(url);
            } catch (IllegalArgumentException e) {
                // The URL is not echoed: it may carry a password.
                String m = e.getMessage();
                throw new IllegalArgumentException(
                        m.startsWith("Redis URL ")
                                ? "redisUrl " + m.substring(10)
                                : "redisUrl: " + m,
                        e);
            }
        }
    }
}
