package io.rtcdp.operators.decide;

import io.rtcdp.operators.StateCache;
import io.rtcdp.operators.TenantMemo;
import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.sink.FieldOverlay;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.operators.types.ContactMessageSerializer;
import io.rtcdp.operators.types.DecisionStateSerializer;
import io.rtcdp.operators.types.LabelledExampleSerializer;
import io.rtcdp.operators.types.LearningMessageSerializer;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.ml.BgNbdFit;
import io.rtcdp.udf.ml.LabelSpec;
import io.rtcdp.udf.ml.LabelledSnapshot;
import io.rtcdp.udf.ml.LearningHead;
import io.rtcdp.udf.ml.LearningMessage;
import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.MarketingDistribution;
import io.rtcdp.udf.ml.MarketingScore;
import io.rtcdp.udf.ml.MergedSnapshots;
import io.rtcdp.udf.ml.ModelException;
import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.ml.SnapshotLabeler;
import io.rtcdp.udf.profile.ByteArrayInput;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.rules.CompiledRules;
import io.rtcdp.udf.rules.ContactMessage;
import io.rtcdp.udf.rules.ContactPolicy;
import io.rtcdp.udf.rules.DecidedFields;
import io.rtcdp.udf.rules.DecisionState;
import io.rtcdp.udf.rules.Evaluation;
import io.rtcdp.udf.rules.EventFacts;
import io.rtcdp.udf.rules.RuleFacts;
import io.rtcdp.udf.rules.RuleInputs;
import io.rtcdp.udf.rules.RuleSet;
import io.rtcdp.udf.rules.RuleSetException;
import io.rtcdp.udf.rules.TenantScorers;
import io.rtcdp.udf.rules.TenantScorers.Scorer;
import io.rtcdp.udf.rules.Trigger;
import io.rtcdp.udf.rules.TriggerChoice;
import io.rtcdp.udf.rules.TriggerState;
import io.rtcdp.udf.rules.VersionStep;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision stage: applies each tenant's business rules (docs/contract.md §6) to every profile
 * change and writes what they decide, tags, segments, segment-set membership, the RFM score, and
 * triggers.
 *
 * <p>Inputs: the profile stage's changes and the RFM stage's scores, keyed by profile, and the rule
 * sets (text, broadcast). A rule set replaces the tenant's previous one only if it compiles and its
 * version is higher; it is then applied at once to every profile of the tenant that this instance
 * holds ({@code applyToKeyedState}), not only to profiles that receive events later. A rule set
 * that does not compile is logged with its errors and counted; the previous one stays in force.
 *
 * <p>Output: the profile stage's updates with the decided fields added, and updates of the decided
 * fields alone; all writes of one profile go through here, in order, so a delete (merge or forget)
 * is never overtaken by a later write of the same profile. Triggers go to {@link #TRIGGERS}.
 *
 * <p>Triggers are decided in event time (see {@link ContactPolicy}): the event's time for a change
 * an event caused, the profile's {@code as_of} otherwise. Their ids are deterministic: the cause is
 * the event id, {@code asof:<ms>} for a refresh or RFM change, {@code rules:<version>} for a new
 * rule set, so a replay after a failure produces the same ids.
 */
public final class ProfileDecider
        extends KeyedBroadcastProcessFunction<String, ProfileChange, String, ProfileUpdate>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProfileDecider.class);

    public static final KeySelector<ProfileChange, String> KEY = ProfileChange::key;

    /** Rule set text per tenant: the rules in force, restored from checkpoints. */
    public static final MapStateDescriptor<String, String> RULES =
            new MapStateDescriptor<>("rule-sets", Types.STRING, Types.STRING);

    /** Model versions in force by {@code tenant/name} ({@code * /name} for every tenant). */
    public static final MapStateDescriptor<String, String> MODELS =
            new MapStateDescriptor<>("models", Types.STRING, Types.STRING);

    /** The models scored on every profile update ({@link TenantScorers#MODEL_NAMES}). */
    public static final List<String> MODEL_NAMES = TenantScorers.MODEL_NAMES;

    private static final String MARKETING_FIELD = "score.marketing";

    /** {@code score.marketing} values, 0..1000, as text. */
    private static final String[] MARKETING_TEXT =
            java.util.stream.IntStream.rangeClosed(0, 1000)
                    .mapToObj(Integer::toString)
                    .toArray(String[]::new);

    /** Snapshots labelled once their horizon passed, for the online trainer. */
    public static final OutputTag<LabelledExample> LABELLED =
            new OutputTag<>("labelled-examples", LabelledExampleSerializer.TYPE_INFO);

    /** A profile's feature vector is kept for learning at most once per this much event time. */
    static final long SNAPSHOT_SPACING = 7 * 86_400_000L;

    /**
     * For the stage that labels a merged-away profile's learning snapshots ({@link
     * MergedLearningStage}): the snapshots it hands over, and the survivor's merges, orders and
     * clock for a label horizon after a merge.
     */
    public static final OutputTag<LearningMessage> MERGED_LEARNING =
            new OutputTag<>("merged-learning", LearningMessageSerializer.TYPE_INFO);

    /** How often (event time) a survivor watching for merged snapshots sends its clock. */
    private static final long LEARNING_CLOCK_STEP = 86_400_000L;

    /**
     * Triggers, and what the contact stage needs to keep one contact history per person across
     * merges ({@link io.rtcdp.udf.rules.ContactBook}), in the order decided.
     */
    public static final OutputTag<ContactMessage> TRIGGERS =
            new OutputTag<>("triggers", ContactMessageSerializer.TYPE_INFO);

    public static final String RFM_R = DecidedFields.RFM_R;
    public static final String RFM_F = DecidedFields.RFM_F;
    public static final String RFM_M = DecidedFields.RFM_M;
    public static final String RFM_SEGMENT = DecidedFields.RFM_SEGMENT;
    public static final String TAGS = DecidedFields.TAGS;
    public static final String SEGMENTS = DecidedFields.SEGMENTS;

    static final ValueStateDescriptor<DecisionState> STATE =
            new ValueStateDescriptor<>("decision", DecisionStateSerializer.TYPE_INFO);

    /**
     * The profile's learning snapshots, apart from {@link #STATE}: read and written about once per
     * {@link #SNAPSHOT_SPACING} of a profile's event time, where the state is on every update.
     */
    private static final MapStateDescriptor<String, byte[]> SNAPSHOTS =
            new MapStateDescriptor<>(
                    "learning-snapshots",
                    Types.STRING,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** Whether profiles' feature vectors are kept and labelled for the online trainer. */
    private final boolean learning;

    /** A decision stage that keeps learning snapshots. */
    public ProfileDecider() {
        this(true);
    }

    /**
     * @param learning whether to keep and label learning snapshots ({@link #LABELLED}); without it
     *     the stage only scores
     */
    public ProfileDecider(boolean learning) {
        this(learning, true);
    }

    /**
     * @param incrementalRules whether only the tags and segments whose inputs changed are evaluated
     *     (the default); false evaluates every condition on every update, for comparison in tests
     */
    ProfileDecider(boolean learning, boolean incrementalRules) {
        this.learning = learning;
        this.incrementalRules = incrementalRules;
    }

    /**
     * Sets how far a new rule set or model version may be above the one in force (before the job
     * starts). The online trainer must judge model versions the same way ({@link
     * OnlineTrainer#versionStep}), so that both serve the same versions.
     */
    public ProfileDecider versionStep(VersionStep step) {
        this.versionStep = java.util.Objects.requireNonNull(step);
        return this;
    }

    private final boolean incrementalRules;

    /** How far a rule set's or model's version may move the one in force. */
    private VersionStep versionStep = VersionStep.DEFAULT;

    private transient ValueState<DecisionState> state;

    /**
     * {@link #state} behind a heap cache ({@link StateCache}): a profile's changes come in bursts
     * (a session's events, its refreshes), most find their decision state there. Re-evaluation for
     * a new rule set reads and writes the state around the cache, which is then dropped.
     */
    private transient StateCache<DecisionState> states;

    /** Profiles whose decision state stays on the heap per subtask. */
    private int cacheSize = StateCache.DEFAULT_SIZE;

    /** Sets how many profiles' decision state each subtask keeps on the heap (0: none). */
    public ProfileDecider cacheSize(int size) {
        this.cacheSize = size;
        return this;
    }

    /**
     * The rule sets and models the job starts with (its start-up control texts: {@code --rules},
     * {@code rules.files}, {@code models.dir}). They reach this stage over the broadcast edge,
     * which races with the profiles' changes: a change decided before them would be decided without
     * rules (its event's traits dropped as undeclared, its event-driven triggers not fired) or
     * scores, so the result of a replay would depend on timing. Until a tenant's broadcast state
     * holds a rule set (a model of a name), its start-up one is in force here from the first
     * change.
     */
    private final ArrayList<String> startUp = new ArrayList<>();

    /** Sets the start-up control texts (rule sets and model messages). */
    public ProfileDecider startUp(List<String> texts) {
        startUp.clear();
        startUp.addAll(texts);
        return this;
    }

    /** The highest start-up model per model key, loaded from {@link #startUp} in {@code open}. */
    private transient Map<String, Scorer> startUpModels;

    /** Online-learning snapshots by model name, in {@link SnapshotLabeler}'s encoding. */
    private transient MapState<String, byte[]> snapshots;

    /** Set while a new rule set is applied to every profile: no rescoring then. */
    private transient boolean reevaluating;

    /** The rule set in force per tenant: the start-up ones, then {@link #RULES}'. */
    private transient io.rtcdp.operators.RuleSetsInForce ruleSets;

    /** Model keys whose restored model this jar cannot take. */
    private transient Set<String> droppedModels;

    private transient Counter rulesDropped;
    private transient Counter modelsDropped;
    private final io.rtcdp.operators.RecordIsolation isolation =
            new io.rtcdp.operators.RecordIsolation("decide");

    private transient Counter traitsLeftOut;

    private transient Counter rulesApplied;
    private transient Counter rulesRejected;
    private transient Counter ruleErrors;
    private transient Counter reevaluated;
    private transient Counter triggersEmitted;
    private transient Counter suppressedCooldown;
    private transient Counter suppressedCap;
    private transient Counter suppressedConsent;
    private transient volatile long lastReevaluationMillis;
    private transient Counter modelsApplied;
    private transient Counter modelsRejected;
    private transient Counter triggersSuppressedNba;
    private transient Counter triggerCandidatesSent;
    private transient Counter scored;
    private transient org.apache.flink.metrics.Histogram scoringNanos;

    /** Decoded models by {@code tenant/name}, built from {@link #MODELS} on first use. */
    private transient Map<String, Scorer> models;

    /**
     * Marketing-score sketches by tenant (checkpointed as operator state): what a profile is ranked
     * in until its tenant's distribution over every subtask is known here.
     */
    private transient Map<String, MarketingScore> marketing;

    private transient ListState<byte[]> marketingState;

    /**
     * The profiles of this subtask in each tenant's marketing distribution, one count per profile
     * with a purchase score (checkpointed as operator state; summed over the subtasks by {@link
     * ProfileDeciderOperator}).
     */
    private transient Map<String, MarketingDistribution> marketingHere;

    private transient ListState<byte[]> marketingHereState;

    /** Each tenant's distribution summed over every subtask, as last shared; scores rank in it. */
    private transient Map<String, MarketingDistribution.Ranks> marketingTenant;

    /**
     * {@link #marketingTenant}'s entry of the tenant scored last; it answers null for a tenant not
     * ranked yet.
     */
    private transient TenantMemo<MarketingDistribution.Ranks> tenantRanks;

    /** The distribution each tenant's profiles here were last all ranked in ({@link #rerank}). */
    private transient Map<String, MarketingDistribution.Ranks> marketingRanked;

    private transient Counter marketingReranked;
    private transient Counter snapshotsDropped;

    /** Scorers of {@link #MODEL_NAMES} by tenant, from {@link #models}. */
    private transient Map<String, TenantScorers> scorersByTenant;

    /**
     * Each tenant's BG/NBD live fit ({@link BgNbdFitStage}) decoded from {@link #MODELS} (key
     * {@link #fitKey}), empty for a tenant without one; its models with BG/NBD inputs are served
     * with it.
     */
    private transient Map<String, java.util.Optional<BgNbdFit>> fitsByTenant;

    private transient Counter bgNbdFitsApplied;

    /** Profiles decided again with their tenant's last fit at the end of a bounded input. */
    private transient Counter refitted;

    @Override
    public void initializeState(FunctionInitializationContext ctx) throws Exception {
        marketingState =
                ctx.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "marketing-sketches",
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        marketingHereState =
                ctx.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "marketing-distributions",
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        marketingHere = new HashMap<>();
        marketingTenant = new HashMap<>();
        tenantRanks = new TenantMemo<>(marketingTenant, null);
        marketingRanked = new HashMap<>();
        for (byte[] b : marketingHereState.get()) {
            // after a rescale a subtask may get several subtasks' counts: their sum is what this
            // subtask adds to the tenant's (the profiles they counted are somewhere, each once)
            var in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(b));
            String tenant = in.readUTF();
            byte[] d = new byte[in.readInt()];
            in.readFully(d);
            marketingHere
                    .computeIfAbsent(tenant, t -> new MarketingDistribution())
                    .addAll(MarketingDistribution.fromBytes(d));
        }
        marketing = new HashMap<>();
        for (byte[] b : marketingState.get()) {
            var in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(b));
            String tenant = in.readUTF();
            MarketingScore m = MarketingScore.read(in);
            MarketingScore had = marketing.get(tenant);
            // after a rescale a tenant may come back from several subtasks: keep the fullest
            if (had == null || had.count() < m.count()) {
                marketing.put(tenant, m);
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
        List<byte[]> all = new ArrayList<>(marketing.size());
        for (Map.Entry<String, MarketingScore> e : marketing.entrySet()) {
            var bytes = new java.io.ByteArrayOutputStream();
            var out = new java.io.DataOutputStream(bytes);
            out.writeUTF(e.getKey());
            e.getValue().write(out);
            out.flush();
            all.add(bytes.toByteArray());
        }
        marketingState.update(all);
        marketingHereState.update(new ArrayList<>(marketingHereBytes().values()));
    }

    /** This subtask's counts per tenant, as {@link MarketingDistribution#toBytes}. */
    Map<String, byte[]> marketingHere() {
        Map<String, byte[]> all = new java.util.TreeMap<>();
        marketingHere.forEach((t, d) -> all.put(t, d.toBytes()));
        return all;
    }

    /** This subtask's counts per tenant, each as {@code (tenant, distribution)} bytes. */
    Map<String, byte[]> marketingHereBytes() throws java.io.IOException {
        Map<String, byte[]> all = new java.util.TreeMap<>();
        for (Map.Entry<String, MarketingDistribution> e : marketingHere.entrySet()) {
            var bytes = new java.io.ByteArrayOutputStream();
            var out = new java.io.DataOutputStream(bytes);
            out.writeUTF(e.getKey());
            byte[] d = e.getValue().toBytes();
            out.writeInt(d.length);
            out.write(d);
            out.flush();
            all.put(e.getKey(), bytes.toByteArray());
        }
        return all;
    }

    /**
     * The tenants' distributions summed over every subtask: profiles are ranked in them from now
     * on, where a tenant has {@link MarketingScore#WARM_UP} profiles or more.
     *
     * @return the tenants whose profiles here should all be ranked again ({@link #rerank}): those
     *     whose distribution moved by {@code threshold} or more (as a share of rank) since their
     *     profiles here were last ranked together, or every tenant when {@code threshold} is 0
     */
    List<String> marketingShared(
            Map<String, MarketingDistribution.Ranks> tenantWide, double threshold) {
        List<String> moved = new ArrayList<>();
        for (Map.Entry<String, MarketingDistribution.Ranks> e : tenantWide.entrySet()) {
            MarketingDistribution.Ranks ranks = e.getValue();
            if (ranks.total() < MarketingScore.WARM_UP) {
                continue;
            }
            marketingTenant.put(e.getKey(), ranks);
            tenantRanks.reset();
            MarketingDistribution.Ranks ranked = marketingRanked.get(e.getKey());
            if (threshold <= 0
                    || ranked == null
                    || MarketingDistribution.distance(ranked, ranks) >= threshold) {
                moved.add(e.getKey());
            }
        }
        return moved;
    }

    /**
     * At the end of a bounded input ({@link ProfileDeciderOperator}, once both inputs ended): a
     * profile last scored with another BG/NBD fit than its tenant's last is decided again with it,
     * as for an RFM change (scores, the rules that read them, triggers caused by {@code
     * asof:<ms>}). The tenant's last fit comes over the broadcast input with no order against the
     * profiles' last changes, so without this a replay's final scores would depend on which came
     * first.
     *
     * @return the write, or null when the profile was scored with the last fit or nothing changed
     */
    ProfileUpdate refit(
            String key,
            ValueState<DecisionState> s,
            ReadOnlyBroadcastState<String, String> rules,
            ReadOnlyBroadcastState<String, String> models,
            java.util.function.Consumer<ContactMessage> triggers,
            java.util.function.Consumer<LabelledExample> labelled,
            java.util.function.Consumer<io.rtcdp.udf.event.DeadLetter> errors)
            throws Exception {
        try {
            return refit(key, s, rules, models, triggers, labelled);
        } catch (Exception failure) {
            errors.accept(isolation.isolate(failure, null, "decide:refit:" + key));
            return null;
        }
    }

    private ProfileUpdate refit(
            String key,
            ValueState<DecisionState> s,
            ReadOnlyBroadcastState<String, String> rules,
            ReadOnlyBroadcastState<String, String> models,
            java.util.function.Consumer<ContactMessage> triggers,
            java.util.function.Consumer<LabelledExample> labelled)
            throws Exception {
        int cut = key.indexOf('\u0001');
        if (cut < 0) {
            return null;
        }
        String tenant = key.substring(0, cut);
        long last = scoringFit(tenant, models);
        if (last == 0) {
            return null;
        }
        DecisionState st = s.value();
        if (st == null || st.values == null || st.scoredFit == last) {
            return null;
        }
        CompiledRules compiled = rules(tenant, rules);
        reconcile(st, compiled);
        ProfileUpdate u =
                decide(
                        tenant,
                        key.substring(cut + 1),
                        st,
                        compiled,
                        null,
                        asOfCause(st),
                        derivedOnly(tenant, key.substring(cut + 1)),
                        true,
                        false,
                        false,
                        RuleInputs.changes(),
                        models,
                        triggers,
                        labelled);
        s.update(st);
        refitted.inc();
        isolation.succeeded();
        return u;
    }

    /** After a pass of {@link #refit} over this subtask's profiles. */
    void refitted() {
        states.invalidateAll();
    }

    /**
     * Ranks one profile again in its tenant's distribution (a pass over this subtask's profiles,
     * {@link ProfileDeciderOperator}): its {@code score.marketing} is written if it moved. The
     * rules are not evaluated again here: they see the new score from the profile's next change.
     *
     * @param minMove how far (points of 1000) the score must move to be written
     * @return the write, or null when the score stays or the profile has none
     */
    ProfileUpdate rerank(String key, ValueState<DecisionState> s, int minMove) throws Exception {
        DecisionState st = s.value();
        if (st == null || st.marketingBin < 0 || st.marketing < 0) {
            return null;
        }
        int cut = key.indexOf('\u0001');
        String tenant = key.substring(0, cut);
        MarketingDistribution.Ranks ranks = marketingTenant.get(tenant);
        io.rtcdp.udf.ml.WrittenScore w = st.scores.get(MODEL_NAMES.get(TenantScorers.PURCHASE));
        if (ranks == null || w == null) {
            return null;
        }
        int m = ranks.score(w.probability);
        if (Math.abs(m - st.marketing) < Math.max(1, minMove)) {
            return null;
        }
        st.marketing = m;
        s.update(st);
        marketingReranked.inc();
        return derivedOnly(tenant, key.substring(cut + 1))
                .withFields(Map.of(MARKETING_FIELD, MARKETING_TEXT[m]), List.of());
    }

    /** After a pass of {@link #rerank} over the tenants' profiles: they are ranked in these. */
    void reranked(List<String> tenants) {
        for (String t : tenants) {
            marketingRanked.put(t, marketingTenant.get(t));
        }
        states.invalidateAll();
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(STATE);
        states =
                new StateCache<>(state, cacheSize)
                        .withMetrics(getRuntimeContext().getMetricGroup(), "decisionStates");
        snapshots = getRuntimeContext().getMapState(SNAPSHOTS);
        startUpModels = new HashMap<>();
        for (String text : startUp) {
            if (text.isEmpty() || !ModelMessages.isModel(text)) {
                continue;
            }
            try {
                ModelMessages.Decoded m = ModelMessages.decode(text);
                Scorer had = startUpModels.get(m.key());
                if (MODEL_NAMES.contains(m.name())
                        && (had == null
                                || m.model().version() > had.servable().model().version())) {
                    startUpModels.put(m.key(), Scorer.of(m.servable()));
                }
            } catch (ModelException | RuntimeException e) {
                // the job loaded them when it was built; the broadcast path rejects it, logged
            }
        }
        ruleSets =
                new io.rtcdp.operators.RuleSetsInForce(
                        startUp,
                        versionStep,
                        (tenant, e) -> {
                            rulesDropped.inc();
                            LOG.error(
                                    "The restored rule set of tenant {} no longer compiles and is"
                                            + " not applied until the tenant's next rule set: {}",
                                    tenant,
                                    String.join("; ", e.problems()));
                        });
        droppedModels = new java.util.HashSet<>();
        var g = getRuntimeContext().getMetricGroup();
        rulesDropped = g.counter("ruleSetsDroppedOnRestore");
        modelsDropped = g.counter("modelsDroppedOnRestore");
        isolation.open(g);
        rulesApplied = g.counter("ruleSetsApplied");
        traitsLeftOut = g.counter("traitsLeftOut");
        rulesRejected = g.counter("ruleSetsRejected");
        ruleErrors = g.counter("ruleEvaluationErrors");
        reevaluated = g.counter("profilesReevaluated");
        triggersEmitted = g.counter("triggersEmitted");
        suppressedCooldown = g.counter("triggersSuppressedCooldown");
        suppressedCap = g.counter("triggersSuppressedCap");
        suppressedConsent = g.counter("triggersSuppressedConsent");
        modelsApplied = g.counter("modelsApplied");
        bgNbdFitsApplied = g.counter("bgnbdFitsApplied");
        refitted = g.counter("profilesRefitted");
        modelsRejected = g.counter("modelsRejected");
        triggersSuppressedNba = g.counter("triggersSuppressedNextBestAction");
        triggerCandidatesSent = g.counter("triggerCandidatesSent");
        scored = g.counter("profilesScored");
        marketingReranked = g.counter("marketingScoresReranked");
        snapshotsDropped = g.counter("learningSnapshotsDropped");
        scoringNanos =
                g.histogram(
                        "scoringNanos",
                        new org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram(4096));
        models = new HashMap<>();
        scorersByTenant = new HashMap<>();
        fitsByTenant = new HashMap<>();
        for (String name : MODEL_NAMES) {
            g.addGroup("model", name)
                    .gauge(
                            "version",
                            (org.apache.flink.metrics.Gauge<Long>) () -> latestVersion(name));
        }
        g.gauge(
                "lastReevaluationMillis",
                (org.apache.flink.metrics.Gauge<Long>) () -> lastReevaluationMillis);
    }

    @Override
    public void processElement(ProfileChange c, ReadOnlyContext ctx, Collector<ProfileUpdate> out)
            throws Exception {
        isolation.run(
                () -> process(c, ctx, out),
                c.cause(),
                () -> "decide:" + c.tenant() + "/" + c.oneid(),
                d -> {
                    // the state object may be half changed: the next read goes to RocksDB
                    states.invalidate(ctx.getCurrentKey());
                    ctx.output(io.rtcdp.operators.RecordIsolation.INTERNAL_ERRORS, d);
                });
    }

    private void process(ProfileChange c, ReadOnlyContext ctx, Collector<ProfileUpdate> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        DecisionState st = states.value(key);
        if (c.isRec()) {
            rec(c, st, key, ctx, out);
            return;
        }
        if (c.isRfm()) {
            if (st == null) {
                st = new DecisionState();
            }
            if (st.values != null) {
                st.rfm = c.rfm();
                ProfileUpdate u =
                        decideDerived(
                                c,
                                st,
                                ctx,
                                derivedOnly(c.tenant(), c.oneid()),
                                true,
                                RuleInputs.changes().rfm());
                if (u != null) {
                    out.collect(u);
                }
            } else {
                st.rfm = c.rfm();
            }
            states.update(key, st);
            return;
        }
        ProfileUpdate update = c.redisUpdate();
        if (update.delete()) {
            if (st != null) {
                reconcile(st, rules(c.tenant(), ctx.getBroadcastState(RULES)));
            }
            if (st != null && !st.segments.isEmpty()) {
                Map<String, Boolean> leave = new LinkedHashMap<>();
                for (String s : st.segments) {
                    leave.put(s, false);
                }
                update = update.withSegments(leave);
            }
            if (st != null && st.marketingBin >= 0) {
                marketingHere(c.tenant()).add(st.marketingBin, -1);
            }
            if (learning) {
                handOverSnapshots(c, st, update.aliasTo(), ctx);
            }
            states.clear(key);
            snapshots.clear();
            out.collect(update);
            if (update.aliasTo() == null) {
                // a forget (a merge sets the alias): the profile's triggers are withdrawn from
                // the stream and the topic, after every trigger it emitted (same channel)
                long now = System.currentTimeMillis();
                ctx.output(
                        TRIGGERS,
                        ContactMessage.of(Trigger.retraction(c.tenant(), c.oneid(), now, now)));
            } else {
                // merged away: its contact history goes to the survivor's, at the contact stage
                // (sent for every drop, history or not: the survivor's absorb waits for it)
                ctx.output(
                        TRIGGERS,
                        ContactMessage.handOver(
                                c.tenant(),
                                c.oneid(),
                                update.aliasTo(),
                                st == null || st.contactHistoryMoved
                                        ? Map.of()
                                        : copy(st.triggers)));
            }
            return;
        }
        if (st == null) {
            st = new DecisionState();
        }
        if (!c.merged().isEmpty()) {
            // a merge: the contact stage waits for each moved fragment's history before it judges
            // this profile's triggers; with the first, this profile's own history moves there,
            // and its cooldowns and caps are judged there from now on
            for (String fragment : c.merged()) {
                ctx.output(
                        TRIGGERS,
                        ContactMessage.absorbing(
                                c.tenant(),
                                c.oneid(),
                                fragment,
                                st.contactHistoryMoved ? null : copy(st.triggers)));
                st.contactHistoryMoved = true;
            }
        }
        CompiledRules rules = rules(c.tenant(), ctx.getBroadcastState(RULES));
        reconcile(st, rules);
        RuleInputs.Builder changes = null;
        if (st.values != null) {
            changes = RuleInputs.changes().features(st.values.changedSlots(c.values()));
            if (st.values.lifecycle() != c.values().lifecycle()) {
                changes.lifecycle();
            }
        }
        st.values = c.values();
        Event e = c.cause();
        if (learning) {
            watchForMergedSnapshots(c, st, e, ctx);
        }
        // only the traits the tenant's rule set declares are kept (§6): a trait a newer rule set
        // no longer declares goes at the profile's next change
        Set<String> declared = rules == null ? Set.of() : rules.declaredTraits();
        if (!st.traits.isEmpty() && st.traits.keySet().retainAll(declared) && changes != null) {
            changes.traits();
        }
        // The profile stage sends the profile's whole trait map when it changed (per name the
        // value of the latest event, both profiles' on a merge): laid over the kept traits, so
        // those of a state from before the profile stage kept traits stay.
        Map<String, String> traits = c.traits();
        if (traits != null && !traits.isEmpty()) {
            Map<String, String> kept = declaredOnly(traits, declared);
            if (changes != null && !st.traits.entrySet().containsAll(kept.entrySet())) {
                changes.traits();
            }
            traitsLeftOut.inc(st.putTraits(kept));
        }
        boolean full = update.set() != null && update.set().containsKey(ProfileFields.ONEID);
        ProfileUpdate u =
                decide(
                        c.tenant(),
                        c.oneid(),
                        st,
                        rules,
                        e,
                        e != null ? e.eventId() : asOfCause(st),
                        update,
                        false,
                        full,
                        false,
                        changes,
                        ctx.getBroadcastState(MODELS),
                        t -> ctx.output(TRIGGERS, t),
                        l -> ctx.output(LABELLED, l));
        out.collect(u == null ? update : u);
        states.update(key, st);
    }

    @Override
    public void processBroadcastElement(String text, Context ctx, Collector<ProfileUpdate> out)
            throws Exception {
        if (BgNbdFit.isFit(text)) {
            applyFit(text, ctx.getBroadcastState(MODELS));
            return;
        }
        if (ModelMessages.isModel(text)) {
            applyModel(text, ctx.getBroadcastState(MODELS));
            return;
        }
        CompiledRules next;
        try {
            next = CompiledRules.compile(text);
        } catch (RuleSetException e) {
            rulesRejected.inc();
            LOG.warn(
                    "Rejected a rule set; the rules in force stay: {}",
                    String.join("; ", e.problems()));
            return;
        }
        String tenant = next.tenant();
        BroadcastState<String, String> stored = ctx.getBroadcastState(RULES);
        CompiledRules current = rules(tenant, stored);
        Long inForceVersion = current == null ? null : current.version();
        switch (ruleSets.offer(next, text, stored)) {
            case START_UP_KEPT -> {
                // the start-up rule set this subtask has decided with from the start: kept, and
                // not applied again (every profile it holds was decided with it)
                rulesApplied.inc();
                return;
            }
            case IGNORED -> {
                LOG.info(
                        "Ignored rule set version {} of tenant {}: version {} is in force",
                        next.version(),
                        tenant,
                        inForceVersion);
                return;
            }
            case REFUSED -> {
                rulesRejected.inc();
                LOG.warn(
                        "Rejected a rule set of tenant {}; the rules in force stay: {}",
                        tenant,
                        versionStep.refusal(inForceVersion, next.version()));
                return;
            }
            case APPLIED -> {}
        }
        rulesApplied.inc();
        long started = System.nanoTime();
        String prefix = tenant + '\u0001';
        String cause = "rules:" + next.version();
        BroadcastState<String, String> models = ctx.getBroadcastState(MODELS);
        long[] count = {0};
        long[] persisted = {0};
        reevaluating = true;
        try {
            ctx.applyToKeyedState(
                    STATE,
                    (key, s) -> {
                        if (!key.startsWith(prefix)) {
                            return;
                        }
                        try {
                            DecisionState st = s.value();
                            if (st == null || st.values == null) {
                                return;
                            }
                            String oneid = key.substring(prefix.length());
                            // what Redis holds: the previous version's re-evaluation, unless
                            // the profile changed since (then its state says)
                            if (current != null && st.rulesVersion != current.version()) {
                                sync(st, current);
                            }
                            Map<String, TriggerState> triggersBefore = copy(st.triggers);
                            ProfileUpdate u =
                                    decide(
                                            tenant,
                                            oneid,
                                            st,
                                            next,
                                            null,
                                            cause,
                                            derivedOnly(tenant, oneid),
                                            true,
                                            false,
                                            false,
                                            null,
                                            models,
                                            t -> ctx.output(TRIGGERS, t),
                                            l -> ctx.output(LABELLED, l));
                            if (u != null) {
                                out.collect(u);
                            }
                            // Only contact-policy changes are written back: writing every
                            // value while RocksDB iterates the keys is slower by orders of
                            // magnitude. The tags and segments written here are recomputed from
                            // the unchanged state when needed (sync), since they follow from it
                            // and the rule set deterministically.
                            if (!triggersBefore.equals(st.triggers)) {
                                s.update(st);
                                persisted[0]++;
                            }
                            count[0]++;
                            isolation.succeeded();
                        } catch (Exception failure) {
                            ctx.output(
                                    io.rtcdp.operators.RecordIsolation.INTERNAL_ERRORS,
                                    isolation.isolate(
                                            failure, null, "decide:" + cause + ":" + key));
                        }
                    });
        } finally {
            reevaluating = false;
            states.invalidateAll();
        }
        reevaluated.inc(count[0]);
        lastReevaluationMillis = (System.nanoTime() - started) / 1_000_000;
        LOG.info(
                "Applied rule set version {} of tenant {} to {} profiles in {} ms ({} states"
                        + " written)",
                next.version(),
                tenant,
                count[0],
                lastReevaluationMillis,
                persisted[0]);
    }

    /**
     * Sets the profile's tags and segments to what {@code rules} give for its state as it is: what
     * the re-evaluation of that rule-set version wrote to Redis for it.
     */
    /** The traits whose keys are declared. */
    static Map<String, String> declaredOnly(Map<String, String> traits, Set<String> declared) {
        if (declared.containsAll(traits.keySet())) {
            return traits;
        }
        Map<String, String> kept = new HashMap<>();
        traits.forEach(
                (k, v) -> {
                    if (declared.contains(k)) {
                        kept.put(k, v);
                    }
                });
        return kept;
    }

    private void sync(DecisionState st, CompiledRules rules) {
        Evaluation ev = rules.evaluate(st.facts(), null);
        st.tags = ev.tags();
        st.segments = ev.segments();
        st.rulesVersion = rules.version();
    }

    /**
     * Before a profile's state changes: if a rule set arrived since it was last written, its
     * re-evaluation wrote tags and segments that the state does not have yet; take them in.
     */
    private void reconcile(DecisionState st, CompiledRules rules) {
        if (rules != null && st.values != null && st.rulesVersion != rules.version()) {
            sync(st, rules);
        }
    }

    private static Map<String, TriggerState> copy(Map<String, TriggerState> triggers) {
        Map<String, TriggerState> c = new HashMap<>(triggers.size() * 2);
        for (Map.Entry<String, TriggerState> e : triggers.entrySet()) {
            TriggerState t = e.getValue();
            c.put(e.getKey(), new TriggerState(t.lastTrue(), t.lastFire(), t.fires().clone()));
        }
        return c;
    }

    private CompiledRules rules(String tenant, ReadOnlyBroadcastState<String, String> stored)
            throws Exception {
        return ruleSets.get(tenant, stored);
    }

    /** Where a tenant's BG/NBD fit is kept in {@link #MODELS}: no model name has a {@code #}. */
    static String fitKey(String tenant) {
        return tenant + FIT_SUFFIX;
    }

    private static final String FIT_SUFFIX = "/#bgnbd";

    /**
     * A tenant's new BG/NBD fit: its models with BG/NBD inputs use it from the next update of each
     * profile on. One older than the fit in force (by its {@code as_of}) is ignored.
     */
    private void applyFit(String text, BroadcastState<String, String> stored) throws Exception {
        BgNbdFit fit;
        try {
            fit = BgNbdFit.fromText(text);
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignored a BG/NBD fit: {}", e.getMessage());
            return;
        }
        String key = fitKey(fit.tenant());
        String had = stored.get(key);
        if (had != null && asOf(had) > fit.asOf()) {
            return;
        }
        stored.put(key, text);
        fitsByTenant.put(fit.tenant(), java.util.Optional.of(fit));
        scorersByTenant.remove(fit.tenant());
        bgNbdFitsApplied.inc();
    }

    /** The tenant's BG/NBD fit in force, null for none. */
    private BgNbdFit fit(String tenant, ReadOnlyBroadcastState<String, String> stored)
            throws Exception {
        java.util.Optional<BgNbdFit> f = fitsByTenant.get(tenant);
        if (f == null) {
            String text = stored.get(fitKey(tenant));
            f = java.util.Optional.empty();
            if (text != null) {
                try {
                    f = java.util.Optional.of(BgNbdFit.fromText(text));
                } catch (IllegalArgumentException e) {
                    // restored from a checkpoint this jar cannot read: the models' own
                    // parameters until the tenant's next fit
                    LOG.error(
                            "The restored BG/NBD fit of tenant {} can no longer be read: {}",
                            tenant,
                            e.getMessage());
                }
            }
            fitsByTenant.put(tenant, f);
        }
        return f.orElse(null);
    }

    /** The identity of the fit the tenant's scores depend on ({@link TenantScorers#scoringFit}). */
    private long scoringFit(String tenant, ReadOnlyBroadcastState<String, String> stored)
            throws Exception {
        return scorers(tenant, stored).scoringFit();
    }

    /**
     * Whether a tenant here has a BG/NBD fit that its scores depend on: only then has a pass of
     * {@link #refit} anything to do.
     */
    boolean refitNeeded(ReadOnlyBroadcastState<String, String> models) throws Exception {
        for (Map.Entry<String, String> e : models.immutableEntries()) {
            String key = e.getKey();
            if (key.endsWith(FIT_SUFFIX)
                    && scoringFit(key.substring(0, key.length() - FIT_SUFFIX.length()), models)
                            != 0) {
                return true;
            }
        }
        return false;
    }

    /** The {@code as_of} of a kept fit; one that can no longer be read counts as the oldest. */
    private static long asOf(String fitText) {
        try {
            return BgNbdFit.fromText(fitText).asOf();
        } catch (IllegalArgumentException e) {
            return Long.MIN_VALUE;
        }
    }

    /** A new model version: used from the next update of each profile on. */
    private void applyModel(String text, BroadcastState<String, String> stored) throws Exception {
        ModelMessages.Decoded m;
        try {
            m = ModelMessages.decode(text);
        } catch (ModelException e) {
            modelsRejected.inc();
            LOG.warn("Rejected a model version; the model in force stays: {}", e.getMessage());
            return;
        }
        if (!MODEL_NAMES.contains(m.name())) {
            modelsRejected.inc();
            LOG.warn(
                    "Rejected model '{}' of tenant {}: rtcdp scores {}",
                    m.name(),
                    m.tenant(),
                    MODEL_NAMES);
            return;
        }
        Scorer current = scorer(m.key(), stored);
        if (current != null
                && current == startUpModels.get(m.key())
                && stored.get(m.key()) == null
                && m.model().version() == current.servable().model().version()) {
            // the start-up model this subtask has scored with from the start: kept as it is
            stored.put(m.key(), text);
            models.put(m.key(), current);
            modelsApplied.inc();
            return;
        }
        Long inForce = current == null ? null : current.servable().model().version();
        switch (versionStep.judge(inForce, m.model().version())) {
            case IGNORE -> {
                LOG.info(
                        "Ignored {} model version {} of tenant {}: version {} is in force",
                        m.name(),
                        m.model().version(),
                        m.tenant(),
                        inForce);
                return;
            }
            case REFUSE -> {
                modelsRejected.inc();
                LOG.warn(
                        "Rejected {} model of tenant {}; the model in force stays: {}",
                        m.name(),
                        m.tenant(),
                        versionStep.refusal(inForce, m.model().version()));
                return;
            }
            case APPLY -> {}
        }
        stored.put(m.key(), text);
        models.put(m.key(), Scorer.of(m.servable()));
        droppedModels.remove(m.key());
        scorersByTenant.clear();
        modelsApplied.inc();
        io.rtcdp.udf.ml.ModelSpec spec = m.model().spec();
        LOG.info(
                "Applied {} model version {} for tenant {}; {}",
                m.name(),
                m.model().version(),
                m.tenant(),
                spec.calendar() == null
                        ? "no order calendar, no seasonal calibration"
                        : spec.calendar().describe(spec.label().horizonDays()));
    }

    private Scorer scorer(String key, ReadOnlyBroadcastState<String, String> stored)
            throws Exception {
        Scorer s = models.get(key);
        if (s != null) {
            return s;
        }
        String text = stored.get(key);
        if (text == null) {
            return startUpModels.get(key);
        }
        if (droppedModels.contains(key)) {
            return null;
        }
        // restored from a checkpoint: as with rule sets, a newer jar may not take it
        try {
            s = Scorer.of(ModelMessages.decode(text).servable());
        } catch (ModelException | RuntimeException e) {
            droppedModels.add(key);
            modelsDropped.inc();
            LOG.error(
                    "The restored model {} can no longer be loaded and is not served until its"
                            + " next version: {}",
                    key,
                    e.toString());
            return null;
        }
        models.put(key, s);
        return s;
    }

    /**
     * The scorers of {@link #MODEL_NAMES} for a tenant, in that order: the tenant's own model of
     * that name, else the one for every tenant, else null. Cached until a model version changes.
     */
    private TenantScorers scorers(String tenant, ReadOnlyBroadcastState<String, String> stored)
            throws Exception {
        TenantScorers cached = scorersByTenant.get(tenant);
        if (cached != null) {
            return cached;
        }
        Scorer[] all = new Scorer[MODEL_NAMES.size()];
        for (int i = 0; i < all.length; i++) {
            String name = MODEL_NAMES.get(i);
            Scorer s = scorer(ModelMessages.key(tenant, name), stored);
            all[i] =
                    s != null
                            ? s
                            : scorer(ModelMessages.key(ModelMessages.ANY_TENANT, name), stored);
        }
        BgNbdFit fit = fit(tenant, stored);
        if (fit != null) {
            for (int i = 0; i < all.length; i++) {
                all[i] = all[i] == null ? null : all[i].withBgNbd(fit.params());
            }
        }
        TenantScorers t = new TenantScorers(all, fit == null ? 0 : fit.id());
        scorersByTenant.put(tenant, t);
        return t;
    }

    /**
     * A profile that goes (merged away or forgotten): a merged-away one hands its pending learning
     * snapshots to its survivor's {@link MergedLearningStage} (none or not, the survivor's stage
     * stops waiting for it); one whose own stage there may still label snapshots tells it it went.
     */
    private void handOverSnapshots(
            ProfileChange c, DecisionState st, String survivor, ReadOnlyContext ctx)
            throws Exception {
        if (st != null && st.learningWatchUntil != Long.MIN_VALUE) {
            ctx.output(MERGED_LEARNING, LearningMessage.dropped(c.tenant(), c.oneid()));
        }
        if (survivor == null) {
            return;
        }
        List<LearningMessage.Handed> handed = new ArrayList<>(2);
        long asOf = st == null || st.values == null ? Long.MIN_VALUE : asOf(st);
        if (st != null && st.values != null) {
            forEachPending(
                    c.tenant(),
                    st,
                    ctx.getBroadcastState(MODELS),
                    (name, label, bytes) ->
                            handed.add(new LearningMessage.Handed(name, label, bytes)));
        }
        ctx.output(
                MERGED_LEARNING,
                LearningMessage.handOver(c.tenant(), c.oneid(), survivor, asOf, handed));
    }

    /**
     * The survivor's side of merged-away profiles' learning snapshots: a merge starts a watch of a
     * label horizon in which its orders and its clock go to its {@link MergedLearningStage}; an
     * absorbed fragment's latest orders count for this profile's own snapshots and go there too.
     */
    private void watchForMergedSnapshots(
            ProfileChange c, DecisionState st, Event e, ReadOnlyContext ctx) throws Exception {
        long asOf = asOf(st);
        String tenant = c.tenant();
        String oneid = c.oneid();
        if (!c.merged().isEmpty()) {
            ctx.output(
                    MERGED_LEARNING,
                    LearningMessage.merged(
                            tenant,
                            oneid,
                            c.merged(),
                            asOf,
                            c.partLastOrder(),
                            c.partPreviousOrder()));
            long horizon = 0;
            TenantScorers scorers = scorers(tenant, ctx.getBroadcastState(MODELS));
            for (int i = 0; i < MODEL_NAMES.size(); i++) {
                Scorer s = scorers.get(i);
                if (s != null) {
                    horizon =
                            Math.max(horizon, s.servable().model().spec().label().horizonMillis());
                }
            }
            if (horizon > 0) {
                st.learningWatchUntil = Math.max(st.learningWatchUntil, asOf + horizon);
                st.learningClockSent = asOf;
            }
            return;
        }
        if (c.partLastOrder() != Long.MIN_VALUE) {
            absorbOrders(tenant, st, c.partLastOrder(), c.partPreviousOrder(), ctx);
            if (st.learningWatchUntil != Long.MIN_VALUE) {
                ctx.output(
                        MERGED_LEARNING,
                        LearningMessage.coverage(
                                tenant, oneid, asOf, c.partLastOrder(), c.partPreviousOrder()));
                st.learningClockSent = asOf;
            }
        }
        if (st.learningWatchUntil == Long.MIN_VALUE) {
            return;
        }
        if (e != null && e.isTrack(Event.ORDER_COMPLETED)) {
            ctx.output(MERGED_LEARNING, LearningMessage.order(tenant, oneid, e.ts(), asOf));
            st.learningClockSent = asOf;
        } else if (asOf >= st.learningWatchUntil
                || asOf - st.learningClockSent >= LEARNING_CLOCK_STEP) {
            ctx.output(MERGED_LEARNING, LearningMessage.clock(tenant, oneid, asOf));
            st.learningClockSent = asOf;
        }
        if (asOf >= st.learningWatchUntil) {
            st.learningWatchUntil = Long.MIN_VALUE;
            st.learningClockSent = Long.MIN_VALUE;
        }
    }

    /**
     * An absorbed fragment's orders for this profile's own pending snapshots ({@link
     * SnapshotLabeler#absorbOrders}): counted, and those whose label they leave open dropped.
     */
    private void absorbOrders(
            String tenant, DecisionState st, long last, long previous, ReadOnlyContext ctx)
            throws Exception {
        forEachPending(
                tenant,
                st,
                ctx.getBroadcastState(MODELS),
                (name, label, bytes) -> {
                    SnapshotLabeler labeler =
                            SnapshotLabeler.read(
                                    new ByteArrayInput(bytes),
                                    label,
                                    SNAPSHOT_SPACING,
                                    MergedSnapshots.maxPending(label, SNAPSHOT_SPACING));
                    snapshotsDropped.inc(labeler.absorbOrders(last, previous));
                    snapshots.put(name, labeler.toBytes());
                    st.learning.put(name, LearningHead.of(labeler));
                });
    }

    /** What {@link #forEachPending} gives: a model's name, label and encoded snapshots. */
    @FunctionalInterface
    private interface PendingSnapshots {
        void accept(String name, LabelSpec label, byte[] snapshots) throws Exception;
    }

    /**
     * Each of the tenant's models for which the profile has pending learning snapshots, with the
     * snapshots in {@link SnapshotLabeler}'s encoding (those of a state of before they were kept
     * apart are taken out of it).
     */
    private void forEachPending(
            String tenant,
            DecisionState st,
            ReadOnlyBroadcastState<String, String> models,
            PendingSnapshots f)
            throws Exception {
        if (st.learning.isEmpty()) {
            return;
        }
        TenantScorers scorers = scorers(tenant, models);
        for (int i = 0; i < MODEL_NAMES.size(); i++) {
            String name = MODEL_NAMES.get(i);
            LearningHead head = st.learning.get(name);
            Scorer s = scorers.get(i);
            if (head == null || head.pending() == 0 || s == null) {
                continue;
            }
            byte[] bytes = st.unmovedSnapshots.remove(name);
            if (bytes == null) {
                bytes = snapshots.get(name);
            }
            if (bytes != null) {
                f.accept(name, s.servable().model().spec().label(), bytes);
            }
        }
    }

    /**
     * Online learning: keeps the profile's feature vector at most once per {@link
     * #SNAPSHOT_SPACING}, notes its orders, and sends each snapshot whose label horizon has passed
     * (in the profile's event time) with its label and the current model's prediction for it.
     */
    private void learn(
            String tenant,
            String name,
            DecisionState st,
            Event event,
            Scorer s,
            java.util.function.Consumer<LabelledExample> emit)
            throws Exception {
        LogisticModel model = s.servable().model();
        LabelSpec label = model.spec().label();
        long asOf = asOf(st);
        boolean order = event != null && event.isTrack(Event.ORDER_COMPLETED);
        LearningHead head = st.learning.get(name);
        if (head != null && head.idle(asOf, order, SNAPSHOT_SPACING, label.horizonMillis())) {
            return; // almost every update: the snapshots are not even read
        }
        int maxPending = MergedSnapshots.maxPending(label, SNAPSHOT_SPACING);
        byte[] bytes = st.unmovedSnapshots.remove(name);
        if (bytes == null && head != null) {
            bytes = snapshots.get(name);
        }
        SnapshotLabeler labeler =
                bytes == null
                        ? new SnapshotLabeler(label, SNAPSHOT_SPACING, maxPending)
                        : SnapshotLabeler.read(
                                new ByteArrayInput(bytes), label, SNAPSHOT_SPACING, maxPending);
        if (order) {
            labeler.onOrder(event.ts());
        }
        labeler.offer(asOf, s.x());
        for (LabelledSnapshot l : labeler.advanceTo(asOf)) {
            if (l.x().length != s.x().length) {
                continue; // taken under a model with another feature list
            }
            emit.accept(
                    new LabelledExample(
                            tenant,
                            name,
                            model.version(),
                            model.score(l.x()),
                            l.x(),
                            l.label(),
                            l.ts()));
        }
        snapshots.put(name, labeler.toBytes());
        st.learning.put(name, LearningHead.of(labeler));
    }

    private MarketingDistribution marketingHere(String tenant) {
        return marketingHere.computeIfAbsent(tenant, t -> new MarketingDistribution());
    }

    private long latestVersion(String name) {
        long v = 0;
        for (Map.Entry<String, Scorer> e : models.entrySet()) {
            if (e.getKey().endsWith("/" + name)) {
                v = Math.max(v, e.getValue().servable().model().version());
            }
        }
        return v;
    }

    /**
     * Scores the profile with the tenant's models, notes in {@code st} what was written, and puts
     * the fields that changed ({@code score.<name>}, {@code model.<name>}, {@code reasons.<name>},
     * {@code score.marketing}) in {@code set} and {@code unset}; with {@code full}, every field.
     *
     * @return the probabilities in {@link #MODEL_NAMES} order, NaN for a model the tenant lacks;
     *     null when the profile has no fields yet
     */
    private double[] score(
            String tenant,
            DecisionState st,
            Event event,
            ReadOnlyBroadcastState<String, String> stored,
            java.util.function.Consumer<LabelledExample> learn,
            boolean full,
            Map<String, String> set,
            List<String> unset)
            throws Exception {
        if (st.values == null) {
            return null;
        }
        TenantScorers scorers = scorers(tenant, stored);
        long started = System.nanoTime();
        double[] probabilities = scorers.score(st, full, set, unset);
        st.scoredFit = scorers.scoringFit();
        if (scorers.count() > 0) {
            long each = (System.nanoTime() - started) / scorers.count();
            for (int i = 0; i < scorers.count(); i++) {
                scoringNanos.update(each);
            }
            scored.inc(scorers.count());
        }
        for (int i = 0; i < MODEL_NAMES.size(); i++) {
            String name = MODEL_NAMES.get(i);
            Scorer s = scorers.get(i);
            if (s == null) {
                if (st.learning.remove(name) != null) {
                    snapshots.remove(name);
                }
                st.unmovedSnapshots.remove(name);
            } else if (learning) {
                learn(tenant, name, st, event, s, learn);
            }
        }
        Scorer purchaseScorer = scorers.get(TenantScorers.PURCHASE);
        double purchase = probabilities[TenantScorers.PURCHASE];
        long purchaseVersion =
                purchaseScorer == null ? 0 : purchaseScorer.servable().model().version();
        if (Double.isNaN(purchase)) {
            if (st.marketing >= 0) {
                unset.add(MARKETING_FIELD);
                st.marketing = -1;
            }
            if (st.marketingBin >= 0) {
                marketingHere(tenant).add(st.marketingBin, -1);
                st.marketingBin = -1;
            }
        } else {
            int bin = MarketingDistribution.bin(purchase);
            if (bin != st.marketingBin) {
                MarketingDistribution here = marketingHere(tenant);
                if (st.marketingBin >= 0) {
                    here.add(st.marketingBin, -1);
                }
                here.add(bin, 1);
                st.marketingBin = bin;
            }
            MarketingDistribution.Ranks ranks = tenantRanks.get(tenant);
            int m =
                    ranks != null
                            ? ranks.score(purchase)
                            : marketing
                                    .computeIfAbsent(tenant, t -> new MarketingScore())
                                    .score(purchase, purchaseVersion);
            if (full || m != st.marketing) {
                set.put(MARKETING_FIELD, MARKETING_TEXT[m]);
                st.marketing = m;
            }
        }
        return probabilities;
    }

    /**
     * A new {@code rec.next} from the next-purchase stage: kept, and written at once if the profile
     * was written before (else with its first write, which is whole), with the rules that read
     * {@code rec} evaluated again (their triggers are caused by {@code asof:<ms>}).
     */
    private void rec(
            ProfileChange c,
            DecisionState st,
            String key,
            ReadOnlyContext ctx,
            Collector<ProfileUpdate> out)
            throws Exception {
        if (st == null) {
            st = new DecisionState();
        }
        String before = st.rec == null ? "" : st.rec;
        st.rec = c.rec().isEmpty() ? null : c.rec();
        if (st.values != null && !before.equals(c.rec())) {
            DecidedFields recField = new DecidedFields();
            recField.rec(c.rec());
            out.collect(
                    decideDerived(
                            c,
                            st,
                            ctx,
                            derivedOnly(c.tenant(), c.oneid())
                                    .withFields(recField.set, recField.unset),
                            false,
                            RuleInputs.changes().rec()));
        }
        states.update(key, st);
    }

    /**
     * Decides a profile again after a change of an input from a stage beside the profile stage (its
     * RFM score, its {@code rec.next}), not caused by an event: the rules that read that input are
     * evaluated again, and their triggers are caused by {@code asof:<ms>}.
     *
     * @param base the update the decided fields are added to
     * @param rfmChanged whether the input is the RFM score (its fields are then written)
     * @return the update, or null when {@code rfmChanged} and nothing changed
     */
    private ProfileUpdate decideDerived(
            ProfileChange c,
            DecisionState st,
            ReadOnlyContext ctx,
            ProfileUpdate base,
            boolean rfmChanged,
            RuleInputs.Builder changes)
            throws Exception {
        CompiledRules rules = rules(c.tenant(), ctx.getBroadcastState(RULES));
        reconcile(st, rules);
        return decide(
                c.tenant(),
                c.oneid(),
                st,
                rules,
                null,
                asOfCause(st),
                base,
                rfmChanged,
                false,
                rfmChanged,
                changes,
                ctx.getBroadcastState(MODELS),
                t -> ctx.output(TRIGGERS, t),
                l -> ctx.output(LABELLED, l));
    }

    private static ProfileUpdate derivedOnly(String tenant, String oneid) {
        return new ProfileUpdate(tenant, oneid, 0, false, Map.of(), List.of(), List.of());
    }

    /**
     * Evaluates the rules for one profile, decides its triggers, and returns {@code base} with the
     * decided fields and memberships that changed added, or null when {@code skipIfUnchanged} and
     * nothing changed.
     *
     * @param full whether every decided field and membership must be written (the profile stage
     *     writes the whole profile after a restart)
     * @param changes the rule inputs that changed since the rules were last evaluated for this
     *     profile, scores left out (added here once scored); null when unknown: every rule is
     *     evaluated
     */
    private ProfileUpdate decide(
            String tenant,
            String oneid,
            DecisionState st,
            CompiledRules rules,
            Event event,
            String cause,
            ProfileUpdate base,
            boolean skipIfUnchanged,
            boolean full,
            boolean rfmChanged,
            RuleInputs.Builder changes,
            ReadOnlyBroadcastState<String, String> modelState,
            java.util.function.Consumer<ContactMessage> emit,
            java.util.function.Consumer<LabelledExample> learnEmit)
            throws Exception {
        DecidedFields decided = new DecidedFields();

        boolean incremental =
                incrementalRules
                        && changes != null
                        && !full
                        && !reevaluating
                        && rules != null
                        && st.rulesVersion == rules.version();
        double[] scoredBefore = incremental ? TenantScorers.written(st) : null;
        int marketingBefore = st.marketing;
        double[] probabilities =
                reevaluating
                        ? null
                        : score(
                                tenant,
                                st,
                                event,
                                modelState,
                                learnEmit,
                                full,
                                decided.set,
                                decided.unset);
        RuleInputs changed = RuleInputs.ALL;
        if (incremental && probabilities != null) {
            for (int i = 0; i < probabilities.length; i++) {
                if (Double.doubleToLongBits(probabilities[i])
                        != Double.doubleToLongBits(scoredBefore[i])) {
                    changes.score(MODEL_NAMES.get(i));
                }
            }
            if (st.marketing != marketingBefore) {
                changes.score("marketing");
            }
            changed = changes.build();
        }

        if (st.rfm != null && (full || rfmChanged)) {
            decided.rfm(st.rfm);
        }
        if (st.rec != null && full) {
            decided.rec(st.rec);
        }

        List<String> tags = List.of();
        List<String> segments = List.of();
        if (rules != null) {
            RuleFacts facts = st.facts(probabilities);
            EventFacts ef =
                    event == null
                            ? null
                            : EventFacts.ofJson(
                                    event.eventId(),
                                    event.name() != null ? event.name() : event.type().name(),
                                    event.channel(),
                                    // parsed only for a rule set that may read them
                                    rules.readsEventProps() ? event.propsJson() : null,
                                    event.text());
            Evaluation ev = rules.evaluate(facts, ef, changed, st.tags, st.segments);
            if (ev.errors() > 0) {
                ruleErrors.inc(ev.errors());
            }
            tags = ev.tags();
            segments = ev.segments();
            long ts = event != null ? event.ts() : asOf(st);
            triggers(tenant, oneid, st, rules, ev, facts, event, cause, ts, emit);
        } else {
            st.triggers.clear();
        }
        decided.rules(st, tags, segments, rules == null ? 0 : rules.version(), full);
        if (decided.isEmpty()) {
            return skipIfUnchanged ? null : base;
        }
        Map<String, String> allSet = decided.set;
        List<String> allUnset = decided.unset;
        if (base.set() != null && !base.set().isEmpty()) {
            // a view, not a copy: with models nearly every update gets fields added here
            allSet = new FieldOverlay(base.set(), decided.set);
        }
        if (base.unset() != null && !base.unset().isEmpty()) {
            allUnset = new ArrayList<>(base.unset());
            allUnset.addAll(decided.unset);
        }
        return base.withFields(allSet, allUnset).withSegments(decided.memberships);
    }

    /** Decides the trigger rules ({@link TriggerChoice}), counts what was suppressed, emits. */
    private void triggers(
            String tenant,
            String oneid,
            DecisionState st,
            CompiledRules rules,
            Evaluation ev,
            RuleFacts facts,
            Event event,
            String cause,
            long ts,
            java.util.function.Consumer<ContactMessage> emit) {
        String eventId = event == null ? null : event.eventId();
        if (st.contactHistoryMoved) {
            // cooldowns and caps are judged at the contact stage, with every merged profile's
            TriggerChoice.Candidates may =
                    TriggerChoice.candidates(
                            rules, st.triggers, ev.triggers(), facts, event != null);
            suppressedConsent.inc(may.consent());
            if (!may.rules().isEmpty()) {
                long now = System.currentTimeMillis();
                List<ContactMessage.Candidate> bestFirst = new ArrayList<>(may.rules().size());
                for (int i = 0; i < may.rules().size(); i++) {
                    RuleSet.TriggerRule rule = may.rules().get(i);
                    bestFirst.add(
                            ContactMessage.Candidate.of(
                                    Trigger.of(
                                            tenant,
                                            oneid,
                                            rule,
                                            may.probabilities().get(i),
                                            eventId,
                                            cause,
                                            ts,
                                            now),
                                    rule));
                }
                triggerCandidatesSent.inc();
                emit.accept(ContactMessage.candidates(tenant, oneid, bestFirst));
            }
            return;
        }
        TriggerChoice c =
                TriggerChoice.choose(rules, st.triggers, ev.triggers(), facts, event != null, ts);
        suppressedCooldown.inc(c.cooldown());
        suppressedCap.inc(c.cap());
        suppressedConsent.inc(c.consent());
        triggersSuppressedNba.inc(c.nextBestAction());
        if (c.chosen() != null) {
            triggersEmitted.inc();
            emit.accept(
                    ContactMessage.of(
                            Trigger.of(
                                    tenant,
                                    oneid,
                                    c.chosen(),
                                    c.probability(),
                                    eventId,
                                    cause,
                                    ts,
                                    System.currentTimeMillis())));
        }
    }

    private static long asOf(DecisionState st) {
        return st.values.asOf();
    }

    /** The cause of a decision not made for an event: the profile's {@code as_of}, as text. */
    private static String asOfCause(DecisionState st) {
        return "asof:" + st.values.text(ProfileValues.AS_OF);
    }
}
