package io.rtcdp.operators.decide;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.RfmObservation;
import io.rtcdp.udf.rfm.RfmBoundaries;
import io.rtcdp.udf.rfm.RfmScore;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The RFM scoring stage, keyed by (tenant, oneid) like the profile stage, so one tenant's profiles
 * spread over every subtask: keeps each profile's recency (last order time), frequency, monetary
 * value and last sent score, and sends its {@code rfm.r/f/m/segment} to the decision stage whenever
 * the score changes. The tenants' quintile boundaries come broadcast from {@link
 * RfmBoundaryMerger}.
 *
 * <p>A profile is scored against its tenant's boundaries in force when its values change (not at
 * all before the tenant's first boundaries). When new boundaries come, every profile of the tenant
 * on this subtask is scored again ({@code applyToKeyedState}: a pass over this subtask's RFM
 * profiles) and each score that moved is sent: quintiles are relative, so one profile's order can
 * move others.
 *
 * <p>At the end of a bounded input every profile ends scored against the tenant's final boundaries,
 * whatever the order in which observations and boundaries come: the final boundaries come after
 * every bucket's final summary, profiles already here are scored again when they come, and a
 * profile's later observation is scored against them when it comes. With exact boundaries (up to
 * {@link RfmBoundaryMerger#EXACT_PROFILES} profiles with orders) the final scores are the same in
 * every run.
 */
public final class RfmScorer
        extends KeyedBroadcastProcessFunction<
                String, RfmObservation, Tuple2<String, byte[]>, ProfileChange> {
    private static final long serialVersionUID = 1L;

    public static final KeySelector<RfmObservation, String> KEY =
            o -> o.tenant() + '\u0001' + o.oneid();

    /** tenant → its boundaries in force ({@link RfmBoundaries#toByteArray}). */
    public static final MapStateDescriptor<String, byte[]> BOUNDARIES =
            new MapStateDescriptor<>(
                    "rfm-boundaries",
                    Types.STRING,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** {last order ts, orders, revenue micros, packed score r*100 + f*10 + m or 0 for none}. */
    private static final ValueStateDescriptor<long[]> PROFILE =
            new ValueStateDescriptor<>(
                    "rfm-profile", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);

    /** Index of the packed score in a stored value. */
    private static final int SCORE = 3;

    private transient ValueState<long[]> profile;

    /** Decoded boundaries of the broadcast state, by tenant. */
    private transient Map<String, RfmBoundaries> decoded;

    private transient Counter rescored;
    private transient Counter scoresSent;
    private final RecordIsolation isolation = new RecordIsolation("rfm");

    @Override
    public void open(OpenContext ctx) {
        profile = getRuntimeContext().getState(PROFILE);
        decoded = new HashMap<>();
        rescored = getRuntimeContext().getMetricGroup().counter("rfmRescored");
        scoresSent = getRuntimeContext().getMetricGroup().counter("rfmScoresSent");
        isolation.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(RfmObservation o, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        isolation.run(
                () -> process(o, ctx, out),
                null,
                () -> "rfm:" + o.tenant() + "/" + o.oneid(),
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(RfmObservation o, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        if (o.isRemoval()) {
            // its stored score goes with it: if it comes back, its score is news again
            profile.clear();
            return;
        }
        long[] old = profile.value();
        long[] v = {o.lastOrderTs(), o.orders(), o.revenueMicros(), old == null ? 0 : old[SCORE]};
        if (old != null && java.util.Arrays.equals(old, v)) {
            return;
        }
        RfmBoundaries b = boundaries(o.tenant(), ctx.getBroadcastState(BOUNDARIES));
        if (b != null) {
            send(o.tenant(), o.oneid(), v, b, out);
        }
        profile.update(v);
    }

    @Override
    public void processBroadcastElement(
            Tuple2<String, byte[]> update, Context ctx, Collector<ProfileChange> out)
            throws Exception {
        String tenant = update.f0;
        RfmBoundaries[] read = new RfmBoundaries[1];
        isolation.run(
                () -> read[0] = RfmBoundaries.fromByteArray(update.f1),
                null,
                () -> "rfm:boundaries:" + tenant,
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
        RfmBoundaries b = read[0];
        if (b == null) {
            return; // unreadable: the boundaries in force stay
        }
        ctx.getBroadcastState(BOUNDARIES).put(tenant, update.f1);
        decoded.put(tenant, b);
        ctx.applyToKeyedState(
                PROFILE,
                isolation.eachProfileOf(
                        tenant,
                        "rfm",
                        (oneid, state) -> {
                            long[] v = state.value();
                            if (v != null && send(tenant, oneid, v, b, out)) {
                                state.update(v);
                            }
                        },
                        d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d)));
    }

    /**
     * Scores one profile; if the score changed, sends it, puts it into {@code v} and returns true.
     */
    private boolean send(
            String tenant, String oneid, long[] v, RfmBoundaries b, Collector<ProfileChange> out) {
        rescored.inc();
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

    /** The tenant's boundaries in force, null before its first. */
    private RfmBoundaries boundaries(String tenant, ReadOnlyBroadcastState<String, byte[]> state)
            throws Exception {
        RfmBoundaries b = decoded.get(tenant);
        if (b == null) {
            byte[] bytes = state.get(tenant);
            if (bytes == null) {
                return null;
            }
            b = RfmBoundaries.fromByteArray(bytes);
            decoded.put(tenant, b);
        }
        return b;
    }
}
