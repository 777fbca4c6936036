package io.rtcdp.operators.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.lifecycle.TenantLifecycles;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.rec.PurchasedItems;
import io.rtcdp.udf.testing.Events;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProfileUpdaterTest {
    static final long T0 = 1_700_000_000_000L - (1_700_000_000_000L % 3_600_000L);
    static final long MIN = 60_000L;
    static final long HOUR = 3_600_000L;
    static final long DAY = 86_400_000L;

    /** Long enough for a put-off refresh to be polled a dozen times. */
    static final long MAX_POLLS = 12 * ProfileUpdater.MAX_DEFERRAL_MILLIS;

    KeyedBroadcastOperatorTestHarness<String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
            harness;

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static KeyedBroadcastOperatorTestHarness<
                    String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
            newHarness() throws Exception {
        return newHarness(Duration.ofMillis(1));
    }

    static KeyedBroadcastOperatorTestHarness<
                    String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
            newHarness(Duration refreshInterval) throws Exception {
        return newHarness(refreshInterval, 1, 1, 0);
    }

    static KeyedBroadcastOperatorTestHarness<
                    String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
            newHarness(Duration refreshInterval, int maxParallelism, int parallelism, int subtask)
                    throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new ProfileUpdaterOperator(new ProfileUpdater(refreshInterval)),
                ProfileUpdater.KEY,
                Types.STRING,
                maxParallelism,
                parallelism,
                subtask);
    }

    static int keyedStateEntries(
            KeyedBroadcastOperatorTestHarness<
                            String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
                    h) {
        return ((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>)
                        h.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    /** The identity stage's word that the tenant's events reached {@code ts}. */
    static void clock(
            KeyedBroadcastOperatorTestHarness<
                            String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
                    h,
            String tenant,
            long ts)
            throws Exception {
        h.processBroadcastElement(Tuple2.of(tenant, ts), ts);
    }

    static ProfileCommand event(String oneid, String id, String name, long ts, Long amountMicros) {
        Event e =
                Events.track(name)
                        .eventId("e-" + name + "-" + ts)
                        .at(ts)
                        .channel("web")
                        .ids(new Id("user_id", id), new Id("cookie_id", "c-" + id))
                        .amountMicros(amountMicros)
                        .build();
        return ProfileCommand.event(oneid, e, e.ids());
    }

    static ProfileCommand forget(String oneid, String id, long ts) {
        Event e = Events.of(EventType.FORGET).eventId("forget-" + ts).at(ts).userId(id).build();
        return ProfileCommand.event(oneid, e, e.ids());
    }

    static List<ProfileUpdate> updates(
            KeyedBroadcastOperatorTestHarness<
                            String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
                    h) {
        return h.extractOutputValues().stream().map(ProfileChange::redisUpdate).toList();
    }

    List<ProfileUpdate> drain() {
        List<ProfileUpdate> out = updates(harness);
        harness.getOutput().clear();
        return out;
    }

    @Test
    void firstWriteIsFullAndLaterWritesCarryOnlyChanges() throws Exception {
        harness.processElement(event("o1", "u1", "product_viewed", T0, null), T0);
        List<ProfileUpdate> out = drain();
        assertThat(out).hasSize(1);
        ProfileUpdate first = out.get(0);
        assertThat(first.ver()).isEqualTo(1);
        assertThat(first.set())
                .containsEntry("oneid", "o1")
                .containsEntry("ids", "user_id:1,cookie_id:1")
                .containsEntry("as_of", Long.toString(T0))
                .containsEntry("first_seen", Long.toString(T0))
                .containsEntry("f.events_total", "1")
                .containsEntry("f.views_24h", "1")
                .containsEntry("f.orders_total", "0")
                .containsEntry("f.revenue_total", "0");
        assertThat(first.unset())
                .contains(
                        "f.avg_order_value",
                        "f.days_since_last_order",
                        "f.top_category_30d",
                        "consent.marketing");
        // id keys are written by the identity stage, not with the profile
        assertThat(first.ids()).isEmpty();

        harness.processElement(
                event("o1", "u1", "order_completed", T0 + 5 * MIN, 12_500_000L), T0 + 5 * MIN);
        ProfileUpdate second = drain().get(0);
        assertThat(second.ver()).isEqualTo(2);
        assertThat(second.set())
                .containsOnlyKeys(
                        "as_of",
                        "last_seen",
                        "f.events_total",
                        "f.orders_total",
                        "f.revenue_total",
                        "f.avg_order_value",
                        "f.days_since_last_order",
                        "f.orders_30d",
                        "f.revenue_30d",
                        "f.orders_90d",
                        "f.revenue_90d",
                        "f.orders_180d",
                        "f.revenue_180d",
                        "f.orders_365d",
                        "f.revenue_365d",
                        // present from the first order on
                        "f.orders_next_90d_last_year",
                        "f.order_trend_90d",
                        "f.events_24h",
                        "f.orders_24h")
                .containsEntry("f.revenue_total", "12.5")
                .containsEntry("f.avg_order_value", "12.5")
                .containsEntry("f.days_since_last_order", "0");
        assertThat(second.unset()).isEmpty();
        assertThat(second.ids()).isEmpty();
        assertThat(keyedStateEntries(harness)).isEqualTo(1);
        assertThat(harness.numEventTimeTimers())
                .isEqualTo(2); // the next refresh, and the end-of-input one
    }

    @Test
    void timerLetsWindowsFallWhenNoEventsArrive() throws Exception {
        harness.processElement(event("o1", "u1", "product_viewed", T0 + 30_000, null), T0);
        drain();
        // the tenant's other events (other profiles) moved its clock on
        clock(harness, "acme", T0 + 2 * DAY);
        // the minute bucket T0 leaves the 24h window at T0 + 24h
        harness.watermark(T0 + DAY - 1);
        assertThat(drain()).isEmpty();
        harness.watermark(T0 + DAY);
        List<ProfileUpdate> out = drain();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).set())
                .containsEntry("as_of", Long.toString(T0 + DAY))
                .containsEntry("f.events_24h", "0")
                .containsEntry("f.views_24h", "0");
        // the windows need no more refreshes: what is left is the lifecycle's next change (active
        // becomes at_risk 30 days after the last event) and the end-of-input timer
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
    }

    @Test
    void endOfInputStopsAtTheLargestEventTimeSeen() throws Exception {
        harness.processElement(event("o1", "u1", "order_completed", T0, 1_000_000L), T0);
        harness.processElement(event("o2", "u2", "product_viewed", T0 + 2 * DAY, null), T0);
        drain();
        harness.watermark(Long.MAX_VALUE);
        List<ProfileUpdate> out = drain();
        // o1's first window change (24h) is before the end of data: it is refreshed to the
        // largest event time seen, and no further; o2 has no change due before that time
        assertThat(out).hasSize(1);
        assertThat(out.get(0).oneid()).isEqualTo("o1");
        assertThat(out.get(0).set())
                .containsEntry("as_of", Long.toString(T0 + 2 * DAY))
                .containsEntry("f.orders_24h", "0")
                .containsEntry("f.days_since_last_order", "2")
                .doesNotContainKey("f.orders_30d"); // unchanged: still 1
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aReplayToACutoffBringsEveryProfileToIt() throws Exception {
        harness.close();
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new ProfileUpdaterOperator(
                                new ProfileUpdater(Duration.ofMillis(1))
                                        .endOfInputAt(T0 + 5 * DAY + 7)),
                        ProfileUpdater.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        harness.open();
        harness.processElement(event("o1", "u1", "order_completed", T0, 1_000_000L), T0);
        harness.processElement(event("o2", "u2", "product_viewed", T0 + 2 * DAY, null), T0);
        drain();
        harness.watermark(Long.MAX_VALUE);
        List<ProfileUpdate> out = drain();
        // both to the cutoff, past the largest event time seen
        assertThat(out).extracting(ProfileUpdate::oneid).containsExactlyInAnyOrder("o1", "o2");
        for (ProfileUpdate u : out) {
            assertThat(u.set()).containsEntry("as_of", Long.toString(T0 + 5 * DAY + 7));
        }
        assertThat(out.stream().filter(u -> u.oneid().equals("o1")).findFirst().orElseThrow().set())
                .containsEntry("f.days_since_last_order", "5");
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void lateEventsAreCountedExactly() throws Exception {
        harness.processElement(event("o1", "u1", "product_viewed", T0 + DAY, null), T0 + DAY);
        harness.processElement(event("o1", "u1", "product_viewed", T0 - 10 * MIN, null), T0);
        harness.processElement(event("o1", "u1", "product_viewed", T0 + 10 * MIN, null), T0);
        List<ProfileUpdate> out = drain();
        // at as_of = T0 + 1 day, the bucket of T0 - 10 min is out of the 24h window: counted in
        // totals only; the bucket of T0 + 10 min is still in it
        assertThat(out.get(1).set())
                .containsEntry("f.events_total", "2")
                .containsEntry("first_seen", Long.toString(T0 - 10 * MIN))
                .doesNotContainKey("f.events_24h")
                .doesNotContainKey("as_of");
        assertThat(out.get(2).set())
                .containsEntry("f.events_total", "3")
                .containsEntry("f.events_24h", "2")
                .containsEntry("f.views_24h", "2")
                .doesNotContainKey("first_seen");
    }

    @Test
    void forgetDeletesTheProfileAndItsState() throws Exception {
        harness.processElement(event("o1", "u1", "product_viewed", T0, null), T0);
        drain();
        harness.processElement(forget("o1", "u1", T0 + MIN), T0 + MIN);
        List<ProfileUpdate> out = drain();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).delete()).isTrue();
        assertThat(out.get(0).ids()).isEmpty();
        assertThat(keyedStateEntries(harness)).isZero();
        // the pending timer finds no state and emits nothing
        harness.watermark(T0 + 2 * DAY);
        assertThat(drain()).isEmpty();
    }

    @Test
    void firstWriteAfterARestoreIsFull() throws Exception {
        harness.processElement(event("o1", "u1", "product_viewed", T0, null), T0);
        OperatorSubtaskState snapshot = harness.snapshot(1, T0);
        harness.processElement(event("o1", "u1", "product_viewed", T0 + MIN, null), T0);
        drain();
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(event("o1", "u1", "product_viewed", T0 + MIN, null), T0);
        ProfileUpdate afterRestore = drain().get(0);
        assertThat(afterRestore.ver()).isEqualTo(2);
        assertThat(afterRestore.set())
                .containsEntry("oneid", "o1")
                .containsEntry("f.events_total", "2")
                .containsEntry("first_seen", Long.toString(T0));
        assertThat(afterRestore.set()).containsEntry("ids", "user_id:1,cookie_id:1");
        // and the next one is a diff again
        harness.processElement(event("o1", "u1", "product_viewed", T0 + 2 * MIN, null), T0);
        assertThat(drain().get(0).set()).doesNotContainKey("oneid");
    }

    @Test
    void refreshTimersFollowTheGridAndWidenWhileCatchingUp() throws Exception {
        try (var h = newHarness(Duration.ofMinutes(5))) {
            h.open();
            clock(h, "acme", T0 + 100 * DAY);
            // live: the wall clock is at the event; the 24h expiry of minute T0+1m is rounded up
            // to the 5-minute grid
            h.setProcessingTime(T0 + MIN);
            h.processElement(event("o1", "u1", "product_viewed", T0 + MIN + 1, null), T0);
            h.watermark(T0 + DAY + 5 * MIN - 1);
            assertThat(updates(h)).hasSize(1);
            h.watermark(T0 + DAY + 5 * MIN);
            assertThat(updates(h)).hasSize(2);
            assertThat(updates(h).get(1).set())
                    .containsEntry("as_of", Long.toString(T0 + DAY + 5 * MIN))
                    .containsEntry("f.events_24h", "0");

            // catching up: the wall clock is 80 days ahead of the profile, so the grid widens to
            // 7 days (the ladder step under a tenth of the lag): one refresh instead of one per
            // expiring bucket
            h.setProcessingTime(T0 + 90 * DAY);
            h.processElement(event("o2", "u2", "product_viewed", T0 + 10 * DAY, null), T0);
            h.processElement(event("o2", "u2", "product_viewed", T0 + 10 * DAY + MIN, null), T0);
            // o2's one refresh; o1's lifecycle change; each profile's end-of-input timer
            assertThat(h.numEventTimeTimers()).isEqualTo(4);
            long week = 7 * DAY;
            long change = T0 + 11 * DAY; // the first minute bucket leaves the 24h window
            long expected = (change + week - 1) / week * week;
            int before = updates(h).size();
            h.watermark(expected - 1);
            assertThat(updates(h)).hasSize(before);
            h.watermark(expected);
            List<ProfileUpdate> out = updates(h);
            assertThat(out).hasSize(before + 1);
            assertThat(out.get(before).set())
                    .containsEntry("as_of", Long.toString(expected))
                    .containsEntry("f.events_24h", "0");
        }
    }

    @Test
    void aWatermarkThatJumpsOverSeveralRefreshesAppliesThemAllInOneWrite() throws Exception {
        // the same profile, its watermark moving a day at a time: a refresh at each change
        java.util.Map<String, String> stepwise = new java.util.TreeMap<>();
        int refreshes;
        try (var h = newHarness()) {
            h.open();
            clock(h, "acme", T0 + 100 * DAY);
            h.processElement(event("o1", "u1", "order_completed", T0, 1_000_000L), T0);
            h.processElement(event("o1", "u1", "product_viewed", T0 + 3 * DAY, null), T0);
            for (long d = 1; d <= 45; d++) {
                h.watermark(T0 + d * DAY);
            }
            List<ProfileUpdate> all = updates(h);
            refreshes = all.size() - 2;
            all.forEach(u -> stepwise.putAll(u.set()));
        }
        assertThat(refreshes).as("refreshes of the stepwise run").isGreaterThan(2);

        clock(harness, "acme", T0 + 100 * DAY);
        harness.processElement(event("o1", "u1", "order_completed", T0, 1_000_000L), T0);
        harness.processElement(event("o1", "u1", "product_viewed", T0 + 3 * DAY, null), T0);
        java.util.Map<String, String> jumped = new java.util.TreeMap<>();
        drain().forEach(u -> jumped.putAll(u.set()));
        // one watermark, which may be the last for a long time, past every one of those changes
        harness.watermark(T0 + 45 * DAY);
        List<ProfileUpdate> out = drain();
        assertThat(out).hasSize(1);
        out.forEach(u -> jumped.putAll(u.set()));
        assertThat(jumped).isEqualTo(stepwise);
        // the next refresh (beyond the watermark) and the end-of-input timer
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
    }

    /**
     * A tenant catching up on a backlog (its clock moving at 43,200 times the wall clock's pace):
     * its idle profile's refreshes are held, and written once when the catch-up ends, with the same
     * values as the same input at the wall clock's pace, refresh by refresh.
     */
    @Test
    void whileATenantCatchesUpItsRefreshesAreHeldThenWrittenOnceWithTheSameValues()
            throws Exception {
        java.util.Map<String, String> live = new java.util.TreeMap<>();
        java.util.Map<String, String> caughtUp = new java.util.TreeMap<>();
        int liveRefreshes = catchUp(DAY / 2, live);
        int caughtUpRefreshes = catchUp(10, caughtUp);
        assertThat(liveRefreshes).as("refreshes at the live pace").isGreaterThan(2);
        assertThat(caughtUpRefreshes).as("refreshes of the catch-up").isEqualTo(1);
        assertThat(caughtUp).isEqualTo(live);
        // the last refresh: the order left the 30-day window
        assertThat(caughtUp).containsEntry("f.orders_30d", "0").containsEntry("f.orders_90d", "1");
    }

    /**
     * Half a day of events and watermarks of tenant acme per {@code wallStep} of processing time
     * for 150 days; profile o1 orders and browses on days 60 and 61, and then is idle. Puts every
     * field written into {@code fields}, and returns how many writes were refreshes.
     */
    private static int catchUp(long wallStep, java.util.Map<String, String> fields)
            throws Exception {
        try (var h = newHarness(Duration.ofMinutes(1))) {
            h.open();
            long wall = readBacklog(h, T0, 1_000_000, wallStep, 0);
            // the backlog is read: no clock moves any more
            h.setProcessingTime(wall + 3 * ClockPaceWindow.MILLIS);
            List<ProfileUpdate> all = updates(h);
            all.forEach(u -> fields.putAll(u.set()));
            return all.size() - 2;
        }
    }

    /**
     * 150 days of tenant acme's events from {@code start}, half a day of them (a clock and a
     * watermark, {@code lag} behind the clock or the out-of-orderness if more: an input that far
     * behind) per {@code wallStep} of processing time from {@code wall}; profile o1 orders and
     * browses on days 60 and 61 (two events), and then is idle. Returns the processing time after.
     */
    private static long readBacklog(
            KeyedBroadcastOperatorTestHarness<
                            String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
                    h,
            long start,
            long wall,
            long wallStep,
            long lag)
            throws Exception {
        for (int i = 0; i <= 300; i++) {
            long t = start + i * DAY / 2;
            h.setProcessingTime(wall);
            clock(h, "acme", t);
            if (i == 120) {
                h.processElement(event("o1", "u1", "order_completed", t, 1_000_000L), t);
                h.processElement(event("o1", "u1", "product_viewed", t + DAY, null), t);
            }
            h.watermark(Math.min(t - MIN - 1, t - lag));
            wall += wallStep;
        }
        return wall;
    }

    /**
     * A backlog read up to the present (the event times reach the processing time, as after an
     * outage): the held refresh goes as soon as every input has read up to within a few minutes of
     * the wall clock, not a pace window after the last event; while one input (the watermark) is
     * still days behind, it stays held until the pace falls.
     */
    @Test
    void aCatchUpUpToThePresentEndsAsSoonAsEveryInputGetsThere() throws Exception {
        long soon = 2 * ProfileUpdater.HELD_CHECK_MILLIS; // less than the pace's window
        assertThat(soon).isLessThan(io.rtcdp.udf.profile.ClockPace.WINDOW_MILLIS);
        assertThat(catchUpToThePresent(0, soon)).as("every input at the present").isEqualTo(1);
        assertThat(catchUpToThePresent(10 * DAY, soon)).as("one input days behind").isZero();
        assertThat(catchUpToThePresent(10 * DAY, 3 * ClockPaceWindow.MILLIS))
                .as("once the pace fell")
                .isEqualTo(1);
    }

    /**
     * 150 days of tenant acme's events read in 3 s of processing time, up to the processing time
     * itself ({@link #readBacklog}, the watermark {@code lag} behind). The refreshes written by
     * {@code wait} after the last event, the processing time going on in steps of 100 ms.
     */
    private static int catchUpToThePresent(long lag, long wait) throws Exception {
        try (var h = newHarness(Duration.ofMinutes(1))) {
            h.open();
            long wall = readBacklog(h, T0 - 150 * DAY, T0, 10, lag);
            for (long w = wall; w <= wall + wait; w += 100) {
                h.setProcessingTime(w);
            }
            return updates(h).size() - 2;
        }
    }

    /** The window of the tenant pace, plus the release check's period. */
    private static final class ClockPaceWindow {
        static final long MILLIS =
                io.rtcdp.udf.profile.ClockPace.WINDOW_MILLIS + ProfileUpdater.HELD_CHECK_MILLIS;
    }

    /**
     * Contract §3.3's limit for late events: a view at T0 + 1 min leaves the 24-hour window at T0 +
     * 1 day + 1 min, refreshed at the hour grid's next point g = T0 + 1 day + 1 h; another view at
     * T0 + 1 day + 30 min counts the same whether it comes before that refresh or after it (late,
     * the watermark past it), but {@code as_of} is its time in the first case and stays g in the
     * second: the values are exact at the {@code as_of} written either way.
     */
    @Test
    void aLateEventAfterARefreshIsCountedAtTheAsOfItFinds() throws Exception {
        long first = T0 + MIN;
        long late = T0 + DAY + 30 * MIN;
        long g = T0 + DAY + HOUR;
        java.util.Map<String, String> inOrder = new java.util.HashMap<>();
        java.util.Map<String, String> afterRefresh = new java.util.HashMap<>();
        for (boolean lateAfterRefresh : new boolean[] {false, true}) {
            try (var h = newHarness(Duration.ofHours(1))) {
                h.open();
                clock(h, "acme", T0 + 2 * DAY);
                h.processElement(event("o1", "u1", "product_viewed", first, null), first);
                if (!lateAfterRefresh) {
                    h.processElement(event("o1", "u1", "product_viewed", late, null), late);
                }
                h.watermark(g);
                if (lateAfterRefresh) {
                    h.processElement(event("o1", "u1", "product_viewed", late, null), late);
                }
                updates(h)
                        .forEach(u -> (lateAfterRefresh ? afterRefresh : inOrder).putAll(u.set()));
            }
        }
        assertThat(inOrder).containsEntry("as_of", Long.toString(late));
        assertThat(afterRefresh).containsEntry("as_of", Long.toString(g));
        inOrder.remove("as_of");
        afterRefresh.remove("as_of");
        assertThat(afterRefresh)
                .isEqualTo(inOrder)
                .containsEntry("f.events_total", "2")
                .containsEntry("f.events_24h", "1")
                .containsEntry("last_seen", Long.toString(late));
    }

    @Test
    void aRefreshWhoseChangeNoLongerHappensWritesNothing() throws Exception {
        clock(harness, "acme", T0 + 200 * DAY);
        harness.processElement(event("o1", "u1", "page_viewed", T0, null), T0);
        harness.watermark(T0 + 30 * DAY);
        assertThat(drain())
                .last()
                .satisfies(u -> assertThat(u.set()).containsEntry("lifecycle", "at_risk"));
        // pending: dormant at T0 + 90 days. An event two hours before puts that change off, and
        // its own first change (the 24 h window) comes after it, so the pending timer stays
        harness.processElement(
                event("o1", "u1", "page_viewed", T0 + 90 * DAY - 2 * HOUR, null), T0);
        assertThat(drain()).hasSize(1);
        harness.watermark(T0 + 90 * DAY);
        assertThat(drain()).as("a refresh that would move as_of only").isEmpty();
        harness.watermark(T0 + 91 * DAY);
        List<ProfileUpdate> out = drain();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).set())
                .containsEntry("as_of", Long.toString(T0 + 91 * DAY - 2 * HOUR))
                .containsEntry("f.events_24h", "0");
    }

    @Test
    void aSupersededTimerDoesNothing() throws Exception {
        harness.processElement(event("o1", "u1", "product_viewed", T0 + 30 * MIN, null), T0);
        // a late event moves the next change earlier: the earlier timer replaces the later one
        // (deleted, so that no timer outlives a forgotten profile) beside the end-of-input timer
        harness.processElement(event("o1", "u1", "product_viewed", T0 + 10 * MIN, null), T0);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
        drain();
        clock(harness, "acme", T0 + 2 * DAY);
        harness.watermark(T0 + 10 * MIN + DAY);
        assertThat(drain()).hasSize(1);
        // the first timer (T0 + 30 min + 1 day) is superseded by the one the refresh registered
        // at the same time; it fires once, with one refresh
        harness.watermark(T0 + 30 * MIN + DAY);
        List<ProfileUpdate> out = drain();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).set()).containsEntry("f.events_24h", "0");
        // the lifecycle's next change and the end-of-input timer
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
    }

    @Test
    void theEndOfInputBringsEveryProfileToTheEndOfTheData() throws Exception {
        harness.processElement(event("o1", "u1", "order_completed", T0, 1_000_000L), T0);
        harness.processElement(event("o2", "u2", "product_viewed", T0 + 100 * DAY, null), T0);
        // the watermark passes all of o1's window changes: it has no refresh pending any more
        harness.watermark(T0 + 95 * DAY);
        drain();
        harness.watermark(Long.MAX_VALUE);
        List<ProfileUpdate> out = drain();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).oneid()).isEqualTo("o1");
        assertThat(out.get(0).set())
                .containsEntry("as_of", Long.toString(T0 + 100 * DAY))
                .containsEntry("f.days_since_last_order", "100");
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    static ProfileCommand eventOf(String tenant, String oneid, String name, long ts) {
        ProfileCommand c = event(oneid, "u-" + oneid, name, ts, null);
        Event e = c.event();
        Event t = Events.from(e).tenant(tenant).build();
        return ProfileCommand.event(oneid, t, t.ids());
    }

    /** Per-tenant thresholds: alpha's profiles are at risk after 10 days, beta's after 30. */
    @Test
    void eachTenantsProfilesFollowItsOwnLifecycleThresholds() throws Exception {
        TenantLifecycles lifecycles =
                TenantLifecycles.of(Map.of(), Map.of("alpha", Map.of("active", "10d")));
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new ProfileUpdater(Duration.ofMillis(1), lifecycles, Duration.ZERO),
                                List.of(ProfileUpdater.CLOCKS)),
                        ProfileUpdater.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        h.open();
        try {
            clock(h, "alpha", T0 + 200 * DAY);
            clock(h, "beta", T0 + 200 * DAY);
            h.processElement(eventOf("alpha", "a1", "product_viewed", T0), T0);
            h.processElement(eventOf("beta", "b1", "product_viewed", T0), T0);
            h.watermark(T0 + 15 * DAY);
            Map<String, String> stage = new java.util.HashMap<>();
            for (ProfileUpdate u : updates(h)) {
                if (u.set() != null && u.set().containsKey("lifecycle")) {
                    stage.put(u.oneid(), u.set().get("lifecycle"));
                }
            }
            assertThat(stage).containsEntry("a1", "at_risk").containsEntry("b1", "new");
        } finally {
            h.close();
        }
    }

    /**
     * Alpha's history ends 200 days before beta's live event, which moves the shared watermark far
     * past alpha's refresh times: a1's refresh is put off, not applied.
     */
    void putOffByAnotherTenant() throws Exception {
        harness.setProcessingTime(0);
        harness.processElement(eventOf("alpha", "a1", "product_viewed", T0), T0);
        harness.processElement(eventOf("beta", "b1", "product_viewed", T0 + 200 * DAY), T0);
        drain();
        harness.watermark(T0 + 200 * DAY - 1);
        assertThat(drain()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    @Test
    void anotherTenantsEventsDoNotMoveAProfilesTime() throws Exception {
        putOffByAnotherTenant();
        // a1: the put-off refresh, end of input; b1: its next window change, end of input
        assertThat(harness.numEventTimeTimers()).isEqualTo(3);
        // looked at again after a second, then a minute: alpha's time has not moved, it waits on
        harness.setProcessingTime(ProfileUpdater.FIRST_DEFERRAL_MILLIS);
        assertThat(drain()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        // alpha's events reach the next day: the refresh happens at its own time, not at beta's
        harness.processElement(eventOf("alpha", "a2", "product_viewed", T0 + DAY + MIN), T0);
        drain();
        harness.setProcessingTime(3 * ProfileUpdater.FIRST_DEFERRAL_MILLIS);
        List<ProfileUpdate> out = drain();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).oneid()).isEqualTo("a1");
        assertThat(out.get(0).set())
                .containsEntry("as_of", Long.toString(T0 + DAY))
                .containsEntry("f.events_24h", "0");
        // the later refreshes of alpha's profiles, past by beta's watermark, wait for alpha
        harness.setProcessingTime(3 * ProfileUpdater.FIRST_DEFERRAL_MILLIS + MAX_POLLS);
        assertThat(drain()).isEmpty();
        // at the end of the input, every profile stands at its own tenant's last event time
        harness.watermark(Long.MAX_VALUE);
        assertThat(drain())
                .extracting(u -> u.oneid() + "@" + u.set().get("as_of"))
                .containsExactlyInAnyOrder("a1@" + (T0 + DAY + MIN));
    }

    /**
     * With no time passing, the profile's refresh comes out: its windows at T0 + 1 day, its only
     * event (at T0) out of the last 24 hours.
     */
    void assertRefreshedNowToTheNextDay(String oneid) throws Exception {
        harness.setProcessingTime(0);
        List<ProfileUpdate> out = drain();
        assertThat(out).extracting(ProfileUpdate::oneid).containsExactly(oneid);
        assertThat(out.get(0).set())
                .containsEntry("as_of", Long.toString(T0 + DAY))
                .containsEntry("f.events_24h", "0");
    }

    @Test
    void aRefreshPutOffForItsTenantsClockIsDoneAsSoonAsTheClockComes() throws Exception {
        putOffByAnotherTenant();
        // alpha's clock, from the identity stage, up to just short of the refresh: it waits on
        clock(harness, "alpha", T0 + DAY - 1);
        harness.setProcessingTime(0);
        assertThat(drain()).isEmpty();
        // past it: the refresh is done at once, not at the next poll a second later
        clock(harness, "alpha", T0 + DAY + MIN);
        assertRefreshedNowToTheNextDay("a1");
        // its next refresh, a week on, was past by beta's watermark as well: it waits for alpha
        harness.setProcessingTime(MAX_POLLS);
        assertThat(drain()).isEmpty();
    }

    /**
     * A job stopped with a savepoint while a refresh waited for its tenant's clock: restored, the
     * refresh is done as soon as the clock comes, not at its next poll (up to half an hour later).
     */
    @Test
    void aRefreshPutOffBeforeARestoreIsDoneAsSoonAsTheClockComes() throws Exception {
        putOffByAnotherTenant();
        OperatorSubtaskState snapshot = harness.snapshot(1, 0);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(0);
        drain();
        clock(harness, "alpha", T0 + DAY + MIN);
        // its poll was due at FIRST_LOOK_MILLIS: processing time has not moved
        assertRefreshedNowToTheNextDay("a1");
    }

    /**
     * Restored at a higher parallelism, each subtask takes the put-off refreshes of the profiles it
     * now holds: every one is done once, on the subtask of its key, when the clock comes.
     */
    @Test
    void putOffRefreshesFollowTheirProfilesWhenTheParallelismChanges() throws Exception {
        int maxParallelism = 128;
        List<String> oneids =
                java.util.stream.IntStream.range(0, 12).mapToObj(i -> "a" + i).toList();
        OperatorSubtaskState snapshot;
        try (var h = newHarness(Duration.ofMillis(1), maxParallelism, 1, 0)) {
            h.open();
            h.setProcessingTime(0);
            for (String o : oneids) {
                h.processElement(eventOf("alpha", o, "product_viewed", T0), T0);
            }
            h.processElement(eventOf("beta", "b1", "product_viewed", T0 + 200 * DAY), T0);
            h.watermark(T0 + 200 * DAY - 1);
            h.getOutput().clear();
            snapshot = h.snapshot(1, 0);
        }
        java.util.Map<String, Integer> refreshed = new java.util.TreeMap<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            try (var h = newHarness(Duration.ofMillis(1), maxParallelism, 2, subtask)) {
                h.initializeState(
                        org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness
                                .repartitionOperatorState(snapshot, maxParallelism, 1, 2, subtask));
                h.open();
                h.setProcessingTime(0);
                h.getOutput().clear();
                clock(h, "alpha", T0 + DAY + MIN);
                h.setProcessingTime(0);
                for (ProfileUpdate u : updates(h)) {
                    assertThat(u.set()).containsEntry("as_of", Long.toString(T0 + DAY));
                    refreshed.merge(u.oneid(), 1, Integer::sum);
                }
                assertThat(updates(h)).as("subtask %d refreshed some", subtask).isNotEmpty();
            }
        }
        assertThat(refreshed.keySet()).containsExactlyInAnyOrderElementsOf(oneids);
        assertThat(refreshed.values()).containsOnly(1);
    }

    @Test
    void aRefreshWhoseTimeTheWatermarkPassedIsDoneWithoutAnotherWatermark() throws Exception {
        harness.setProcessingTime(0);
        harness.processElement(eventOf("alpha", "a1", "product_viewed", T0 + 2 * DAY), T0);
        harness.watermark(T0 + 2 * DAY - 1);
        drain();
        // an event of a2 comes late, after the watermark passed its next refresh (a day on): in a
        // quiet spell no watermark comes to fire that refresh's timer
        harness.processElement(eventOf("alpha", "a2", "product_viewed", T0), T0);
        assertThat(drain()).extracting(ProfileUpdate::oneid).containsExactly("a2");
        assertRefreshedNowToTheNextDay("a2");
        // the timer that waited for the watermark finds the refresh done
        harness.watermark(T0 + 3 * DAY);
        assertThat(drain()).extracting(ProfileUpdate::oneid).doesNotContain("a2");
    }

    @Test
    void theEndOfInputUsesTheTenantsClockFromOtherInstances() throws Exception {
        harness.processElement(eventOf("alpha", "a1", "product_viewed", T0), T0);
        drain();
        // alpha's later events went to profiles of other instances; identity sent the clock
        clock(harness, "alpha", T0 + 3 * DAY);
        clock(harness, "beta", T0 + 300 * DAY);
        harness.watermark(Long.MAX_VALUE);
        List<ProfileUpdate> out = drain();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).set()).containsEntry("as_of", Long.toString(T0 + 3 * DAY));
    }

    static ProfileCommand order(String oneid, String id, long ts, String... skus) {
        Event e =
                Events.track(Event.ORDER_COMPLETED)
                        .eventId("order-" + oneid + "-" + ts)
                        .at(ts)
                        .ids(new Id("user_id", id))
                        .amountMicros(1_000_000L)
                        .items(
                                java.util.Arrays.stream(skus)
                                        .map(s -> new io.rtcdp.udf.event.OrderItem(s, null, 1, 1))
                                        .toArray(io.rtcdp.udf.event.OrderItem[]::new))
                        .build();
        return ProfileCommand.event(oneid, e, e.ids());
    }

    static <T> List<T> side(
            KeyedBroadcastOperatorTestHarness<
                            String, ProfileCommand, Tuple2<String, Long>, ProfileChange>
                    h,
            org.apache.flink.util.OutputTag<T> tag) {
        var records = h.getSideOutput(tag);
        List<T> out =
                records == null
                        ? List.of()
                        : records.stream()
                                .map(
                                        org.apache.flink.streaming.runtime.streamrecord.StreamRecord
                                                ::getValue)
                                .toList();
        if (records != null) {
            records.clear();
        }
        return out;
    }

    /**
     * An order's items go to the buckets of the item statistics with the customer's items before
     * it, and the profile's items after every change to the next-purchase stage, merges and drops
     * included.
     */
    @Test
    void itemsOfOrdersGoToTheItemStatisticsAndTheNextPurchaseStage() throws Exception {
        harness.processElement(order("o1", "u1", T0, "b", "a", "b"), T0);
        List<ItemOrder> orders = side(harness, ProfileUpdater.ITEM_ORDERS);
        List<ItemOrder> expected = new java.util.ArrayList<>();
        ItemBuckets.split("acme", T0, List.of("b", "a", "b"), new PurchasedItems(), expected::add);
        assertThat(orders).isEqualTo(expected);
        // each bucket gets its own items of the order, and both new items (its pairs)
        assertThat(orders.stream().flatMap(o -> o.basket().stream()))
                .containsExactlyInAnyOrder("a", "b");
        assertThat(orders)
                .allSatisfy(
                        o ->
                                assertThat(o.basket())
                                        .allMatch(sku -> ItemBuckets.bucket(sku) == o.bucket()));
        assertThat(orders).allSatisfy(o -> assertThat(o.fresh()).containsExactly("a", "b"));
        List<ItemsObservation> seen = side(harness, ProfileUpdater.ITEMS);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).key()).isEqualTo("acme\u0001o1");
        assertThat(seen.get(0).items().orders("a")).isEqualTo(1);
        assertThat(seen.get(0).items().orders("b")).isEqualTo(1);

        harness.processElement(order("o1", "u1", T0 + MIN, "a", "c"), T0 + MIN);
        orders = side(harness, ProfileUpdater.ITEM_ORDERS);
        assertThat(orders).isNotEmpty();
        assertThat(orders)
                .allSatisfy(
                        o -> {
                            assertThat(o.fresh()).containsExactly("c");
                            if (o.bucket() == ItemBuckets.bucket("c")) {
                                // c pairs with every earlier item
                                assertThat(o.prior()).containsExactlyInAnyOrder("a", "b");
                            } else {
                                // an earlier item pairs with c: only the bucket's own
                                assertThat(o.prior())
                                        .isNotEmpty()
                                        .allMatch(sku -> ItemBuckets.bucket(sku) == o.bucket());
                            }
                        });
        seen = side(harness, ProfileUpdater.ITEMS);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).items().orders("a")).isEqualTo(2);

        // an event without items sends nothing to either
        harness.processElement(
                event("o1", "u1", "product_viewed", T0 + 2 * MIN, null), T0 + 2 * MIN);
        assertThat(side(harness, ProfileUpdater.ITEM_ORDERS)).isEmpty();
        assertThat(side(harness, ProfileUpdater.ITEMS)).isEmpty();

        // a merged-in fragment's items join the profile's
        io.rtcdp.udf.profile.ProfileFeatures other = new io.rtcdp.udf.profile.ProfileFeatures();
        other.add(order("o2", "u2", T0, "a", "d").event());
        harness.processElement(ProfileCommand.absorb("acme", "o1", other), T0 + 3 * MIN);
        assertThat(side(harness, ProfileUpdater.ITEM_ORDERS)).isEmpty();
        seen = side(harness, ProfileUpdater.ITEMS);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).items().orders("a")).isEqualTo(3);
        assertThat(seen.get(0).items().orders("d")).isEqualTo(1);

        // the profile merges away: its items are removed from the next-purchase stage
        harness.processElement(ProfileCommand.drop("acme", "o1", "o9"), T0 + 4 * MIN);
        assertThat(side(harness, ProfileUpdater.ITEMS))
                .containsExactly(ItemsObservation.removal("acme", "o1"));
    }
}
