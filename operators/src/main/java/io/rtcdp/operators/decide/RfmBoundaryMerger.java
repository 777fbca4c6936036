package io.rtcdp.operators.decide;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.udf.rfm.RfmBoundaries;
import io.rtcdp.udf.rfm.RfmDistribution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * The second RFM stage, keyed by tenant: keeps the latest summary of each of the tenant's buckets
 * ({@link RfmSummarizer}), merges them into the tenant's quintile boundaries and sends them, {@code
 * (tenant, RfmBoundaries bytes)}, to every subtask of the scoring stage ({@link RfmScorer}) when
 * they changed.
 *
 * <p>It merges when the tenant's first summary comes (so a new tenant is scored at once), then at
 * most about once per second while summaries come (they come together, once per refresh interval,
 * from the buckets that changed), and at the end of a bounded input (event-time timer at {@code
 * Long.MAX_VALUE}: every bucket has sent its final summary before the watermark reaches it here).
 * The merge is exact (the boundaries of {@link RfmBoundaries#exact} over all of the tenant's
 * profiles) up to {@link #EXACT_PROFILES} profiles with orders, so two runs over the same data end
 * with the same boundaries whatever the order of the summaries; beyond, the buckets' values go into
 * one KLL sketch (within its rank error; randomized, so runs may differ by a few scores near a
 * boundary). It receives one record per changed bucket per refresh, not one per change.
 */
public final class RfmBoundaryMerger
        extends KeyedProcessFunction<
                String, Tuple3<String, Integer, byte[]>, Tuple2<String, byte[]>> {
    private static final long serialVersionUID = 1L;

    /** Profiles with orders up to which a tenant's boundaries are exact, not from sketches. */
    public static final int EXACT_PROFILES = 1 << 20;

    /** Longest wait from a summary to the merge it is in. */
    static final long MERGE_DELAY_MILLIS = 1000;

    public static final KeySelector<Tuple3<String, Integer, byte[]>, String> KEY = s -> s.f0;

    /** The stage's output: tenant and its encoded {@link RfmBoundaries}. */
    public static final TypeInformation<Tuple2<String, byte[]>> BOUNDARIES =
            Types.TUPLE(Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private final long mergeDelayMillis;

    /** bucket → its latest {@link RfmDistribution} (empty buckets are left out). */
    private transient MapState<Integer, byte[]> summaries;

    /** The boundaries last sent. */
    private transient ValueState<byte[]> sent;

    /** Whether a summary came since the last merge. */
    private transient ValueState<Boolean> dirty;

    private transient ValueState<Long> nextMerge;
    private transient Counter rebuilds;
    private final RecordIsolation isolation = new RecordIsolation("rfm");

    /**
     * @param refreshInterval the buckets' refresh interval; merges wait for at most the shorter of
     *     it and {@link #MERGE_DELAY_MILLIS}
     */
    public RfmBoundaryMerger(Duration refreshInterval) {
        this.mergeDelayMillis =
                Math.max(1, Math.min(MERGE_DELAY_MILLIS, refreshInterval.toMillis()));
    }

    @Override
    public void open(OpenContext ctx) {
        summaries =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "rfm-summaries",
                                        Types.INT,
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        sent =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "rfm-boundaries-sent",
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        dirty =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("rfm-dirty", Types.BOOLEAN));
        nextMerge =
                getRuntimeContext().getState(new ValueStateDescriptor<>("rfm-next", Types.LONG));
        rebuilds = getRuntimeContext().getMetricGroup().counter("rfmRebuilds");
        isolation.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(
            Tuple3<String, Integer, byte[]> s, Context ctx, Collector<Tuple2<String, byte[]>> out)
            throws Exception {
        isolation.run(
                () -> process(s, ctx, out),
                null,
                () -> "rfm:summary:" + s.f0 + "/" + s.f1,
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(
            Tuple3<String, Integer, byte[]> s, Context ctx, Collector<Tuple2<String, byte[]>> out)
            throws Exception {
        if (RfmDistribution.fromByteArray(s.f2).n() == 0) {
            summaries.remove(s.f1);
        } else {
            summaries.put(s.f1, s.f2);
        }
        dirty.update(true);
        if (sent.value() == null) {
            // the tenant's first boundaries: at once, from what there is
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
                () -> "rfm:rebuild:" + tenant,
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    /** Merges the buckets' summaries; sends the boundaries if they differ from those last sent. */
    private void merge(String tenant, Collector<Tuple2<String, byte[]>> out) throws Exception {
        dirty.clear();
        List<RfmDistribution> parts = new ArrayList<>();
        for (byte[] bytes : summaries.values()) {
            parts.add(RfmDistribution.fromByteArray(bytes));
        }
        RfmBoundaries b = RfmDistribution.boundaries(parts, EXACT_PROFILES);
        rebuilds.inc();
        if (b == null) {
            return; // no profile with orders left: nothing to score
        }
        byte[] had = sent.value();
        if (had != null && sameBoundaries(RfmBoundaries.fromByteArray(had), b)) {
            return; // the number of profiles moved, no boundary did: no score can move
        }
        byte[] bytes = b.toByteArray();
        sent.update(bytes);
        out.collect(Tuple2.of(tenant, bytes));
    }

    private static boolean sameBoundaries(RfmBoundaries a, RfmBoundaries b) {
        return Arrays.equals(a.recency(), b.recency())
                && Arrays.equals(a.frequency(), b.frequency())
                && Arrays.equals(a.monetary(), b.monetary());
    }
}
