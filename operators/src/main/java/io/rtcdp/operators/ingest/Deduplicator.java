package io.rtcdp.operators.ingest;

import io.rtcdp.operators.Counters;
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
 * Drops repeats of an event id within the dedupe window of event time (default 7 days). Keyed by
 * tenant and event id; the state is the event time of the occurrence that was let through.
 *
 * <p>A repeat is dropped when its event time is within the window of that occurrence, whatever the
 * arrival order. Entries are removed by state TTL (processing time, cleaned during RocksDB
 * compaction) rather than by one event-time timer per event id: timers would double the state
 * writes of the hottest operator of the job. The TTL is the window plus a grace period, so in a
 * live stream an entry lives at least as long as its window; during a fast replay of history,
 * entries simply live longer than needed.
 */
public final class Deduplicator extends KeyedProcessFunction<String, Event, Event> {
    private static final long serialVersionUID = 1L;

    /** Key of the dedupe stage. */
    public static final KeySelector<Event, String> KEY = e -> e.tenant() + '\u0001' + e.eventId();

    private final long windowMs;
    private final Duration ttl;

    private transient ValueState<Long> seen;
    private transient Counter duplicates;
    private transient LongCounter duplicatesAcc;

    public Deduplicator(Duration window, Duration ttlGrace) {
        this.windowMs = window.toMillis();
        this.ttl = window.plus(ttlGrace);
    }

    @Override
    public void open(OpenContext ctx) {
        ValueStateDescriptor<Long> d = new ValueStateDescriptor<>("seen-ts", Types.LONG);
        d.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        seen = getRuntimeContext().getState(d);
        duplicates = getRuntimeContext().getMetricGroup().counter("eventsDuplicate");
        duplicatesAcc = new LongCounter();
        getRuntimeContext().addAccumulator(Counters.DUPLICATES, duplicatesAcc);
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Event> out) throws Exception {
        Long first = seen.value();
        if (first != null && Math.abs(e.ts() - first) < windowMs) {
            duplicates.inc();
            duplicatesAcc.add(1);
            return;
        }
        seen.update(e.ts());
        out.collect(e);
    }
}
