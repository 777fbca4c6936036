package io.rtcdp.operators.identity;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.TenantMemo;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.operators.sink.ProfileUpdateSerializer;
import io.rtcdp.operators.types.CodecSerializer;
import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.VersionedSnapshot;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.ErrorCode;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.TenantKeys;
import io.rtcdp.udf.identity.Conflict;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.identity.IdCache;
import io.rtcdp.udf.identity.IdCommand;
import io.rtcdp.udf.identity.IdentityGraph;
import io.rtcdp.udf.identity.IdentityStore;
import io.rtcdp.udf.identity.MergeHistory;
import io.rtcdp.udf.identity.OneIdInfo;
import io.rtcdp.udf.identity.OneIds;
import io.rtcdp.udf.identity.Resolution;
import io.rtcdp.udf.identity.TenantIdLimits;
import io.rtcdp.udf.identity.UserEvidence;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * OneID: resolves every event to its profile's oneid with {@link IdentityGraph}, keyed by tenant so
 * that one tenant's graph is decided in one place, in arrival order (docs/oneid.md): the job's
 * serial step for one tenant. It turns the graph's decisions into commands for the fragment store:
 * the event itself, and for each merge the hand-over of every fragment of the merged-away profile
 * to the survivor. Refused links go to the {@link #CONFLICTS} side output.
 *
 * <p>Its input is the {@link io.rtcdp.operators.ingest.Deduplicator}'s output: each event with the
 * dedupe verdict on it, one record per event. The dedupe stage is keyed by tenant and event id, so
 * spread over every subtask, and its subtasks mix the order of a tenant's events; this stage takes
 * them up in the order they had in their source subtask again, by the place each carries ({@link
 * SequenceGate}); a duplicate goes no further. So the dedupe stage takes nothing away from the
 * order in which this stage and the ones after it see a tenant's events, and what a replay of one
 * source split decides does not depend on timing.
 */
public final class IdentityResolver
        extends KeyedProcessFunction<String, IdentityEvent, FragmentCommand>
        implements org.apache.flink.streaming.api.checkpoint.CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(IdentityResolver.class);

    /** Key of the events: the tenant. */
    public static final KeySelector<IdentityEvent, String> KEY = IdentityEvent::tenant;

    /**
     * One audit marker per forget ({@link io.rtcdp.udf.rules.Trigger#forgetAudit}), for the Redis
     * triggers stream sink, whose committer completes and writes it after the forget's deletes.
     */
    public static final OutputTag<io.rtcdp.udf.rules.Trigger> AUDITS =
            new OutputTag<>("forget-audits", io.rtcdp.operators.types.TriggerSerializer.TYPE_INFO);

    public static final OutputTag<Conflict> CONFLICTS =
            new OutputTag<>("conflicts", ConflictSerializer.TYPE_INFO);

    /**
     * Id key writes, one id per update. The resolver decides every link of a tenant in one order,
     * and its writes go to Redis keyed by id, so an id key always ends where the last decision put
     * it, whichever profile subtasks are involved.
     */
    public static final OutputTag<ProfileUpdate> ID_KEYS =
            new OutputTag<>("id-keys", ProfileUpdateSerializer.TYPE_INFO);

    /**
     * The tenant's clock, the largest event time of its events so far, whenever it moved on by a
     * step ({@link #CLOCK_STEP_MILLIS}), and exactly before the job's watermark passes the tenant
     * watermark of the value sent last (and so at the end of a bounded input): the profile stage
     * keeps each tenant's windows in the tenant's own event time, and a refresh whose time the
     * watermark passed must find the tenant's clock there.
     */
    public static final OutputTag<org.apache.flink.api.java.tuple.Tuple2<String, Long>>
            TENANT_CLOCKS =
                    new OutputTag<>(
                            "tenant-clocks", io.rtcdp.operators.profile.ProfileUpdater.CLOCK_TYPE);

    /** The smallest step by which a tenant's clock moves before it is sent on. */
    static final long CLOCK_STEP_MILLIS = 60_000L;

    /**
     * How soon a clock the watermark already passed goes out by processing time, when no watermark
     * comes to carry it ({@link #advanceClock}).
     */
    static final long CLOCK_FLUSH_MILLIS = 200L;

    /** Key of the id-key sink: tenant and id. */
    public static final KeySelector<ProfileUpdate, String> ID_KEY =
            u -> u.tenant() + '\u0001' + u.ids().get(0);

    /** How long a forgotten id is remembered ({@code forget.tombstone-ttl}). */
    public static final java.time.Duration DEFAULT_TOMBSTONE_TTL = java.time.Duration.ofDays(30);

    private final TenantIdLimits limits;
    private final java.time.Duration tombstoneTtl;

    /** The forgotten ids kept in Redis, or null (tests of this stage alone). */
    private final ForgottenIds redisTombstones;

    /** Names the profiles: oneids are keyed with each tenant's key (docs/contract.md §2.3). */
    private final TenantKeys keys;

    /** The sources' out-of-orderness: a tenant's watermark is its clock less this. */
    private long clockBoundMillis;

    private transient OneIds oneIds;

    private transient MapState<String, String> links;

    /**
     * Forgotten ids (type:value, PII hashed) → the largest event time of a forget that named them,
     * kept for {@link #tombstoneTtl} of processing time: an event that carries one and is not later
     * than that forget (late, or replayed history) is dropped, so it cannot recreate the person.
     */
    private transient MapState<String, Long> forgotten;

    /**
     * What a forget of a profile must find beyond its ids and fragments, newline-separated; moves
     * to the survivor on a merge. {@code q\u0001oneid}: the ids quarantined out of that profile
     * (type:value), whose quarantine profiles go with it. {@code c\u0001oneid}: the oneids under
     * whose key a conflict record names that profile as {@code other_oneid}, whose conflict records
     * go with it (the conflicts topic is keyed by oneid).
     */
    private transient MapState<String, String> forgetRefs;

    private transient MapState<String, OneIdInfo> profiles;
    private transient MapState<String, String> aliases;

    /** survivor → the fragments merged into it (not itself), comma-separated. */
    private transient MapState<String, String> fragments;

    /** id → its {@link UserEvidence} (only with the protection policy on). */
    private transient MapState<String, byte[]> evidence;

    /** The ids of the commands applied (or ignored), so each takes effect once → issued-at. */
    private transient MapState<String, Long> appliedCommands;

    /**
     * Tenant → its clock: {largest event time, the value last sent on, the time of the pending
     * timer that sends the exact value (MIN_VALUE: none known here)}. On the heap and in operator
     * state ({@link #clockState}, written at checkpoints), not in keyed state: it changes with
     * nearly every event, and a RocksDB write per event for it cost more than the rest of the
     * bookkeeping.
     */
    private transient Map<String, long[]> clocks;

    private transient org.apache.flink.api.common.state.ListState<byte[]> clockState;

    /** The events waiting for their turn (the events before them of their source subtask). */
    private transient SequenceGate gate;

    /** The context of the record being processed, for {@link #release}. */
    private transient Context current;

    private transient Collector<FragmentCommand> currentOut;
    private transient SequenceGate.Release release;

    /** What the stage keeps on the heap per tenant ({@link TenantContext}), made on first use. */
    private transient TenantMemo<TenantContext> tenants;

    private transient FlinkStore store;
    private transient Pending pending;
    private final RecordIsolation isolation = new RecordIsolation("identity");
    private transient Counter merges;
    private transient Counter conflicts;
    private transient Counter quarantines;
    private transient Counter forgets;
    private transient Counter eventsForgotten;
    private transient Counter releases;
    private transient Counter commandsApplied;
    private transient Counter commandsIgnored;
    private transient Counter commandsRefused;

    /**
     * @param limits the id limits per type, for every tenant or one
     * @param keys the tenants' keys, which the oneids are derived with
     */
    public IdentityResolver(TenantIdLimits limits, TenantKeys keys) {
        this(limits, keys, DEFAULT_TOMBSTONE_TTL);
    }

    /**
     * @param limits the id limits per type, for every tenant or one
     * @param tombstoneTtl how long a forgotten id is remembered ({@code forget.tombstone-ttl})
     */
    public IdentityResolver(
            TenantIdLimits limits, TenantKeys keys, java.time.Duration tombstoneTtl) {
        this(limits, keys, tombstoneTtl, null);
    }

    /**
     * @param limits the id limits per type, for every tenant or one
     * @param tombstoneTtl how long a forgotten id is remembered ({@code forget.tombstone-ttl})
     * @param redisTombstones the forgotten ids kept in Redis (loaded at start, written on each
     *     forget), or null for none
     */
    public IdentityResolver(
            TenantIdLimits limits,
            TenantKeys keys,
            java.time.Duration tombstoneTtl,
            ForgottenIds redisTombstones) {
        if (tombstoneTtl.isNegative() || tombstoneTtl.isZero()) {
            throw new IllegalArgumentException("tombstone TTL must be positive: " + tombstoneTtl);
        }
        this.limits = limits;
        this.keys = keys;
        this.tombstoneTtl = tombstoneTtl;
        this.redisTombstones = redisTombstones;
    }

    /**
     * Sets the sources' out-of-orderness ({@code watermark.out-of-orderness}), which the profile
     * stage subtracts from a tenant's clock to get its watermark: the exact clock is sent before
     * the job's watermark passes the watermark of the clock sent last.
     */
    public IdentityResolver clockBound(java.time.Duration outOfOrderness) {
        this.clockBoundMillis = Math.max(0, outOfOrderness.toMillis());
        return this;
    }

    /** The tombstones' state: a TTL of processing time, dropped by RocksDB's compaction filter. */
    static MapStateDescriptor<String, Long> tombstoneState(java.time.Duration ttl) {
        MapStateDescriptor<String, Long> d =
                new MapStateDescriptor<>("forgotten-ids", Types.STRING, Types.LONG);
        d.enableTimeToLive(
                org.apache.flink.api.common.state.StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(
                                org.apache.flink.api.common.state.StateTtlConfig.UpdateType
                                        .OnCreateAndWrite)
                        .setStateVisibility(
                                org.apache.flink.api.common.state.StateTtlConfig.StateVisibility
                                        .NeverReturnExpired)
                        .cleanupFullSnapshot()
                        .cleanupInRocksdbCompactFilter(1000, java.time.Duration.ofDays(1))
                        .build());
        return d;
    }

    /**
     * The dedupe state this operator kept before dedupe became a stage of its own ({@code
     * seen-event-ids}: event id → event time, per tenant). A savepoint of that version restores it
     * into this operator; nothing reads it any more. It is registered, never read or written, so
     * that its entries count as expired (TTL of one millisecond) and RocksDB's compaction filter
     * drops them whenever it compacts that state's files (periodic compaction asked for after a
     * day). Unregistered, the TTL filter would not know the state, and the restored entries would
     * be carried from checkpoint to checkpoint for ever. Remove once no savepoint from before the
     * dedupe stage is restored any more.
     */
    static MapStateDescriptor<String, Long> legacyDedupeState() {
        MapStateDescriptor<String, Long> d =
                new MapStateDescriptor<>("seen-event-ids", Types.STRING, Types.LONG);
        d.enableTimeToLive(
                org.apache.flink.api.common.state.StateTtlConfig.newBuilder(
                                java.time.Duration.ofMillis(1))
                        .setUpdateType(
                                org.apache.flink.api.common.state.StateTtlConfig.UpdateType
                                        .OnCreateAndWrite)
                        .setStateVisibility(
                                org.apache.flink.api.common.state.StateTtlConfig.StateVisibility
                                        .NeverReturnExpired)
                        .cleanupInRocksdbCompactFilter(1000, java.time.Duration.ofDays(1))
                        .build());
        return d;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        links =
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>("links", Types.STRING, Types.STRING));
        profiles =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "profiles", Types.STRING, OneIdInfoSerializer.TYPE_INFO));
        aliases =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("aliases", Types.STRING, Types.STRING));
        fragments =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("fragments", Types.STRING, Types.STRING));
        evidence =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "id-evidence",
                                        Types.STRING,
                                        org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
                                                .BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        appliedCommands =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "applied-commands", Types.STRING, Types.LONG));
        getRuntimeContext().getMapState(legacyDedupeState());
        forgotten = getRuntimeContext().getMapState(tombstoneState(tombstoneTtl));
        forgetRefs =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "forget-refs", Types.STRING, Types.STRING));
        tenants =
                new TenantMemo<>(
                        new java.util.HashMap<>(),
                        t ->
                                new TenantContext(
                                        new IdentityGraph(store, limits.forTenant(t), oneIds)));
        if (redisTombstones != null) {
            redisTombstones.open();
        }
        store = new FlinkStore();
        pending = new Pending();
        isolation.open(getRuntimeContext().getMetricGroup());
        oneIds = new OneIds(keys);
        merges = getRuntimeContext().getMetricGroup().counter("identityMerges");
        conflicts = getRuntimeContext().getMetricGroup().counter("identityConflicts");
        quarantines = getRuntimeContext().getMetricGroup().counter("identityQuarantines");
        forgets = getRuntimeContext().getMetricGroup().counter("profilesForgotten");
        eventsForgotten = getRuntimeContext().getMetricGroup().counter("eventsForgotten");
        releases = getRuntimeContext().getMetricGroup().counter("identityReleases");
        commandsApplied = getRuntimeContext().getMetricGroup().counter("identityCommandsApplied");
        commandsIgnored = getRuntimeContext().getMetricGroup().counter("identityCommandsIgnored");
        commandsRefused = getRuntimeContext().getMetricGroup().counter("identityCommandsRefused");
    }

    @Override
    public void close() throws Exception {
        if (redisTombstones != null) {
            redisTombstones.close();
        }
        super.close();
    }

    @Override
    public void processElement(IdentityEvent e, Context ctx, Collector<FragmentCommand> out)
            throws Exception {
        current = ctx;
        currentOut = out;
        if (e.type() != EventType.COMMAND) {
            // The tenant's clock moves when an event comes, before it waits for its turn (a
            // command's time is the wall clock of its issue, not the tenant's event time). The
            // stage's watermark may pass the sent clock's tenant watermark while the event waits
            // (it is held only behind the waiting event itself): the clock must be on its way
            // first, or the profile stage finds a refresh due and the tenant's clock not there,
            // and puts the refresh off by a minute. Like the job's watermark, the clock counts
            // every event read, duplicates and dead letters too.
            advanceClock(e.head(), ctx);
        }
        gate.arrive(e, release);
    }

    /** An event in its turn: taken up, or dropped as a duplicate, or a dead letter. */
    private void release(IdentityEvent e) throws Exception {
        switch (e.verdict()) {
            case PASS -> process(e, current, currentOut);
            case DUPLICATE -> {}
            case FAILED ->
                    current.output(
                            RecordIsolation.INTERNAL_ERRORS,
                            new DeadLetter(
                                    ErrorCode.INTERNAL.code(),
                                    e.failure(),
                                    RecordIsolation.payload(e.whole()),
                                    "dedupe:" + e.eventId()));
        }
    }

    private void process(IdentityEvent in, Context ctx, Collector<FragmentCommand> out)
            throws Exception {
        Event e = in.head();
        // all or nothing: the state writes and outputs of one event take effect together, so a
        // failure half-way leaves the graph as it was before the event
        try {
            store.tenant = e.tenant();
            if (e.type() == EventType.COMMAND) {
                command(in.whole(), pending);
            } else if (e.type() == EventType.FORGET) {
                forget(e, in.body(), pending);
            } else if (tombstoned(e)) {
                eventsForgotten.inc();
                return;
            } else {
                resolve(e, in.body(), pending);
            }
        } catch (Exception failure) {
            store.rollback();
            pending.clear();
            ctx.output(
                    RecordIsolation.INTERNAL_ERRORS,
                    isolation.isolate(
                            failure,
                            RecordIsolation.payload(in.whole()),
                            "identity:" + e.eventId()));
            return;
        }
        store.commit();
        if (pending.appliedCommand != null) {
            appliedCommands.put(pending.appliedCommand, e.ts());
        }
        pending.emit(ctx, out);
        isolation.succeeded();
    }

    /**
     * An operator's command ({@link IdCommand}): each command id takes effect once. A release of an
     * id that is not quarantined changes nothing (counted as ignored, like a repeat).
     */
    private void command(Event e, Pending out) {
        IdCommand c;
        try {
            c = IdCommand.fromEvent(e);
        } catch (IllegalArgumentException malformed) {
            commandsRefused.inc();
            LOG.warn("Refused a command of tenant {}: {}", e.tenant(), malformed.getMessage());
            return;
        }
        if (!IdCommand.RELEASE.equals(c.type())) {
            commandsRefused.inc();
            LOG.warn("Refused command {}: unknown type '{}'", c.commandId(), c.type());
            return;
        }
        try {
            if (appliedCommands.contains(c.commandId())) {
                commandsIgnored.inc();
                return;
            }
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        out.appliedCommand = c.commandId();
        Conflict released =
                graph(c.tenant()).release(c.tenant(), c.commandId(), c.issuedAt(), c.id());
        if (released == null) {
            commandsIgnored.inc();
            LOG.info(
                    "Command {} of tenant {}: the id is not quarantined",
                    c.commandId(),
                    c.tenant());
            return;
        }
        commandsApplied.inc();
        releases.inc();
        out.conflicts.add(released);
        // the quarantine profile no longer holds the id; its id key moves at the id's next link
        out.commands.add(
                FragmentCommand.ids(c.tenant(), released.otherOneid(), List.of(), List.of(c.id())));
    }

    /**
     * Per tenant, on the heap: its identity graph (with the tenant's limits, over the shared store)
     * and whether it has tombstones ({@link #forgotten}; null until an event asks, so that most
     * events need no tombstone read).
     */
    private static final class TenantContext {
        final IdentityGraph graph;
        Boolean hasTombstones;

        TenantContext(IdentityGraph graph) {
            this.graph = graph;
        }
    }

    private TenantContext tenant(String tenant) {
        return tenants.get(tenant);
    }

    private IdentityGraph graph(String tenant) {
        return tenant(tenant).graph;
    }

    /**
     * @param e the event's head
     * @param body its body's bytes, passed on unread
     */
    private void resolve(Event e, byte[] body, Pending out) {
        Resolution r = graph(e.tenant()).resolve(e.tenant(), e.eventId(), e.ts(), e.ids());
        String tenant = e.tenant();
        for (Id id : r.released()) {
            // the protection policy released it: it left its quarantine profile for r.oneid()
            releases.inc();
            out.commands.add(
                    FragmentCommand.ids(
                            tenant, oneIds.quarantined(tenant, id), List.of(), List.of(id)));
        }
        for (Resolution.Quarantine q : r.quarantined()) {
            quarantines.inc();
            out.idKeys.add(ProfileUpdate.ofIds(tenant, q.singleton(), q.id().toString(), false));
            if (q.from() != null) {
                store.addRef(LOST, q.from(), q.id().toString());
            }
            if (q.from() != null && !r.dropped().contains(q.from())) {
                out.commands.add(FragmentCommand.ids(tenant, q.from(), List.of(), List.of(q.id())));
            }
            out.commands.add(
                    FragmentCommand.ids(tenant, q.singleton(), List.of(q.id()), List.of()));
        }
        for (String d : r.dropped()) {
            // a profile that lost its last id to quarantine: its events were that id's events
            String singleton = null;
            for (Resolution.Quarantine q : r.quarantined()) {
                if (d.equals(q.from())) {
                    singleton = q.singleton();
                }
            }
            if (singleton != null) {
                handOver(tenant, d, singleton, out);
            }
        }
        List<Id> linked = r.linked();
        String history = null;
        List<String> merged = List.of();
        if (!r.merges().isEmpty()) {
            merged = new ArrayList<>();
            for (Resolution.Merge m : r.merges()) {
                merges.inc();
                merged.addAll(handOver(tenant, m.loser(), m.survivor(), out));
            }
            OneIdInfo survivor = store.info(r.oneid());
            if (survivor != null) {
                // the survivor's profile operator learns every id it gained, so their id keys
                // point to it
                linked = survivor.ids();
                history = history(survivor);
            }
        }
        for (Id id : linked) {
            out.idKeys.add(ProfileUpdate.ofIds(tenant, r.oneid(), id.toString(), false));
        }
        for (Conflict c : r.conflicts()) {
            conflicts.inc();
            if (c.oneid() != null && c.otherOneid() != null && !c.otherOneid().equals(c.oneid())) {
                store.addRef(CONFLICTS_ABOUT, c.otherOneid(), c.oneid());
            }
            out.conflicts.add(c);
        }
        out.commands.add(
                FragmentCommand.route(r.oneid(), e.withoutIds(), body, linked, history, merged));
    }

    /** The outputs of the event being processed, sent once it has been processed in full. */
    private static final class Pending {
        final ArrayList<FragmentCommand> commands = new ArrayList<>();
        final ArrayList<ProfileUpdate> idKeys = new ArrayList<>();
        final ArrayList<Conflict> conflicts = new ArrayList<>();
        final ArrayList<io.rtcdp.udf.rules.Trigger> audits = new ArrayList<>();

        /** The id of the command being applied, recorded once its writes are committed. */
        String appliedCommand;

        void emit(Context ctx, Collector<FragmentCommand> out) {
            for (io.rtcdp.udf.rules.Trigger a : audits) {
                ctx.output(AUDITS, a);
            }
            for (ProfileUpdate u : idKeys) {
                ctx.output(ID_KEYS, u);
            }
            for (Conflict c : conflicts) {
                ctx.output(CONFLICTS, c);
            }
            for (FragmentCommand c : commands) {
                out.collect(c);
            }
            clear();
        }

        void clear() {
            commands.clear();
            idKeys.clear();
            conflicts.clear();
            audits.clear();
            appliedCommand = null;
        }
    }

    /**
     * Moves the tenant's clock to the event's time if it is later, and sends it on once it moved by
     * a step: a minute while the tenant is live, more while it catches up on history (a hundredth
     * of how far its events are behind the wall clock), so a backfill does not send a clock per
     * minute of its past.
     *
     * <p>Between steps, the profile stage knows the tenant's clock only as far as its own events
     * and the value sent last, and puts off a refresh that the job's watermark reached beyond that
     * (looked at again when the clock comes). So while the clock is ahead of the value sent, an
     * event-time timer waits at the watermark that passes the sent value's tenant watermark ({@link
     * #onTimer}): it sends the exact value before that watermark goes downstream, so every refresh
     * due at or before the tenant's own watermark is applied when the watermark reaches it. If the
     * watermark is past that point already, the exact value also goes out by processing time within
     * {@link #CLOCK_FLUSH_MILLIS}, as no further watermark may come.
     */
    private void advanceClock(Event e, Context ctx) {
        long[] c = clocks.get(e.tenant());
        if (c == null) {
            c = newClock(Long.MIN_VALUE, Long.MIN_VALUE);
            clocks.put(e.tenant(), c);
            // once per tenant and subtask life; registering the same timer again is a no-op
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        } else if (e.ts() <= c[0]) {
            return;
        }
        c[0] = e.ts();
        long lag = ctx.timerService().currentProcessingTime() - e.ts();
        long step = Math.max(CLOCK_STEP_MILLIS, lag / 100);
        if (c[1] == Long.MIN_VALUE || c[0] - c[1] >= step) {
            c[1] = c[0];
            ctx.output(TENANT_CLOCKS, org.apache.flink.api.java.tuple.Tuple2.of(e.tenant(), c[0]));
        }
        if (c[0] != c[1]) {
            // the watermark at which the sent clock's tenant watermark (sent less the bound, less
            // one) falls behind it; no underflow, as c[1] is an event time
            long due = c[1] - clockBoundMillis;
            if (c[2] != due) {
                if (c[2] != Long.MIN_VALUE) {
                    ctx.timerService().deleteEventTimeTimer(c[2]);
                }
                ctx.timerService().registerEventTimeTimer(due);
                c[2] = due;
            }
            if (due <= ctx.timerService().currentWatermark() && c[3] == Long.MIN_VALUE) {
                // The watermark is past that already (the sent value is a step behind, or the
                // event came late): the timer fires when the watermark moves again, which after
                // the last events of a quiet spell may be never. The exact clock goes out by
                // processing time soon, at most once per flush interval.
                c[3] = ctx.timerService().currentProcessingTime() + CLOCK_FLUSH_MILLIS;
                ctx.timerService().registerProcessingTimeTimer(c[3]);
            }
        }
    }

    /** The tenant's clock: {largest event time, value sent last, event-time timer, flush timer}. */
    private static long[] newClock(long max, long sent) {
        return new long[] {max, sent, Long.MIN_VALUE, Long.MIN_VALUE};
    }

    /**
     * The watermark passed the sent clock's tenant watermark ({@link #advanceClock}), a clock the
     * watermark had passed is flushed, or a bounded input ended: the tenant's exact clock, if it
     * moved since it was sent last.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FragmentCommand> out)
            throws Exception {
        boolean flush =
                ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.PROCESSING_TIME;
        if (!flush && timestamp == Long.MAX_VALUE) {
            for (String tenant : gate.waitingTenants()) {
                if (tenant.equals(ctx.getCurrentKey())) {
                    // the input has ended: every event has come, so this is a defect
                    LOG.error(
                            "Events of tenant {} still wait for their turn at the end of the input"
                                    + " ({} events of all tenants of this subtask)",
                            tenant,
                            gate.waitingEvents());
                }
            }
        }
        long[] c = clocks.get(ctx.getCurrentKey());
        if (c == null) {
            return;
        }
        if (flush && c[3] == timestamp) {
            c[3] = Long.MIN_VALUE;
        } else if (!flush && c[2] == timestamp) {
            c[2] = Long.MIN_VALUE;
        }
        if (c[1] != c[0]) {
            c[1] = c[0];
            ctx.output(
                    TENANT_CLOCKS,
                    org.apache.flink.api.java.tuple.Tuple2.of(ctx.getCurrentKey(), c[0]));
        }
    }

    /**
     * The earliest event time of the events waiting here for their turn, or MAX_VALUE: the stage's
     * watermark must not pass it ({@link IdentityResolverOperator}).
     */
    long earliestWaiting() {
        return gate == null ? Long.MAX_VALUE : gate.earliestWaiting();
    }

    /** Union operator state of byte arrays: every subtask restores every subtask's entries. */
    private static org.apache.flink.api.common.state.ListState<byte[]> unionBytes(
            org.apache.flink.runtime.state.FunctionInitializationContext context, String name)
            throws Exception {
        return context.getOperatorStateStore()
                .getUnionListState(
                        new org.apache.flink.api.common.state.ListStateDescriptor<>(
                                name,
                                org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
                                        .BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void initializeState(
            org.apache.flink.runtime.state.FunctionInitializationContext context) throws Exception {
        // union: after a rescale a tenant may land on any subtask, and clocks only grow, so every
        // subtask takes every tenant's largest value
        clockState = unionBytes(context, "tenant-clocks");
        // what an earlier release kept of the events waiting for their dedupe verdict: nothing
        // with aligned checkpoints, and nothing is kept now (SequenceGate); the state is read to
        // refuse what unaligned checkpoints left in it, then emptied
        var earlierWaiting = unionBytes(context, "dedupe-waiting");
        for (byte[] b : earlierWaiting.get()) {
            SequenceGate.restoreEarlier(b);
        }
        earlierWaiting.clear();
        gate = new SequenceGate();
        release = this::release;
        clocks = new java.util.HashMap<>();
        for (byte[] b : clockState.get()) {
            java.io.DataInputStream in =
                    new java.io.DataInputStream(new java.io.ByteArrayInputStream(b));
            String tenant = in.readUTF();
            long max = in.readLong();
            long sent = in.readLong();
            long[] had = clocks.get(tenant);
            if (had == null) {
                // the pending timer, if any, was restored with the keyed state; the next event
                // registers it again (the same time: a no-op)
                clocks.put(tenant, newClock(max, sent));
            } else {
                had[0] = Math.max(had[0], max);
                had[1] = Math.max(had[1], sent);
            }
        }
    }

    @Override
    public void snapshotState(org.apache.flink.runtime.state.FunctionSnapshotContext context)
            throws Exception {
        List<byte[]> all = new ArrayList<>(clocks.size());
        for (Map.Entry<String, long[]> e : clocks.entrySet()) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(32);
            java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue()[0]);
            out.writeLong(e.getValue()[1]);
            out.flush();
            all.add(bytes.toByteArray());
        }
        clockState.update(all);
        gate.checkNothingWaits();
    }

    /**
     * Every fragment of {@code loser} sends its features to {@code survivor}; loser drops.
     *
     * @return the fragments moved: {@code loser} and the oneids merged into it before
     */
    private List<String> handOver(String tenant, String loser, String survivor, Pending out) {
        List<String> moved = new ArrayList<>();
        moved.add(loser);
        String ofLoser = store.fragments(loser);
        if (ofLoser != null) {
            for (String f : ofLoser.split(",")) {
                moved.add(f);
            }
            store.setFragments(loser, null);
        }
        for (String f : moved) {
            out.commands.add(FragmentCommand.resend(tenant, f, survivor));
            // every merged-away oneid's alias points straight at the current survivor
            out.commands.add(FragmentCommand.drop(tenant, f, survivor));
        }
        store.moveRefs(LOST, loser, survivor);
        store.moveRefs(CONFLICTS_ABOUT, loser, survivor);
        String ofSurvivor = store.fragments(survivor);
        String joined = String.join(",", moved);
        store.setFragments(survivor, ofSurvivor == null ? joined : ofSurvivor + "," + joined);
        return moved;
    }

    /** The merge history field ({@link MergeHistory}). */
    private static String history(OneIdInfo info) {
        return MergeHistory.render(info.merges());
    }

    /**
     * Whether the event carries an id forgotten by a forget at or after the event's time: late or
     * replayed history of a forgotten person, which must not bring the person back.
     */
    private boolean tombstoned(Event e) throws Exception {
        if (redisTombstones != null && redisTombstones.forgotten(e.tenant(), e.ids(), e.ts())) {
            return true;
        }
        TenantContext t = tenant(e.tenant());
        if (t.hasTombstones == null) {
            t.hasTombstones = !forgotten.isEmpty();
        }
        if (!t.hasTombstones) {
            return false;
        }
        for (Id id : e.ids()) {
            Long at = forgotten.get(id.toString());
            if (at != null && e.ts() <= at) {
                return true;
            }
        }
        return false;
    }

    /**
     * Forget: every profile that owns any id of the event (a quarantined id's own quarantine
     * profile included), with all of those profiles' ids, the quarantine profiles of the ids they
     * lost, their fragments and aliases; every id involved is remembered as forgotten ({@link
     * #forgotten}). Each forgotten profile's fragment gets a forget command (the fragment store and
     * the profile stage delete their state, the hash, its alias key and segment memberships), each
     * id its key's delete.
     *
     * @param e the forget event's head
     * @param body its body's bytes, passed on unread
     */
    private void forget(Event e, byte[] body, Pending out) throws Exception {
        String tenant = e.tenant();
        java.util.LinkedHashSet<String> oneids = new java.util.LinkedHashSet<>();
        java.util.LinkedHashMap<String, Id> ids = new java.util.LinkedHashMap<>();
        java.util.ArrayDeque<Id> todo = new java.util.ArrayDeque<>(e.ids());
        while (!todo.isEmpty()) {
            Id id = todo.poll();
            if (ids.putIfAbsent(id.toString(), id) != null) {
                continue;
            }
            String link = store.link(id);
            String owner;
            if (QUARANTINED.equals(link)) {
                owner = oneIds.quarantined(tenant, id);
            } else {
                owner = link;
            }
            if (owner == null || !oneids.add(owner)) {
                continue;
            }
            OneIdInfo info = store.info(owner);
            if (info != null) {
                todo.addAll(info.ids());
            }
            String lost = store.refs(LOST, owner);
            if (lost != null) {
                for (String q : lost.split("\n")) {
                    int colon = q.indexOf(':');
                    todo.add(new Id(q.substring(0, colon), q.substring(colon + 1)));
                }
            }
        }
        int idKeys = 0;
        int aliasKeys = 0;
        for (Id id : ids.values()) {
            String link = store.link(id);
            if (link != null) {
                idKeys++;
                store.unlink(id);
                String owner = QUARANTINED.equals(link) ? oneIds.quarantined(tenant, id) : link;
                out.idKeys.add(ProfileUpdate.ofIds(tenant, owner, id.toString(), true));
                // the protection policy's evidence names the person's user_id
                store.forgetEvidence(id);
            }
            store.tombstone(id.toString(), e.ts());
            if (redisTombstones != null) {
                redisTombstones.remember(tenant, id, e.ts());
            }
        }
        java.util.LinkedHashSet<String> conflictKeys = new java.util.LinkedHashSet<>();
        for (String oneid : oneids) {
            forgets.inc();
            if (store.info(oneid) != null) {
                store.remove(oneid);
            }
            store.setRefs(LOST, oneid, null);
            conflictKeys.add(oneid);
            String about = store.refs(CONFLICTS_ABOUT, oneid);
            if (about != null) {
                conflictKeys.addAll(List.of(about.split("\n")));
                store.setRefs(CONFLICTS_ABOUT, oneid, null);
            }
            String frags = store.fragments(oneid);
            store.setFragments(oneid, null);
            if (frags != null) {
                for (String f : frags.split(",")) {
                    store.alias(f, null);
                    aliasKeys++;
                    conflictKeys.add(f);
                    out.commands.add(FragmentCommand.forget(tenant, f, null));
                }
            }
            out.commands.add(FragmentCommand.forget(tenant, oneid, e.withoutIds(), body));
        }
        for (String key : conflictKeys) {
            out.conflicts.add(Conflict.retraction(tenant, key));
        }
        // the audit record (no PII): what this forget removes; the stream sink's committer adds
        // the completion time once the deletes are done
        String forgetId = forgetId(tenant, e.eventId());
        String partial =
                "{\"tenant\":\""
                        + tenant
                        + "\",\"forget_id\":\""
                        + forgetId
                        + "\",\"ts\":"
                        + e.ts()
                        + ",\"profiles\":"
                        + oneids.size()
                        + ",\"ids\":"
                        + ids.size()
                        + ",\"keys\":"
                        + (oneids.size() + idKeys + aliasKeys)
                        + ",\"appended_at\":"
                        + e.ingestedAt();
        out.audits.add(
                io.rtcdp.udf.rules.Trigger.forgetAudit(tenant, forgetId, partial, e.ingestedAt()));
    }

    /**
     * A forget's audit id: the first 16 bytes of SHA-256 over tenant and event id, hex; the same
     * forget gives the same id (a repeat of its audit record can be recognised), and it names no
     * person.
     */
    static String forgetId(String tenant, String eventId) {
        java.security.MessageDigest d;
        try {
            d = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
        byte[] h =
                d.digest(
                        ("forget\n" + tenant + "\n" + eventId)
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(h, 0, 16);
    }

    /**
     * Entries of the heap caches in front of the link and profile maps (per subtask; {@link
     * IdCache} holds at least as many, rounded up to a power of two sets).
     */
    private static final int LINK_CACHE = 200_000;

    private static final int INFO_CACHE = 100_000;

    /** Kinds of {@link #forgetRefs}. */
    private static final char LOST = 'q';

    private static final char CONFLICTS_ABOUT = 'c';

    /** A cached "no value": one lookup tells a cached absence from a key not cached. */
    private static final String NO_LINK = new String("\u0000none");

    private static final OneIdInfo NO_INFO =
            new OneIdInfo("\u0000none", 0, List.of(new Id("\u0000none", "")), List.of());

    /** Marks a quarantined id in the links map, so a lookup costs one read, not two. */
    private static final String QUARANTINED = "\u0000q";

    /**
     * The graph's state in this operator's keyed RocksDB state (the key is the tenant), behind a
     * bounded write-through cache on the heap: a person's events come in sessions, so most of an
     * event's ids and its profile were read moments ago. Every write goes to the state and the
     * cache together, and a restored task starts with an empty cache, so the cache never holds
     * anything the state does not.
     */
    private final class FlinkStore implements IdentityStore {
        /** The tenant of the event being processed: the current key. */
        String tenant;

        private final IdCache<String> linkCache = new IdCache<>(LINK_CACHE);
        private final IdCache<OneIdInfo> infoCache = new IdCache<>(INFO_CACHE);

        /**
         * The writes of the event being processed, by key (a null value removes): reads see them,
         * the state and the caches only once {@link #commit} applies them, so {@link #rollback}
         * leaves everything as before the event.
         */
        private final Map<Id, String> pendingLinks = new java.util.HashMap<>();

        private final Map<String, OneIdInfo> pendingInfos = new java.util.HashMap<>();
        private final Map<String, String> pendingAliases = new java.util.HashMap<>();
        private final Map<String, String> pendingFragments = new java.util.HashMap<>();
        private final Map<String, String> pendingRefs = new java.util.HashMap<>();
        private final Map<String, Long> pendingTombstones = new java.util.HashMap<>();

        String refs(char kind, String oneid) {
            String k = kind + "\u0001" + oneid;
            if (pendingRefs.containsKey(k)) {
                return pendingRefs.get(k);
            }
            try {
                return forgetRefs.get(k);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }

        void setRefs(char kind, String oneid, String value) {
            pendingRefs.put(kind + "\u0001" + oneid, value);
        }

        void addRef(char kind, String oneid, String ref) {
            String had = refs(kind, oneid);
            if (had == null) {
                setRefs(kind, oneid, ref);
            } else if (!java.util.Arrays.asList(had.split("\n")).contains(ref)) {
                setRefs(kind, oneid, had + "\n" + ref);
            }
        }

        void moveRefs(char kind, String from, String to) {
            String moved = refs(kind, from);
            if (moved != null) {
                setRefs(kind, from, null);
                for (String ref : moved.split("\n")) {
                    if (!ref.equals(to)) {
                        addRef(kind, to, ref);
                    }
                }
            }
        }

        /** Remembers {@code id} as forgotten by a forget of event time {@code ts}. */
        void tombstone(String id, long ts) {
            Long had = pendingTombstones.get(id);
            if (had == null) {
                try {
                    had = forgotten.get(id);
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            }
            pendingTombstones.put(id, had == null ? ts : Math.max(had, ts));
        }

        private final Map<String, UserEvidence> pendingEvidence = new java.util.HashMap<>();

        String link(Id key) {
            // most events write nothing before they read: no hashing for the pending writes then
            if (!pendingLinks.isEmpty() && pendingLinks.containsKey(key)) {
                return pendingLinks.get(key);
            }
            int hash = IdCache.hash(tenant, key);
            try {
                String v = linkCache.get(tenant, key, hash);
                if (v == null) {
                    v = links.get(key.toString());
                    linkCache.put(tenant, key, hash, v == null ? NO_LINK : v);
                    return v;
                }
                return v == NO_LINK ? null : v;
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }

        private void setLink(Id key, String value) {
            pendingLinks.put(key, value);
        }

        String fragments(String oneid) {
            if (pendingFragments.containsKey(oneid)) {
                return pendingFragments.get(oneid);
            }
            try {
                return fragments.get(oneid);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }

        void setFragments(String oneid, String value) {
            pendingFragments.put(oneid, value);
        }

        /** Applies the event's writes to the state and the caches. */
        void commit() throws Exception {
            if (pendingLinks.isEmpty()
                    && pendingInfos.isEmpty()
                    && pendingAliases.isEmpty()
                    && pendingRefs.isEmpty()
                    && pendingTombstones.isEmpty()
                    && pendingFragments.isEmpty()
                    && pendingEvidence.isEmpty()) {
                // most events write nothing: no iterator over seven empty maps' tables
                return;
            }
            for (Map.Entry<Id, String> w : pendingLinks.entrySet()) {
                String key = w.getKey().toString();
                if (w.getValue() == null) {
                    links.remove(key);
                } else {
                    links.put(key, w.getValue());
                }
                linkCache.put(
                        tenant,
                        w.getKey(),
                        IdCache.hash(tenant, w.getKey()),
                        w.getValue() == null ? NO_LINK : w.getValue());
            }
            for (Map.Entry<String, OneIdInfo> w : pendingInfos.entrySet()) {
                if (w.getValue() == null) {
                    profiles.remove(w.getKey());
                } else {
                    profiles.put(w.getKey(), w.getValue());
                }
                infoCache.put(
                        tenant,
                        w.getKey(),
                        IdCache.hash(tenant, w.getKey()),
                        w.getValue() == null ? NO_INFO : w.getValue());
            }
            for (Map.Entry<String, String> w : pendingAliases.entrySet()) {
                if (w.getValue() == null) {
                    aliases.remove(w.getKey());
                } else {
                    aliases.put(w.getKey(), w.getValue());
                }
            }
            for (Map.Entry<String, String> w : pendingRefs.entrySet()) {
                if (w.getValue() == null) {
                    forgetRefs.remove(w.getKey());
                } else {
                    forgetRefs.put(w.getKey(), w.getValue());
                }
            }
            if (!pendingTombstones.isEmpty()) {
                forgotten.putAll(pendingTombstones);
                tenant(tenant).hasTombstones = true;
            }
            for (Map.Entry<String, String> w : pendingFragments.entrySet()) {
                if (w.getValue() == null) {
                    fragments.remove(w.getKey());
                } else {
                    fragments.put(w.getKey(), w.getValue());
                }
            }
            for (Map.Entry<String, UserEvidence> w : pendingEvidence.entrySet()) {
                if (w.getValue() == null) {
                    evidence.remove(w.getKey());
                } else {
                    evidence.put(w.getKey(), w.getValue().toBytes());
                }
            }
            rollback();
        }

        /** Forgets the event's writes. */
        void rollback() {
            pendingLinks.clear();
            pendingInfos.clear();
            pendingAliases.clear();
            pendingFragments.clear();
            pendingRefs.clear();
            pendingTombstones.clear();
            pendingEvidence.clear();
        }

        @Override
        public String oneidOf(Id id) {
            String v = link(id);
            return v == null || v.equals(QUARANTINED) ? null : v;
        }

        @Override
        public void link(Id id, String oneid) {
            setLink(id, oneid);
        }

        @Override
        public void unlink(Id id) {
            setLink(id, null);
        }

        @Override
        public OneIdInfo info(String oneid) {
            if (!pendingInfos.isEmpty() && pendingInfos.containsKey(oneid)) {
                return pendingInfos.get(oneid);
            }
            int hash = IdCache.hash(tenant, oneid);
            try {
                OneIdInfo v = infoCache.get(tenant, oneid, hash);
                if (v == null) {
                    v = profiles.get(oneid);
                    infoCache.put(tenant, oneid, hash, v == null ? NO_INFO : v);
                    return v;
                }
                return v == NO_INFO ? null : v;
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void put(OneIdInfo info) {
            pendingInfos.put(info.oneid(), info);
        }

        @Override
        public void remove(String oneid) {
            pendingInfos.put(oneid, null);
        }

        @Override
        public boolean quarantined(Id id) {
            return QUARANTINED.equals(link(id));
        }

        @Override
        public void quarantine(Id id) {
            setLink(id, QUARANTINED);
        }

        @Override
        public void release(Id id) {
            setLink(id, null);
        }

        @Override
        public UserEvidence evidence(Id id) {
            String key = id.toString();
            if (pendingEvidence.containsKey(key)) {
                UserEvidence pendingValue = pendingEvidence.get(key);
                return pendingValue == null ? UserEvidence.NONE : pendingValue;
            }
            try {
                byte[] b = evidence.get(key);
                return b == null ? UserEvidence.NONE : UserEvidence.fromBytes(b);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void evidence(Id id, UserEvidence e) {
            pendingEvidence.put(id.toString(), e);
        }

        /** Removes the evidence recorded for {@code id}. */
        void forgetEvidence(Id id) {
            pendingEvidence.put(id.toString(), null);
        }

        @Override
        public String aliasOf(String mergedAway) {
            if (pendingAliases.containsKey(mergedAway)) {
                return pendingAliases.get(mergedAway);
            }
            try {
                return aliases.get(mergedAway);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void alias(String mergedAway, String survivor) {
            pendingAliases.put(mergedAway, survivor);
        }
    }

    /**
     * Serializer of {@link OneIdInfo}: its own encoding, which begins with its format byte (only
     * format 1 exists). The byte stays, as savepoints hold it; a new format can be read record by
     * record through it (as {@code ProfileStateSerializer} does) or by a reader of the old snapshot
     * version.
     */
    public static final class OneIdInfoSerializer extends CodecSerializer<OneIdInfo> {
        private static final long serialVersionUID = 1L;

        public static final OneIdInfoSerializer INSTANCE = new OneIdInfoSerializer();
        public static final CodecTypeInfo<OneIdInfo> TYPE_INFO =
                new CodecTypeInfo<>(OneIdInfo.class, INSTANCE);

        @Override
        public void serialize(OneIdInfo v, DataOutputView out) throws IOException {
            v.write(out);
        }

        @Override
        public OneIdInfo deserialize(DataInputView in) throws IOException {
            return OneIdInfo.read(in);
        }

        @Override
        public VersionedSnapshot<OneIdInfo> snapshotConfiguration() {
            return new InfoSnapshot();
        }
    }

    /** Snapshot of {@link OneIdInfoSerializer}. */
    public static final class InfoSnapshot extends VersionedSnapshot<OneIdInfo> {
        public InfoSnapshot() {
            super(OneIdInfoSerializer.INSTANCE);
        }
    }
}
