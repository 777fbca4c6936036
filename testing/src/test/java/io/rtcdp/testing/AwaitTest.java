package io.rtcdp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AwaitTest {

    @Test
    void returnsTheFirstAcceptedValueWithoutPollingAgain() {
        AtomicInteger polls = new AtomicInteger();

        int value =
                Await.until(
                        "three polls", Duration.ofSeconds(5), polls::incrementAndGet, n -> n >= 3);

        assertThat(value).isEqualTo(3);
        assertThat(polls).hasValue(3);
    }

    @Test
    void aConditionThatHoldsAtOnceIsPolledOnce() {
        AtomicInteger polls = new AtomicInteger();

        Await.until("at once", Duration.ZERO, () -> polls.incrementAndGet() > 0);

        assertThat(polls).hasValue(1);
    }

    @Test
    void aTimeoutSaysWhatWasAwaitedAndTheLastValue() {
        AtomicInteger polls = new AtomicInteger();

        assertThatThrownBy(
                        () ->
                                Await.until(
                                        "the counter to reach a million",
                                        Duration.ofMillis(100),
                                        () -> "count " + polls.incrementAndGet(),
                                        s -> false))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("awaiting the counter to reach a million")
                .hasMessageContaining("last value: count " + polls.get());
    }

    /** One of Await's waits for a condition. */
    interface Wait {
        void await(String what, Duration timeout, Await.Condition condition);
    }

    /** How often {@code wait} polls a condition that never holds until it fails after timeout. */
    private static int pollsOfAConditionThatNeverHolds(Wait wait, Duration timeout) {
        AtomicInteger polls = new AtomicInteger();
        assertThatThrownBy(() -> wait.await("never", timeout, () -> polls.incrementAndGet() < 0))
                .isInstanceOf(AssertionError.class);
        return polls.get();
    }

    @Test
    void backsOffRatherThanSpinning() {
        int polls = pollsOfAConditionThatNeverHolds(Await::until, Duration.ofMillis(500));

        // 10, 20, 40, 80, 160, 200 ms...: about 7 polls in half a second, not thousands (fewer on
        // a busy machine, whose sleeps run long)
        assertThat(polls).isBetween(2, 12);
    }

    @Test
    void untilNoneShowsHowManyWereLeftAndTheFirstFive() {
        List<Integer> left = IntStream.range(0, 20).boxed().toList();

        assertThatThrownBy(
                        () -> Await.untilNone("every profile", Duration.ofMillis(50), () -> left))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("awaiting every profile")
                .hasMessageContaining("last value: 20 left, e.g. [0, 1, 2, 3, 4]")
                .hasMessageNotContaining("5, 6");
    }

    @Test
    void untilNoneReturnsOnceNothingIsLeft() {
        List<String> left = new ArrayList<>(List.of("a", "b"));

        Await.untilNone(
                "a and b",
                Duration.ofSeconds(5),
                () -> {
                    left.remove(0);
                    return left;
                });

        assertThat(left).isEmpty();
    }

    @Test
    void untilPromptlyDoesNotBackOff() {
        int polls = pollsOfAConditionThatNeverHolds(Await::untilPromptly, Duration.ofSeconds(1));

        // every 10 ms: about 100 polls, where backing off would make 9; a busy machine's sleeps
        // run long, so fewer
        assertThat(polls).isBetween(20, 101);
    }

    @Test
    void anAssertionErrorOfThePollEndsTheWaitAtOnce() {
        AtomicInteger polls = new AtomicInteger();
        long start = System.nanoTime();

        assertThatThrownBy(
                        () ->
                                Await.until(
                                        "a job that failed",
                                        Duration.ofMinutes(1),
                                        () -> {
                                            polls.incrementAndGet();
                                            throw new AssertionError("job FAILED");
                                        }))
                .isInstanceOf(AssertionError.class)
                .hasMessage("job FAILED");
        assertThat(polls).hasValue(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aCheckedExceptionOfThePollFailsNamingWhatWasAwaited() {
        assertThatThrownBy(
                        () ->
                                Await.until(
                                        "a file",
                                        Duration.ofMinutes(1),
                                        () -> {
                                            throw new IOException("disk gone");
                                        }))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("awaiting a file")
                .hasMessageContaining("disk gone")
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void anInterruptEndsTheWaitAndKeepsTheInterruptFlag() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Await.until("never", Duration.ofMinutes(1), () -> false))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Interrupted awaiting never");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void duringRepeatsTheCheckForThePeriodAndAtItsEnd() {
        AtomicInteger checks = new AtomicInteger();
        long start = System.nanoTime();

        Await.during("a quiet period", Duration.ofMillis(300), checks::incrementAndGet);

        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(checks.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void duringFailsAtTheFirstFailedCheck() {
        AtomicInteger checks = new AtomicInteger();

        assertThatThrownBy(
                        () ->
                                Await.during(
                                        "the outage",
                                        Duration.ofMinutes(1),
                                        () -> {
                                            if (checks.incrementAndGet() == 2) {
                                                throw new AssertionError("the job ended");
                                            }
                                        }))
                .hasMessage("the job ended");
        assertThat(checks).hasValue(2);
    }
}
