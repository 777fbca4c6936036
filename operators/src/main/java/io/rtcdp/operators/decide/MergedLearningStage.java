package io.rtcdp.operators.decide;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.udf.ml.LabelledSnapshot;
import io.rtcdp.udf.ml.LearningMessage;
import io.rtcdp.udf.ml.MergedSnapshots;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Labels the pending learning snapshots of profiles merged into another (docs/oneid.md, "Merges and
 * learning snapshots"), keyed by tenant and survivor, between the decision stage and the online
 * trainer. The decision stage of a merged-away profile sends its snapshots here, the survivor's its
 * merges, orders and clock for a label horizon after a merge ({@link LearningMessage}); {@link
 * MergedSnapshots} labels them by the person's orders. A key holds state only while a hand-over is
 * awaited or a snapshot waits; a hand-over whose survivor went before it came is kept until the
 * state's time-to-live ends.
 *
 * <p>The examples carry no served prediction (the model in force when they were taken is not known
 * here): the trainer learns from them, its live quality metrics do not count them.
 */
public final class MergedLearningStage
        extends KeyedProcessFunction<String, LearningMessage, LabelledExample> {
    private static final long serialVersionUID = 1L;

    public static final KeySelector<LearningMessage, String> KEY = LearningMessage::key;

    /** How long a key's state stays without a write: longer than any label horizon. */
    static final Duration STATE_TTL = Duration.ofDays(400);

    private final long spacingMillis;

    private transient ValueState<byte[]> state;
    private transient Counter handOvers;
    private transient Counter labelled;
    private transient Counter dropped;
    private final RecordIsolation isolation = new RecordIsolation("merged-learning");

    public MergedLearningStage() {
        this(ProfileDecider.SNAPSHOT_SPACING);
    }

    MergedLearningStage(long spacingMillis) {
        this.spacingMillis = spacingMillis;
    }

    @Override
    public void open(OpenContext ctx) {
        ValueStateDescriptor<byte[]> d =
                new ValueStateDescriptor<>(
                        "merged-snapshots", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        d.enableTimeToLive(
                StateTtlConfig.newBuilder(STATE_TTL)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        state = getRuntimeContext().getState(d);
        var g = getRuntimeContext().getMetricGroup();
        handOvers = g.counter("learningHandOvers");
        labelled = g.counter("learningHandedLabelled");
        dropped = g.counter("learningHandedDropped");
    }

    @Override
    public void processElement(LearningMessage m, Context ctx, Collector<LabelledExample> out)
            throws Exception {
        isolation.run(
                () -> process(m, out),
                null,
                () -> "merged-learning:" + m.tenant() + "/" + m.survivor(),
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(LearningMessage m, Collector<LabelledExample> out) throws Exception {
        byte[] bytes = state.value();
        if (bytes == null && !MergedSnapshots.startsState(m.kind())) {
            return; // the survivor's orders and clock, with nothing here to label
        }
        MergedSnapshots s =
                bytes == null
                        ? new MergedSnapshots(spacingMillis)
                        : MergedSnapshots.read(
                                new DataInputStream(new ByteArrayInputStream(bytes)),
                                spacingMillis);
        if (m.kind() == LearningMessage.Kind.HAND_OVER && !m.handed().isEmpty()) {
            handOvers.inc();
        }
        s.apply(
                m,
                new MergedSnapshots.Sink() {
                    @Override
                    public void labelled(String model, LabelledSnapshot l) {
                        labelled.inc();
                        out.collect(
                                new LabelledExample(
                                        m.tenant(),
                                        model,
                                        0,
                                        Double.NaN,
                                        l.x(),
                                        l.label(),
                                        l.ts()));
                    }

                    @Override
                    public void dropped(String model, int count) {
                        dropped.inc(count);
                    }
                });
        if (s.isEmpty()) {
            state.clear();
        } else {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            s.write(new DataOutputStream(b));
            state.update(b.toByteArray());
        }
    }
}
