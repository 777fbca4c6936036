package io.rtcdp.operators.rec;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.profile.ItemBuckets;
import io.rtcdp.operators.profile.ItemOrder;
import io.rtcdp.udf.rec.ItemStats;
import io.rtcdp.udf.rec.PurchasedItems;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The first next-purchase stage, keyed by (tenant, bucket of items): the bucket is a stable hash of
 * the sku ({@link ItemBuckets#bucket}), so one tenant's items spread over {@link
 * ItemBuckets#BUCKETS} keys and every subtask. It keeps the co-purchase statistics ({@link
 * ItemStats.Stat}) of the bucket's items, updates those an order touches ({@link ItemOrder}: the
 * order's items of the bucket and, when the order holds items new to the customer, the customer's
 * earlier items of the bucket), and sends each changed item's statistics, {@code (tenant, sku, Stat
 * bytes)}, to the table stage ({@link ItemTableMerger}):
 *
 * <ul>
 *   <li>at once after the bucket's first change, so that a new tenant gets a table without waiting
 *       for a refresh;
 *   <li>then at most once per {@code refreshInterval} of processing time (at the next multiple of
 *       the interval, so the buckets of a tenant send together), each item that changed since the
 *       bucket last sent once, however many orders changed it;
 *   <li>and at the end of a bounded input (event-time timer at {@code Long.MAX_VALUE}), the items
 *       that changed since the bucket last sent: the table stage then holds every item's final
 *       statistics.
 * </ul>
 *
 * <p>An order changes the statistics of the items it touches in the bucket (at most {@link
 * ItemStats#BASKET_ITEMS} + {@link ItemStats#PRIOR_ITEMS}), never a pass over the bucket. They are
 * kept decoded on the heap and written behind: into state before every checkpoint barrier ({@link
 * ItemStatsOperator}) and before the bucket sends, so an item ordered again and again is decoded
 * and encoded once per checkpoint rather than once per order (a read and a write of each touched
 * item per order made this the slowest stage of a replay with order lines). At most about {@link
 * #CACHED_STATS} statistics stay on the heap per subtask. State: one value per item of the bucket
 * (each bounded: a neighbour sketch of {@link ItemStats#NEIGHBOUR_MAP} counters), and the set of
 * items changed since the last send, cleared on every send; nothing per order or per customer. (An
 * order the stage fails on, a dead letter, may leave part of its counts in the heap copy.)
 */
public final class ItemStatsStage
        extends KeyedProcessFunction<String, ItemOrder, Tuple3<String, String, byte[]>> {
    private static final long serialVersionUID = 1L;

    public static final KeySelector<ItemOrder, String> KEY = ItemOrder::key;

    /** The stage's output: tenant, sku and the item's encoded {@link ItemStats.Stat}. */
    public static final TypeInformation<Tuple3<String, String, byte[]>> STATS =
            Types.TUPLE(
                    Types.STRING,
                    Types.STRING,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private final long refreshMillis;
    private final long halfLifeMs;

    /** sku → its {@link ItemStats.Stat} ({@link #encode}), for the bucket's items. */
    private transient MapState<String, byte[]> items;

    /** The skus whose statistics changed since the bucket last sent; cleared on every send. */
    private transient MapState<String, Boolean> changed;

    /**
     * Whether the bucket sent and changed since ({@link #STATUS}: {@link #NEW} before its first
     * send, then {@link #SENT} or {@link #CHANGED}) and its pending refresh timer ({@link #NEXT}, 0
     * for none), in one value: read and written once per order.
     */
    private transient ValueState<long[]> bucketState;

    private static final int STATUS = 0;
    private static final int NEXT = 1;
    private static final long NEW = 0;
    private static final long SENT = 1;
    private static final long CHANGED = 2;

    private transient Counter statsSent;

    /** About how many items' decoded statistics a subtask keeps on the heap between flushes. */
    static final int CACHED_STATS = 50_000;

    /** The buckets worked on since they were last flushed or dropped: key → decoded work. */
    private transient Map<String, Bucket> work;

    /** How many statistics {@link #work} holds. */
    private transient int cached;

    /** One bucket's statistics on the heap, and what of them state does not hold yet. */
    private static final class Bucket {
        final Map<String, ItemStats.Stat> stats = new HashMap<>();
        final Set<String> dirty = new LinkedHashSet<>();
        long[] state;
        boolean stateDirty;
    }

    private final RecordIsolation isolation = new RecordIsolation("rec");

    /**
     * The stage with the default half-life of popularity ({@link ItemStats#DEFAULT_HALF_LIFE_MS}).
     */
    public ItemStatsStage(Duration refreshInterval) {
        this(refreshInterval, ItemStats.DEFAULT_HALF_LIFE_MS);
    }

    /**
     * @param refreshInterval how often, at most, a bucket sends its changed items
     * @param halfLifeMs the half-life of the items' popularity, in event time ({@link ItemStats})
     */
    public ItemStatsStage(Duration refreshInterval, long halfLifeMs) {
        if (halfLifeMs <= 0) {
            throw new IllegalArgumentException("half-life must be positive, got " + halfLifeMs);
        }
        this.refreshMillis = Math.max(1, refreshInterval.toMillis());
        this.halfLifeMs = halfLifeMs;
    }

    @Override
    public void open(OpenContext ctx) {
        items =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "rec-item-stats",
                                        Types.STRING,
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        changed =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "rec-item-changed", Types.STRING, Types.BOOLEAN));
        bucketState =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "rec-item-bucket",
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        statsSent = getRuntimeContext().getMetricGroup().counter("recItemStatsSent");
        work = new HashMap<>();
        cached = 0;
        isolation.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(
            ItemOrder o, Context ctx, Collector<Tuple3<String, String, byte[]>> out)
            throws Exception {
        isolation.run(
                () -> process(o, ctx, out),
                null,
                () -> "rec:order:" + o.tenant() + "/" + o.bucket() + "@" + o.ts(),
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(ItemOrder o, Context ctx, Collector<Tuple3<String, String, byte[]>> out)
            throws Exception {
        int bucket = o.bucket();
        Predicate<String> mine = sku -> ItemBuckets.bucket(sku) == bucket;
        // the statistics the order can change, and only those, read from state
        // the order's items of this bucket (a record from before the split by bucket holds them
        // all), and the customer's earlier items of this bucket when the order has new items
        List<String> bought = new ArrayList<>();
        int n = 0;
        for (String sku : PurchasedItems.distinct(o.basket())) {
            if (n++ == ItemStats.BASKET_ITEMS) {
                break;
            }
            if (mine.test(sku)) {
                bought.add(sku);
            }
        }
        Set<String> touched = new LinkedHashSet<>(bought);
        if (!o.fresh().isEmpty()) {
            List<String> prior = o.prior();
            for (int i = 0; i < prior.size() && i < ItemStats.PRIOR_ITEMS; i++) {
                if (mine.test(prior.get(i))) {
                    touched.add(prior.get(i));
                }
            }
        }
        if (touched.isEmpty()) {
            return; // none of the order's items is this bucket's
        }
        Bucket b = work.computeIfAbsent(ctx.getCurrentKey(), k -> new Bucket());
        ItemStats stats = new ItemStats(halfLifeMs);
        for (String sku : touched) {
            ItemStats.Stat s = b.stats.get(sku);
            if (s == null) {
                byte[] bytes = items.get(sku);
                if (bytes != null) {
                    s = decode(bytes);
                    b.stats.put(sku, s);
                    cached++;
                }
            }
            if (s != null) {
                stats.put(sku, s);
            }
        }
        Set<String> updated = stats.addShare(o.ts(), bought, o.fresh(), o.prior(), mine);
        if (updated.isEmpty()) {
            return;
        }
        for (String sku : updated) {
            if (b.stats.put(sku, stats.get(sku)) == null) {
                cached++;
            }
            b.dirty.add(sku);
        }
        if (b.state == null) {
            b.state = bucketState.value();
            if (b.state == null) {
                b.state = new long[2];
            }
        }
        long[] state = b.state;
        if (state[STATUS] == NEW) {
            // the bucket's first change: its items at once, and what changed at the end of input
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            send(o.tenant(), b, out);
            return;
        }
        state[STATUS] = CHANGED;
        if (state[NEXT] == 0) {
            long now = ctx.timerService().currentProcessingTime();
            state[NEXT] = (now / refreshMillis + 1) * refreshMillis;
            ctx.timerService().registerProcessingTimeTimer(state[NEXT]);
        }
        b.stateDirty = true;
        if (cached > CACHED_STATS) {
            // above the bound: this bucket goes to state and off the heap now
            flush(b);
            work.remove(ctx.getCurrentKey());
            cached -= b.stats.size();
        }
    }

    /** Writes what state does not hold yet of a bucket; its key must be the current key. */
    private void flush(Bucket b) throws Exception {
        for (String sku : b.dirty) {
            items.put(sku, encode(b.stats.get(sku)));
            changed.put(sku, Boolean.TRUE);
        }
        b.dirty.clear();
        if (b.stateDirty) {
            bucketState.update(b.state);
            b.stateDirty = false;
        }
    }

    /**
     * Writes every bucket's statistics that state does not hold yet, each under its key (set by
     * {@code setKey}): before a checkpoint barrier. Then, above {@link #CACHED_STATS}, drops them
     * from the heap.
     */
    void flushAll(java.util.function.Consumer<String> setKey) throws Exception {
        for (Map.Entry<String, Bucket> e : work.entrySet()) {
            Bucket b = e.getValue();
            if (!b.dirty.isEmpty() || b.stateDirty) {
                setKey.accept(e.getKey());
                flush(b);
            }
        }
        if (cached > CACHED_STATS) {
            work.clear();
            cached = 0;
        }
    }

    @Override
    public void onTimer(
            long timestamp, OnTimerContext ctx, Collector<Tuple3<String, String, byte[]>> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        isolation.run(
                () -> {
                    Bucket b = work.computeIfAbsent(key, k -> new Bucket());
                    if (b.state == null) {
                        b.state = bucketState.value();
                        if (b.state == null) {
                            work.remove(key);
                            return;
                        }
                    }
                    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
                        b.state[NEXT] = 0;
                        b.stateDirty = true;
                    }
                    if (b.state[STATUS] == CHANGED) {
                        send(key.substring(0, key.lastIndexOf('\u0001')), b, out);
                    } else {
                        flush(b);
                    }
                },
                null,
                () -> "rec:stats:" + key.replace('\u0001', '/'),
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    /**
     * Sends the statistics of every item changed since the last send, forgets that they changed and
     * stores the bucket's state, marked as sent.
     */
    private void send(String tenant, Bucket b, Collector<Tuple3<String, String, byte[]>> out)
            throws Exception {
        b.state[STATUS] = SENT;
        b.stateDirty = true;
        flush(b);
        List<String> skus = new ArrayList<>();
        for (String sku : changed.keys()) {
            skus.add(sku);
        }
        changed.clear();
        for (String sku : skus) {
            byte[] bytes = items.get(sku);
            if (bytes != null) {
                out.collect(Tuple3.of(tenant, sku, bytes));
                statsSent.inc();
            }
        }
    }

    /** An item's statistics as this stage stores and sends them ({@link ItemStats.Stat#write}). */
    public static byte[] encode(ItemStats.Stat s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            s.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #encode} wrote. */
    public static ItemStats.Stat decode(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            ItemStats.Stat s = ItemStats.Stat.read(in);
            if (in.available() > 0) {
                throw new IOException("item statistics: " + in.available() + " bytes left");
            }
            return s;
        }
    }
}
