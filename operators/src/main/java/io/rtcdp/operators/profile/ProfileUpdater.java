package io.rtcdp.operators.profile;

import io.rtcdp.operators.Counters;
import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.StateCache;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.operators.types.RfmObservationSerializer;
import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.lifecycle.Lifecycle;
import io.rtcdp.udf.lifecycle.TenantLifecycles;
import io.rtcdp.udf.profile.ClockPace;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.ProfileState;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.rec.PurchasedItems;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keeps each profile's features in one RocksDB value and emits the changed fields to the sink.
 *
 * <p>Event time: a profile's {@code as_of} is the largest of its own event times and of the refresh
 * times at which a windowed value or its lifecycle stage changed (a timer whose change no longer
 * happens writes nothing, so as_of does not depend on how events and timers interleaved). An event
 * is counted when it arrives, whatever its lateness; the window arithmetic of {@link
 * ProfileFeatures} makes that exact. One event-time timer per profile is kept at the next time a
 * windowed value changes, so idle profiles' windows fall as time passes.
 *
 * <p>Each tenant has its own event time: its clock is the largest event time of its events ({@link
 * #CLOCKS}, sent by the identity stage, which sees all of a tenant's events, and the events this
 * instance counted), its watermark that clock less the sources' out-of-orderness. The job's
 * watermark is shared by all tenants, so it only says when a timer may fire: a refresh happens when
 * the tenant's own watermark has reached its time. One that fires earlier (another tenant's events
 * moved the shared watermark) is put off, never applied early or in part, so a profile's windows
 * never move by another tenant's events and a run ends in the same state whatever the other tenants
 * send. It is looked at again as soon as its tenant's clock lets it go ({@link WaitingRefreshes},
 * {@link ProfileUpdaterOperator}), and in any case by a processing-time poll (1 s, 1 s, then 1 min
 * doubling to 32 min). A refresh whose time the watermark passed before it was set (late events, a
 * merge) is looked at at once, as the watermark may not move again. When the input ends (the
 * watermark jumps to the end of time), every profile is brought to its tenant's clock and no
 * further, so a bounded replay leaves windows as of the tenant's real data.
 *
 * <p>Writes: each output carries only the fields that changed. After a restart (a new {@link
 * #epoch}), the first write of each profile is a full one, because Redis may hold writes made after
 * the checkpoint that this state was restored from.
 */
public final class ProfileUpdater
        extends KeyedBroadcastProcessFunction<
                String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** A tenant's clock: the tenant and the largest event time of its events so far. */
    public static final TypeInformation<Tuple2<String, Long>> CLOCK_TYPE =
            Types.TUPLE(Types.STRING, Types.LONG);

    /**
     * Tenant → the largest event time of its events: the tenant clocks, broadcast to every instance
     * (each only sees the events of its own profiles).
     */
    public static final MapStateDescriptor<String, Long> CLOCKS =
            new MapStateDescriptor<>("tenant-clocks", Types.STRING, Types.LONG);

    /** Key of the profile stage: tenant and oneid. */
    public static final KeySelector<ProfileCommand, String> KEY = ProfileCommand::key;

    private static final int N = ProfileFields.FEATURE_FIELDS.size();

    /** The fields of {@link ProfileChange#fields()}, in order: the features, then lifecycle. */
    public static final List<String> FIELDS = fields();

    private static final int NF = FIELDS.size();

    /**
     * Every one of {@link #FIELDS}, as {@link ProfileChange#pending} bits (a long: 64 fields at
     * most, which {@code ProfileValues} holds to).
     */
    private static final long ALL_FIELDS = (1L << NF) - 1;

    private static List<String> fields() {
        List<String> f = new ArrayList<>(ProfileFields.FEATURE_FIELDS);
        f.add(ProfileFields.LIFECYCLE);
        return List.copyOf(f);
    }

    /**
     * The RFM inputs (last order, orders, revenue) of every profile whose inputs changed, for the
     * tenant's RFM stage.
     */
    public static final OutputTag<RfmObservation> RFM =
            new OutputTag<>("rfm-observations", RfmObservationSerializer.TYPE_INFO);

    /**
     * Each order's items, split by the buckets of the tenant's item statistics ({@link
     * ItemBuckets#split}), for the co-purchase statistics of the next-purchase recommendation.
     */
    public static final OutputTag<ItemOrder> ITEM_ORDERS =
            new OutputTag<>("item-orders", ItemOrderSerializer.TYPE_INFO);

    /**
     * The items of every profile whose items changed (an order with items, a merge), or a removal
     * (merged away, forgotten), for the next-purchase stage.
     */
    public static final OutputTag<ItemsObservation> ITEMS =
            new OutputTag<>("items-observations", ItemsObservationSerializer.TYPE_INFO);

    /**
     * Refresh grids while catching up on history, widest last. A fixed ladder, so that the grid
     * (and so the timer) stays the same from one event of a profile to the next.
     */
    private static final long[] CATCH_UP_GRIDS = {
        3_600_000L, 6 * 3_600_000L, 24 * 3_600_000L, 7 * 24 * 3_600_000L
    };

    /**
     * The first look again at a refresh put off for its tenant's own event time: most often the
     * tenant's clock is only in flight (it comes from the identity stage beside the watermark).
     */
    static final long FIRST_LOOK_MILLIS = 1_000L;

    /** The wait of a refresh still put off after its first look again; doubled each time. */
    static final long FIRST_DEFERRAL_MILLIS = 60_000L;

    static final long MAX_DEFERRAL_MILLIS = 32 * 60_000L;

    /**
     * How many put-off refreshes a subtask remembers by tenant, to look at again as soon as their
     * tenant's clock comes ({@link WaitingRefreshes}); more are looked at by their poll only.
     */
    static final int WAITING_LIMIT = 200_000;

    private final long refreshGrid;
    private final TenantLifecycles lifecycles;

    /** The lifecycle of the tenant whose profile is being processed. */
    private transient Lifecycle lifecycle;

    private final long outOfOrdernessMillis;

    private transient StateCache<ProfileState> profile;

    /**
     * Profiles whose state stays on the heap per subtask ({@link StateCache}): the events of a
     * person's session, and a profile's refresh soon after its events, find it there.
     */
    private int cacheSize = StateCache.DEFAULT_SIZE;

    /** Where a bounded input's end brings the profiles at least; MIN_VALUE: no such time. */
    private long endOfInputAt = Long.MIN_VALUE;

    /** Sets how many profiles' state each subtask keeps on the heap (0: none). */
    public ProfileUpdater cacheSize(int size) {
        this.cacheSize = size;
        return this;
    }

    /**
     * At the end of a bounded input, brings every profile to {@code t} if its tenant's last event
     * came before it (a replay to a cutoff, {@code rtcdp replay --until}); by default to the
     * tenant's last event time.
     */
    public ProfileUpdater endOfInputAt(long t) {
        this.endOfInputAt = t;
        return this;
    }

    /**
     * Set when this profile merged into another: the fragment states still on their way to it (sent
     * before the merge, on other channels) are then ignored, because the survivor receives the same
     * fragments directly. Kept a day, far longer than any such message is in flight.
     */
    private transient ValueState<Boolean> merged;

    /**
     * Tenant → the largest event time this instance counted, ahead of the broadcast clocks (which
     * the identity stage sends in steps); not checkpointed, the broadcast clocks are.
     */
    private transient Map<String, Long> counted;

    /**
     * Put-off refreshes by tenant and time, looked at again once their tenant's clock comes;
     * checkpointed ({@link #WAITING}), so a restored job looks at them as soon as the clock comes
     * too, not at their next poll (which may be half an hour away).
     */
    private transient WaitingRefreshes waiting;

    /**
     * {@link #waiting} in checkpoints: (tenant, due, key). A union list, so that after a change of
     * parallelism each subtask takes the entries of the key groups it now holds.
     */
    private static final ListStateDescriptor<Tuple3<String, Long, String>> WAITING =
            new ListStateDescriptor<>(
                    "waiting-refreshes", Types.TUPLE(Types.STRING, Types.LONG, Types.STRING));

    private transient ListState<Tuple3<String, Long, String>> waitingState;

    /** Keys whose put-off refresh a tenant's clock just let go: {@link #takeWakeUps}. */
    private transient List<String> wakeUps;

    /**
     * How fast each tenant's clock moves: whether it catches up on a backlog ({@link ClockPace}).
     */
    private transient Map<String, ClockPace> paces;

    /** Each tenant's clock as last broadcast, for {@link #releaseCaughtUp} (outside a record). */
    private transient Map<String, Long> broadcastClocks;

    /** Refreshes held while their tenant catches up, as last counted ({@link #releaseCaughtUp}). */
    private transient volatile int held;

    private transient long epoch;
    private transient ProfileValues beforeValues;
    private transient Counter eventsCounted;
    private transient Counter profilesCreated;
    private transient Counter refreshes;
    private transient Counter deferred;
    private final RecordIsolation isolation = new RecordIsolation("profile");
    private transient Counter categoriesLeftOut;
    private transient Counter itemsLeftOut;
    private transient Counter staleAbsorbs;
    private transient LongCounter countedAcc;
    private transient LongCounter profilesAcc;

    /**
     * The identity stage decides which ids a profile has (and enforces the limits); this operator
     * keeps them for the {@code ids} field.
     *
     * @param refreshInterval the grid that refresh timers are rounded up to: an idle profile's
     *     windows are refreshed at most once per interval of event time, however many buckets
     *     expire within it (values always hold exactly at the written {@code as_of})
     */
    public ProfileUpdater(java.time.Duration refreshInterval) {
        this(refreshInterval, Lifecycle.defaults());
    }

    /**
     * @param lifecycle the lifecycle stages' thresholds; a profile's stage moves on by event-time
     *     timers, with no new events needed
     */
    public ProfileUpdater(java.time.Duration refreshInterval, Lifecycle lifecycle) {
        this(refreshInterval, TenantLifecycles.of(lifecycle), java.time.Duration.ZERO);
    }

    /**
     * @param outOfOrderness the watermark delay of the job's sources: a tenant's own watermark is
     *     its latest event time less this, as the job's watermark is of all events
     */
    public ProfileUpdater(
            java.time.Duration refreshInterval,
            TenantLifecycles lifecycles,
            java.time.Duration outOfOrderness) {
        this.outOfOrdernessMillis = Math.max(0, outOfOrderness.toMillis());
        this.refreshGrid = Math.max(1, refreshInterval.toMillis());
        this.lifecycles = lifecycles;
    }

    @Override
    public void open(OpenContext ctx) {
        profile =
                new StateCache<>(
                                getRuntimeContext()
                                        .getState(
                                                new ValueStateDescriptor<>(
                                                        "profile", RtcdpTypes.PROFILE_STATE)),
                                cacheSize)
                        .withMetrics(getRuntimeContext().getMetricGroup(), "profiles");
        ValueStateDescriptor<Boolean> mergedDesc =
                new ValueStateDescriptor<>("merged", Types.BOOLEAN);
        mergedDesc.enableTimeToLive(
                org.apache.flink.api.common.state.StateTtlConfig.newBuilder(
                                java.time.Duration.ofDays(1))
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        merged = getRuntimeContext().getState(mergedDesc);
        long e;
        do {
            e = new SecureRandom().nextLong();
        } while (e == 0);
        epoch = e;
        beforeValues = new ProfileValues();
        eventsCounted = getRuntimeContext().getMetricGroup().counter("eventsCounted");
        profilesCreated = getRuntimeContext().getMetricGroup().counter("profilesCreated");
        refreshes = getRuntimeContext().getMetricGroup().counter("profileRefreshes");
        deferred = getRuntimeContext().getMetricGroup().counter("profileRefreshesDeferred");
        counted = new HashMap<>();
        wakeUps = new ArrayList<>();
        paces = new HashMap<>();
        broadcastClocks = new HashMap<>();
        getRuntimeContext()
                .getMetricGroup()
                .gauge(
                        "profileRefreshesHeld",
                        (org.apache.flink.metrics.Gauge<Integer>) () -> held);
        getRuntimeContext()
                .getMetricGroup()
                .gauge(
                        "profileRefreshesWaiting",
                        (org.apache.flink.metrics.Gauge<Integer>) waiting::size);
        isolation.open(getRuntimeContext().getMetricGroup());
        categoriesLeftOut = getRuntimeContext().getMetricGroup().counter("categoriesLeftOut");
        itemsLeftOut = getRuntimeContext().getMetricGroup().counter("itemsLeftOut");
        staleAbsorbs = getRuntimeContext().getMetricGroup().counter("profileStaleAbsorbs");
        countedAcc = new LongCounter();
        profilesAcc = new LongCounter();
        getRuntimeContext().addAccumulator(Counters.COUNTED, countedAcc);
        getRuntimeContext().addAccumulator(Counters.PROFILES, profilesAcc);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        waiting = new WaitingRefreshes(WAITING_LIMIT);
        waitingState = context.getOperatorStateStore().getUnionListState(WAITING);
        if (context.isRestored()) {
            var task = getRuntimeContext().getTaskInfo();
            int maxParallelism = task.getMaxNumberOfParallelSubtasks();
            KeyGroupRange mine =
                    KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                            maxParallelism,
                            task.getNumberOfParallelSubtasks(),
                            task.getIndexOfThisSubtask());
            for (Tuple3<String, Long, String> w : waitingState.get()) {
                if (mine.contains(KeyGroupRangeAssignment.assignToKeyGroup(w.f2, maxParallelism))) {
                    waiting.add(w.f0, w.f1, w.f2);
                }
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<Tuple3<String, Long, String>> entries = new ArrayList<>(waiting.size());
        waiting.forEach((tenant, due, key) -> entries.add(Tuple3.of(tenant, due, key)));
        waitingState.update(entries);
    }

    /**
     * A tenant's clock moved on: kept (as the largest value seen) for every profile here, and the
     * refreshes it lets go that were put off for it are looked at again at once ({@link
     * ProfileUpdaterOperator} sets their timers, {@link #takeWakeUps}).
     */
    @Override
    public void processBroadcastElement(
            Tuple2<String, Long> clock, Context ctx, Collector<ProfileChange> out)
            throws Exception {
        BroadcastState<String, Long> clocks = ctx.getBroadcastState(CLOCKS);
        Long had = clocks.get(clock.f0);
        if (had == null || clock.f1 > had) {
            clocks.put(clock.f0, clock.f1);
            broadcastClocks.put(clock.f0, clock.f1);
            long now = ctx.currentProcessingTime();
            paces.computeIfAbsent(clock.f0, t -> new ClockPace()).observe(now, clock.f1);
            if (!catchingUp(clock.f0, now, ctx.currentWatermark())) {
                wakeUps.addAll(waiting.takeDue(clock.f0, tenantWatermark(clock(clock.f0, clocks))));
            }
        }
    }

    /**
     * Whether the tenant's clock moves as when a backlog is read and what every input has read
     * ({@code watermark} plus the out-of-orderness) is not yet near the wall clock ({@link
     * ClockPace}).
     */
    private boolean catchingUp(String tenant, long now, long watermark) {
        ClockPace p = paces.get(tenant);
        return p != null && p.catchingUp(now, ClockPace.readUpTo(watermark, outOfOrdernessMillis));
    }

    /**
     * The keys of the profiles whose refresh was held while their tenant caught up on a backlog, of
     * the tenants that no longer do, taken out: each is to be looked at by a processing-time timer
     * at {@code now} ({@link ProfileUpdaterOperator} asks every {@link #HELD_CHECK_MILLIS}). Called
     * outside a record: it uses the tenants' clocks as last broadcast or counted here, and the
     * operator's {@code inputWatermark}.
     */
    List<String> releaseCaughtUp(long now, long inputWatermark) {
        if (waiting.size() == 0) {
            held = 0;
            return List.of();
        }
        List<String> out = new ArrayList<>();
        int still = 0;
        for (String tenant : waiting.tenants()) {
            long clock = clock(tenant, broadcastClocks.get(tenant));
            if (clock == Long.MIN_VALUE) {
                continue; // restored, and no clock since: its poll looks at it
            }
            long watermark = tenantWatermark(clock);
            if (catchingUp(tenant, now, inputWatermark)) {
                still += waiting.countDue(tenant, watermark);
            } else {
                out.addAll(waiting.takeDue(tenant, watermark));
            }
        }
        held = still;
        return out;
    }

    /** How often the operator asks for the held refreshes of tenants that caught up. */
    static final long HELD_CHECK_MILLIS = 500L;

    /**
     * The keys of the profiles whose put-off refresh the last clock let go, taken out: each is to
     * be looked at by a processing-time timer at the current time.
     */
    List<String> takeWakeUps() {
        if (wakeUps.isEmpty()) {
            return List.of();
        }
        List<String> keys = wakeUps;
        wakeUps = new ArrayList<>();
        return keys;
    }

    /** The tenant's clock: the largest event time of its events known here; MIN_VALUE if none. */
    private long clock(String tenant, ReadOnlyBroadcastState<String, Long> clocks)
            throws Exception {
        return clock(tenant, clocks.get(tenant));
    }

    /** The tenant's clock given the one broadcast to it ({@code sent}, null for none). */
    private long clock(String tenant, Long sent) {
        Long mine = counted.get(tenant);
        long c = mine == null ? Long.MIN_VALUE : mine;
        return sent == null ? c : Math.max(c, sent);
    }

    private void sawEventTime(String tenant, long ts) {
        Long had = counted.get(tenant);
        if (had == null || ts > had) {
            counted.put(tenant, ts);
        }
    }

    @Override
    public void processElement(ProfileCommand c, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        isolation.run(
                () -> process(c, ctx, out),
                c.event(),
                () -> "profile:" + c.kind() + ":" + c.tenant() + "/" + c.oneid(),
                d -> {
                    // the state object may be half changed: the next read goes to RocksDB
                    profile.invalidate(ctx.getCurrentKey());
                    ctx.output(RecordIsolation.INTERNAL_ERRORS, d);
                });
    }

    private void process(ProfileCommand c, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        lifecycle = lifecycles.forTenant(c.tenant());
        switch (c.kind()) {
            case EVENT -> {
                if (c.event().type() == EventType.FORGET) {
                    forget(c, ctx, out);
                } else {
                    count(c, ctx, out);
                }
            }
            case ABSORB -> absorb(c, ctx, out);
            case DROP -> drop(c, ctx, out);
            case IDS -> ids(c, ctx, out);
            case FORGET -> forget(c, ctx, out);
        }
    }

    private ProfileState stateOrNew(ReadOnlyContext ctx) throws Exception {
        ProfileState st = profile.value(ctx.getCurrentKey());
        if (st == null) {
            st = new ProfileState();
            profilesCreated.inc();
            profilesAcc.add(1);
            // every profile is brought to the end of the data when a bounded input ends, whether
            // or not a refresh is pending then, so the end state never depends on how far the
            // watermark had come before the end (a live stream never fires this timer)
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }
        return st;
    }

    private void count(ProfileCommand c, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        Event e = c.event();
        sawEventTime(c.tenant(), e.ts());
        ProfileState st = stateOrNew(ctx);
        boolean full = st.writtenEpoch() != epoch;
        valuesBefore(st, full);
        long orders = st.features().ordersTotal();
        long revenue = st.features().revenueTotalMicros();
        // the traits before, to tell whether the event changed them (a full write sends them)
        Map<String, String> traitsBefore =
                full || e.traits().isEmpty() ? null : st.features().traits();
        // only the traits the tenant's rule set declares are kept (the event brings no others): a
        // trait a newer rule set no longer declares goes now, and the change sends the traits
        boolean traitsRemoved =
                c.declaredTraits() != null && st.features().retainTraits(c.declaredTraits());
        boolean withItems = e.isTrack(Event.ORDER_COMPLETED) && !e.items().isEmpty();
        if (withItems) {
            // the split needs the customer's items before this order
            PurchasedItems before = st.features().items();
            ItemBuckets.split(
                    c.tenant(),
                    e.ts(),
                    e.items().stream().map(OrderItem::sku).toList(),
                    before == null ? new PurchasedItems() : before,
                    o -> ctx.output(ITEM_ORDERS, o));
        }
        if (!st.features().add(e)) {
            categoriesLeftOut.inc();
        }
        observeRfm(c.tenant(), c.oneid(), st, orders, revenue, ctx);
        if (withItems) {
            itemsLeftOut.inc(st.features().itemsLeftOut());
            observeItems(c.tenant(), c.oneid(), st, ctx);
        }
        List<Id> newIds = st.addIds(c.linked());
        eventsCounted.inc();
        countedAcc.add(1);
        emit(
                c.tenant(),
                c.oneid(),
                st,
                full,
                full || !newIds.isEmpty(),
                full ? st.ids() : newIds,
                c.history(),
                e,
                traitsRemoved ? st.features().traits() : changedTraits(st, traitsBefore),
                c.merged(),
                c.merged().isEmpty() ? Long.MIN_VALUE : st.features().lastOrderTs(),
                c.merged().isEmpty() ? Long.MIN_VALUE : st.features().previousOrderTs(),
                out);
        schedule(st, ctx);
        profile.update(ctx.getCurrentKey(), st);
    }

    /** Merges the features of a fragment of a profile that merged into this one. */
    private void absorb(ProfileCommand c, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        if (merged.value() != null) {
            staleAbsorbs.inc();
            return;
        }
        ProfileState st = stateOrNew(ctx);
        boolean full = st.writtenEpoch() != epoch;
        valuesBefore(st, full);
        long orders = st.features().ordersTotal();
        long revenue = st.features().revenueTotalMicros();
        Map<String, String> traitsBefore =
                full || c.features().traitCount() == 0 ? null : st.features().traits();
        st.features().merge(c.features());
        observeRfm(c.tenant(), c.oneid(), st, orders, revenue, ctx);
        if (c.features().items() != null) {
            observeItems(c.tenant(), c.oneid(), st, ctx);
        }
        if (!c.features().isEmpty()) {
            sawEventTime(c.tenant(), c.features().lastSeen());
        }
        emit(
                c.tenant(),
                c.oneid(),
                st,
                full,
                full,
                full ? st.ids() : List.of(),
                null,
                null,
                changedTraits(st, traitsBefore),
                List.of(),
                c.features().lastOrderTs(),
                c.features().previousOrderTs(),
                out);
        schedule(st, ctx);
        profile.update(ctx.getCurrentKey(), st);
    }

    /** The profile's traits if they differ from {@code before} (null: not asked); else null. */
    private static Map<String, String> changedTraits(ProfileState st, Map<String, String> before) {
        if (before == null) {
            return null;
        }
        Map<String, String> after = st.features().traits();
        return after.equals(before) ? null : after;
    }

    /**
     * This profile merged into another: its hash goes, its alias points to the survivor, its id
     * keys stay (the survivor rewrites them).
     */
    private void drop(ProfileCommand c, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        ProfileState st = profile.value(ctx.getCurrentKey());
        if (st != null && st.features().ordersTotal() > 0) {
            ctx.output(RFM, RfmObservation.removal(c.tenant(), c.oneid()));
        }
        if (st != null && st.features().items() != null) {
            ctx.output(ITEMS, ItemsObservation.removal(c.tenant(), c.oneid()));
        }
        deleteTimers(st, ctx);
        profile.clear(ctx.getCurrentKey());
        merged.update(true);
        emitDelete(
                new ProfileUpdate(
                        c.tenant(),
                        c.oneid(),
                        0,
                        true,
                        Map.of(),
                        List.of(),
                        List.of(),
                        c.aliasTo()),
                out);
    }

    private void ids(ProfileCommand c, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        ProfileState st = stateOrNew(ctx);
        boolean full = st.writtenEpoch() != epoch;
        valuesBefore(st, full);
        List<Id> added = st.addIds(c.linked());
        boolean removed = st.removeIds(c.removed());
        emit(
                c.tenant(),
                c.oneid(),
                st,
                full,
                full || removed || !added.isEmpty(),
                full ? st.ids() : added,
                null,
                null,
                null,
                null,
                Long.MIN_VALUE,
                Long.MIN_VALUE,
                out);
        profile.update(ctx.getCurrentKey(), st);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ProfileChange> out)
            throws Exception {
        isolation.run(
                () -> refresh(timestamp, ctx, out),
                null,
                () -> "profile:timer@" + timestamp + ":" + ctx.getCurrentKey(),
                d -> {
                    profile.invalidate(ctx.getCurrentKey());
                    ctx.output(RecordIsolation.INTERNAL_ERRORS, d);
                });
    }

    private void refresh(long timestamp, OnTimerContext ctx, Collector<ProfileChange> out)
            throws Exception {
        String[] key = splitKey(ctx.getCurrentKey());
        lifecycle = lifecycles.forTenant(key[0]);
        ProfileState st = profile.value(ctx.getCurrentKey());
        if (st == null) {
            return; // forgotten or merged away since the timer was set
        }
        long due;
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            // a put-off refresh looked at again, at its poll or earlier (its tenant's clock came,
            // or its time had passed when it was set); a timer of a refresh since done is not
            if (st.deferrals() == 0 || timestamp > st.deferredUntil()) {
                return;
            }
            due = st.timerAt();
        } else if (st.timerAt() == timestamp || timestamp == Long.MAX_VALUE) {
            due = timestamp;
        } else {
            return; // superseded by an earlier timer: timerAt is the refresh still needed
        }
        long clock = clock(key[0], ctx.getBroadcastState(CLOCKS));
        if (ctx.timerService().currentWatermark() == Long.MAX_VALUE) {
            // the end of a bounded input: every profile to its tenant's last event time, or to
            // the replay's end if later
            st.setTimerAt(ProfileState.NO_TIMER);
            clearDeferral(st, ctx);
            advance(
                    st,
                    endOfInputAt == Long.MIN_VALUE ? clock : Math.max(clock, endOfInputAt),
                    key,
                    out);
            profile.update(ctx.getCurrentKey(), st);
            return;
        }
        if (due == ProfileState.NO_TIMER) {
            clearDeferral(st, ctx);
            profile.update(ctx.getCurrentKey(), st);
            return;
        }
        if (nextChange(st.features()) > due) {
            // The change this refresh was set for no longer happens (events since moved the
            // profile on, or put its lifecycle change off): nothing is written, and the profile's
            // as_of moves only with its values, whenever the watermark happened to pass what
            // (how a run interleaves events and timers never shows in Redis).
            st.setTimerAt(ProfileState.NO_TIMER);
            clearDeferral(st, ctx);
            schedule(st, ctx);
            profile.update(ctx.getCurrentKey(), st);
            return;
        }
        // The watermark is every tenant's: another tenant's events may have moved it past this
        // tenant's own event time. Then the refresh waits for the tenant's own watermark, looked
        // at again after a processing-time backoff (the tenant's events may come at any pace).
        // While the tenant catches up on a backlog (its clock moves far faster than the wall
        // clock), a refresh is held too: nearly every write of an idle profile in between would
        // be overwritten before anyone reads it. When the catch-up ends it goes, as below, through
        // every refresh point its tenant's watermark allows in one write: the same values and
        // as_of as refreshes at each point, without the writes in between.
        boolean aheadOfTenant = due > tenantWatermark(clock);
        if (aheadOfTenant
                || catchingUp(
                        key[0],
                        ctx.timerService().currentProcessingTime(),
                        ctx.timerService().currentWatermark())) {
            deferred.inc();
            boolean remembered = waiting.add(key[0], due, ctx.getCurrentKey());
            // (a refresh looked at as soon as it was set counts one: its first put-off still
            // gets the short look). A refresh held only for its tenant's catch-up, remembered
            // here, goes when the catch-up ends (releaseCaughtUp): it skips the short look, which
            // would find the catch-up still on (a state read, write and timer per held profile);
            // its poll is the safety net (a restored job whose tenant sends no clock again)
            int step =
                    !aheadOfTenant && remembered ? Math.max(1, st.deferrals()) + 1 : st.deferrals();
            long wait =
                    step <= 1
                            ? FIRST_LOOK_MILLIS
                            : Math.min(
                                    MAX_DEFERRAL_MILLIS,
                                    FIRST_DEFERRAL_MILLIS << Math.min(10, step - 2));
            long until = ctx.timerService().currentProcessingTime() + wait;
            if (st.deferrals() > 0) {
                // one look-again timer at a time: a superseded one would outlive the profile
                ctx.timerService().deleteProcessingTimeTimer(st.deferredUntil());
            }
            st.defer(until);
            ctx.timerService().registerProcessingTimeTimer(until);
            profile.update(ctx.getCurrentKey(), st);
            return;
        }
        st.setTimerAt(ProfileState.NO_TIMER);
        clearDeferral(st, ctx);
        // The watermark may have passed further refresh points of this profile as well (it jumps
        // while the job catches up, and the last jump may be the last watermark for a long time):
        // the profile goes on through every one of them its tenant's own watermark allows, in one
        // write, instead of one per watermark advance. Its end state is that of a refresh at each.
        long limit = Math.min(ctx.timerService().currentWatermark(), tenantWatermark(clock));
        long now = ctx.timerService().currentProcessingTime();
        boolean full = st.writtenEpoch() != epoch;
        valuesBefore(st, full);
        long asOfBefore = st.features().asOf();
        long target = due;
        while (true) {
            if (target > st.features().asOf()) {
                st.features().advanceTo(target);
            }
            long next = nextRefresh(st, now);
            if (next > limit || next <= st.features().asOf()) {
                break;
            }
            target = next;
        }
        if (st.features().asOf() > asOfBefore) {
            refreshes.inc();
            emitRefresh(key, st, full, out);
        }
        schedule(st, ctx);
        profile.update(ctx.getCurrentKey(), st);
    }

    /** Writes what a refresh (no event, no merge) changed of the profile. */
    private void emitRefresh(
            String[] key, ProfileState st, boolean full, Collector<ProfileChange> out) {
        emit(
                key[0],
                key[1],
                st,
                full,
                full,
                full ? st.ids() : List.of(),
                null,
                null,
                null,
                List.of(),
                Long.MIN_VALUE,
                Long.MIN_VALUE,
                out);
    }

    /**
     * Deletes the timers of a profile that goes (merged away or forgotten): its refresh, its
     * deferred refresh and its end-of-input timer, so that no timer keyed by its oneid stays.
     */
    private static void deleteTimers(ProfileState st, ReadOnlyContext ctx) {
        if (st != null) {
            if (st.timerAt() != ProfileState.NO_TIMER) {
                ctx.timerService().deleteEventTimeTimer(st.timerAt());
            }
            if (st.deferrals() > 0) {
                ctx.timerService().deleteProcessingTimeTimer(st.deferredUntil());
            }
        }
        ctx.timerService().deleteEventTimeTimer(Long.MAX_VALUE);
    }

    /** Ends the profile's deferred refresh, and its look-again timer if it has not fired. */
    private static void clearDeferral(ProfileState st, OnTimerContext ctx) {
        if (st.deferrals() > 0) {
            ctx.timerService().deleteProcessingTimeTimer(st.deferredUntil());
        }
        st.clearDeferral();
    }

    /** Brings the profile's windows to {@code target} and writes what changed, if it is later. */
    private void advance(ProfileState st, long target, String[] key, Collector<ProfileChange> out) {
        if (target > st.features().asOf()) {
            boolean full = st.writtenEpoch() != epoch;
            valuesBefore(st, full);
            st.features().advanceTo(target);
            refreshes.inc();
            emitRefresh(key, st, full, out);
        }
    }

    /**
     * The tenant's own watermark: as the job's watermarks are made from event times ({@code
     * EventWatermarks}), its clock less the out-of-orderness.
     */
    private long tenantWatermark(long clock) {
        return clock < Long.MIN_VALUE + outOfOrdernessMillis + 1
                ? Long.MIN_VALUE
                : clock - outOfOrdernessMillis - 1;
    }

    /** The profile's {@link #FIELDS} as typed values: its features and its lifecycle stage. */
    private void values(ProfileState st, ProfileValues values) {
        ProfileFeatures f = st.features();
        f.values(values);
        values.setLifecycle(
                f.isEmpty() ? null : lifecycle.stage(f.firstSeen(), f.lastSeen(), f.asOf()));
    }

    private void valuesBefore(ProfileState st, boolean full) {
        if (!full) {
            values(st, beforeValues);
        }
    }

    /**
     * Emits the difference between {@link #beforeValues} and the state's values now (everything
     * when {@code full}): the fields found by comparing values, their text left to be made where it
     * is written ({@link ProfileChange#redisUpdate}).
     *
     * @param traits the profile's traits when the command changed them, else null (a full write
     *     sends them anyway)
     * @param merged the fragments the event's merges moved into the profile (their features come as
     *     absorbs), for the decision stage to wait for their contact history
     * @param partLastOrder the latest two order times of a part of the person ({@link
     *     ProfileChange#partLastOrder}): this profile's on a merge, an absorbed fragment's
     * @param partPreviousOrder see {@code partLastOrder}
     */
    private void emit(
            String tenant,
            String oneid,
            ProfileState st,
            boolean full,
            boolean idsChanged,
            List<Id> ids,
            String history,
            Event cause,
            Map<String, String> traits,
            List<String> merged,
            long partLastOrder,
            long partPreviousOrder,
            Collector<ProfileChange> out) {
        ProfileValues values = new ProfileValues();
        values(st, values);
        long pending;
        if (full) {
            pending = ALL_FIELDS;
        } else {
            pending = values.changedSlots(beforeValues);
            if (values.lifecycle() != beforeValues.lifecycle()) {
                pending |= 1L << N;
            }
        }
        Map<String, String> set = new HashMap<>(4);
        List<String> unset = List.of();
        if (idsChanged) {
            String idCounts = st.renderIdCounts();
            if (idCounts != null) {
                set.put(ProfileFields.IDS, idCounts);
            } else {
                unset = List.of(ProfileFields.IDS);
            }
        }
        if (history != null) {
            set.put(ProfileFields.MERGES, history);
        }
        if (full) {
            set.put(ProfileFields.ONEID, oneid);
            st.setWrittenEpoch(epoch);
        }
        // id keys are the identity stage's to write (IdentityResolver.ID_KEYS)
        ProfileUpdate update =
                new ProfileUpdate(tenant, oneid, st.nextVer(), false, set, unset, List.of());
        if (cause != null) {
            update = update.causedAt(cause.ts(), cause.ingestedAt());
        }
        if (full && traits == null) {
            traits = st.features().traits();
        }
        out.collect(
                new ProfileChange(
                        tenant,
                        oneid,
                        update,
                        values,
                        cause,
                        null,
                        pending,
                        null,
                        traits,
                        merged,
                        partLastOrder,
                        partPreviousOrder));
    }

    private static void emitDelete(ProfileUpdate delete, Collector<ProfileChange> out) {
        out.collect(new ProfileChange(delete.tenant(), delete.oneid(), delete, null, null, null));
    }

    /** Tells the next-purchase stage the profile's items (a copy: records are not shared). */
    private static void observeItems(
            String tenant, String oneid, ProfileState st, ReadOnlyContext ctx) {
        ProfileFeatures f = st.features();
        ctx.output(ITEMS, new ItemsObservation(tenant, oneid, f.asOf(), f.items().copy()));
    }

    /** Tells the RFM stage when the profile's last order, orders or revenue changed. */
    private static void observeRfm(
            String tenant,
            String oneid,
            ProfileState st,
            long ordersBefore,
            long revenueBefore,
            ReadOnlyContext ctx) {
        ProfileFeatures f = st.features();
        if (f.ordersTotal() != ordersBefore || f.revenueTotalMicros() != revenueBefore) {
            ctx.output(
                    RFM,
                    f.ordersTotal() > 0
                            ? new RfmObservation(
                                    tenant,
                                    oneid,
                                    f.lastOrderTs(),
                                    f.ordersTotal(),
                                    f.revenueTotalMicros(),
                                    f.firstOrderTs())
                            : RfmObservation.removal(tenant, oneid));
        }
    }

    /**
     * Keeps one timer pending at the first point of the refresh grid at or after the next time a
     * windowed value changes. The grid is the refresh interval while the job is live; while it
     * catches up on history (the profile's event time far behind the wall clock), it widens to a
     * tenth of that lag (on a ladder up to 7 days), so a backfill does not refresh every profile at
     * every bucket boundary of its past. Values are exact at the written {@code as_of} either way;
     * only how often an idle profile is rewritten changes.
     */
    private void schedule(ProfileState st, ReadOnlyContext ctx) {
        long next = nextRefresh(st, ctx.timerService().currentProcessingTime());
        if (next == Long.MAX_VALUE) {
            return;
        }
        long pending = st.timerAt();
        if (pending == ProfileState.NO_TIMER || pending > next) {
            if (pending != ProfileState.NO_TIMER) {
                // one refresh timer at a time: a superseded one would outlive a forgotten profile
                ctx.timerService().deleteEventTimeTimer(pending);
            }
            ctx.timerService().registerEventTimeTimer(next);
            st.setTimerAt(next);
        }
        if (st.timerAt() <= ctx.timerService().currentWatermark() && st.deferrals() == 0) {
            // The watermark passed it already (the profile's events came late, or a merge brought
            // older windows): its event-time timer fires only when the watermark moves again,
            // which in a quiet spell may be never. It is looked at now, as a put-off refresh.
            long now = ctx.timerService().currentProcessingTime();
            st.defer(now);
            ctx.timerService().registerProcessingTimeTimer(now);
        }
    }

    /**
     * The refresh the profile needs next: the first point of the refresh grid at or after the next
     * time a windowed value changes, the grid as wide as {@code now} (processing time) less the
     * profile's {@code as_of} allows; MAX_VALUE if none.
     */
    private long nextRefresh(ProfileState st, long now) {
        long change = nextChange(st.features());
        if (change == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long grid = grid(now - st.features().asOf());
        long next = change - Math.floorMod(change, grid);
        if (next < change) {
            next = next > Long.MAX_VALUE - grid ? Long.MAX_VALUE : next + grid;
        }
        return next;
    }

    /** The next time a windowed value or the lifecycle stage changes without new events. */
    private long nextChange(ProfileFeatures f) {
        long change = f.nextChange();
        if (!f.isEmpty()) {
            change = Math.min(change, lifecycle.nextChange(f.firstSeen(), f.lastSeen(), f.asOf()));
        }
        return change;
    }

    /** The refresh grid for a profile whose event time is {@code lag} behind the wall clock. */
    private long grid(long lag) {
        long grid = refreshGrid;
        for (long g : CATCH_UP_GRIDS) {
            if (g > grid && g <= lag / 10) {
                grid = g;
            }
        }
        return grid;
    }

    private void forget(ProfileCommand c, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        ProfileState st = profile.value(ctx.getCurrentKey());
        if (st != null && st.features().ordersTotal() > 0) {
            ctx.output(RFM, RfmObservation.removal(c.tenant(), c.oneid()));
        }
        if (st != null && st.features().items() != null) {
            ctx.output(ITEMS, ItemsObservation.removal(c.tenant(), c.oneid()));
        }
        deleteTimers(st, ctx);
        profile.clear(ctx.getCurrentKey());
        // a merged-away oneid's day-long mark goes too: no state keyed by a forgotten oneid stays
        merged.clear();
        // the hash and the alias key go; the identity stage deletes the id keys
        emitDelete(
                new ProfileUpdate(c.tenant(), c.oneid(), 0, true, Map.of(), List.of(), List.of()),
                out);
    }

    private static String[] splitKey(String key) {
        int i = key.indexOf('\u0001');
        return new String[] {key.substring(0, i), key.substring(i + 1)};
    }
}
