package io.rtcdp.operators.identity;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.StateCache;
import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.VersionedSnapshot;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.profile.ProfileFeatures;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps the features of each fragment — the events that resolved to one oneid while it was a live
 * profile — so that when that profile merges into an older one, its state can be handed on in the
 * same dataflow, exactly once, without a feedback loop (docs/oneid.md). Everything a live profile
 * receives passes through its fragment here, so a drop can never overtake the profile's events.
 */
public final class FragmentStore
        extends KeyedProcessFunction<String, FragmentCommand, ProfileCommand> {
    private static final long serialVersionUID = 1L;

    public static final KeySelector<FragmentCommand, String> KEY = FragmentCommand::key;

    /**
     * Fragments whose features stay on the heap per subtask ({@link StateCache}): a person's events
     * of one session find their fragment there. A few KB each.
     */
    private int cacheSize = StateCache.DEFAULT_SIZE;

    /** Sets how many fragments' features each subtask keeps on the heap (0: none). */
    public FragmentStore cacheSize(int size) {
        this.cacheSize = size;
        return this;
    }

    private transient StateCache<ProfileFeatures> features;
    private final RecordIsolation isolation = new RecordIsolation("fragments");

    @Override
    public void open(OpenContext ctx) {
        isolation.open(getRuntimeContext().getMetricGroup());
        features =
                new StateCache<>(
                                getRuntimeContext()
                                        .getState(
                                                new ValueStateDescriptor<>(
                                                        "fragment-features",
                                                        new CodecTypeInfo<>(
                                                                ProfileFeatures.class,
                                                                FeaturesSerializer.INSTANCE))),
                                cacheSize)
                        .withMetrics(getRuntimeContext().getMetricGroup(), "fragments");
    }

    @Override
    public void processElement(FragmentCommand c, Context ctx, Collector<ProfileCommand> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        isolation.run(
                () -> process(key, c, out),
                c.event(),
                () -> "fragments:" + c.kind() + ":" + c.key(),
                d -> {
                    features.invalidate(key);
                    ctx.output(RecordIsolation.INTERNAL_ERRORS, d);
                });
    }

    private void process(String key, FragmentCommand c, Collector<ProfileCommand> out)
            throws Exception {
        switch (c.kind()) {
            case ROUTE -> {
                ProfileFeatures f = features.value(key);
                if (f == null) {
                    f = new ProfileFeatures();
                }
                f.add(c.event());
                features.update(key, f);
                out.collect(ProfileCommand.event(c.fragment(), c.event(), c.linked(), c.history()));
            }
            case RESEND -> {
                ProfileFeatures f = features.value(key);
                if (f != null) {
                    out.collect(ProfileCommand.absorb(c.tenant(), c.target(), f));
                }
            }
            case DROP -> out.collect(ProfileCommand.drop(c.tenant(), c.fragment(), c.target()));
            case IDS ->
                    out.collect(
                            ProfileCommand.ids(c.tenant(), c.fragment(), c.linked(), c.removed()));
            case FORGET -> {
                features.clear(key);
                out.collect(ProfileCommand.forget(c.tenant(), c.fragment(), c.event()));
            }
        }
    }

    /**
     * Serializer of the fragment state: {@link ProfileFeatures}' own encoding, which begins with
     * its format byte (only format 1 exists). The byte stays, as savepoints and the profile
     * commands that carry features hold it; a new features format can be read record by record
     * through it (as {@code ProfileStateSerializer} does) or by a reader of the old snapshot
     * version.
     */
    public static final class FeaturesSerializer extends CodecSerializer<ProfileFeatures> {
        private static final long serialVersionUID = 1L;

        public static final FeaturesSerializer INSTANCE = new FeaturesSerializer();

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public ProfileFeatures createInstance() {
            return new ProfileFeatures();
        }

        @Override
        public ProfileFeatures copy(ProfileFeatures from) {
            return from.copy();
        }

        @Override
        public void serialize(ProfileFeatures f, DataOutputView out) throws IOException {
            f.write(out);
        }

        @Override
        public ProfileFeatures deserialize(DataInputView in) throws IOException {
            return ProfileFeatures.read(in);
        }

        @Override
        public VersionedSnapshot<ProfileFeatures> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /**
     * Snapshot of {@link FeaturesSerializer}. Version 4: features may hold the items of orders (a
     * flag of their encoding; version 3's bytes read as they are); 5: features may hold the text
     * features (their encoding's format 2; versions 3 and 4 read as they are); 6: features may hold
     * the first and previous order times (their format 3; versions 3 to 5 read as they are).
     */
    public static final class Snapshot extends VersionedSnapshot<ProfileFeatures> {
        public Snapshot() {
            super(
                    FeaturesSerializer.INSTANCE,
                    6,
                    java.util.Map.of(
                            3,
                            FeaturesSerializer.INSTANCE,
                            4,
                            FeaturesSerializer.INSTANCE,
                            5,
                            FeaturesSerializer.INSTANCE));
        }
    }
}
