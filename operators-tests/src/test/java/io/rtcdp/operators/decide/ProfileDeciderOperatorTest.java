package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.ProfileUpdater;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.testing.Await;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.ml.Standardization;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.testing.Events;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.taskexecutor.GlobalAggregateManager;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/**
 * Two subtasks of the decision stage in harnesses, sharing their marketing counts through an
 * in-memory stand-in for the JobManager's global aggregates: each ranks its profiles among both
 * subtasks' profiles once the counts are shared, and ranks again the profiles it scored before.
 */
class ProfileDeciderOperatorTest {
    private static final int MAX_PARALLELISM = 128;
    private static final long T0 = 1_700_000_000_000L;

    /**
     * The JobManager's global aggregates as the JobMaster keeps them, the function sent as bytes.
     */
    static final class Aggregates implements GlobalAggregateManager {
        private final Map<String, Object> accumulators = new HashMap<>();

        @Override
        @SuppressWarnings("unchecked")
        public synchronized <I, A, O> O updateGlobalAggregate(
                String name, Object value, AggregateFunction<I, A, O> function) {
            try {
                // the harnesses' operator ids differ; the job's subtasks share one
                AggregateFunction<I, A, O> f =
                        InstantiationUtil.deserializeObject(
                                InstantiationUtil.serializeObject(function),
                                getClass().getClassLoader());
                A acc = (A) accumulators.computeIfAbsent("marketing", n -> f.createAccumulator());
                acc = f.add((I) value, acc);
                accumulators.put("marketing", acc);
                return f.getResult(acc);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static String purchaseModel() throws Exception {
        ModelSpec spec = ModelSpec.defaults("purchase");
        int n = spec.features().size();
        double[] c = new double[n + 1];
        c[spec.features().stream().map(f -> f.name()).toList().indexOf("revenue_total")] = 1.0;
        c[n] = -4;
        return ModelMessages.encode(
                "t", new LogisticModel(spec, 1, Standardization.identity(n), c, 0, Map.of()));
    }

    private static ProfileChange change(String oneid, long revenue) {
        return change(oneid, revenue, T0);
    }

    private static ProfileChange change(String oneid, long revenue, long ts) {
        String[] fields = new String[ProfileUpdater.FIELDS.size()];
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.AS_OF)] = Long.toString(ts);
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.EVENTS_TOTAL)] = "1";
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.REVENUE_TOTAL)] = Long.toString(revenue);
        Event e = Events.track("view").tenant("t").at(ts).channel("web").userId(oneid).build();
        ProfileUpdate u =
                new ProfileUpdate(
                        "t", oneid, 1, false, Map.of("f.events_total", "1"), List.of(), List.of());
        return new ProfileChange("t", oneid, u, ProfileValues.parse(fields), e, null);
    }

    /** Oneids whose keys the subtask {@code index} of 2 holds. */
    private static List<String> oneids(int index, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < count; i++) {
            String oneid = "o" + i;
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            "t\u0001" + oneid, MAX_PARALLELISM, 2)
                    == index) {
                out.add(oneid);
            }
        }
        return out;
    }

    private static KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate>
            subtask(int index, Aggregates shared) throws Exception {
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        new ProfileDeciderOperator(
                                        new ProfileDecider(false), Duration.ofMillis(100), false)
                                .aggregates(shared),
                        ProfileDecider.KEY,
                        Types.STRING,
                        MAX_PARALLELISM,
                        2,
                        index);
        h.open();
        h.processBroadcastElement(purchaseModel(), 0);
        return h;
    }

    /** The last {@code score.marketing} written per profile. */
    private static Map<String, Integer> marketing(
            KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> h) {
        Map<String, Integer> last = new HashMap<>();
        for (ProfileUpdate u : h.extractOutputValues()) {
            String m = u.set() == null ? null : u.set().get("score.marketing");
            if (m != null) {
                last.put(u.oneid(), Integer.parseInt(m));
            }
        }
        return last;
    }

    /**
     * Two subtasks of the stage sharing their counts, and 300 oneids each holds: the low subtask's
     * profiles get the lower 300 revenues, the high one's the upper 300.
     */
    private static final class TwoSubtasks implements AutoCloseable {
        final KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> low;
        final KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> high;
        final List<String> lows = oneids(0, 300);
        final List<String> highs = oneids(1, 300);

        TwoSubtasks() throws Exception {
            Aggregates shared = new Aggregates();
            low = subtask(0, shared);
            high = subtask(1, shared);
        }

        /** Profile i of each subtask changes, caused by an event at {@code ts}. */
        void change(int i, long ts) throws Exception {
            low.processElement(ProfileDeciderOperatorTest.change(lows.get(i), 1 + i, ts), ts);
            high.processElement(ProfileDeciderOperatorTest.change(highs.get(i), 1001 + i, ts), ts);
        }

        void setProcessingTime(long now) throws Exception {
            low.setProcessingTime(now);
            high.setProcessingTime(now);
        }

        /**
         * Moves the processing time on from {@code from} by 100 ms at a time (each a share
         * interval) until {@code done}, a step every 10 ms or so of real time (the shares are
         * exchanged on a thread of their own): the end of a catch-up takes {@link
         * io.rtcdp.udf.profile.ClockPace#WINDOW_MILLIS} of processing time.
         */
        void advanceUntil(String what, long from, java.util.concurrent.Callable<Boolean> done)
                throws Exception {
            long[] now = {from};
            Await.untilPromptly(
                    what,
                    Duration.ofSeconds(30),
                    () -> {
                        now[0] += 100;
                        setProcessingTime(now[0]);
                        return done.call();
                    });
        }

        /**
         * Every profile's last score is its mid-rank among both subtasks' 600 (± 0.01): the low
         * ones in the lower half, the high ones in the upper.
         */
        void assertRankedAmongAll() {
            Map<String, Integer> lowScores = marketing(low);
            Map<String, Integer> highScores = marketing(high);
            for (int i = 0; i < 300; i++) {
                assertThat(lowScores.get(lows.get(i)) / 1000.0)
                        .as("low %d", i)
                        .isCloseTo((i + 0.5) / 600, org.assertj.core.data.Offset.offset(0.01));
                assertThat(highScores.get(highs.get(i)) / 1000.0)
                        .as("high %d", i)
                        .isCloseTo(
                                (300 + i + 0.5) / 600, org.assertj.core.data.Offset.offset(0.01));
            }
        }

        /** The writes of passes (a score ranked again, no change of the profile) so far. */
        long passWrites() {
            return passWrites(low) + passWrites(high);
        }

        private static long passWrites(
                KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> h) {
            return h.extractOutputValues().stream()
                    .filter(u -> u.set() != null && !u.set().containsKey("f.events_total"))
                    .count();
        }

        @Override
        public void close() throws Exception {
            low.close();
            high.close();
        }
    }

    @Test
    void subtasksRankWithinTheWholeTenantOnceTheyShareAndRankAgainWhatTheyScoredBefore()
            throws Exception {
        try (TwoSubtasks t = new TwoSubtasks()) {
            // each subtask alone: its own profiles spread over 0..1000
            for (int i = 0; i < 300; i++) {
                t.change(i, T0);
            }
            // within its subtask (a sketch of the scores given there), the 211th of 300 is near
            // the top; within the tenant it is at (300 + 210.5) / 600
            assertThat(marketing(t.high).get(t.highs.get(210))).isGreaterThan(950);

            // share: a push each per interval (the answer comes off the task thread, and is taken
            // at the next interval), until both have ranked their profiles again among all 600:
            // the top one of the low subtask falls to the middle, the 211th high one to 0.85
            t.advanceUntil(
                    "both subtasks to rank their profiles among both subtasks' profiles",
                    0,
                    () ->
                            marketing(t.low).get(t.lows.get(299)) < 600
                                    && marketing(t.high).get(t.highs.get(210)) < 900);
            t.assertRankedAmongAll();
            // a new profile is ranked among all of them at once
            String next = oneids(0, 301).get(300);
            t.low.processElement(change(next, 1150), T0);
            assertThat(marketing(t.low).get(next) / 1000.0)
                    .isCloseTo(450.5 / 601, org.assertj.core.data.Offset.offset(0.01));
        }
    }

    /**
     * A tenant whose changes come as from a backlog (an hour of event time every 50 ms) gets no
     * pass while it catches up: each would rewrite scores the next one writes again. Its new
     * profiles are ranked in the newest shared counts meanwhile, and all of them once it stops.
     */
    @Test
    void aTenantCatchingUpOnABacklogIsRankedAgainOnlyOnceItsCatchUpEnds() throws Exception {
        try (TwoSubtasks t = new TwoSubtasks()) {
            long now = 0;
            long passWritesOnceTold = -1;
            for (int i = 0; i < 300; i++) {
                t.change(i, T0 + i * 3_600_000L);
                if (i % 2 == 1) {
                    now += 100;
                    t.setProcessingTime(now);
                    if (now == 2000) {
                        // the pace is told from 1 s of samples on: from here no pass may come
                        passWritesOnceTold = t.passWrites();
                    }
                }
            }
            // 15 s of processing time: without the hold, the first pass came once 200 profiles
            // had scores (~5 s) and the next 10 s after it
            assertThat(t.passWrites())
                    .as("scores written again while the tenant caught up")
                    .isEqualTo(passWritesOnceTold);

            t.advanceUntil(
                    "both subtasks to rank their profiles again once the catch-up ended",
                    now,
                    () -> TwoSubtasks.passWrites(t.low) > 0 && TwoSubtasks.passWrites(t.high) > 0);
            t.assertRankedAmongAll();
        }
    }

    /**
     * A failover cancels the tasks: a subtask waiting at the end of its input for the others' final
     * counts must leave at the first interrupt, even when it comes while the JobManager's answer is
     * awaited (Flink's RPC reports that interrupt as an IOException). Before, the loop went on
     * asking, and a JobManager slow to answer kept the task until the TaskManager's cancellation
     * watchdog killed the process.
     */
    @Test
    void aSubtaskWaitingForTheOthersAtItsEndLeavesWhenItsTaskIsCancelled() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asks =
                new java.util.concurrent.atomic.AtomicInteger();
        GlobalAggregateManager silent =
                new GlobalAggregateManager() {
                    @Override
                    public <I, A, O> O updateGlobalAggregate(
                            String name, Object value, AggregateFunction<I, A, O> function)
                            throws java.io.IOException {
                        asks.incrementAndGet();
                        try {
                            // as RpcGlobalAggregateManager: the JobMaster's answer, awaited
                            return new java.util.concurrent.CompletableFuture<O>().get();
                        } catch (Exception e) {
                            throw new java.io.IOException("Error updating global aggregate.", e);
                        }
                    }
                };
        ProfileDeciderOperator op =
                new ProfileDeciderOperator(new ProfileDecider(false), Duration.ofMillis(100), true)
                        .aggregates(silent);
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        op, ProfileDecider.KEY, Types.STRING, MAX_PARALLELISM, 2, 0);
        h.open();
        // the rule sets' and models' input ends first: the final exchange waits for both
        op.endInput(2);
        try {
            java.util.concurrent.FutureTask<Void> endInput =
                    new java.util.concurrent.FutureTask<>(
                            () -> {
                                op.endInput(1);
                                return null;
                            });
            Thread task = new Thread(endInput, "decide task");
            task.setDaemon(true); // left waiting if the test fails
            task.start();
            Await.until(
                    "the task asks the JobManager", Duration.ofSeconds(30), () -> asks.get() > 0);
            task.interrupt();
            // the interrupt lands in the wait for the answer or just before it; either way the
            // task must end, and a task that swallowed it asks again within ~50 ms
            Await.until(
                    "the task ends or asks again",
                    Duration.ofSeconds(30),
                    () -> endInput.isDone() || asks.get() > 1);
            assertThat(asks.get()).as("asks after its interrupt").isEqualTo(1);
            assertThatThrownBy(endInput::get).hasCauseInstanceOf(InterruptedException.class);
        } finally {
            h.close();
        }
    }
}
