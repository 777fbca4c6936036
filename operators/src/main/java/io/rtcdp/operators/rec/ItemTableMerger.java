package io.rtcdp.operators.rec;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.udf.rec.ItemStats;
import io.rtcdp.udf.rec.ItemTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The second next-purchase stage, keyed by tenant: keeps the latest statistics of each of the
 * tenant's items ({@link ItemStatsStage}) and the tenant's clock (the latest event time of an order
 * seen, the greatest {@code popAt} of the items), builds the tenant's {@link ItemTable} from them
 * and sends it, {@code (tenant, ItemTable bytes)}, to every subtask of the scoring stage ({@link
 * RecScorer}) when it changed.
 *
 * <p>It builds the table when the tenant's first statistics come (so a new tenant gets
 * recommendations from its items at once), then at most about once per second while statistics come
 * (they come together, once per refresh interval, from the buckets that changed), and at the end of
 * a bounded input (event-time timer at {@code Long.MAX_VALUE}: every bucket sends its final
 * statistics from its own end-of-input timer, before it forwards the final watermark, so they have
 * all come before the watermark reaches this stage's timer; the table built then is the tenant's
 * last). A table equal to the one last sent (the same bytes) is not sent again. The table is the
 * same as {@link ItemTable#build} over one {@link ItemStats} fed every order, whatever the order in
 * which the items' statistics come. It receives one record per changed item per refresh, not one
 * per order.
 *
 * <p>A build reads every item of the tenant: O(items) once per refresh interval at most. State: one
 * value per item of the tenant, bounded each.
 */
public final class ItemTableMerger
        extends KeyedProcessFunction<
                String, Tuple3<String, String, byte[]>, Tuple2<String, byte[]>> {
    private static final long serialVersionUID = 1L;

    /** Longest wait from an item's statistics to the build it is in. */
    static final long MERGE_DELAY_MILLIS = 1000;

    public static final KeySelector<Tuple3<String, String, byte[]>, String> KEY = s -> s.f0;

    /** The stage's output: tenant and its encoded {@link ItemTable}. */
    public static final TypeInformation<Tuple2<String, byte[]>> TABLE =
            Types.TUPLE(Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private final long mergeDelayMillis;
    private final long halfLifeMs;

    /** sku → its latest {@link ItemStats.Stat} ({@link ItemStatsStage#encode}). */
    private transient MapState<String, byte[]> items;

    /** The tenant's clock: the greatest {@code popAt} of its items. */
    private transient ValueState<Long> clock;

    /** A 64-bit hash of the table last sent; null before the first. */
    private transient ValueState<Long> sent;

    /** Whether statistics came since the last build. */
    private transient ValueState<Boolean> dirty;

    private transient ValueState<Long> nextMerge;
    private transient Counter rebuilds;
    private transient Counter tablesSent;
    private final RecordIsolation isolation = new RecordIsolation("rec");

    /**
     * The stage with the default half-life of popularity ({@link ItemStats#DEFAULT_HALF_LIFE_MS}).
     */
    public ItemTableMerger(Duration refreshInterval) {
        this(refreshInterval, ItemStats.DEFAULT_HALF_LIFE_MS);
    }

    /**
     * @param refreshInterval the buckets' refresh interval; builds wait for at most the shorter of
     *     it and {@link #MERGE_DELAY_MILLIS}
     * @param halfLifeMs the half-life of the items' popularity, as in {@link ItemStatsStage}
     */
    public ItemTableMerger(Duration refreshInterval, long halfLifeMs) {
        if (halfLifeMs <= 0) {
            throw new IllegalArgumentException("half-life must be positive, got " + halfLifeMs);
        }
        this.mergeDelayMillis =
                Math.max(1, Math.min(MERGE_DELAY_MILLIS, refreshInterval.toMillis()));
        this.halfLifeMs = halfLifeMs;
    }

    @Override
    public void open(OpenContext ctx) {
        items =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "rec-items",
                                        Types.STRING,
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        clock = getRuntimeContext().getState(new ValueStateDescriptor<>("rec-clock", Types.LONG));
        sent =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("rec-table-sent", Types.LONG));
        dirty =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("rec-dirty", Types.BOOLEAN));
        nextMerge =
                getRuntimeContext().getState(new ValueStateDescriptor<>("rec-next", Types.LONG));
        rebuilds = getRuntimeContext().getMetricGroup().counter("recTableRebuilds");
        tablesSent = getRuntimeContext().getMetricGroup().counter("recTablesSent");
        isolation.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(
            Tuple3<String, String, byte[]> s, Context ctx, Collector<Tuple2<String, byte[]>> out)
            throws Exception {
        isolation.run(
                () -> process(s, ctx, out),
                null,
                () -> "rec:item:" + s.f0 + "/" + s.f1,
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(
            Tuple3<String, String, byte[]> s, Context ctx, Collector<Tuple2<String, byte[]>> out)
            throws Exception {
        // read first: statistics that do not read are not kept, and never spoil a build
        long popAt = ItemStats.summary(s.f1, ItemStatsStage.decode(s.f2)).popAt();
        items.put(s.f1, s.f2);
        Long now = clock.value();
        if (now == null || popAt > now) {
            clock.update(popAt);
        }
        dirty.update(true);
        if (sent.value() == null) {
            // the tenant's first table: at once, from what there is
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            merge(s.f0, out);
        } else if (nextMerge.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + mergeDelayMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            nextMerge.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Tuple2<String, byte[]>> out)
            throws Exception {
        String tenant = ctx.getCurrentKey();
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            nextMerge.clear();
        }
        isolation.run(
                () -> {
                    if (Boolean.TRUE.equals(dirty.value())) {
                        merge(tenant, out);
                    }
                },
                null,
                () -> "rec:rebuild:" + tenant,
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    /** Builds the tenant's table; sends it if it differs from the one last sent. */
    private void merge(String tenant, Collector<Tuple2<String, byte[]>> out) throws Exception {
        dirty.clear();
        List<ItemStats.Summary> summaries = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : items.entries()) {
            summaries.add(ItemStats.summary(e.getKey(), ItemStatsStage.decode(e.getValue())));
        }
        Long asOf = clock.value();
        ItemTable table =
                ItemTable.build(summaries, asOf == null ? Long.MIN_VALUE : asOf, halfLifeMs);
        rebuilds.inc();
        byte[] bytes = table.toByteArray();
        long hash = hash(bytes);
        Long had = sent.value();
        if (had != null && had == hash) {
            return; // statistics moved, the table did not: no recommendation can move
        }
        sent.update(hash);
        out.collect(Tuple2.of(tenant, bytes));
        tablesSent.inc();
    }

    /** 64-bit FNV-1a of a table's bytes: tells a new table from the last one sent. */
    static long hash(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
