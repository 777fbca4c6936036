package io.rtcdp.operators.ingest;

import io.rtcdp.operators.Counters;
import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.udf.event.Event;
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
 * Drops repeated event ids: an event whose tenant and {@code event_id} were let through before, at
 * an event time less than the dedupe window away, is a duplicate (counted in {@code
 * eventsDuplicate} and {@link Counters#DUPLICATES}) and goes no further; any other event goes on
 * and its event time is remembered, replacing the earlier one. Every event type is deduplicated,
 * {@code forget} included.
 *
 * <p>Keyed by (tenant, event id), so one tenant's dedupe state and work spread over every subtask;
 * the identity stage after it is keyed by tenant (docs/oneid.md). The remembered time lives as long
 * as the window plus a grace period of processing time (state TTL, removed by RocksDB's compaction
 * filter), so the state holds about one window of event ids.
 *
 * <p>An event id is remembered when it passes this stage, before the identity stage has processed
 * the event. If a later stage then fails on the event (an {@code internal} dead letter), a
 * corrected copy with the same event id within the window is dropped as a duplicate. (When dedupe
 * ran inside the identity stage, an id was remembered only once identity had processed it.)
 */
public final class Deduplicator extends KeyedProcessFunction<String, Event, Event> {
    private static final long serialVersionUID = 1L;

    /** The key: tenant and event id. */
    public static final KeySelector<Event, String> KEY = e -> e.tenant() + '\u0001' + e.eventId();

    /** Name of the state: the event time of the occurrence let through. */
    static final String STATE = "first-seen-ts";

    private final long windowMillis;
    private final Duration ttl;
    private final RecordIsolation isolation = new RecordIsolation("dedupe");

    private transient ValueState<Long> seen;
    private transient Counter duplicates;
    private transient LongCounter duplicatesAcc;

    /**
     * @param window a repeat of an event id within this much event time is dropped
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
    public void processElement(Event e, Context ctx, Collector<Event> out) throws Exception {
        isolation.run(
                () -> process(e, out),
                e,
                () -> "dedupe:" + e.eventId(),
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(Event e, Collector<Event> out) throws Exception {
        Long first = seen.value();
        if (first != null && Math.abs(e.ts() - first) < windowMillis) {
            duplicates.inc();
            duplicatesAcc.add(1);
            return;
        }
        seen.update(e.ts());
        out.collect(e);
    }
}
