package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RejectionLogTest {

    @Test
    void eachKeyOnceAndAFewLinesAMinute() {
        RejectionLog log = new RejectionLog();
        assertThat(log.shouldLog("a", 0)).isTrue();
        assertThat(log.shouldLog("a", 1)).isFalse();
        for (int i = 1; i < RejectionLog.LINES_PER_MINUTE; i++) {
            assertThat(log.shouldLog("k" + i, 2)).isTrue();
        }
        // the minute's lines are used up
        assertThat(log.shouldLog("late", 59_999)).isFalse();
        assertThat(log.takeNotLogged()).isEqualTo(2);
        assertThat(log.takeNotLogged()).isZero();
        // a new minute: a key not logged yet is logged, a logged one is not again
        assertThat(log.shouldLog("late", 60_000)).isTrue();
        assertThat(log.shouldLog("a", 60_001)).isFalse();
    }

    @Test
    void remembersTheLastKeysLogged() {
        RejectionLog log = new RejectionLog();
        long t = 0;
        for (int i = 0; i <= RejectionLog.KEYS_REMEMBERED; i++) {
            t += 60_000; // one line a minute: never limited by rate
            assertThat(log.shouldLog("k" + i, t)).isTrue();
        }
        // k0 fell out of the memory and is logged again; the last one is not
        assertThat(log.shouldLog("k" + RejectionLog.KEYS_REMEMBERED, t + 60_000)).isFalse();
        assertThat(log.shouldLog("k0", t + 60_000)).isTrue();
    }
}
