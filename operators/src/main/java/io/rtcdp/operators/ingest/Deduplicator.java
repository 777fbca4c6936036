package io.rtcdp.operators.ingest;

import io.rtcdp.operators.Counters;
import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.VersionedSnapshot;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.Event;
import java.io.IOException;
import java.time.Duration;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decides which events are repeats: an event whose tenant and {@code event_id} were let through
 * before, at an event time less than the dedupe window away, is a duplicate (counted in {@code
 * eventsDuplicate} and {@link Counters#DUPLICATES}); any other event passes and its event time is
 * remembered, replacing the earlier one. Every event type is judged, {@code forget} included.
 *
 * <p>Keyed by (tenant, event id), so one tenant's dedupe state and work spread over every subtask.
 * It sees only each event's {@link Occurrence} (tenant, id, time) and sends a {@link Verdict} per
 * occurrence to the identity stage, which receives the events themselves straight from the source,
 * in their order, and takes each one up once its verdict has come (docs/oneid.md). So the dedupe
 * stage does not change the order in which identity, and every stage after it, see a tenant's
 * events.
 *
 * <p>The remembered time lives as long as the window plus a grace period of processing time (state
 * TTL, removed by RocksDB's compaction filter), so the state holds about one window of event ids.
 * An event id is remembered when this stage lets it through, before the identity stage has
 * processed the event. If a later stage then fails on the event (an {@code internal} dead letter),
 * a corrected copy with the same event id within the window is dropped as a duplicate. (When dedupe
 * ran inside the identity stage, an id was remembered only once identity had processed it.)
 *
 * <p>An occurrence this stage fails on gets a verdict that carries the failure: the identity stage
 * then sends the event to the dead letters ({@code internal}, source {@code dedupe:<event id>}).
 */
public final class Deduplicator
        extends KeyedProcessFunction<String, Deduplicator.Occurrence, Deduplicator.Verdict> {
    private static final long serialVersionUID = 1L;

    /** What the dedupe stage needs of an event. */
    public record Occurrence(String tenant, String eventId, long ts) {
        public static Occurrence of(Event e) {
            return new Occurrence(e.tenant(), e.eventId(), e.ts());
        }
    }

    /**
     * The verdict on one occurrence of an event id.
     *
     * @param failure null, or why the dedupe stage could not judge the occurrence (the event is
     *     then a dead letter)
     */
    public record Verdict(String tenant, String eventId, boolean duplicate, String failure) {
        public static Verdict pass(String tenant, String eventId) {
            return new Verdict(tenant, eventId, false, null);
        }

        public static Verdict duplicate(String tenant, String eventId) {
            return new Verdict(tenant, eventId, true, null);
        }
    }

    /** The key: tenant and event id. */
    public static final KeySelector<Occurrence, String> KEY =
            o -> o.tenant() + '\u0001' + o.eventId();

    /** Name of the state: the event time of the occurrence let through. */
    static final String STATE = "first-seen-ts";

    private final long windowMillis;
    private final Duration ttl;
    private final RecordIsolation isolation = new RecordIsolation("dedupe");

    private transient ValueState<Long> seen;
    private transient Counter duplicates;
    private transient LongCounter duplicatesAcc;

    /**
     * @param window a repeat of an event id within this much event time is a duplicate
     * @param ttlGrace how much longer than the window (in processing time) an event id is kept
     */
    public Deduplicator(Duration window, Duration ttlGrace) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("dedupe window must be positive: " + window);
        }
        this.windowMillis = window.toMillis();
        this.ttl = window.plus(ttlGrace);
    }

    /** The state's descriptor: the event time let through, kept {@code ttl} after each write. */
    static ValueStateDescriptor<Long> descriptor(Duration ttl) {
        ValueStateDescriptor<Long> d = new ValueStateDescriptor<>(STATE, Types.LONG);
        d.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        return d;
    }

    @Override
    public void open(OpenContext ctx) {
        seen = getRuntimeContext().getState(descriptor(ttl));
        isolation.open(getRuntimeContext().getMetricGroup());
        duplicates = getRuntimeContext().getMetricGroup().counter("eventsDuplicate");
        duplicatesAcc = new LongCounter();
        getRuntimeContext().addAccumulator(Counters.DUPLICATES, duplicatesAcc);
    }

    @Override
    public void processElement(Occurrence o, Context ctx, Collector<Verdict> out) throws Exception {
        Verdict v;
        try {
            v = judge(o);
        } catch (Exception failure) {
            // counted and logged here; the identity stage, which holds the event, dead-letters it
            DeadLetter d = isolation.isolate(failure, null, "dedupe:" + o.eventId());
            out.collect(new Verdict(o.tenant(), o.eventId(), false, d.message()));
            return;
        }
        isolation.succeeded();
        out.collect(v);
    }

    private Verdict judge(Occurrence o) throws Exception {
        Long first = seen.value();
        if (first != null && Math.abs(o.ts() - first) < windowMillis) {
            duplicates.inc();
            duplicatesAcc.add(1);
            return Verdict.duplicate(o.tenant(), o.eventId());
        }
        seen.update(o.ts());
        return Verdict.pass(o.tenant(), o.eventId());
    }

    /** Serializer of {@link Occurrence}. */
    public static final class OccurrenceSerializer extends CodecSerializer<Occurrence> {
        private static final long serialVersionUID = 1L;

        public static final OccurrenceSerializer INSTANCE = new OccurrenceSerializer();

        @Override
        public void serialize(Occurrence o, DataOutputView out) throws IOException {
            writeString(o.tenant(), out);
            writeString(o.eventId(), out);
            out.writeLong(o.ts());
        }

        @Override
        public Occurrence deserialize(DataInputView in) throws IOException {
            return new Occurrence(readSharedString(in), readString(in), in.readLong());
        }

        @Override
        public VersionedSnapshot<Occurrence> snapshotConfiguration() {
            return new OccurrenceSnapshot();
        }
    }

    /** Snapshot of {@link OccurrenceSerializer}. */
    public static final class OccurrenceSnapshot extends VersionedSnapshot<Occurrence> {
        public OccurrenceSnapshot() {
            super(OccurrenceSerializer.INSTANCE);
        }
    }

    /** Serializer of {@link Verdict}. */
    public static final class VerdictSerializer extends CodecSerializer<Verdict> {
        private static final long serialVersionUID = 1L;

        public static final VerdictSerializer INSTANCE = new VerdictSerializer();

        @Override
        public void serialize(Verdict v, DataOutputView out) throws IOException {
            writeString(v.tenant(), out);
            writeString(v.eventId(), out);
            out.writeBoolean(v.duplicate());
            writeNullableString(v.failure(), out);
        }

        @Override
        public Verdict deserialize(DataInputView in) throws IOException {
            return new Verdict(
                    readSharedString(in), readString(in), in.readBoolean(), readNullableString(in));
        }

        @Override
        public VersionedSnapshot<Verdict> snapshotConfiguration() {
            return new VerdictSnapshot();
        }
    }

    /** Snapshot of {@link VerdictSerializer}. */
    public static final class VerdictSnapshot extends VersionedSnapshot<Verdict> {
        public VerdictSnapshot() {
            super(VerdictSerializer.INSTANCE);
        }
    }

    public static final TypeInformation<Occurrence> OCCURRENCE =
            new CodecTypeInfo<>(Occurrence.class, OccurrenceSerializer.INSTANCE);

    public static final TypeInformation<Verdict> VERDICT =
            new CodecTypeInfo<>(Verdict.class, VerdictSerializer.INSTANCE);
}
