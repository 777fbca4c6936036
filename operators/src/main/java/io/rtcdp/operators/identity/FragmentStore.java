package io.rtcdp.operators.identity;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.RuleSetsInForce;
import io.rtcdp.operators.StateCache;
import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.VersionedSnapshot;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.rules.CompiledRules;
import io.rtcdp.udf.rules.RuleSetException;
import io.rtcdp.udf.rules.VersionStep;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the features of each fragment — the events that resolved to one oneid while it was a live
 * profile — so that when that profile merges into an older one, its state can be handed on in the
 * same dataflow, exactly once, without a feedback loop (docs/oneid.md). Everything a live profile
 * receives passes through its fragment here, so a drop can never overtake the profile's events.
 *
 * <p>The first stage that keeps events' traits: it keeps only the trait names the tenant's rule set
 * in force declares (docs/contract.md §6.1). An event's other traits are dropped before the event
 * is added to its fragment and forwarded ({@code traitsUndeclared}); a trait a newer rule set no
 * longer declares leaves the fragments when that rule set arrives (and any fragment at its next
 * event or hand-over) and, told by the forwarded event ({@link ProfileCommand#declaredTraits()}),
 * the profile at its next event. The rule sets come over the broadcast input (the job's control
 * texts, models ignored); which one is in force per tenant is decided as the decision stage decides
 * it: a higher version within the version step replaces it, a text that does not compile is
 * ignored, the start-up rule sets are in force before they arrive. Run it in {@link
 * FragmentStoreOperator}, which keeps the rule sets' watermarks out of event time.
 *
 * <p>A fragment's features are read only when they are handed on (or forgotten), so an event does
 * not decode, update and re-encode them: it appends its own features (those of the one event) to
 * the fragment's pending list ({@link #PENDING}, a RocksDB merge without a read). The pending
 * entries are merged into the fragment's features ({@link ProfileFeatures#merge}: equal to adding
 * their events, in any order) when the fragment is handed on, when a rule set stops declaring a
 * trait, and by one event in {@link #FOLD_EVERY}, chosen by its event id (a replay folds where the
 * run did; the result does not depend on where). Every read merges the pending entries and keeps
 * only the declared traits.
 */
public final class FragmentStore
        extends KeyedBroadcastProcessFunction<String, FragmentCommand, String, ProfileCommand> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FragmentStore.class);

    public static final KeySelector<FragmentCommand, String> KEY = FragmentCommand::key;

    /** Each fragment's features. */
    static final ValueStateDescriptor<ProfileFeatures> FEATURES =
            new ValueStateDescriptor<>(
                    "fragment-features",
                    new CodecTypeInfo<>(ProfileFeatures.class, FeaturesSerializer.INSTANCE));

    /**
     * Each fragment's features of its events since they were last merged into {@link #FEATURES},
     * one entry per event, in arrival order (the order does not matter to the merge).
     */
    static final ListStateDescriptor<ProfileFeatures> PENDING =
            new ListStateDescriptor<>(
                    "fragment-pending",
                    new CodecTypeInfo<>(ProfileFeatures.class, FeaturesSerializer.INSTANCE));

    /**
     * One event in this many, chosen by its event id ({@link #folds}), merges its fragment's
     * pending entries into the features: a fragment's list holds this many entries on average.
     */
    static final int FOLD_EVERY = 32;

    /** Rule set text per tenant: the rule set in force here, restored from checkpoints. */
    public static final MapStateDescriptor<String, String> RULES =
            new MapStateDescriptor<>("fragment-rule-sets", Types.STRING, Types.STRING);

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

    /** How far a rule set's version may move the one in force: the decision stage's. */
    private VersionStep versionStep = VersionStep.DEFAULT;

    /**
     * Sets how far a new rule set's version may be above the one in force (as the decision stage).
     */
    public FragmentStore versionStep(VersionStep step) {
        this.versionStep = Objects.requireNonNull(step);
        return this;
    }

    /**
     * The job's start-up control texts (rule sets and models, as the decision stage gets them): a
     * tenant's highest start-up rule set is in force here until its broadcast state holds one, so
     * an event that comes before it over the broadcast keeps the traits it declares.
     */
    private final ArrayList<String> startUp = new ArrayList<>();

    /** Sets the start-up control texts (rule sets and models; models are ignored). */
    public FragmentStore startUp(List<String> texts) {
        startUp.clear();
        startUp.addAll(texts);
        return this;
    }

    /** The rule set in force per tenant, as the decision stage finds it. */
    private transient RuleSetsInForce ruleSets;

    private transient StateCache<ProfileFeatures> features;
    private transient ListState<ProfileFeatures> pending;

    private transient Counter traitsUndeclared;
    private final RecordIsolation isolation = new RecordIsolation("fragments");

    @Override
    public void open(OpenContext ctx) {
        isolation.open(getRuntimeContext().getMetricGroup());
        traitsUndeclared = getRuntimeContext().getMetricGroup().counter("traitsUndeclared");
        features =
                new StateCache<>(getRuntimeContext().getState(FEATURES), cacheSize)
                        .withMetrics(getRuntimeContext().getMetricGroup(), "fragments");
        pending = getRuntimeContext().getListState(PENDING);
        ruleSets =
                new RuleSetsInForce(
                        startUp,
                        versionStep,
                        // the decision stage logs it and counts it
                        (tenant, e) -> {});
    }

    @Override
    public void processElement(
            FragmentCommand c, ReadOnlyContext ctx, Collector<ProfileCommand> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        isolation.run(
                () -> process(key, c, ctx.getBroadcastState(RULES), out),
                c.event(),
                () -> "fragments:" + c.kind() + ":" + c.key(),
                d -> {
                    features.invalidate(key);
                    ctx.output(RecordIsolation.INTERNAL_ERRORS, d);
                });
    }

    private void process(
            String key,
            FragmentCommand c,
            ReadOnlyBroadcastState<String, String> rules,
            Collector<ProfileCommand> out)
            throws Exception {
        switch (c.kind()) {
            case ROUTE -> {
                Set<String> declared = declared(c.tenant(), rules);
                Event e = declaredOnly(c.event(), declared);
                if (folds(e)) {
                    Merged m = merged(key);
                    if (m == null) {
                        m = new Merged(new ProfileFeatures(), false);
                    }
                    m.features().retainTraits(declared);
                    m.features().add(e);
                    store(key, m);
                } else {
                    ProfileFeatures one = new ProfileFeatures();
                    one.add(e);
                    pending.add(one);
                }
                out.collect(
                        ProfileCommand.event(
                                c.fragment(), e, c.linked(), c.history(), c.merged(), declared));
            }
            case RESEND -> {
                Merged m = merged(key);
                if (m != null) {
                    m.features().retainTraits(declared(c.tenant(), rules));
                    // a fragment handed on gets no more events, but may be handed on again
                    store(key, m);
                    out.collect(ProfileCommand.absorb(c.tenant(), c.target(), m.features()));
                }
            }
            case DROP -> out.collect(ProfileCommand.drop(c.tenant(), c.fragment(), c.target()));
            case IDS ->
                    out.collect(
                            ProfileCommand.ids(c.tenant(), c.fragment(), c.linked(), c.removed()));
            case FORGET -> {
                features.clear(key);
                pending.clear();
                out.collect(ProfileCommand.forget(c.tenant(), c.fragment(), c.event()));
            }
        }
    }

    /** Whether {@code e} merges its fragment's pending entries: one event id in FOLD_EVERY. */
    static boolean folds(Event e) {
        return Integer.remainderUnsigned(e.eventId().hashCode() * 0x9E3779B9, FOLD_EVERY) == 0;
    }

    /** A fragment's features with its pending entries merged in, and whether it had any. */
    private record Merged(ProfileFeatures features, boolean hadPending) {}

    /**
     * The fragment's features (new ones if it has none) with its pending entries merged in; null if
     * it has neither. Nothing is written: {@link #store} does.
     */
    private Merged merged(String key) throws Exception {
        ProfileFeatures stored = features.value(key);
        ProfileFeatures f = stored == null ? new ProfileFeatures() : stored;
        boolean any = false;
        Iterable<ProfileFeatures> entries = pending.get();
        if (entries != null) {
            for (ProfileFeatures one : entries) {
                f.merge(one);
                any = true;
            }
        }
        return stored == null && !any ? null : new Merged(f, any);
    }

    /**
     * Writes the fragment's features, then drops the pending entries merged into them: an event
     * that fails before this leaves both as they were.
     */
    private void store(String key, Merged m) throws Exception {
        features.update(key, m.features());
        if (m.hadPending()) {
            pending.clear();
        }
    }

    /** The traits dropped as undeclared so far (the counter), for tests. */
    long traitsUndeclaredCount() {
        return traitsUndeclared.getCount();
    }

    /** The event with only its declared traits; the others are counted. */
    private Event declaredOnly(Event e, Set<String> declared) {
        Map<String, String> traits = e.traits();
        if (traits.isEmpty() || declared.containsAll(traits.keySet())) {
            return e;
        }
        Map<String, String> kept = new LinkedHashMap<>();
        int undeclared = 0;
        for (Map.Entry<String, String> t : traits.entrySet()) {
            if (declared.contains(t.getKey())) {
                kept.put(t.getKey(), t.getValue());
            } else {
                undeclared++;
            }
        }
        traitsUndeclared.inc(undeclared);
        return e.withTraits(kept);
    }

    /**
     * The trait names the tenant's rule set in force declares (one set per rule set, not a copy);
     * none when no rule set is in force.
     */
    private Set<String> declared(String tenant, ReadOnlyBroadcastState<String, String> stored)
            throws Exception {
        CompiledRules r = ruleSets.get(tenant, stored);
        return r == null ? Set.of() : r.declaredTraits();
    }

    /**
     * A rule set or a model: a rule set replaces the tenant's in force as in the decision stage
     * (which logs and counts what it refuses); a model is not this stage's.
     */
    @Override
    public void processBroadcastElement(String text, Context ctx, Collector<ProfileCommand> out)
            throws Exception {
        if (ModelMessages.isModel(text)) {
            return;
        }
        CompiledRules next;
        try {
            next = CompiledRules.compile(text);
        } catch (RuleSetException e) {
            return;
        }
        String tenant = next.tenant();
        BroadcastState<String, String> stored = ctx.getBroadcastState(RULES);
        CompiledRules current = ruleSets.get(tenant, stored);
        RuleSetsInForce.Verdict verdict = ruleSets.offer(next, text, stored);
        if (verdict != RuleSetsInForce.Verdict.APPLIED) {
            LOG.debug(
                    "Not applied here ({}): rule set version {} of tenant {}",
                    verdict,
                    next.version(),
                    tenant);
            return;
        }
        if (current != null && !next.declaredTraits().containsAll(current.declaredTraits())) {
            forgetUndeclared(tenant, next.declaredTraits(), ctx);
        }
    }

    /**
     * A rule set stopped declaring trait names: they leave every fragment of the tenant here at
     * once, also those of profiles merged away, which get no events any more (they keep their
     * features for a later hand-over). A pass over the stage's fragments, as rare as such rule
     * sets.
     */
    private void forgetUndeclared(String tenant, Set<String> declared, Context ctx)
            throws Exception {
        String prefix = tenant + '\u0001';
        long[] changed = {0};
        try {
            // the backend's current key is the one passed in, which the states then read
            ctx.applyToKeyedState(
                    FEATURES,
                    (key, state) -> {
                        if (key.startsWith(prefix) && retainAll(key, declared)) {
                            changed[0]++;
                        }
                    });
            // fragments whose events all wait in their pending list (none folded yet)
            ctx.applyToKeyedState(
                    PENDING,
                    (key, state) -> {
                        if (key.startsWith(prefix) && retainAll(key, declared)) {
                            changed[0]++;
                        }
                    });
        } finally {
            features.invalidateAll();
        }
        LOG.info(
                "Removed the traits tenant {}'s rule set no longer declares from {} fragments",
                tenant,
                changed[0]);
    }

    /**
     * Merges the current key's pending entries into its features and keeps only the declared
     * traits, in state; whether a trait was dropped.
     */
    private boolean retainAll(String key, Set<String> declared) throws Exception {
        Merged m = merged(key);
        if (m == null) {
            return false;
        }
        boolean retained = m.features().retainTraits(declared);
        if (retained || m.hadPending()) {
            store(key, m);
        }
        return retained;
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
     * the first and previous order times (their format 3; versions 3 to 5 read as they are); 7:
     * features may hold traits (a part of their format 3; versions 3 to 6 read as they are); 8:
     * features hold the day buckets of the 180- and 365-day windows (a part of their format 3;
     * versions 3 to 7 read as states without them, whose long windows are left out until known); 9:
     * features hold their refunds and baskets (their format byte raised by 3; versions 3 to 8 read
     * as states without them, whose refund and basket fields are left out).
     */
    public static final class Snapshot extends VersionedSnapshot<ProfileFeatures> {
        public Snapshot() {
            super(
                    FeaturesSerializer.INSTANCE,
                    9,
                    java.util.Map.of(
                            3,
                            FeaturesSerializer.INSTANCE,
                            4,
                            FeaturesSerializer.INSTANCE,
                            5,
                            FeaturesSerializer.INSTANCE,
                            6,
                            FeaturesSerializer.INSTANCE,
                            7,
                            FeaturesSerializer.INSTANCE,
                            8,
                            FeaturesSerializer.INSTANCE));
        }
    }
}
