package io.rtcdp.jobs;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.decide.BgNbdFitStage;
import io.rtcdp.operators.decide.ContactStage;
import io.rtcdp.operators.decide.LabelledExample;
import io.rtcdp.operators.decide.MergedLearningStage;
import io.rtcdp.operators.decide.OnlineTrainer;
import io.rtcdp.operators.decide.ProfileDecider;
import io.rtcdp.operators.decide.ProfileDeciderOperator;
import io.rtcdp.operators.decide.RfmBoundaryMerger;
import io.rtcdp.operators.decide.RfmScorer;
import io.rtcdp.operators.decide.RfmSummarizer;
import io.rtcdp.operators.identity.ForgottenIds;
import io.rtcdp.operators.identity.FragmentStore;
import io.rtcdp.operators.identity.FragmentStoreOperator;
import io.rtcdp.operators.identity.IdentityEvent;
import io.rtcdp.operators.identity.IdentityResolver;
import io.rtcdp.operators.identity.IdentityResolverOperator;
import io.rtcdp.operators.ingest.Deduplicator;
import io.rtcdp.operators.ingest.EventWatermarks;
import io.rtcdp.operators.ingest.HeldOpenSource;
import io.rtcdp.operators.ingest.IdleWatermarks;
import io.rtcdp.operators.ingest.ParsedRouter;
import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.ProfileUpdater;
import io.rtcdp.operators.profile.ProfileUpdaterOperator;
import io.rtcdp.operators.profile.RfmObservation;
import io.rtcdp.operators.rec.ItemStatsOperator;
import io.rtcdp.operators.rec.ItemStatsStage;
import io.rtcdp.operators.rec.ItemTableMerger;
import io.rtcdp.operators.rec.RecScorer;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.operators.sink.ProfileUpdateSerializer;
import io.rtcdp.operators.sink.RedisProfileSink;
import io.rtcdp.operators.sink.RedisStreamSink;
import io.rtcdp.operators.sink.RedisWriteOperator;
import io.rtcdp.operators.types.LabelledExampleSerializer;
import io.rtcdp.operators.types.ProfileChangeSerializer;
import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.operators.types.TriggerSerializer;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.identity.Conflict;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.rules.Trigger;
import io.rtcdp.udf.rules.VersionStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The rtcdp job graph: source → parse → identity (with the dedupe stage's verdicts) → fragments →
 * profile → Redis, with dead letters (invalid input, and the writes Redis refused) and identity
 * conflicts to their own sinks. The same graph runs in tests, the demo, replay and production; only
 * the source and the sinks differ, and they are given to the {@link #builder(RtcdpConfig)}.
 */
public final class RtcdpJob {
    /**
     * The job's keyed stages by name, in the graph's order, each with why its key keeps all of one
     * tenant's records on one subtask, where it does (empty where it spreads them;
     * docs/operations.md, Scaling). The bench reports how each one's records spread over its
     * subtasks.
     */
    public static final Map<String, String> KEYED_STAGES = keyedStages();

    /** The uid of the events source of the streaming job (Kafka). */
    public static final String EVENTS_SOURCE_UID = "events-source";

    /**
     * The uid of the events source of a replay (event files): its own, so that a streaming job
     * restored from a replay's savepoint does not read the file source's state as its Kafka
     * source's ({@link SavepointCheck}).
     */
    public static final String HISTORY_SOURCE_UID = "history-source";

    /**
     * The uid of the events source of a streaming job that reads event files first, then Kafka
     * ({@code rtcdp run --history}): a hybrid source whose state neither the Kafka source nor the
     * file source can take over, so a savepoint of it restores only into a job started the same
     * way.
     */
    public static final String HISTORY_THEN_LIVE_SOURCE_UID = "history-then-live-source";

    /**
     * Suffix of the uids of the dead-letter, conflict and trigger sinks when they write files (a
     * replay): their state is a file's length, which the streaming job's Kafka sinks of the same
     * role cannot take over.
     */
    public static final String FILE_SINK_UID_SUFFIX = "-file";

    private static Map<String, String> keyedStages() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dedupe", "");
        m.put("identity", "serial");
        m.put("redis id keys", "");
        m.put("fragments", "");
        m.put("profile", "");
        m.put("rfm summary", "");
        m.put("rfm boundaries", "keyed by tenant: one summary per changed bucket per refresh");
        m.put("rfm", "");
        m.put("bgnbd fit", "keyed by tenant: a few fits per refit interval");
        m.put("decide", "");
        m.put("redis triggers", "keyed by tenant");
        m.put("online trainer", "keyed by tenant and model");
        return java.util.Collections.unmodifiableMap(m);
    }

    private final RtcdpConfig config;
    // the builder's parts: build() hands them over, the builder is not used again
    private final Builder parts;

    private RtcdpJob(Builder b) {
        required(b.source, "events source");
        required(b.profileSink, "profile sink");
        required(b.idKeySink, "id key sink");
        required(b.deadLetterSink, "dead-letter sink");
        required(b.conflictSink, "conflict sink");
        this.config = b.config;
        this.parts = b;
    }

    private static void required(Object v, String what) {
        if (v == null) {
            throw new IllegalStateException("the job needs its " + what);
        }
    }

    /** A job of these settings; the source and the sinks are the builder's to name. */
    public static Builder builder(RtcdpConfig config) {
        return new Builder(java.util.Objects.requireNonNull(config));
    }

    /**
     * The least buffer timeout of the tasks off an event's own path to Redis ({@link
     * #offEventPath}): the periodic RFM and next-purchase statistics, the BG/NBD refit, learning,
     * contact history (triggers show when a checkpoint completes) and the control sources.
     */
    static final long OFF_EVENT_PATH_BUFFER_TIMEOUT_MILLIS = 100;

    /**
     * The buffer timeout of the tasks off an event's own path: the job's (the streaming job sets 10
     * ms for freshness, {@link Environments#STREAMING_DEFAULTS}), at least {@link
     * #OFF_EVENT_PATH_BUFFER_TIMEOUT_MILLIS}: each task's output flusher wakes once per timeout
     * whether records come or not, and so does the task it sends a part-filled buffer to. A job
     * that flushes only full buffers (-1) keeps that.
     */
    static long offEventPathBufferTimeout(long jobBufferTimeout) {
        return jobBufferTimeout < 0
                ? jobBufferTimeout
                : Math.max(jobBufferTimeout, OFF_EVENT_PATH_BUFFER_TIMEOUT_MILLIS);
    }

    /**
     * {@code stream} as keyed by {@code key} without a shuffle: every record of it comes from a
     * stage keyed by the same key (the profile's tenant and oneid) at the same parallelism and
     * under its key, so it is already on the subtask that holds that key's group, and goes on there
     * (a forward edge: no partitioner hashing the key per record, and on a cluster no record
     * crossing to another TaskManager). A record under another key would fail the task as it
     * arrives (Flink refuses a key outside the subtask's key groups), never land silently.
     */
    private static <T> KeyedStream<T, String> sameKey(
            DataStream<T> stream, KeySelector<T, String> key) {
        return DataStreamUtils.reinterpretAsKeyedStream(stream, key, Types.STRING);
    }

    /** Adds the job's operators to {@code env}. */
    public void addTo(StreamExecutionEnvironment env) {
        if (env.getConfiguration()
                .get(org.apache.flink.configuration.CheckpointingOptions.ENABLE_UNALIGNED)) {
            // the identity stage keeps neither the places of the events nor those that wait for
            // their turn: with aligned checkpoints none waits at a checkpoint (SequenceGate)
            throw new IllegalArgumentException(
                    "unaligned checkpoints (execution.checkpointing.unaligned.enabled) are not"
                            + " supported: rtcdp's identity stage needs aligned ones"
                            + " (docs/oneid.md, Dataflow)");
        }
        long offPath = offEventPathBufferTimeout(env.getBufferTimeout());
        DataStream<Parsed> parsed =
                env.fromSource(
                                parts.source,
                                EventWatermarks.strategy(
                                        config.get(RtcdpOptions.OUT_OF_ORDERNESS),
                                        config.get(RtcdpOptions.SOURCE_IDLENESS),
                                        parts.until),
                                "events",
                                RtcdpTypes.PARSED)
                        .uid(parts.sourceUid);

        SingleOutputStreamOperator<Event> valid =
                parsed.process(new ParsedRouter(parts.until), RtcdpTypes.EVENT)
                        .uid("route-dead-letters")
                        .name("route dead letters");

        // every stage's dead letters (invalid input, records a stage failed on, writes Redis
        // refused), unioned into the one dead-letter sink at the end
        List<DataStream<DeadLetter>> deadLetters = new ArrayList<>();
        deadLetters.add(valid.getSideOutput(ParsedRouter.DEAD_LETTERS));

        // Each event is split into the head the identity stage reads and the body it passes on as
        // bytes here, on the sources' threads, and numbered among its tenant's events of its
        // source subtask (IdentityEvent). Operators' commands are numbered apart; the dedupe stage
        // lets them pass unjudged (a command takes effect once by its id, in the identity stage's
        // state). Each input is split on its own, so that the split chains to it
        DataStream<IdentityEvent> identityInput =
                valid.map(new IdentityEvent.Split(), IdentityEvent.TYPE)
                        .uid("identity-split")
                        .name("identity split");
        if (parts.commandsSource != null) {
            identityInput =
                    identityInput.union(
                            env.fromSource(
                                            parts.commandsSource,
                                            IdleWatermarks.strategy(),
                                            "commands (topic)")
                                    .uid("commands-topic")
                                    .map(IdentityEvent.Split.commands(), IdentityEvent.TYPE)
                                    .uid("commands-split")
                                    .name("commands split"));
        }
        // dedupe keyed by (tenant, event id): one tenant's dedupe state and work spread over every
        // subtask. Its subtasks send the events on with their verdicts, each in its own order; the
        // identity stage, serial per tenant, takes a tenant's events in their source subtask's
        // order again by their numbers (docs/oneid.md)
        SingleOutputStreamOperator<IdentityEvent> judged =
                identityInput
                        .keyBy(Deduplicator.KEY)
                        .process(
                                new Deduplicator(
                                        config.get(RtcdpOptions.DEDUPE_WINDOW), Duration.ofDays(1)),
                                IdentityEvent.TYPE)
                        .uid("dedupe")
                        .name("dedupe");
        SingleOutputStreamOperator<FragmentCommand> resolved =
                judged.keyBy(IdentityResolver.KEY)
                        .transform(
                                "identity",
                                RtcdpTypes.FRAGMENT_COMMAND,
                                new IdentityResolverOperator(
                                        new IdentityResolver(
                                                        config.idLimits(),
                                                        config.parser().tenantKeys(),
                                                        config.get(
                                                                RtcdpOptions.FORGET_TOMBSTONE_TTL),
                                                        new ForgottenIds(
                                                                config.get(RtcdpOptions.REDIS_URL),
                                                                config.get(RtcdpOptions.KEY_PREFIX),
                                                                config.get(
                                                                        RtcdpOptions
                                                                                .FORGET_TOMBSTONE_TTL),
                                                                config.parser()))
                                                .clockBound(
                                                        config.get(RtcdpOptions.OUT_OF_ORDERNESS))))
                        .uid("identity")
                        .name("identity");
        deadLetters.add(resolved.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
        var conflicts =
                resolved.getSideOutput(IdentityResolver.CONFLICTS)
                        .sinkTo(parts.conflictSink)
                        .uid(sinkUid("conflict-sink"))
                        .name("conflicts");
        if (parts.singleFileWriters) {
            conflicts.setParallelism(1);
        }
        deadLetters.add(
                RedisWriteOperator.write(
                        resolved.getSideOutput(IdentityResolver.ID_KEYS)
                                .keyBy(IdentityResolver.ID_KEY),
                        parts.idKeySink,
                        "redis-id-sink",
                        "redis id keys"));

        // the start-up rule sets and models; without any, one blank text, filtered out here (a
        // source of nothing is refused at run time). Its uid names its content, so that start-up
        // files changed for an upgrade are applied (a rule set or model of a higher version
        // replaces the one in state), and the same files are not applied twice. In a job that
        // also reads control topics (the streaming job) the source is held open after its texts
        // (HeldOpenSource): a bounded source finishes after the first checkpoint, and a checkpoint
        // or savepoint triggered as its task finishes is declined; the control topics keep the
        // broadcast side's watermark back anyway. A replay's start-up source ends, and the end of
        // time it then sends lets the decision stage's timers fire at the end of the input
        List<String> startUp =
                parts.initialControl.isEmpty() ? List.of("") : List.copyOf(parts.initialControl);
        DataGeneratorSource<String> texts =
                new DataGeneratorSource<>(
                        new StartUpTexts(new ArrayList<>(startUp)), startUp.size(), Types.STRING);
        boolean controlTopics =
                parts.rulesSource != null
                        || !parts.controlSources.isEmpty()
                        || parts.holdStartUpControlOpen;
        DataStream<String> rules =
                (controlTopics
                                ? env.fromSource(
                                        new HeldOpenSource<>(texts, "start-up control"),
                                        WatermarkStrategy.noWatermarks(),
                                        "rules (start-up)",
                                        Types.STRING)
                                : env.fromSource(
                                        texts,
                                        WatermarkStrategy.noWatermarks(),
                                        "rules (start-up)",
                                        Types.STRING))
                        // one reader, the texts in their order
                        .setParallelism(1)
                        .uid(initialControlUid(parts.initialControl))
                        .name("rules (start-up)")
                        .setBufferTimeout(offPath)
                        .filter(text -> !text.isEmpty())
                        .uid("rules-initial-filter")
                        .name("rules (start-up)")
                        .setBufferTimeout(offPath);
        for (int i = 0; i < parts.controlSources.size(); i++) {
            rules =
                    rules.union(
                            env.fromSource(
                                            parts.controlSources.get(i),
                                            WatermarkStrategy.noWatermarks(),
                                            "models (topic)")
                                    .uid("control-topic-" + i)
                                    .setBufferTimeout(offPath));
        }
        if (parts.rulesSource != null) {
            rules =
                    rules.union(
                            env.fromSource(
                                            parts.rulesSource,
                                            WatermarkStrategy.noWatermarks(),
                                            "rules (topic)")
                                    .uid("rules-topic")
                                    .setBufferTimeout(offPath));
        }

        VersionStep versionStep =
                new VersionStep(config.get(RtcdpOptions.CONTROL_MAX_VERSION_STEP));
        // the fragments keep only the traits the tenants' rule sets declare (FragmentStore); their
        // operator keeps the rule sets' watermarks out of event time (FragmentStoreOperator)
        SingleOutputStreamOperator<ProfileCommand> commands =
                resolved.keyBy(FragmentStore.KEY)
                        .connect(rules.broadcast())
                        .transform(
                                "fragments",
                                RtcdpTypes.PROFILE_COMMAND,
                                new FragmentStoreOperator(
                                        new FragmentStore()
                                                .cacheSize(
                                                        config.get(RtcdpOptions.STATE_CACHE_SIZE))
                                                .versionStep(versionStep)
                                                // in force before they arrive over the broadcast
                                                .startUp(parts.initialControl)))
                        .uid("fragments")
                        .name("fragments");
        deadLetters.add(commands.getSideOutput(RecordIsolation.INTERNAL_ERRORS));

        // the tenant clocks to every subtask, into broadcast state (ProfileUpdater.CLOCKS); the
        // stage's own operator so that a clock can wake the refreshes it lets go
        DataStream<org.apache.flink.api.java.tuple.Tuple2<String, Long>> clocks =
                resolved.getSideOutput(IdentityResolver.TENANT_CLOCKS).broadcast();
        SingleOutputStreamOperator<ProfileChange> changes =
                commands.keyBy(ProfileUpdater.KEY)
                        .connect(clocks)
                        .transform(
                                "profile",
                                ProfileChangeSerializer.TYPE_INFO,
                                new ProfileUpdaterOperator(
                                        new ProfileUpdater(
                                                        config.get(
                                                                RtcdpOptions
                                                                        .PROFILE_REFRESH_INTERVAL),
                                                        config.lifecycles(),
                                                        config.get(RtcdpOptions.OUT_OF_ORDERNESS))
                                                .cacheSize(
                                                        config.get(RtcdpOptions.STATE_CACHE_SIZE))
                                                .endOfInputAt(
                                                        parts.until == Long.MAX_VALUE
                                                                ? Long.MIN_VALUE
                                                                : parts.until)))
                        .uid("profile")
                        .name("profile");

        deadLetters.add(changes.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
        // RFM in three stages, so that one tenant spreads over every subtask: buckets of the
        // tenant's profiles keep their value counts up to date per change and send them once per
        // refresh; the tenant's boundaries are merged from the buckets' summaries (one record per
        // changed bucket per refresh); each profile is scored where its values are, keyed like the
        // profile stage, against the boundaries broadcast to every subtask (docs/rfm.md)
        DataStream<RfmObservation> rfmObservations = changes.getSideOutput(ProfileUpdater.RFM);
        Duration rfmRefresh = config.get(RtcdpOptions.RFM_REFRESH_INTERVAL);
        SingleOutputStreamOperator<Tuple3<String, Integer, byte[]>> rfmSummaries =
                rfmObservations
                        .keyBy(RfmSummarizer.KEY)
                        .process(
                                new RfmSummarizer(
                                        rfmRefresh,
                                        config.get(RtcdpOptions.MODELS_BGNBD_REFIT_INTERVAL)),
                                RfmSummarizer.SUMMARY)
                        .uid("rfm-summary")
                        .name("rfm summary")
                        .setBufferTimeout(offPath);
        deadLetters.add(rfmSummaries.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
        SingleOutputStreamOperator<Tuple2<String, byte[]>> rfmBoundaries =
                rfmSummaries
                        .keyBy(RfmBoundaryMerger.KEY)
                        .process(new RfmBoundaryMerger(rfmRefresh), RfmBoundaryMerger.BOUNDARIES)
                        .uid("rfm-boundaries")
                        .name("rfm boundaries")
                        .setBufferTimeout(offPath);
        deadLetters.add(rfmBoundaries.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
        SingleOutputStreamOperator<ProfileChange> rfm =
                sameKey(rfmObservations, RfmScorer.KEY)
                        .connect(rfmBoundaries.broadcast(RfmScorer.BOUNDARIES))
                        .process(new RfmScorer(), ProfileChangeSerializer.TYPE_INFO)
                        .uid("rfm-score")
                        .name("rfm");
        deadLetters.add(rfm.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
        // BG/NBD's live refit: fitted per tenant to the buckets' samples, sent to the decision
        // stage's broadcast input with the rule sets and models (docs/models.md)
        DataStream<String> decisionControl = rules;
        if (!config.get(RtcdpOptions.MODELS_BGNBD_REFIT_INTERVAL).isZero()) {
            SingleOutputStreamOperator<String> fits =
                    rfmSummaries
                            .getSideOutput(RfmSummarizer.SAMPLES)
                            .keyBy(BgNbdFitStage.KEY)
                            .process(
                                    new BgNbdFitStage(
                                            config.get(RtcdpOptions.MODELS_BGNBD_REFIT_INTERVAL)),
                                    Types.STRING)
                            .uid("bgnbd-fit")
                            .name("bgnbd fit")
                            .setBufferTimeout(offPath);
            deadLetters.add(fits.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
            decisionControl = rules.union(fits);
        }

        // Next purchase in three stages, like RFM: the tenant's item statistics spread over
        // buckets of its items, updated per order; the tenant's item table built from them and
        // broadcast; each profile's recommendation made where its items are, keyed like the
        // profile stage, again whenever its items or its tenant's table change
        Duration recRefresh = config.get(RtcdpOptions.REC_REFRESH_INTERVAL);
        long halfLife = config.get(RtcdpOptions.REC_HALF_LIFE).toMillis();
        SingleOutputStreamOperator<Tuple3<String, String, byte[]>> itemStats =
                changes.getSideOutput(ProfileUpdater.ITEM_ORDERS)
                        .keyBy(ItemStatsStage.KEY)
                        .transform(
                                "item statistics",
                                ItemStatsStage.STATS,
                                new ItemStatsOperator(new ItemStatsStage(recRefresh, halfLife)))
                        .uid("rec-item-stats")
                        .name("item statistics")
                        .setBufferTimeout(offPath);
        deadLetters.add(itemStats.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
        SingleOutputStreamOperator<Tuple2<String, byte[]>> itemTables =
                itemStats
                        .keyBy(ItemTableMerger.KEY)
                        .process(new ItemTableMerger(recRefresh, halfLife), ItemTableMerger.TABLE)
                        .uid("rec-item-tables")
                        .name("item tables")
                        .setBufferTimeout(offPath);
        deadLetters.add(itemTables.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
        SingleOutputStreamOperator<ProfileChange> recs =
                sameKey(changes.getSideOutput(ProfileUpdater.ITEMS), RecScorer.KEY)
                        .connect(itemTables.broadcast(RecScorer.TABLES))
                        .process(new RecScorer(), ProfileChangeSerializer.TYPE_INFO)
                        .uid("rec-next-purchase")
                        .name("next purchase");
        deadLetters.add(recs.getSideOutput(RecordIsolation.INTERNAL_ERRORS));

        BroadcastStream<String> control =
                rules.broadcast(ProfileDecider.RULES, ProfileDecider.MODELS);
        // the stage's own operator, for score.marketing ranked within the whole tenant: the
        // subtasks share their counts of the purchase probabilities (ProfileDeciderOperator)
        SingleOutputStreamOperator<ProfileUpdate> decided =
                sameKey(changes.union(rfm, recs), ProfileDecider.KEY)
                        .connect(decisionControl.broadcast())
                        .transform(
                                "decide",
                                ProfileUpdateSerializer.TYPE_INFO,
                                new ProfileDeciderOperator(
                                                new ProfileDecider(
                                                                config.get(
                                                                        RtcdpOptions
                                                                                .LEARNING_ENABLED))
                                                        .versionStep(versionStep)
                                                        .cacheSize(
                                                                config.get(
                                                                        RtcdpOptions
                                                                                .STATE_CACHE_SIZE))
                                                        // in force before they arrive over the
                                                        // broadcast
                                                        .startUp(parts.initialControl),
                                                config.get(RtcdpOptions.MARKETING_SHARE_INTERVAL),
                                                // a replay's profiles are all ranked at its end
                                                HISTORY_SOURCE_UID.equals(parts.sourceUid))
                                        .outOfOrderness(config.get(RtcdpOptions.OUT_OF_ORDERNESS)))
                        .uid("decide")
                        .name("decide");
        deadLetters.add(decided.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
        deadLetters.add(
                RedisWriteOperator.write(decided, parts.profileSink, "redis-sink", "redis"));

        if (config.get(RtcdpOptions.LEARNING_ENABLED)) {
            // the published versions come back through the models topic (a control source) and
            // are served by the decision stage from then on
            // a merged-away profile's pending snapshots are labelled by the person's orders at
            // a stage keyed by its survivor (docs/oneid.md, "Merges and learning snapshots")
            SingleOutputStreamOperator<LabelledExample> handed =
                    decided.getSideOutput(ProfileDecider.MERGED_LEARNING)
                            .keyBy(MergedLearningStage.KEY)
                            .process(new MergedLearningStage(), LabelledExampleSerializer.TYPE_INFO)
                            .uid("merged-learning")
                            .name("merged learning")
                            .setBufferTimeout(offPath);
            deadLetters.add(handed.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
            SingleOutputStreamOperator<String> published =
                    decided.getSideOutput(ProfileDecider.LABELLED)
                            .union(handed)
                            .keyBy(OnlineTrainer.KEY)
                            .connect(control)
                            .process(
                                    new OnlineTrainer(
                                                    config.get(RtcdpOptions.LEARNING_PUBLISH_EVERY))
                                            .versionStep(versionStep),
                                    Types.STRING)
                            .uid("online-trainer")
                            .name("online trainer")
                            .setBufferTimeout(offPath);
            deadLetters.add(published.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
            published
                    .sinkTo(parts.modelSink != null ? parts.modelSink : new DiscardingSink<>())
                    .uid("model-sink")
                    .name(parts.modelSink != null ? "models" : "models (discarded)");
        }

        // one contact history per person across merges: the triggers of a profile that absorbed
        // another are judged here against every merged profile's history (ContactStage)
        SingleOutputStreamOperator<Trigger> triggers =
                decided.getSideOutput(ProfileDecider.TRIGGERS)
                        .keyBy(ContactStage.KEY)
                        .process(new ContactStage(), TriggerSerializer.TYPE_INFO)
                        .uid("contact")
                        .name("contact")
                        .setBufferTimeout(offPath);
        deadLetters.add(triggers.getSideOutput(RecordIsolation.INTERNAL_ERRORS));
        // keyed by tenant on purpose: one writer numbers a tenant's stream entries (explicit
        // increasing IDs are how a retried commit recognises what got in, RedisStreamSink);
        // entries of one stream from several writers refuse each other's IDs, and each refused
        // entry is then looked up among the later ones (XRANGE), which grows with the square of
        // the batch and bounds exactly-once to LOOKUP_LIMIT entries. Triggers are few per event.
        // the forgets' audit markers go with them: the committer writes each audit record once
        // the checkpoint that covers its forget completed, when every Redis delete of it is done
        triggers.union(resolved.getSideOutput(IdentityResolver.AUDITS))
                .keyBy(Trigger::tenant)
                .sinkTo(
                        RedisStreamSink.of(
                                        config.get(RtcdpOptions.REDIS_URL),
                                        config.get(RtcdpOptions.KEY_PREFIX),
                                        config.get(RtcdpOptions.TRIGGER_STREAM_MAX_LEN),
                                        "trigger_id")
                                .withAudit(parts.auditOutput))
                .uid("redis-triggers")
                .name("redis triggers");
        for (int i = 0; i < parts.triggerSinks.size(); i++) {
            var triggerOut =
                    triggers.sinkTo(parts.triggerSinks.get(i))
                            .uid(sinkUid("trigger-sink-" + i))
                            .name("triggers");
            if (parts.singleFileWriters) {
                // one writer of the file: several would each write it from the start
                triggerOut.setParallelism(1);
            }
        }

        DataStream<DeadLetter> allDeadLetters = deadLetters.get(0);
        for (DataStream<DeadLetter> more : deadLetters.subList(1, deadLetters.size())) {
            allDeadLetters = allDeadLetters.union(more);
        }
        var deadLetterOut =
                allDeadLetters
                        .sinkTo(parts.deadLetterSink)
                        .uid(sinkUid("dead-letter-sink"))
                        .name("dead letters");
        if (parts.singleFileWriters) {
            deadLetterOut.setParallelism(1);
        }
    }

    /** The start-up texts by index, for a {@link DataGeneratorSource}. */
    private static final class StartUpTexts implements GeneratorFunction<Long, String> {
        private static final long serialVersionUID = 1L;
        private final ArrayList<String> texts;

        StartUpTexts(ArrayList<String> texts) {
            this.texts = texts;
        }

        @Override
        public String map(Long index) {
            return texts.get(index.intValue());
        }
    }

    /** Prefix of the uid of the start-up rule sets and models; {@link #initialControlUid}. */
    public static final String INITIAL_CONTROL_UID = "rules-initial";

    /**
     * The uid of the source of the start-up rule sets and models: {@code rules-initial} when there
     * are none, else {@code rules-initial-} and 12 hex digits of the SHA-256 of their texts.
     */
    static String initialControlUid(List<String> texts) {
        if (texts.isEmpty()) {
            return INITIAL_CONTROL_UID;
        }
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (String t : texts) {
                byte[] b = t.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                sha.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
                sha.update(b);
            }
            return INITIAL_CONTROL_UID
                    + "-"
                    + java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String sinkUid(String uid) {
        return parts.singleFileWriters ? uid + FILE_SINK_UID_SUFFIX : uid;
    }

    /**
     * Builder of an {@link RtcdpJob}: each method names what it is given. The events source and the
     * four sinks of profiles, id keys, dead letters and conflicts are required.
     */
    public static final class Builder {
        private final RtcdpConfig config;
        private Source<Parsed, ?, ?> source;
        private String sourceUid = EVENTS_SOURCE_UID;
        private RedisProfileSink profileSink;
        private RedisProfileSink idKeySink;
        private Sink<DeadLetter> deadLetterSink;
        private Sink<Conflict> conflictSink;
        private io.rtcdp.operators.sink.AuditOutput.Factory auditOutput;
        private boolean singleFileWriters;
        private long until = Long.MAX_VALUE;
        private boolean holdStartUpControlOpen;
        private final List<String> initialControl = new ArrayList<>();
        private Source<String, ?, ?> rulesSource;
        private final List<Source<String, ?, ?>> controlSources = new ArrayList<>();
        private final List<Sink<Trigger>> triggerSinks = new ArrayList<>();
        private Sink<String> modelSink;
        private Source<Event, ?, ?> commandsSource;

        private Builder(RtcdpConfig config) {
            this.config = config;
        }

        /** The settings of the job being built. */
        public RtcdpConfig config() {
            return config;
        }

        /** The parsed events of the streaming job (a Kafka topic). */
        public Builder eventsSource(Source<Parsed, ?, ?> v) {
            source = v;
            sourceUid = EVENTS_SOURCE_UID;
            return this;
        }

        /**
         * The parsed events of files, then of a Kafka topic: as {@link #eventsSource}, under the
         * uid {@link #HISTORY_THEN_LIVE_SOURCE_UID}.
         */
        public Builder historyThenLiveSource(Source<Parsed, ?, ?> v) {
            source = v;
            sourceUid = HISTORY_THEN_LIVE_SOURCE_UID;
            return this;
        }

        /**
         * The parsed events of a replay (event files): as {@link #eventsSource}, under the uid
         * {@link #HISTORY_SOURCE_UID}.
         */
        public Builder historySource(Source<Parsed, ?, ?> v) {
            source = v;
            sourceUid = HISTORY_SOURCE_UID;
            return this;
        }

        /**
         * Where the decided profile updates are written (through {@link RedisWriteOperator}, whose
         * refused writes join the dead letters).
         */
        public Builder profileSink(RedisProfileSink v) {
            profileSink = v;
            return this;
        }

        /** Where the identity stage's id keys are written (likewise). */
        public Builder idKeySink(RedisProfileSink v) {
            idKeySink = v;
            return this;
        }

        /** Where every stage's dead letters go. */
        public Builder deadLetterSink(Sink<DeadLetter> v) {
            deadLetterSink = v;
            return this;
        }

        /** Where the refused identity links go. */
        /** Where the audit records of forgets go (none: they are counted only). */
        public Builder auditOutput(io.rtcdp.operators.sink.AuditOutput.Factory v) {
            auditOutput = v;
            return this;
        }

        public Builder conflictSink(Sink<Conflict> v) {
            conflictSink = v;
            return this;
        }

        /**
         * The dead-letter, conflict and trigger sinks write single files: they run with parallelism
         * 1, and have uids of their own ({@link #FILE_SINK_UID_SUFFIX}).
         */
        public Builder singleFileWriters() {
            singleFileWriters = true;
            return this;
        }

        /**
         * A replay to a cutoff: valid events after {@code t} (epoch ms) are left out, and the end
         * of the input brings every profile to {@code t} (setting {@code replay.until}).
         */
        public Builder until(long t) {
            until = t;
            return this;
        }

        /**
         * The start-up rule sets and models are held open after their texts, as in a job with
         * control topics: for a replay that ends with a savepoint taken while it runs ({@code
         * --savepoint}). A finished start-up source is no part of such a savepoint's trouble once
         * it has finished, but one that finishes while the savepoint is taken fails it (the
         * TaskManager no longer knows the task), which a short input makes likely. Nothing after
         * the rule sets waits for their watermark (the decision stage and the trainer set no
         * event-time timers), so the job's results do not change.
         */
        public Builder holdStartUpControlOpen() {
            holdStartUpControlOpen = true;
            return this;
        }

        /**
         * Rule set files (YAML or JSON) applied when the job starts; read and checked to compile
         * now, so that a bad file stops the job before it starts.
         */
        public Builder ruleSetFiles(List<String> files) {
            initialControl.addAll(RuleFiles.read(files));
            return this;
        }

        /**
         * A models directory (one sub-directory per model) whose versions are applied when the job
         * starts, for every tenant; read now. Null for none.
         */
        public Builder modelsDir(String dir) {
            initialControl.addAll(RuleFiles.models(dir));
            return this;
        }

        /** A source of rule sets arriving while the job runs (the rules topic). */
        public Builder rulesSource(Source<String, ?, ?> v) {
            rulesSource = v;
            return this;
        }

        /** A source of model versions (or rule sets) arriving while the job runs (the topics). */
        public Builder controlSource(Source<String, ?, ?> v) {
            controlSources.add(v);
            return this;
        }

        /**
         * A sink of the triggers (besides the Redis stream, which the profile sink's Redis gets).
         */
        public Builder triggerSink(Sink<Trigger> v) {
            triggerSinks.add(v);
            return this;
        }

        /**
         * A sink of the model versions the online trainer publishes ({@code ModelMessages} text;
         * the models topic). Without one they are dropped, but the trainer still runs for its
         * metrics.
         */
        public Builder modelSink(Sink<String> v) {
            modelSink = v;
            return this;
        }

        /**
         * A source of operators' commands to the identity stage (the commands topic), as the
         * internal events of {@code IdCommand.toEvent}.
         */
        public Builder commandsSource(Source<Event, ?, ?> v) {
            commandsSource = v;
            return this;
        }

        public RtcdpJob build() {
            return new RtcdpJob(this);
        }
    }
}
