package io.rtcdp.operators.ingest;

import io.rtcdp.operators.Counters;
import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.identity.IdentityEvent;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.EventType;
import java.time.Duration;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decides which events are repeats: an event whose tenant and {@code event_id} were let through
 * before, at an event time less than the dedupe window away, is a duplicate (counted in {@code
 * eventsDuplicate} and {@link Counters#DUPLICATES}); any other event passes and its event time is
 * remembered, replacing the earlier one. Every event type is judged, {@code forget} included; the
 * operators' commands pass unjudged (a command takes effect once by its id, in the identity stage's
 * state).
 *
 * <p>Keyed by (tenant, event id), so one tenant's dedupe state and work spread over every subtask.
 * It sends each event on to the identity stage with its verdict ({@link IdentityEvent#verdict}); a
 * duplicate goes on as its head and place only, so that the identity stage, which takes a tenant's
 * events in the order of their source subtask by their places ({@code SequenceGate}), does not wait
 * for it (docs/oneid.md). So the dedupe stage does not change the order in which identity, and
 * every stage after it, see a tenant's events.
 *
 * <p>The remembered time lives as long as the window plus a grace period of processing time (state
 * TTL, removed by RocksDB's compaction filter), so the state holds about one window of event ids.
 * An event id is remembered when this stage lets it through, before the identity stage has
 * processed the event. If a later stage then fails on the event (an {@code internal} dead letter),
 * a corrected copy with the same event id within the window is dropped as a duplicate. (When dedupe
 * ran inside the identity stage, an id was remembered only once identity had processed it.)
 *
 * <p>An event this stage fails on goes on with the failure as its verdict: the identity stage then
 * sends it to the dead letters ({@code internal}, source {@code dedupe:<event id>}) in its place.
 */
public final class Deduplicator extends KeyedProcessFunction<String, IdentityEvent, IdentityEvent> {
    private static final long serialVersionUID = 1L;

    /** The key: tenant and event id. */
    public static final KeySelector<IdentityEvent, String> KEY =
            e -> e.tenant() + '\u0001' + e.eventId();

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
    public void processElement(IdentityEvent e, Context ctx, Collector<IdentityEvent> out)
            throws Exception {
        if (e.type() == EventType.COMMAND) {
            out.collect(e);
            return;
        }
        boolean duplicate;
        try {
            duplicate = isRepeat(e.ts());
        } catch (Exception failure) {
            // counted and logged here; the identity stage dead-letters the event in its place
            DeadLetter d = isolation.isolate(failure, null, "dedupe:" + e.eventId());
            out.collect(e.failed(d.message()));
            return;
        }
        isolation.succeeded();
        out.collect(duplicate ? e.duplicate() : e);
    }

    /** Whether an event of the current key at {@code ts} is a repeat; if not, it is remembered. */
    private boolean isRepeat(long ts) throws Exception {
        Long first = seen.value();
        if (first != null && Math.abs(ts - first) < windowMillis) {
            duplicates.inc();
            duplicatesAcc.add(1);
            return true;
        }
        seen.update(ts);
        return false;
    }
}
