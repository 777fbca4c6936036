package io.rtcdp.operators.decide;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.udf.ml.BgNbdFit;
import io.rtcdp.udf.ml.BgNbdSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BG/NBD's live refit (docs/models.md, "BG/NBD in the live job"), keyed by tenant: keeps the latest
 * {@link BgNbdSample} of each of the tenant's RFM buckets ({@link RfmSummarizer#SAMPLES}) and fits
 * BG/NBD's parameters to their union ({@link BgNbdSample#fit}), which it sends as {@link BgNbdFit}
 * text to the decision stage's broadcast input. The decision stage serves every model with BG/NBD
 * inputs with the tenant's latest fit.
 *
 * <p>It fits:
 *
 * <ul>
 *   <li>when the samples' clock (the latest order time among them) enters a refit period after that
 *       of the last fit: each bucket sends its sample at once when its own orders enter a new
 *       period, and with its RFM summary (every refresh interval of processing time) when it
 *       changed, so the other buckets' samples are as of their last change a refresh interval ago
 *       in a live job; in a replay, read faster than the refresh interval, as of their own latest
 *       period;
 *   <li>as soon as the samples hold enough customers ({@link BgNbdSample#MIN_CUSTOMERS}, {@link
 *       BgNbdSample#MIN_REPEATERS}) and twice as many as at the last fit (a tenant that starts from
 *       nothing);
 *   <li>and at the end of a bounded input, if a sample came since the last fit, when every bucket's
 *       final sample is in.
 * </ul>
 *
 * <p>A fit costs O(sampled customers) per optimizer step (at most 16,384 customers per tenant), on
 * this stage's task thread, a few times per refit interval.
 */
public final class BgNbdFitStage
        extends KeyedProcessFunction<String, Tuple3<String, Integer, byte[]>, String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BgNbdFitStage.class);

    public static final KeySelector<Tuple3<String, Integer, byte[]>, String> KEY = t -> t.f0;

    private static final long NONE = Long.MIN_VALUE;

    /** Sampled customers at the last fit or attempt. */
    private static final int FITTED_SAMPLED = 0;

    /** Buckets that sent a sample. */
    private static final int BUCKETS = 1;

    /** Sampled customers of all buckets. */
    private static final int SAMPLED = 2;

    /** 1 when a sample came since the last fit or attempt. */
    private static final int CHANGED = 3;

    /** The refit period of the samples' clock at the last fit or attempt, {@link #NONE} before. */
    private static final int FITTED_PERIOD = 4;

    /** The latest refit period of a sample's clock. */
    private static final int PERIOD = 5;

    private static final int SLOTS = 6;

    private final long refitMillis;

    private transient MapState<Integer, byte[]> samples;
    private transient ValueState<long[]> status;
    private transient Counter fits;
    private transient Counter fitsFailed;
    private final RecordIsolation isolation = new RecordIsolation("bgnbd");

    /**
     * @param refitInterval the refit interval, in the tenant's event time
     */
    public BgNbdFitStage(Duration refitInterval) {
        this.refitMillis = Math.max(1, refitInterval.toMillis());
    }

    @Override
    public void open(OpenContext ctx) {
        samples =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "bgnbd-samples",
                                        Types.INT,
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        status =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "bgnbd-fit",
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        fits = getRuntimeContext().getMetricGroup().counter("bgnbdFits");
        fitsFailed = getRuntimeContext().getMetricGroup().counter("bgnbdFitsFailed");
        isolation.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(
            Tuple3<String, Integer, byte[]> in, Context ctx, Collector<String> out)
            throws Exception {
        isolation.run(
                () -> process(in, ctx, out),
                null,
                () -> "bgnbd:" + in.f0 + "/" + in.f1,
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(Tuple3<String, Integer, byte[]> in, Context ctx, Collector<String> out)
            throws Exception {
        BgNbdSample next = BgNbdSample.fromBytes(in.f2);
        byte[] oldBytes = samples.get(in.f1);
        BgNbdSample old = oldBytes == null ? null : BgNbdSample.fromBytes(oldBytes);
        samples.put(in.f1, in.f2);
        long[] st = status.value();
        if (st == null) {
            st = new long[SLOTS];
            st[FITTED_PERIOD] = NONE;
            st[PERIOD] = NONE;
            // the end of a bounded input fits what came last
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }
        st[BUCKETS] += old == null ? 1 : 0;
        st[SAMPLED] += next.size() - (old == null ? 0 : old.size());
        st[CHANGED] = 1;
        st[PERIOD] = Math.max(st[PERIOD], Math.floorDiv(next.clock(), refitMillis));
        if (st[SAMPLED] >= BgNbdSample.MIN_CUSTOMERS
                && (st[SAMPLED] >= 2 * st[FITTED_SAMPLED] || st[PERIOD] > st[FITTED_PERIOD])) {
            fit(in.f0, st, out);
        }
        status.update(st);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out)
            throws Exception {
        String tenant = ctx.getCurrentKey();
        isolation.run(
                () -> {
                    long[] st = status.value();
                    if (st != null && st[CHANGED] != 0) {
                        fit(tenant, st, out);
                        status.update(st);
                    }
                },
                null,
                () -> "bgnbd:" + tenant,
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    /** Fits the tenant's samples and sends the fit (when there are enough customers). */
    private void fit(String tenant, long[] st, Collector<String> out) throws Exception {
        List<BgNbdSample> parts = new ArrayList<>();
        for (byte[] b : samples.values()) {
            parts.add(BgNbdSample.fromBytes(b));
        }
        long started = System.nanoTime();
        // an attempt either way: the next comes with twice the customers or a new period
        st[FITTED_SAMPLED] = st[SAMPLED];
        st[FITTED_PERIOD] = st[PERIOD];
        st[CHANGED] = 0;
        BgNbdFit fit;
        try {
            fit = BgNbdSample.fit(tenant, parts);
        } catch (RuntimeException e) {
            // an optimizer that does not converge: the fit in force stays
            fitsFailed.inc();
            LOG.warn("BG/NBD fit for tenant {} failed; the fit in force stays: {}", tenant, e);
            return;
        }
        if (fit == null) {
            // too few customers, or of repeat buyers, yet
            return;
        }
        fits.inc();
        LOG.info(
                "BG/NBD fit for tenant {} as of {} from {} sampled customers (standing for {}) in"
                        + " {} ms: r={} alpha={} a={} b={}",
                tenant,
                java.time.Instant.ofEpochMilli(fit.asOf()),
                fit.sampled(),
                fit.customers(),
                (System.nanoTime() - started) / 1_000_000,
                fit.params().r(),
                fit.params().alpha(),
                fit.params().a(),
                fit.params().b());
        out.collect(fit.toText());
    }
}
