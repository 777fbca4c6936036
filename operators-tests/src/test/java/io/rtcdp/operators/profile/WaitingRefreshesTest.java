package io.rtcdp.operators.profile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WaitingRefreshesTest {
    @Test
    void aTenantsClockTakesOutItsProfilesDueByThenEarliestFirstAndNoOtherTenants() {
        WaitingRefreshes w = new WaitingRefreshes(10);
        w.add("a", 30, "a\u0001p3");
        w.add("a", 10, "a\u0001p1");
        w.add("a", 20, "a\u0001p2");
        w.add("b", 10, "b\u0001q1");
        // the same profile and time again is one entry
        w.add("a", 10, "a\u0001p1");
        assertThat(w.size()).isEqualTo(4);

        assertThat(w.takeDue("a", 9)).isEmpty();
        assertThat(w.takeDue("a", 20)).containsExactly("a\u0001p1", "a\u0001p2");
        assertThat(w.takeDue("a", 20)).isEmpty();
        assertThat(w.size()).isEqualTo(2);
        assertThat(w.takeDue("c", Long.MAX_VALUE)).isEmpty();
        assertThat(w.takeDue("a", Long.MAX_VALUE)).containsExactly("a\u0001p3");
        assertThat(w.takeDue("b", 10)).containsExactly("b\u0001q1");
        assertThat(w.size()).isZero();
    }

    @Test
    void aboveItsLimitAProfileIsNotRememberedAndIsLeftToItsPoll() {
        WaitingRefreshes w = new WaitingRefreshes(2);
        assertThat(w.add("a", 10, "k1")).isTrue();
        assertThat(w.add("a", 11, "k2")).isTrue();
        assertThat(w.add("a", 12, "k3")).isFalse();
        assertThat(w.add("a", 10, "k1")).as("already there").isTrue();
        assertThat(w.takeDue("a", 100)).containsExactly("k1", "k2");
        assertThat(w.add("a", 12, "k3")).isTrue();
    }
}
