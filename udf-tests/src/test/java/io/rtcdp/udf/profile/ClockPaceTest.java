package io.rtcdp.udf.profile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClockPaceTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long DAY = 86_400_000L;

    @Test
    void aBacklogReadFastIsCatchingUpUntilTheClockStops() {
        ClockPace p = new ClockPace();
        long wall = 5_000;
        // 90 days of events read in 30 s, the clock seen every 10 ms
        long clock = T0 - 90 * DAY;
        for (int i = 0; i < 3_000; i++) {
            p.observe(wall, clock);
            wall += 10;
            clock += 90 * DAY / 3_000;
            if (i == 50) {
                assertThat(p.catchingUp(wall)).as("after half a second: too little seen").isFalse();
            }
        }
        assertThat(p.catchingUp(wall)).isTrue();
        assertThat(p.pace(wall)).isBetween(200_000.0, 300_000.0);
        // a stall of the job (a checkpoint, a GC pause, backpressure): the clock stands still for
        // 5 s, and the catch-up goes on
        wall += 5_000;
        assertThat(p.catchingUp(wall)).as("during a stall").isTrue();
        clock += 90 * DAY / 3_000;
        p.observe(wall, clock);
        assertThat(p.catchingUp(wall)).as("at the first clock after it").isTrue();
        // the backlog is read: no event comes, and within the window it is no longer catching up
        assertThat(p.catchingUp(wall + 1_000)).isTrue();
        assertThat(p.catchingUp(wall + ClockPace.WINDOW_MILLIS + 1)).isFalse();
    }

    @Test
    void aLiveClockIsNotCatchingUpEvenFarBehindTheWallClock() {
        ClockPace p = new ClockPace();
        long wall = 0;
        long clock = T0 - 30 * DAY; // a month behind, at the wall clock's pace
        for (int i = 0; i < 1_000; i++) {
            p.observe(wall, clock);
            wall += 37;
            clock += 37 + (i % 7 == 0 ? 500 : 0); // bursts of later events now and then
            assertThat(p.catchingUp(wall)).isFalse();
        }
        // a recovery at ten times the live pace is not a backlog to hold refreshes for
        for (int i = 0; i < 1_000; i++) {
            p.observe(wall, clock);
            wall += 10;
            clock += 100;
            assertThat(p.catchingUp(wall)).isFalse();
        }
    }

    @Test
    void aClockThatDoesNotMoveOrGoesBackIsNoPace() {
        ClockPace p = new ClockPace();
        assertThat(p.pace(10_000)).isZero();
        p.observe(0, T0);
        p.observe(2_000, T0 - DAY);
        assertThat(p.pace(2_000)).isZero();
    }

    @Test
    void aBacklogReadUpToThePresentEndsItsCatchUpAsItGetsThere() {
        ClockPace p = new ClockPace();
        long start = T0;
        long wall = start;
        // a day of events read in 10 s, up to the present: the clock catches up with the wall
        long clock = start - DAY;
        long live = -1;
        for (int i = 0; i < 1_000; i++) {
            p.observe(wall, clock);
            if (i == 500) {
                assertThat(p.catchingUp(wall)).as("half a day behind").isTrue();
            }
            if (i > 500 && live < 0 && !p.catchingUp(wall)) {
                live = wall - clock;
            }
            wall += 10;
            clock = Math.min(clock + DAY / 1_000 + 10, wall);
        }
        assertThat(live)
                .as("the wall time less the clock when the catch-up ended")
                .isBetween(0L, ClockPace.LIVE_WITHIN_MILLIS);
        // its pace alone would have called it catching up for another window
        assertThat(p.pace(wall)).isGreaterThan(ClockPace.CATCH_UP_PACE);
        assertThat(p.catchingUp(wall)).isFalse();
    }

    @Test
    void aBacklogFarFromTheWallClockGoesByItsPaceAlone() {
        for (long offset : new long[] {-DAY, 30 * DAY}) {
            ClockPace p = new ClockPace();
            long wall = T0;
            long clock = T0 + offset; // behind the wall clock, or (a skewed device) ahead of it
            for (int i = 0; i < 300; i++) {
                p.observe(wall, clock);
                wall += 10;
                clock += 1_000;
            }
            assertThat(p.catchingUp(wall)).as("offset %d", offset).isTrue();
        }
    }

    @Test
    void aCatchUpEndsWhenWhatIsReadEverywhereReachesThePresent() {
        ClockPace p = new ClockPace();
        long wall = T0;
        long clock = T0 - DAY;
        // one partition already read up to the present, another still half a day behind
        for (int i = 0; i < 300; i++) {
            p.observe(wall, clock);
            wall += 10;
            clock = Math.min(clock + DAY / 200, wall);
        }
        assertThat(p.catchingUp(wall)).as("the clock alone is at the present").isFalse();
        assertThat(p.catchingUp(wall, wall - DAY / 2)).isTrue();
        assertThat(p.catchingUp(wall, wall - ClockPace.LIVE_WITHIN_MILLIS)).isFalse();
        // the watermark of a job not started yet
        assertThat(p.catchingUp(wall, Long.MIN_VALUE)).isTrue();
        // what is read, from a watermark: the out-of-orderness on top, the end of the input kept
        assertThat(ClockPace.readUpTo(wall - DAY, DAY)).isEqualTo(wall);
        assertThat(ClockPace.readUpTo(Long.MAX_VALUE, DAY)).isEqualTo(Long.MAX_VALUE);
        assertThat(ClockPace.readUpTo(Long.MIN_VALUE, DAY)).isEqualTo(Long.MIN_VALUE + DAY);
    }
}
