package io.rtcdp.operators.decide;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.RfmObservation;
import io.rtcdp.udf.rfm.RfmBoundaries;
import io.rtcdp.udf.rfm.RfmScore;
import io.rtcdp.udf.rfm.RfmSketch;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The RFM stage, keyed by tenant: keeps every profile's recency (last order time), frequency and
 * monetary value, estimates the tenant's quintile boundaries from KLL sketches of them ({@link
 * RfmSketch}), and sends each profile's {@code rfm.r/f/m/segment} to the decision stage whenever it
 * changes.
 *
 * <p>A profile is scored against the boundaries in force when its values change. The boundaries are
 * rebuilt from all profiles every {@code refreshInterval} of processing time (and at the end of a
 * bounded input), and every profile whose score moved is sent again: quintiles are relative, so one
 * profile's order can move others. Rebuilding from the stored values keeps each profile counted
 * exactly once with its current values; up to about a million profiles with orders per tenant the
 * boundaries are exact quantiles, beyond that KLL estimates.
 */
public final class RfmScorer extends KeyedProcessFunction<String, RfmObservation, ProfileChange> {
    private static final long serialVersionUID = 1L;

    public static final KeySelector<RfmObservation, String> KEY = RfmObservation::tenant;

    /** Profiles with orders up to which a tenant's boundaries are exact, not from sketches. */
    static final int EXACT_PROFILES = 1 << 20;

    /** Index of the packed score in a stored value: {@code r*100 + f*10 + m}, 0 for none. */
    private static final int SCORE = 3;

    private final long refreshMillis;

    /** oneid → {last order ts, orders, revenue micros, packed score}. */
    private transient MapState<String, long[]> profiles;

    private transient ValueState<byte[]> boundaries;
    private transient ValueState<Long> nextRefresh;
    private transient RfmBoundaries cached;
    private transient String cachedTenant;
    private transient Counter rebuilds;
    private transient Counter scoresSent;
    private final RecordIsolation isolation = new RecordIsolation("rfm");

    public RfmScorer(Duration refreshInterval) {
        this.refreshMillis = Math.max(1, refreshInterval.toMillis());
    }

    @Override
    public void open(OpenContext ctx) {
        profiles =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "rfm-profiles",
                                        Types.STRING,
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        boundaries =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "rfm-boundaries",
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        nextRefresh =
                getRuntimeContext().getState(new ValueStateDescriptor<>("rfm-next", Types.LONG));
        rebuilds = getRuntimeContext().getMetricGroup().counter("rfmRebuilds");
        scoresSent = getRuntimeContext().getMetricGroup().counter("rfmScoresSent");
        isolation.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(RfmObservation o, Context ctx, Collector<ProfileChange> out)
            throws Exception {
        isolation.run(
                () -> process(o, ctx, out),
                null,
                () -> "rfm:" + o.tenant() + "/" + o.oneid(),
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(RfmObservation o, Context ctx, Collector<ProfileChange> out)
            throws Exception {
        if (o.isRemoval()) {
            profiles.remove(o.oneid());
            return;
        }
        long[] old = profiles.get(o.oneid());
        long[] v = {o.lastOrderTs(), o.orders(), o.revenueMicros(), old == null ? 0 : old[SCORE]};
        profiles.put(o.oneid(), v);
        RfmBoundaries b = boundaries(o.tenant());
        if (b == null) {
            // the tenant's first profiles: boundaries from what there is
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            rebuild(o.tenant(), out);
        } else if (send(o.tenant(), o.oneid(), v, b, out)) {
            profiles.put(o.oneid(), v);
        }
        Long next = nextRefresh.value();
        if (next == null) {
            long at = ctx.timerService().currentProcessingTime() + refreshMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            nextRefresh.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ProfileChange> out)
            throws Exception {
        String tenant = ctx.getCurrentKey();
        isolation.run(
                () -> rebuild(tenant, out),
                null,
                () -> "rfm:rebuild:" + tenant,
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
        if (ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.PROCESSING_TIME) {
            long at = ctx.timerService().currentProcessingTime() + refreshMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            nextRefresh.update(at);
        }
    }

    /**
     * New boundaries from every profile, and the scores that moved. Exact (sorted values) up to
     * {@link #EXACT_PROFILES} profiles with orders, so two runs over the same data give the same
     * scores; beyond, from KLL sketches (within their rank error, and randomised: scores near a
     * boundary may differ between runs).
     */
    private void rebuild(String tenant, Collector<ProfileChange> out) throws Exception {
        int n = 0;
        long[][] values = new long[3][1024];
        RfmSketch sketch = null;
        for (long[] v : profiles.values()) {
            if (sketch != null) {
                sketch.add(v[0], v[1], v[2]);
                continue;
            }
            if (n == values[0].length) {
                if (n == EXACT_PROFILES) {
                    sketch = new RfmSketch();
                    for (int i = 0; i < n; i++) {
                        sketch.add(values[0][i], values[1][i], values[2][i]);
                    }
                    sketch.add(v[0], v[1], v[2]);
                    values = null;
                    continue;
                }
                int grown = (int) Math.min(EXACT_PROFILES, 2L * n);
                for (int d = 0; d < 3; d++) {
                    values[d] = java.util.Arrays.copyOf(values[d], grown);
                }
            }
            values[0][n] = v[0];
            values[1][n] = v[1];
            values[2][n] = v[2];
            n++;
        }
        if (sketch == null && n == 0) {
            return;
        }
        RfmBoundaries b =
                sketch != null
                        ? sketch.boundaries()
                        : RfmBoundaries.exact(values[0], values[1], values[2], n);
        boundaries.update(b.toByteArray());
        cached = b;
        cachedTenant = tenant;
        rebuilds.inc();
        for (Map.Entry<String, long[]> e : profiles.entries()) {
            long[] v = e.getValue();
            if (send(tenant, e.getKey(), v, b, out)) {
                e.setValue(v);
            }
        }
    }

    /**
     * Scores one profile; if the score changed, sends it, puts it into {@code v} and returns true.
     */
    private boolean send(
            String tenant, String oneid, long[] v, RfmBoundaries b, Collector<ProfileChange> out)
            throws Exception {
        RfmScore s = b.score(v[0], v[1], v[2]);
        long packed = s.r() * 100L + s.f() * 10L + s.m();
        if (packed == v[SCORE]) {
            return false;
        }
        v[SCORE] = packed;
        scoresSent.inc();
        out.collect(
                ProfileChange.ofRfm(
                        tenant,
                        oneid,
                        new String[] {
                            Integer.toString(s.r()),
                            Integer.toString(s.f()),
                            Integer.toString(s.m()),
                            s.segment()
                        }));
        return true;
    }

    private RfmBoundaries boundaries(String tenant) throws Exception {
        if (cached != null && tenant.equals(cachedTenant)) {
            return cached;
        }
        byte[] bytes = boundaries.value();
        if (bytes == null) {
            return null;
        }
        cached = RfmBoundaries.fromByteArray(bytes);
        cachedTenant = tenant;
        return cached;
    }
}
