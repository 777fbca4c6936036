package io.rtcdp.operators.decide;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.profile.ClockPace;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.taskexecutor.GlobalAggregateManager;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision stage's operator: {@link ProfileDecider} with the rule sets and models broadcast to
 * it, which also makes {@code score.marketing} a rank within the whole tenant (contract §7.4).
 *
 * <p>Each subtask counts the purchase probabilities of the profiles it holds ({@link
 * io.rtcdp.udf.ml.MarketingDistribution}, one count per profile). Every {@code shareInterval} it
 * pushes its counts to the JobManager and gets back every tenant's sum over all subtasks ({@link
 * MarketingExchange}), off the task thread. Profiles are ranked in the sum from then on; and when a
 * tenant's sum has moved by {@value #RERANK_SHARE} of rank or more since this subtask's profiles of
 * that tenant were last ranked together, they are all ranked again (a pass over this subtask's
 * profiles, at most one per {@value #MIN_PASS_GAP_MILLIS} ms and per {@value #PASS_GAP_FACTOR}
 * times the last pass's duration; not while a bounded input runs, nor for a tenant that catches up
 * on a backlog) and each score that moved by {@value #PASS_WRITE_POINTS} points or more is written.
 * A tenant catches up while the event times of its changes here move faster than a minute per
 * second ({@link ClockPace}, as the profile stage holds its refreshes): its distribution then moves
 * with nearly every pass and its profiles with it, so each pass would rewrite scores the next one
 * writes again. Its scores are ranked in the newest counts meanwhile, and its profiles all once the
 * catch-up ends. At the end of a bounded input the subtasks wait for each other's final counts and
 * rank every profile in the final sums, so a replay ends with every {@code score.marketing} within
 * the distribution's error of the exact rank.
 *
 * <p>The distribution is not part of the data flow: a stage cannot send to itself, and the scores
 * are needed here, where the rules read them. What it shares is approximate by nature (a rank), and
 * after a failure every subtask pushes again what it restored.
 */
public final class ProfileDeciderOperator
        extends CoBroadcastWithKeyedOperator<String, ProfileChange, String, ProfileUpdate>
        implements BoundedMultiInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProfileDeciderOperator.class);

    /**
     * How far (a share of rank) a tenant's distribution moves before its profiles are re-ranked.
     */
    static final double RERANK_SHARE = 0.004;

    /**
     * How far (in points of 1000) a score must move for a pass while the input runs to write it; at
     * the end of a bounded input every move is written.
     */
    static final int PASS_WRITE_POINTS = 4;

    /** The least time between two passes over this subtask's profiles. */
    static final long MIN_PASS_GAP_MILLIS = 10_000;

    /** A pass waits at least this many times as long as the last one took. */
    static final int PASS_GAP_FACTOR = 20;

    /** How long the end of a bounded input waits for the other subtasks' final counts. */
    static final Duration FINAL_WAIT = Duration.ofMinutes(10);

    private final long shareMillis;

    /** Whether profiles are ranked again while the input runs (not for a bounded input). */
    private final boolean passesWhileRunning;

    private transient GlobalAggregateManager aggregates;
    private transient String aggregateName;
    private transient ExecutorService exchange;
    private transient Future<byte[]> inFlight;
    private transient boolean ended;

    /** Which of the two inputs (the profiles' changes; rule sets, models and fits) ended. */
    private transient boolean changesEnded;

    private transient boolean controlEnded;

    /** Processing time before which no pass starts (but the final one). */
    private transient long nextPass;

    /**
     * Per tenant, how fast the event times of its changes move here: whether it catches up on a
     * backlog (no pass for it meanwhile).
     */
    private transient Map<String, ClockPace> paces;

    /**
     * The tenants whose pass waits for their catch-up on a backlog to end, as counted at the last
     * look (gauge {@code marketingPassesHeld}).
     */
    private transient volatile int passesHeld;

    /** Processing time before which a failed exchange is not logged again. */
    private transient long nextFailureLog;

    private transient int lastPushBytes;

    /** Wall-clock time of the last answer that held every subtask's counts, 0 for none yet. */
    private transient volatile long lastShared;

    /**
     * @param shareInterval how often the subtasks share their counts
     * @param boundedInput whether the input ends (a replay): its profiles are then ranked again
     *     only at the end, where every one of them is; while it runs, a pass would write scores the
     *     final one writes again
     */
    public ProfileDeciderOperator(
            ProfileDecider decider, Duration shareInterval, boolean boundedInput) {
        super(decider, List.of(ProfileDecider.RULES, ProfileDecider.MODELS));
        this.shareMillis = Math.max(1, shareInterval.toMillis());
        this.passesWhileRunning = !boundedInput;
    }

    private long outOfOrdernessMillis;

    /**
     * The watermark of the changes input: what the profile stages have read. Not the operator's
     * combined watermark, which the broadcast input of rule sets and models (no event time) can
     * hold back.
     */
    private transient long changesWatermark;

    private ProfileDecider decider() {
        return (ProfileDecider) userFunction;
    }

    /**
     * The watermark's delay behind the events read ({@code event-time.out-of-orderness}), so that a
     * tenant's catch-up ends as soon as every input has read up to the present ({@link
     * ClockPace#catchingUp(long, long)}).
     */
    public ProfileDeciderOperator outOfOrderness(Duration d) {
        outOfOrdernessMillis = d.toMillis();
        return this;
    }

    /** Shares through {@code m} instead of the JobManager's aggregates (tests: set before open). */
    ProfileDeciderOperator aggregates(GlobalAggregateManager m) {
        aggregates = m;
        return this;
    }

    @Override
    public void open() throws Exception {
        super.open();
        changesWatermark = Long.MIN_VALUE;
        if (aggregates == null) {
            aggregates =
                    ((StreamingRuntimeContext) getRuntimeContext()).getGlobalAggregateManager();
        }
        aggregateName = "rtcdp-marketing-" + getOperatorID();
        exchange =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "rtcdp marketing exchange");
                            t.setDaemon(true);
                            return t;
                        });
        getRuntimeContext()
                .getMetricGroup()
                .gauge(
                        "marketingShareAgeMillis",
                        (org.apache.flink.metrics.Gauge<Long>)
                                () ->
                                        lastShared == 0
                                                ? -1L
                                                : System.currentTimeMillis() - lastShared);
        paces = new HashMap<>();
        getRuntimeContext()
                .getMetricGroup()
                .gauge(
                        "marketingPassesHeld",
                        (org.apache.flink.metrics.Gauge<Integer>) () -> passesHeld);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + shareMillis, this::share);
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        changesWatermark = Math.max(changesWatermark, mark.getTimestamp());
        super.processWatermark1(mark);
    }

    @Override
    public void processElement1(StreamRecord<ProfileChange> element) throws Exception {
        Event cause = element.getValue().cause();
        if (passesWhileRunning && cause != null) {
            paces.computeIfAbsent(element.getValue().tenant(), t -> new ClockPace())
                    .observe(getProcessingTimeService().getCurrentProcessingTime(), cause.ts());
        }
        super.processElement1(element);
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    private int parallelism() {
        return getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    }

    /** Takes the last exchange's answer, if it came, and sends this subtask's counts again. */
    private void share(long time) throws Exception {
        if (ended) {
            return;
        }
        if (inFlight != null && inFlight.isDone()) {
            Future<byte[]> done = inFlight;
            inFlight = null;
            try {
                MarketingExchange.Sum sum = MarketingExchange.Sum.fromBytes(done.get());
                if (sum.subtasks() < parallelism()) {
                    // not every subtask has pushed yet (a start): a part of a tenant is no
                    // distribution to rank in; the sketches here stay in use meanwhile
                    LOG.debug("{} of {} subtasks shared so far", sum.subtasks(), parallelism());
                } else {
                    lastShared = System.currentTimeMillis();
                    if (passesWhileRunning && time >= nextPass) {
                        long took = apply(sum, RERANK_SHARE, PASS_WRITE_POINTS, time);
                        if (took >= 0) {
                            nextPass = time + Math.max(MIN_PASS_GAP_MILLIS, PASS_GAP_FACTOR * took);
                        }
                    } else {
                        decider().marketingShared(sum.tenants(), Double.POSITIVE_INFINITY);
                    }
                }
            } catch (ExecutionException e) {
                // every interval while it lasts (a JobManager away, a push above its RPC frame):
                // said once a minute
                if (time >= nextFailureLog) {
                    LOG.warn(
                            "Could not share the marketing distribution ({} bytes); ranking in the"
                                    + " last one shared: {}",
                            lastPushBytes,
                            e.getCause().toString());
                    nextFailureLog = time + 60_000;
                }
            }
        }
        if (inFlight == null) {
            byte[] push =
                    new MarketingExchange.Push(
                                    subtask(), parallelism(), false, decider().marketingHere())
                            .toBytes();
            lastPushBytes = push.length;
            inFlight =
                    exchange.submit(
                            () ->
                                    aggregates.updateGlobalAggregate(
                                            aggregateName, push, new MarketingExchange()));
        }
        getProcessingTimeService().registerTimer(time + shareMillis, this::share);
    }

    /**
     * Ranks in the new sums from now on, and ranks again the profiles of the tenants whose sums
     * moved by {@code threshold} or more, writing the scores that moved by {@code minMove} points
     * or more.
     *
     * @param now processing time, to leave out the tenants that catch up on a backlog; {@link
     *     Long#MIN_VALUE} to leave out none (the end of a bounded input)
     * @return the pass's duration in milliseconds, 0 for none, -1 when the only tenants that moved
     *     were left out (their pass is to come as soon as their catch-up ends)
     */
    private long apply(MarketingExchange.Sum sum, double threshold, int minMove, long now)
            throws Exception {
        List<String> moved = decider().marketingShared(sum.tenants(), threshold);
        if (now != Long.MIN_VALUE) {
            int before = moved.size();
            // their last ranking stays as it was, so they count as moved again next time
            moved.removeIf(t -> catchingUp(t, now));
            passesHeld = before - moved.size();
            if (moved.isEmpty() && before > 0) {
                return -1;
            }
        }
        if (moved.isEmpty()) {
            return 0;
        }
        Set<String> prefixes = new HashSet<>();
        for (String t : moved) {
            prefixes.add(t + '\u0001');
        }
        long started = System.nanoTime();
        long written =
                eachProfile(
                        (key, state) -> {
                            int cut = key.indexOf('\u0001');
                            return cut < 0 || !prefixes.contains(key.substring(0, cut + 1))
                                    ? null
                                    : decider().rerank(key, state, minMove);
                        });
        decider().reranked(moved);
        long took = (System.nanoTime() - started) / 1_000_000;
        LOG.info(
                "Ranked the profiles of {} tenant(s) here again in their tenant-wide marketing"
                        + " distribution: {} scores moved, {} ms",
                moved.size(),
                written,
                took);
        return took;
    }

    /**
     * The end of a bounded input, once both inputs ended (the profiles' changes, and the rule sets,
     * models and BG/NBD fits: the tenants' last fits are in only then): the profiles scored with
     * another fit than their tenant's last are decided again ({@link ProfileDecider#refit}), then
     * this subtask's final counts are pushed and, once every subtask's are in (or after {@link
     * #FINAL_WAIT}), every profile here is ranked in the final sums.
     */
    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            changesEnded = true;
        } else {
            controlEnded = true;
        }
        if (!changesEnded || !controlEnded || ended) {
            return;
        }
        ended = true;
        refitPass();
        if (inFlight != null) {
            try {
                inFlight.get();
            } catch (ExecutionException e) {
                // pushed again below
            }
            inFlight = null;
        }
        byte[] push =
                new MarketingExchange.Push(
                                subtask(), parallelism(), true, decider().marketingHere())
                        .toBytes();
        long deadline = System.nanoTime() + FINAL_WAIT.toNanos();
        MarketingExchange.Sum sum = null;
        while (true) {
            try {
                sum =
                        MarketingExchange.Sum.fromBytes(
                                aggregates.updateGlobalAggregate(
                                        aggregateName, push, new MarketingExchange()));
            } catch (java.io.IOException e) {
                throwIfInterrupted(e);
                LOG.warn("Could not share the final marketing distribution: {}", e.toString());
            }
            if (sum != null && sum.finished() >= parallelism()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                LOG.warn(
                        "Ranking the marketing scores in the counts of {} of {} subtasks: the"
                                + " others did not reach the end of their input within {}",
                        sum == null ? 0 : sum.finished(),
                        parallelism(),
                        FINAL_WAIT);
                break;
            }
            Thread.sleep(50);
        }
        if (sum != null) {
            apply(sum, 0, 1, Long.MIN_VALUE);
        }
    }

    /** {@link ProfileDecider#refit} over every profile here. */
    private void refitPass() throws Exception {
        var rules = getOperatorStateBackend().getBroadcastState(ProfileDecider.RULES);
        var models = getOperatorStateBackend().getBroadcastState(ProfileDecider.MODELS);
        if (!decider().refitNeeded(models)) {
            return;
        }
        long started = System.nanoTime();
        long written =
                eachProfile(
                        (key, state) ->
                                decider()
                                        .refit(
                                                key,
                                                state,
                                                rules,
                                                models,
                                                t ->
                                                        output.collect(
                                                                ProfileDecider.TRIGGERS,
                                                                new StreamRecord<>(t)),
                                                l ->
                                                        output.collect(
                                                                ProfileDecider.LABELLED,
                                                                new StreamRecord<>(l)),
                                                d ->
                                                        output.collect(
                                                                io.rtcdp.operators.RecordIsolation
                                                                        .INTERNAL_ERRORS,
                                                                new StreamRecord<>(d))));
        decider().refitted();
        LOG.info(
                "Scored the profiles here with their tenants' last BG/NBD fits at the end of the"
                        + " input: {} written, {} ms",
                written,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** A pass's work on one profile: the write it makes, or null. */
    @FunctionalInterface
    private interface ProfilePass {
        ProfileUpdate apply(
                String key,
                org.apache.flink.api.common.state.ValueState<io.rtcdp.udf.rules.DecisionState>
                        state)
                throws Exception;
    }

    /** Runs {@code pass} over every profile here and writes what it returns; how many it wrote. */
    private long eachProfile(ProfilePass pass) throws Exception {
        long[] written = {0};
        this.<String>getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        ProfileDecider.STATE,
                        (key, state) -> {
                            ProfileUpdate u = pass.apply(key, state);
                            if (u != null) {
                                output.collect(new StreamRecord<>(u));
                                written[0]++;
                            }
                        });
        return written[0];
    }

    /**
     * Whether the tenant's changes here come as when a backlog is read, and what every input has
     * read is not yet near the wall clock ({@link ClockPace}).
     */
    private boolean catchingUp(String tenant, long now) {
        ClockPace pace = paces.get(tenant);
        return pace != null
                && pace.catchingUp(now, ClockPace.readUpTo(changesWatermark, outOfOrdernessMillis));
    }

    /**
     * Flink's RPC to the JobManager wraps an interrupt of the waiting thread (the task's
     * cancellation, e.g. in a failover) in an IOException and clears the thread's interrupt flag:
     * swallowed, the task would not leave this loop until the next interrupt, 30 s later (or the
     * TaskManager's cancellation watchdog killed the whole process).
     */
    static void throwIfInterrupted(java.io.IOException e) throws InterruptedException {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InterruptedException) {
                InterruptedException interrupted =
                        new InterruptedException("interrupted while sharing the marketing counts");
                interrupted.initCause(e);
                throw interrupted;
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (exchange != null) {
            exchange.shutdownNow();
        }
        super.close();
    }
}
