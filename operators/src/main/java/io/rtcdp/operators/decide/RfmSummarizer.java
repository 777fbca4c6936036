package io.rtcdp.operators.decide;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.profile.RfmObservation;
import io.rtcdp.udf.ml.BgNbdSample;
import io.rtcdp.udf.rfm.RfmDistribution;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
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
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The first RFM stage, keyed by (tenant, bucket): the bucket is a stable hash of the oneid, so one
 * tenant's profiles spread over {@link #BUCKETS} keys and every subtask. It keeps its profiles'
 * recency, frequency and monetary values and, updated on every change (the old values out, the new
 * in), how many of them have each distinct value ({@link RfmDistribution}'s exact form), and sends
 * that summary, {@code (tenant, bucket, distribution)}, to the boundaries stage ({@link
 * RfmBoundaryMerger}):
 *
 * <ul>
 *   <li>at once after the bucket's first change, so that a new tenant gets boundaries without
 *       waiting for a refresh;
 *   <li>then at most once per {@code refreshInterval} of processing time (at the next multiple of
 *       the interval, so the buckets of a tenant send together), and only if it changed since it
 *       last sent;
 *   <li>and at the end of a bounded input (event-time timer at {@code Long.MAX_VALUE}), if it
 *       changed since it last sent: the boundaries stage then holds every bucket's final summary.
 * </ul>
 *
 * <p>A summary costs O(distinct values of the bucket); buckets that did not change send nothing. Up
 * to {@link #EXACT_BUCKET} profiles a bucket sends its counts exactly, beyond that a KLL sketch of
 * them (only tenants of far more than {@link RfmBoundaryMerger#EXACT_PROFILES} profiles have such
 * buckets).
 *
 * <p>For BG/NBD's live refit ({@link BgNbdFitStage}) a bucket also keeps a hash sample of its
 * customers ({@link BgNbdSample}: first and last order time, orders; all of them up to {@link
 * #SAMPLE_CAP}, then the level rises), updated on every change, and sends it to {@link #SAMPLES}
 * with its summary when it changed, and at once when its clock (the latest order time it saw)
 * enters a new refit period: the fit stage fits when the samples' clock enters a new period, so its
 * refits follow the tenant's orders' event time however fast the input is read (a replay, a
 * catch-up), not the watermark or the tenants' clocks, which in a replay run far ahead of the
 * orders that reach this stage.
 */
public final class RfmSummarizer
        extends KeyedProcessFunction<String, RfmObservation, Tuple3<String, Integer, byte[]>> {
    private static final long serialVersionUID = 1L;

    /** Buckets per tenant: enough that 4–8 subtasks get about the same share of them. */
    public static final int BUCKETS = 256;

    /** Profiles up to which a bucket sends its values exactly, not as a sketch. */
    static final int EXACT_BUCKET = 1 << 15;

    public static final KeySelector<RfmObservation, String> KEY =
            o -> o.tenant() + '\u0001' + bucket(o.oneid());

    /** The stage's output: tenant, bucket and the encoded {@link RfmDistribution}. */
    public static final TypeInformation<Tuple3<String, Integer, byte[]>> SUMMARY =
            Types.TUPLE(
                    Types.STRING, Types.INT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** The buckets' BG/NBD samples: tenant, bucket and the encoded {@link BgNbdSample}. */
    public static final OutputTag<Tuple3<String, Integer, byte[]>> SAMPLES =
            new OutputTag<>("bgnbd-samples", SUMMARY);

    /** Customers a bucket's BG/NBD sample holds at most: 16,384 per tenant. */
    static final int SAMPLE_CAP = 64;

    private static final String[] COLUMNS = {"recency", "frequency", "monetary"};

    private final long refreshMillis;

    /** The BG/NBD refit interval in event time, 0 for no samples. */
    private final long refitMillis;

    private final int sampleCap;

    /** oneid → {first order ts, last order ts, orders} of the customers in the sample. */
    private transient MapState<String, long[]> sample;

    /** oneid → {last order ts, orders, revenue micros}. */
    private transient MapState<String, long[]> profiles;

    /** Per column: value → number of the bucket's profiles with it. */
    private transient MapState<Long, Long>[] counts;

    /**
     * The bucket's number of profiles ({@link #SIZE}), whether it sent a summary and changed since
     * ({@link #STATUS}: {@link #NEW} before the first, then {@link #SENT} or {@link #CHANGED}) and
     * its pending refresh timer ({@link #NEXT}, 0 for none), in one value: read and written once
     * per change.
     */
    private transient ValueState<long[]> bucketState;

    private static final int SIZE = 0;
    private static final int STATUS = 1;
    private static final int NEXT = 2;

    /** The BG/NBD sample's level ({@link BgNbdSample#sampled}). */
    private static final int LEVEL = 3;

    /** Customers in the sample. */
    private static final int SAMPLE_SIZE = 4;

    /** The latest order time of the bucket. */
    private static final int CLOCK = 5;

    /** 1 when the sample changed since it was last sent. */
    private static final int SAMPLE_CHANGED = 6;

    /** The refit period ({@link #CLOCK} / refit interval) of the sample last sent. */
    private static final int SAMPLE_PERIOD = 7;

    /** Slots of the bucket's state; a state of before the samples has the first three. */
    private static final int SLOTS = 8;

    private static final long NEW = 0;
    private static final long SENT = 1;
    private static final long CHANGED = 2;

    private transient Counter summariesSent;
    private transient Counter samplesSent;
    private final RecordIsolation isolation = new RecordIsolation("rfm");

    /** Without BG/NBD samples. */
    public RfmSummarizer(Duration refreshInterval) {
        this(refreshInterval, Duration.ZERO);
    }

    /**
     * @param refreshInterval how often a changed bucket sends its summary (processing time)
     * @param bgNbdRefit the BG/NBD refit interval (event time); zero for no samples
     */
    public RfmSummarizer(Duration refreshInterval, Duration bgNbdRefit) {
        this(refreshInterval, bgNbdRefit, SAMPLE_CAP);
    }

    RfmSummarizer(Duration refreshInterval, Duration bgNbdRefit, int sampleCap) {
        this.refreshMillis = Math.max(1, refreshInterval.toMillis());
        this.refitMillis = Math.max(0, bgNbdRefit.toMillis());
        this.sampleCap = sampleCap;
    }

    /** The bucket of a profile: a stable hash of its oneid, 0 ≤ bucket < {@link #BUCKETS}. */
    public static int bucket(String oneid) {
        int h = oneid.hashCode() * 0x9E3779B9; // String.hashCode is fixed by the JLS
        return (h ^ (h >>> 16)) & (BUCKETS - 1);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext ctx) {
        profiles =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "rfm-bucket-profiles",
                                        Types.STRING,
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        counts = new MapState[COLUMNS.length];
        for (int c = 0; c < COLUMNS.length; c++) {
            counts[c] =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "rfm-bucket-" + COLUMNS[c], Types.LONG, Types.LONG));
        }
        bucketState =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "rfm-bucket",
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        sample =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "bgnbd-sample",
                                        Types.STRING,
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        summariesSent = getRuntimeContext().getMetricGroup().counter("rfmSummariesSent");
        samplesSent = getRuntimeContext().getMetricGroup().counter("bgnbdSamplesSent");
        isolation.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(
            RfmObservation o, Context ctx, Collector<Tuple3<String, Integer, byte[]>> out)
            throws Exception {
        isolation.run(
                () -> process(o, ctx, out),
                null,
                () -> "rfm:" + o.tenant() + "/" + o.oneid(),
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(
            RfmObservation o, Context ctx, Collector<Tuple3<String, Integer, byte[]>> out)
            throws Exception {
        long[] old = profiles.get(o.oneid());
        if (o.isRemoval()) {
            if (old == null) {
                return;
            }
            count(old, -1);
            profiles.remove(o.oneid());
        } else {
            long[] v = {o.lastOrderTs(), o.orders(), o.revenueMicros()};
            if (Arrays.equals(old, v)) {
                return;
            }
            if (old != null) {
                count(old, -1);
            }
            count(v, 1);
            profiles.put(o.oneid(), v);
        }
        long[] bucket = bucket(bucketState.value());
        bucket[SIZE] += o.isRemoval() ? -1 : old == null ? 1 : 0;
        if (refitMillis > 0) {
            observeSample(o, bucket);
        }
        if (bucket[STATUS] == NEW) {
            // the bucket's first change: its summary at once, and one at the end of the input
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            send(o.tenant(), ctx.getCurrentKey(), bucket, out, ctx);
            return;
        }
        if (refitMillis > 0
                && bucket[SAMPLE_CHANGED] != 0
                && Math.floorDiv(bucket[CLOCK], refitMillis) > bucket[SAMPLE_PERIOD]) {
            // the bucket's orders entered a new refit period: its sample goes at once
            sendSample(o.tenant(), ctx.getCurrentKey(), bucket, ctx);
        }
        bucket[STATUS] = CHANGED;
        if (bucket[NEXT] == 0) {
            long now = ctx.timerService().currentProcessingTime();
            bucket[NEXT] = (now / refreshMillis + 1) * refreshMillis;
            ctx.timerService().registerProcessingTimeTimer(bucket[NEXT]);
        }
        bucketState.update(bucket);
    }

    /** The bucket's state, grown to {@link #SLOTS} (a state of before the samples has three). */
    private static long[] bucket(long[] stored) {
        if (stored == null) {
            return new long[SLOTS];
        }
        return stored.length >= SLOTS ? stored : Arrays.copyOf(stored, SLOTS);
    }

    /**
     * Updates the BG/NBD sample with a change: a sampled customer's first and last order times and
     * orders in, a removed one (or one whose first order's time is unknown, a state of before
     * format 3) out.
     */
    private void observeSample(RfmObservation o, long[] bucket) throws Exception {
        if (!o.isRemoval()) {
            bucket[CLOCK] = Math.max(bucket[CLOCK], o.lastOrderTs());
        }
        if (!BgNbdSample.sampled(o.oneid(), (int) bucket[LEVEL])) {
            return;
        }
        long[] v =
                o.isRemoval() || o.firstOrderTs() == Long.MIN_VALUE
                        ? null
                        : new long[] {o.firstOrderTs(), o.lastOrderTs(), o.orders()};
        long[] had = sample.get(o.oneid());
        if (Arrays.equals(had, v)) {
            return;
        }
        if (v == null) {
            sample.remove(o.oneid());
            bucket[SAMPLE_SIZE]--;
        } else {
            sample.put(o.oneid(), v);
            bucket[SAMPLE_SIZE] += had == null ? 1 : 0;
        }
        bucket[SAMPLE_CHANGED] = 1;
        if (bucket[SAMPLE_SIZE] > sampleCap) {
            raiseLevel(bucket);
        }
    }

    /** Raises the sample's level until it holds at most the cap, dropping who leaves it. */
    private void raiseLevel(long[] bucket) throws Exception {
        while (bucket[SAMPLE_SIZE] > sampleCap && bucket[LEVEL] < BgNbdSample.MAX_LEVEL) {
            int level = (int) ++bucket[LEVEL];
            var it = sample.iterator();
            while (it.hasNext()) {
                if (!BgNbdSample.sampled(it.next().getKey(), level)) {
                    it.remove();
                    bucket[SAMPLE_SIZE]--;
                }
            }
        }
    }

    private void count(long[] v, long delta) throws Exception {
        for (int c = 0; c < COLUMNS.length; c++) {
            Long had = counts[c].get(v[c]);
            long now = (had == null ? 0 : had) + delta;
            if (now <= 0) {
                counts[c].remove(v[c]);
            } else {
                counts[c].put(v[c], now);
            }
        }
    }

    @Override
    public void onTimer(
            long timestamp, OnTimerContext ctx, Collector<Tuple3<String, Integer, byte[]>> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        isolation.run(
                () -> {
                    long[] stored = bucketState.value();
                    if (stored == null) {
                        return;
                    }
                    long[] bucket = bucket(stored);
                    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
                        bucket[NEXT] = 0;
                    }
                    if (bucket[STATUS] == CHANGED) {
                        send(key.substring(0, key.lastIndexOf('\u0001')), key, bucket, out, ctx);
                    } else {
                        bucketState.update(bucket);
                    }
                },
                null,
                () -> "rfm:summary:" + key.replace('\u0001', '/'),
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    /**
     * Sends the bucket's summary, and its BG/NBD sample if that changed, and stores the bucket's
     * state, marked as sent.
     */
    private void send(
            String tenant,
            String key,
            long[] bucket,
            Collector<Tuple3<String, Integer, byte[]>> out,
            Context ctx)
            throws Exception {
        long n = bucket[SIZE];
        RfmDistribution d;
        if (n <= EXACT_BUCKET) {
            d = RfmDistribution.exact(n, load(counts[0]), load(counts[1]), load(counts[2]));
        } else {
            d =
                    RfmDistribution.sketched(
                            n, counts[0].entries(), counts[1].entries(), counts[2].entries());
        }
        if (bucket[SAMPLE_CHANGED] != 0) {
            sendSample(tenant, key, bucket, ctx);
        }
        bucket[STATUS] = SENT;
        bucketState.update(bucket);
        out.collect(Tuple3.of(tenant, index(key), d.toByteArray()));
        summariesSent.inc();
    }

    private static int index(String key) {
        return Integer.parseInt(key.substring(key.lastIndexOf('\u0001') + 1));
    }

    /** Sends the bucket's BG/NBD sample (the caller stores the bucket's state). */
    private void sendSample(String tenant, String key, long[] bucket, Context ctx)
            throws Exception {
        int n = (int) bucket[SAMPLE_SIZE];
        long[] first = new long[n];
        long[] last = new long[n];
        long[] orders = new long[n];
        int i = 0;
        for (Map.Entry<String, long[]> e : sample.entries()) {
            if (i == n) {
                throw new IllegalStateException("BG/NBD sample larger than counted: " + key);
            }
            long[] v = e.getValue();
            first[i] = v[0];
            last[i] = v[1];
            orders[i] = v[2];
            i++;
        }
        if (i != n) {
            throw new IllegalStateException("BG/NBD sample smaller than counted: " + key);
        }
        BgNbdSample s = new BgNbdSample(bucket[CLOCK], (int) bucket[LEVEL], first, last, orders);
        bucket[SAMPLE_CHANGED] = 0;
        bucket[SAMPLE_PERIOD] = Math.floorDiv(bucket[CLOCK], Math.max(1, refitMillis));
        ctx.output(SAMPLES, Tuple3.of(tenant, index(key), s.toBytes()));
        samplesSent.inc();
    }

    private static Map<Long, Long> load(MapState<Long, Long> column) throws Exception {
        Map<Long, Long> m = new HashMap<>();
        for (Map.Entry<Long, Long> e : column.entries()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }
}
