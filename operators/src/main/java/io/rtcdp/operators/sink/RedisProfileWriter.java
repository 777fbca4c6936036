package io.rtcdp.operators.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.rtcdp.operators.sink.ProfileUpdateBuffer.PendingProfile;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.RedisKeys;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Buffers coalesced profile updates and writes them in one pipeline per flush: the write logic of
 * both {@link RedisProfileSink} (as its {@link SinkWriter}) and {@link RedisWriteOperator}. See the
 * sink's javadoc for the guarantees.
 *
 * <p><b>Failures</b> are judged per command by {@link RedisFailure}. A command that Redis refused
 * for good ({@code WRONGTYPE}, {@code NOPERM}, {@code OOM}, {@code READONLY}, other error replies)
 * is not retried: it becomes a {@link RejectedWrite}, counted in {@code redisWritesRejected} (group
 * {@code reason}), logged (rate-limited, key and reason only) and handed to the listener. Commands
 * that failed transiently (connection, timeout, {@code LOADING}, {@code MOVED}, {@code BUSY}, …)
 * are sent again, alone, with backoff, until Redis has answered each of them; the task thread
 * blocks meanwhile, so backpressure stops the job rather than drop a write.
 *
 * <p><b>No half states.</b> A profile deleted and written again within one flush is one script that
 * deletes the hash and writes it (atomic in Redis): both happen or, refused, neither. A delete that
 * Redis refused is remembered (the last {@value #UNDELETED_REMEMBERED} keys, in memory): a later
 * write of that profile deletes the hash first, so it never lands on the fields of the profile that
 * was meant to be gone. Other refused writes leave the key as it was; see {@link RedisProfileSink}
 * for how such a key is repaired.
 *
 * <p><b>Known versions.</b> The script reads the hash's {@code ver} to keep it monotonic. Once this
 * writer has written a hash (the script returns the {@code ver} it set), it knows that {@code ver}:
 * only this job writes profile hashes, and only the subtask of the profile's key. So a later write
 * of that hash that removes no field is one {@code HSET} of {@code ver} = {@code max(update's ver,
 * known + 1)}, {@code updated_at} and the fields (atomic by itself, about half of Redis's CPU of
 * the script); a write that removes fields or deletes the hash, and the first write of a hash after
 * the writer starts (a restart, a restore, a rescale), go through the script. The known versions
 * are of the last {@value #KNOWN_VERSIONS} hashes at most (the map starts over when full); a delete
 * or a refused write forgets the hash's.
 *
 * <p>Everything runs in the task thread: {@code write}, {@code flush} and the flush timer (Flink
 * runs processing-time callbacks in the mailbox). Only the metric gauges are read from elsewhere.
 */
final class RedisProfileWriter implements SinkWriter<ProfileUpdate> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisProfileWriter.class);

    /**
     * KEYS[1] the profile hash; ARGV[1] the update's ver, ARGV[2] wall-clock ms, ARGV[3] {@code 1}
     * to delete the hash first, ARGV[4] the number n of fields to remove, ARGV[5..4+n] those
     * fields, then field/value pairs to set. Reading and writing {@code ver} in one script is what
     * keeps it monotonic: no other client can write the hash in between. {@code %d} because Redis
     * would print a large Lua number in exponent form. The delete is in the script so that a delete
     * and the write after it are applied together or not at all. Returns the {@code ver} it set (an
     * integer reply: Redis truncates a Lua number, exact up to 2^53).
     */
    static final String SCRIPT =
            "if ARGV[3] == '1' then redis.call('DEL', KEYS[1]) end\n"
                    + "local stored = tonumber(redis.call('HGET', KEYS[1], 'ver')) or 0\n"
                    + "local ver = tonumber(ARGV[1])\n"
                    + "if ver <= stored then ver = stored + 1 end\n"
                    + "local n = tonumber(ARGV[4])\n"
                    + "if n > 0 then redis.call('HDEL', KEYS[1], unpack(ARGV, 5, 4 + n)) end\n"
                    + "redis.call('HSET', KEYS[1], 'ver', string.format('%d', ver),"
                    + " 'updated_at', ARGV[2], unpack(ARGV, 5 + n))\n"
                    + "return ver\n";

    /** Alias keys of merged-away profiles live 30 days (docs/contract.md §3.1). */
    static final long ALIAS_TTL_SECONDS = 30L * 24 * 3600;

    private static final redis.clients.jedis.params.SetParams ALIAS_TTL =
            new redis.clients.jedis.params.SetParams().ex(ALIAS_TTL_SECONDS);

    /** Metric group key of {@value #REJECTED_METRIC}; Prometheus shows it as a label. */
    static final String REASON = "reason";

    /** Counter of rejected writes, one per {@link #REASON}. */
    static final String REJECTED_METRIC = "redisWritesRejected";

    /** At most this many hashes' {@code ver} are known (see the class javadoc). */
    static final int KNOWN_VERSIONS = 100_000;

    /** How many profile keys whose delete Redis refused are remembered. */
    static final int UNDELETED_REMEMBERED = 10_000;

    private static final String[] SMALL_COUNTS = new String[64];

    private static final JsonFactory JSON = new JsonFactory();

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
    private final Consumer<RejectedWrite> rejectedWrites;

    private final Counter profileWrites;
    private final Counter idWrites;
    private final Counter segmentWrites;
    private final Counter retries;
    private final Counter recordsSend;

    /** Whether Redis's listpack limit was looked at (after the first flush). */
    private boolean listpackChecked;

    private final Map<RedisFailure, Counter> rejected = new EnumMap<>(RedisFailure.class);
    private final RedisWriteMetrics latency;
    private volatile long lastFlushMillis;

    private final RejectionLog rejectionLog = new RejectionLog();

    /** The {@code ver} Redis holds for a hash this writer wrote (see the class javadoc). */
    private final com.carrotsearch.hppc.ObjectLongHashMap<String> knownVersions =
            new com.carrotsearch.hppc.ObjectLongHashMap<>();

    /** Profile keys whose delete Redis refused, oldest first: their next write deletes first. */
    private final LinkedHashSet<String> undeleted = new LinkedHashSet<>();

    /** SHA-1 of {@link #SCRIPT} as Redis returned it; null until loaded or after NOSCRIPT. */
    private String scriptSha;

    private boolean timerPending;
    private boolean closed;
    private boolean evalWarned;

    /**
     * @param metrics the group of the writer's metrics
     * @param recordsSend counts every Redis write that reached Redis (Flink's {@code
     *     numRecordsSend} of a sink)
     * @param rejectedWrites gets each write Redis refused for good, in the task thread, during a
     *     flush
     */
    RedisProfileWriter(
            UnifiedJedis client,
            String endpoint,
            RedisKeys keys,
            long flushIntervalMillis,
            int maxBufferedProfiles,
            long initialBackoffMillis,
            long maxBackoffMillis,
            ProcessingTimeService timeService,
            MetricGroup metrics,
            Counter recordsSend,
            Consumer<RejectedWrite> rejectedWrites) {
        this.client = client;
        this.endpoint = endpoint;
        this.timeService = timeService;
        this.flushIntervalMillis = flushIntervalMillis;
        this.maxBufferedProfiles = maxBufferedProfiles;
        this.initialBackoffMillis = initialBackoffMillis;
        this.maxBackoffMillis = maxBackoffMillis;
        this.buffer = new ProfileUpdateBuffer(keys);
        this.rejectedWrites = rejectedWrites;
        this.profileWrites = metrics.counter("redisProfileWrites");
        this.idWrites = metrics.counter("redisIdWrites");
        this.segmentWrites = metrics.counter("redisSegmentWrites");
        this.retries = metrics.counter("redisRetries");
        this.recordsSend = recordsSend;
        // registered up front, so that a reason that never occurred reads 0 rather than absent
        for (RedisFailure reason : RedisFailure.REJECTIONS) {
            rejected.put(
                    reason, metrics.addGroup(REASON, reason.reason()).counter(REJECTED_METRIC));
        }
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
     * update received so far is in Redis or was rejected (and handed to the listener), so the
     * checkpoint covers it (at-least-once).
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

    /**
     * Writes the buffer, retrying the commands that failed transiently until Redis has answered
     * every one, then empties it.
     */
    private void flushBuffer() throws InterruptedException {
        if (buffer.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        long backoff = initialBackoffMillis;
        boolean reloadedScript = false;
        List<Op> pending = plan();
        for (int attempt = 1; ; attempt++) {
            RuntimeException failure = send(pending);
            List<Op> again = new ArrayList<>(0);
            boolean onlyNoScript = failure == null;
            for (Op op : pending) {
                Throwable error = op.error(failure);
                if (error == null) {
                    written(op);
                    continue;
                }
                RedisFailure kind =
                        op.reply != null ? RedisFailure.of(error) : RedisFailure.notAReply(error);
                if (!kind.retried()) {
                    reject(op, kind, error);
                    continue;
                }
                if (kind == RedisFailure.NOSCRIPT) {
                    // Redis restarted or its script cache was flushed: load it again
                    scriptSha = null;
                } else {
                    onlyNoScript = false;
                }
                if (failure == null) {
                    failure = error instanceof RuntimeException r ? r : new JedisException(error);
                }
                again.add(op);
            }
            if (again.isEmpty()) {
                break;
            }
            retries.inc();
            // A cluster re-reads its slot map, so the retry follows MOVED, failover, resharding.
            RedisClients.afterFailure(client);
            pending = again;
            if (onlyNoScript && !reloadedScript) {
                // Expected after a Redis restart: retry at once; the writes are idempotent.
                reloadedScript = true;
                LOG.info("Redis {} lost the profile write script, loading it again", endpoint);
                continue;
            }
            // Only the cause is logged, never the batch: field values may be personal data.
            LOG.warn(
                    "Writing to Redis {} failed for {} of its commands (attempt {}), retrying them"
                            + " in {} ms: {}{}",
                    endpoint,
                    again.size(),
                    attempt,
                    backoff,
                    describe(failure),
                    RedisFailure.of(failure) == RedisFailure.AUTH
                            ? " (check the user and password of the Redis URL)"
                            : "");
            // Blocking the task thread is the point: backpressure stops the pipeline instead of
            // dropping writes. Cancelling the task interrupts the sleep.
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, maxBackoffMillis);
        }
        buffer.clear();
        if (!listpackChecked) {
            listpackChecked = true;
            warnIfListpackLimitLow();
        }
        long took = System.nanoTime() - started;
        lastFlushMillis = took / 1_000_000;
        latency.flushed(took);
    }

    /**
     * The {@code hash-max-listpack-value} that keeps profile hashes compact with long values
     * ({@code rec.next}, {@code merges}, {@code ids}, {@code tags}): docs/operations.md.
     */
    static final int RECOMMENDED_LISTPACK_VALUE = 512;

    /** Whether a TaskManager said so already: one line per process, not per subtask. */
    private static final java.util.concurrent.atomic.AtomicBoolean LISTPACK_WARNED =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Once Redis has taken a first write: a WARN when its hash values leave the listpack encoding
     * at fewer bytes than {@link #RECOMMENDED_LISTPACK_VALUE} (Redis's default is 64).
     */
    private void warnIfListpackLimitLow() {
        java.util.OptionalInt limit = RedisClients.hashListpackValueLimit(client);
        if (limit.isPresent()
                && limit.getAsInt() < RECOMMENDED_LISTPACK_VALUE
                && LISTPACK_WARNED.compareAndSet(false, true)) {
            LOG.warn(
                    "Redis {} has hash-max-listpack-value {}: a profile hash with a longer value"
                            + " (rec.next, merges, ids, tags) moves to the hashtable encoding for"
                            + " good and takes 2.3 to 3.3 times the memory; set it to {} (redis.conf,"
                            + " or CONFIG SET hash-max-listpack-value {}; docs/operations.md)",
                    endpoint,
                    limit.getAsInt(),
                    RECOMMENDED_LISTPACK_VALUE,
                    RECOMMENDED_LISTPACK_VALUE);
        }
    }

    /** The commands of the buffer, in the order they are sent. */
    private List<Op> plan() {
        List<Op> ops =
                new ArrayList<>(
                        buffer.profileCount()
                                + buffer.idCount()
                                + buffer.aliasWrites().size()
                                + 2 * buffer.segmentWrites().size());
        for (PendingProfile p : buffer.profiles()) {
            // a refused delete still stands between the hash and this write
            boolean delete = p.deleteFirst() || (p.write() && undeleted.contains(p.key()));
            Op op = new Op(Op.PROFILE, p.key(), p, delete, null, null);
            if (!delete && p.write() && !removesFields(p)) {
                long known = knownVersions.getOrDefault(p.key(), -1L);
                if (known >= 0) {
                    op.setVer = Math.max(p.ver(), known + 1);
                }
            }
            ops.add(op);
        }
        for (Map.Entry<String, String> alias : buffer.aliasWrites()) {
            ops.add(new Op(Op.ALIAS, alias.getKey(), null, false, alias.getValue(), null));
        }
        for (Map.Entry<String, String> id : buffer.idWrites()) {
            ops.add(new Op(Op.ID, id.getKey(), null, false, id.getValue(), null));
        }
        for (var segment : buffer.segmentWrites()) {
            Map<String, Boolean> members = segment.getValue();
            List<String> added = new ArrayList<>(members.size());
            List<String> removed = new ArrayList<>(0);
            for (Map.Entry<String, Boolean> m : members.entrySet()) {
                (m.getValue() ? added : removed).add(m.getKey());
            }
            // One SADD of the members added and one SREM of those removed; both idempotent.
            if (!added.isEmpty()) {
                ops.add(
                        new Op(
                                Op.SEGMENT_ADD,
                                segment.getKey(),
                                null,
                                false,
                                null,
                                added.toArray(new String[0])));
            }
            if (!removed.isEmpty()) {
                ops.add(
                        new Op(
                                Op.SEGMENT_REMOVE,
                                segment.getKey(),
                                null,
                                false,
                                null,
                                removed.toArray(new String[0])));
            }
        }
        return ops;
    }

    /**
     * Sends the commands in one pipeline; each {@link Op} keeps its reply.
     *
     * @return the failure outside the replies (no connection, a broken pipeline), else null
     */
    private RuntimeException send(List<Op> ops) {
        for (Op op : ops) {
            op.reply = null;
        }
        String sha = scriptSha;
        if (sha == null) {
            try {
                sha = RedisClients.loadScript(client, SCRIPT);
                scriptSha = sha;
            } catch (JedisException e) {
                if (RedisFailure.of(e).retried()) {
                    return e;
                }
                // SCRIPT LOAD refused (an ACL, say): send the script whole, so that Redis answers
                // each write, and try loading it again next flush
                if (!evalWarned) {
                    evalWarned = true;
                    LOG.info(
                            "Redis {} refused to load the profile write script ({}), sending it"
                                    + " with each write instead",
                            endpoint,
                            RedisFailure.firstLine(e));
                }
            }
        }
        String now = Long.toString(System.currentTimeMillis());
        // A cluster's pipeline sends each command to the master of its key's slot.
        try (AbstractPipeline pipeline = client.pipelined()) {
            for (Op op : ops) {
                op.reply = op.send(pipeline, sha, now);
            }
            pipeline.sync();
        } catch (JedisException | IllegalStateException e) {
            // The replies read before the failure stand; the others fail as not answered.
            return e;
        }
        return null;
    }

    /** Counts a command that Redis carried out. */
    private void written(Op op) {
        switch (op.kind) {
            case Op.PROFILE -> {
                int n = (op.delete ? 1 : 0) + (op.profile.write() ? 1 : 0);
                knowVersion(op);
                profileWrites.inc(n);
                recordsSend.inc(n);
                if (op.delete && !undeleted.isEmpty()) {
                    undeleted.remove(op.key);
                }
            }
            case Op.ID -> {
                idWrites.inc();
                recordsSend.inc();
            }
            case Op.SEGMENT_ADD, Op.SEGMENT_REMOVE -> segmentWrites.inc(op.members.length);
            default -> {}
        }
    }

    /** Remembers the {@code ver} a profile command that Redis carried out left in the hash. */
    private void knowVersion(Op op) {
        if (!op.profile.write()) {
            knownVersions.remove(op.key);
            return;
        }
        long ver = op.setVer >= 0 ? op.setVer : op.reply.get() instanceof Long l ? l : -1L;
        if (ver < 0) {
            knownVersions.remove(op.key);
            return;
        }
        if (knownVersions.size() >= KNOWN_VERSIONS) {
            knownVersions.clear();
        }
        knownVersions.put(op.key, ver);
    }

    /** Whether the write removes a field (then it goes through the script: HDEL and HSET). */
    private static boolean removesFields(PendingProfile p) {
        for (String field : p.unset()) {
            if (field == null || !isReserved(field)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The fields of an {@code HSET} of a hash whose {@code ver} is known: {@code ver}, {@code
     * updated_at}, then the update's fields ({@code ver} and {@code updated_at} among them left
     * out, as the script does). A view, read once by Jedis as it builds the command.
     */
    private static final class VersionedFields extends java.util.AbstractMap<String, String> {
        private final PendingProfile profile;
        private final Map<String, String> set;
        private final String ver;
        private final String now;

        VersionedFields(PendingProfile profile, long ver, String now) {
            this.profile = profile;
            this.set = profile.set();
            this.ver = Long.toString(ver);
            this.now = now;
        }

        @Override
        public java.util.Set<Map.Entry<String, String>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<String, String>> iterator() {
                    return new Iterator<>() {
                        private int head;
                        private final Iterator<Map.Entry<String, String>> fields =
                                set.entrySet().iterator();
                        private Map.Entry<String, String> next = advance();

                        private Map.Entry<String, String> advance() {
                            if (head == 0) {
                                head = 1;
                                return Map.entry(ProfileFields.VER, ver);
                            }
                            if (head == 1) {
                                head = 2;
                                return Map.entry(ProfileFields.UPDATED_AT, now);
                            }
                            while (fields.hasNext()) {
                                Map.Entry<String, String> e = fields.next();
                                if (e.getKey() == null || e.getValue() == null) {
                                    throw nullField(profile, e.getKey());
                                }
                                if (!isReserved(e.getKey())) {
                                    return e;
                                }
                            }
                            return null;
                        }

                        @Override
                        public boolean hasNext() {
                            return next != null;
                        }

                        @Override
                        public Map.Entry<String, String> next() {
                            if (next == null) {
                                throw new java.util.NoSuchElementException();
                            }
                            Map.Entry<String, String> e = next;
                            next = advance();
                            return e;
                        }
                    };
                }

                @Override
                public int size() {
                    int n = 2;
                    for (String field : set.keySet()) {
                        if (field == null || !isReserved(field)) {
                            n++;
                        }
                    }
                    return n;
                }
            };
        }
    }

    /** Gives up a command that Redis refused for good. */
    private void reject(Op op, RedisFailure reason, Throwable error) {
        RejectedWrite r =
                new RejectedWrite(
                        op.key, op.command(), reason, RedisFailure.firstLine(error), op.payload());
        rejected.get(reason).inc();
        if (op.kind == Op.PROFILE) {
            knownVersions.remove(op.key);
        }
        if (op.kind == Op.PROFILE && op.delete) {
            undeleted.remove(op.key);
            undeleted.add(op.key);
            if (undeleted.size() > UNDELETED_REMEMBERED) {
                Iterator<String> eldest = undeleted.iterator();
                eldest.next();
                eldest.remove();
            }
        }
        if (rejectionLog.shouldLog(op.key, System.currentTimeMillis())) {
            long notLogged = rejectionLog.takeNotLogged();
            // the key and Redis's reply only: field values may be personal data
            LOG.warn(
                    "Redis {} refused the {} write of {} ({}), not retried: {}{}",
                    endpoint,
                    r.command(),
                    r.key(),
                    reason.reason(),
                    r.reply(),
                    notLogged > 0
                            ? " (" + notLogged + " more rejected writes not logged since)"
                            : "");
        }
        rejectedWrites.accept(r);
    }

    /** One command of a flush: what it writes, and its reply in the current attempt. */
    private static final class Op {
        static final byte PROFILE = 0;
        static final byte ALIAS = 1;
        static final byte ID = 2;
        static final byte SEGMENT_ADD = 3;
        static final byte SEGMENT_REMOVE = 4;

        final byte kind;
        final String key;

        /** For {@link #PROFILE}: the pending write. */
        final PendingProfile profile;

        /** For {@link #PROFILE}: whether the hash is deleted (before the write, if any). */
        final boolean delete;

        /** For {@link #ID} and {@link #ALIAS}: the value to SET, or null to DEL. */
        final String value;

        /** For the segment commands: the members. */
        final String[] members;

        /**
         * For {@link #PROFILE}: the {@code ver} an {@code HSET} sets, when this writer knows the
         * hash's; -1 to write through the script.
         */
        long setVer = -1;

        Response<?> reply;

        Op(
                byte kind,
                String key,
                PendingProfile profile,
                boolean delete,
                String value,
                String[] members) {
            this.kind = kind;
            this.key = key;
            this.profile = profile;
            this.delete = delete;
            this.value = value;
            this.members = members;
        }

        Response<?> send(AbstractPipeline pipeline, String sha, String now) {
            return switch (kind) {
                case PROFILE -> {
                    if (!profile.write()) {
                        yield pipeline.del(key);
                    }
                    if (setVer >= 0) {
                        yield pipeline.hset(key, new VersionedFields(profile, setVer, now));
                    }
                    String[] args = scriptArgs(profile, delete, now);
                    yield sha != null
                            ? pipeline.evalsha(sha, 1, args)
                            : pipeline.eval(SCRIPT, 1, args);
                }
                case ALIAS ->
                        value == null ? pipeline.del(key) : pipeline.set(key, value, ALIAS_TTL);
                case ID -> value == null ? pipeline.del(key) : pipeline.set(key, value);
                case SEGMENT_ADD -> pipeline.sadd(key, members);
                default -> pipeline.srem(key, members);
            };
        }

        /**
         * The failure of this command in the current attempt, or null if Redis carried it out.
         *
         * @param outside the failure outside the replies, if any
         */
        Throwable error(RuntimeException outside) {
            if (reply == null) {
                // never sent: no connection, or the script could not be loaded
                return outside != null ? outside : new JedisException("not sent");
            }
            try {
                reply.get();
                return null;
            } catch (JedisException | IllegalStateException e) {
                // IllegalStateException: a reply never read, the connection broke first
                return e;
            }
        }

        String command() {
            return switch (kind) {
                case PROFILE -> "profile";
                case ALIAS -> "alias";
                case ID -> "id";
                default -> "segment";
            };
        }

        /** The write as compact JSON, for its dead letter. */
        String payload() {
            StringWriter out = new StringWriter(128);
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("key", key);
                g.writeStringField("command", command());
                switch (kind) {
                    case PROFILE -> {
                        if (delete) {
                            g.writeBooleanField("del", true);
                        }
                        if (profile.write()) {
                            g.writeArrayFieldStart("unset");
                            for (String f : profile.unset()) {
                                if (f != null && !isReserved(f)) {
                                    g.writeString(f);
                                }
                            }
                            g.writeEndArray();
                            g.writeObjectFieldStart("set");
                            for (Map.Entry<String, String> e : profile.set().entrySet()) {
                                if (e.getKey() != null && !isReserved(e.getKey())) {
                                    g.writeStringField(e.getKey(), e.getValue());
                                }
                            }
                            g.writeEndObject();
                        }
                    }
                    case ALIAS, ID -> {
                        if (value == null) {
                            g.writeBooleanField("del", true);
                        } else {
                            g.writeStringField("set", value);
                            if (kind == ALIAS) {
                                g.writeNumberField("ttl_seconds", ALIAS_TTL_SECONDS);
                            }
                        }
                    }
                    default -> {
                        g.writeArrayFieldStart(kind == SEGMENT_ADD ? "add" : "remove");
                        for (String m : members) {
                            g.writeString(m);
                        }
                        g.writeEndArray();
                    }
                }
                g.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toString();
        }
    }

    /**
     * {@code [key, ver, now, delete, n, unset × n, (field, value) × m]}, as {@link #SCRIPT} reads
     * them.
     */
    private static String[] scriptArgs(PendingProfile p, boolean delete, String now) {
        Collection<String> unset = p.unset();
        Map<String, String> set = p.set();
        String[] args = new String[5 + unset.size() + 2 * set.size()];
        args[0] = p.key();
        args[1] = Long.toString(p.ver());
        args[2] = now;
        args[3] = delete ? "1" : "0";
        int i = 5;
        for (String field : unset) {
            if (field == null) {
                throw nullField(p, null);
            }
            if (!isReserved(field)) {
                args[i++] = field;
            }
        }
        int removed = i - 5;
        args[4] = removed < SMALL_COUNTS.length ? SMALL_COUNTS[removed] : Integer.toString(removed);
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
