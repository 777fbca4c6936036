package io.rtcdp.operators.sink;

import io.rtcdp.udf.profile.RedisKeys;
import io.rtcdp.udf.rules.Trigger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Appends entries to each tenant's Redis stream {@code prefix:{t}:triggers} exactly once, through
 * Flink's two-phase commit.
 *
 * <p>The writer holds the entries that arrive between two checkpoints. When a checkpoint is taken
 * it gives each entry a stream entry ID ({@code ms-seq}, increasing per tenant) and hands the batch
 * to the checkpoint; once the checkpoint completes the committer sends {@code XADD key MAXLEN ~ n
 * ID id ...} for each. A commit that is retried after a failure sends the same IDs, and Redis
 * refuses an ID that is not above the stream's last one, so an entry that got in is not added
 * again; an entry refused for that reason that is really missing (the stream moved on meanwhile,
 * e.g. a clock step) is looked up by its {@link StreamEntry#id()} among the later entries and added
 * with an automatic ID if absent. Entries become visible after the checkpoint that covers them, as
 * with Kafka's {@code read_committed}.
 *
 * <p>Key the input by tenant, so one writer gives each tenant's IDs; entries of one tenant from
 * several writers are still written once each, at the price of more look-ups.
 */
public final class RedisStreamSink implements Sink<Trigger>, SupportsCommitter<StreamBatch> {
    private static final long serialVersionUID = 1L;

    /** Default of docs/contract.md §3.1: streams are capped at about a million entries. */
    public static final long DEFAULT_MAX_LEN = 1_000_000L;

    private final String redisUrl;
    private final String keyPrefix;
    private final long maxLen;
    private final String idField;
    private AuditOutput.Factory audit;

    private RedisStreamSink(String redisUrl, String keyPrefix, long maxLen, String idField) {
        this.redisUrl = Objects.requireNonNull(redisUrl, "redisUrl");
        this.keyPrefix = keyPrefix;
        this.maxLen = maxLen;
        this.idField = idField;
        new RedisKeys(keyPrefix); // validates the prefix
        RedisClients.checkUrl(redisUrl);
    }

    /**
     * @param idField the entry field that holds {@link StreamEntry#id()} (e.g. {@code trigger_id})
     */
    public static RedisStreamSink of(
            String redisUrl, String keyPrefix, long maxLen, String idField) {
        if (maxLen < 1) {
            throw new IllegalArgumentException("stream max length must be positive: " + maxLen);
        }
        return new RedisStreamSink(redisUrl, keyPrefix, maxLen, idField);
    }

    /**
     * Where the committer writes the audit records of forgets ({@link Trigger#forgetAudit}), once
     * their Redis deletes are done; without one, audit markers are dropped.
     */
    public RedisStreamSink withAudit(AuditOutput.Factory audit) {
        this.audit = audit;
        return this;
    }

    @Override
    public CommittingSinkWriter<Trigger, StreamBatch> createWriter(WriterInitContext context) {
        return new Writer();
    }

    @Override
    public Committer<StreamBatch> createCommitter(CommitterInitContext context) {
        return new RedisStreamCommitter(
                RedisClients.create(redisUrl),
                RedisClients.endpoint(redisUrl),
                new RedisKeys(keyPrefix),
                maxLen,
                idField,
                context.metricGroup(),
                audit == null ? null : audit.open());
    }

    @Override
    public SimpleVersionedSerializer<StreamBatch> getCommittableSerializer() {
        return StreamBatch.Serializer.INSTANCE;
    }

    /** A trigger as a stream entry: its fields (docs/contract.md §5.1), absent values left out. */
    static StreamEntry entry(Trigger t) {
        if (t.isRetraction()) {
            return StreamEntry.deletion(t.tenant(), "oneid", t.oneid());
        }
        if (t.isAudit()) {
            return StreamEntry.audit(t.tenant(), t.reason(), t.ts());
        }
        List<String> f = new ArrayList<>(22);
        add(f, "trigger_id", t.triggerId());
        add(f, "tenant", t.tenant());
        add(f, "oneid", t.oneid());
        add(f, "rule", t.rule());
        add(f, "action", t.action());
        add(f, "channel", t.channel());
        add(f, "score", t.score() == null ? null : Double.toString(t.score()));
        add(f, "reason", t.reason());
        add(f, "event_id", t.eventId());
        add(f, "ts", Long.toString(t.ts()));
        add(f, "emitted_at", Long.toString(t.emittedAt()));
        return new StreamEntry(t.tenant(), t.triggerId(), f.toArray(new String[0]));
    }

    private static void add(List<String> f, String name, String value) {
        if (value != null) {
            f.add(name);
            f.add(value);
        }
    }

    /** Buffers entries per tenant and numbers them at each checkpoint. */
    static final class Writer implements CommittingSinkWriter<Trigger, StreamBatch> {
        private final Map<String, List<StreamEntry>> pending = new HashMap<>();
        private final Map<String, long[]> lastIds = new HashMap<>();

        @Override
        public void write(Trigger trigger, Context context) {
            write(entry(trigger));
        }

        void write(StreamEntry entry) {
            pending.computeIfAbsent(entry.tenant(), t -> new ArrayList<>()).add(entry);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public Collection<StreamBatch> prepareCommit() {
            if (pending.isEmpty()) {
                return List.of();
            }
            long now = System.currentTimeMillis();
            List<StreamBatch> batches = new ArrayList<>(pending.size());
            for (Map.Entry<String, List<StreamEntry>> e : pending.entrySet()) {
                long[] last = lastIds.computeIfAbsent(e.getKey(), t -> new long[] {0, -1});
                List<StreamBatch.Pending> numbered = new ArrayList<>(e.getValue().size());
                for (StreamEntry entry : e.getValue()) {
                    if (now > last[0]) {
                        last[0] = now;
                        last[1] = 0;
                    } else {
                        last[1]++;
                    }
                    numbered.add(new StreamBatch.Pending(last[0] + "-" + last[1], entry));
                }
                batches.add(new StreamBatch(e.getKey(), numbered));
            }
            pending.clear();
            return batches;
        }

        @Override
        public void close() {}
    }
}
