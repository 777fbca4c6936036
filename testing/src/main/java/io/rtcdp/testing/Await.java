package io.rtcdp.testing;

import java.time.Duration;
import java.util.Collection;
import java.util.function.Predicate;

/**
 * The one way the tests wait for something another thread, process or job does: poll until it
 * holds, with a timeout, backing off from 10 ms to {@link #MAX_BACKOFF} between polls, and fail
 * with what was awaited and the last value seen, not a bare "condition not met".
 *
 * <pre>{@code
 * Await.until("the first checkpoint", Duration.ofSeconds(60), () -> checkpointExists(dir));
 * long n = Await.until("100 keys", Duration.ofSeconds(60), redis::dbSize, size -> size >= 100);
 * Await.untilNone("every profile complete", Duration.ofMinutes(4), this::incompleteProfiles);
 * Await.during("the outage", Duration.ofSeconds(5), () -> assertThat(run).isNotDone());
 * }</pre>
 *
 * <p>{@link #untilPromptly} polls every 10 ms without backing off, for a watcher that must act at
 * once (kill a TaskManager while a short job still runs).
 *
 * <p>A poll may throw: an {@link AssertionError} or other unchecked exception ends the wait at once
 * (that is how a poll fails fast, e.g. when the job it waits on has failed); a checked exception is
 * wrapped in an {@code AssertionError} naming what was awaited. A poll that must ride over
 * exceptions (a server still starting) catches them itself and answers "not yet".
 *
 * <p>Hand-written rather than Awaitility: it is small, and a dependency the offline build does not
 * have would cost more than these lines.
 */
public final class Await {
    /** The longest pause between two polls: short against the timeouts, long against a poll. */
    public static final Duration MAX_BACKOFF = Duration.ofMillis(200);

    private static final int EXAMPLES = 5;
    private static final long FIRST_BACKOFF_NANOS = Duration.ofMillis(10).toNanos();

    private Await() {}

    /** A value to poll; may throw. */
    @FunctionalInterface
    public interface Poll<T> {
        T get() throws Exception;
    }

    /** A condition to poll; may throw. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A check to repeat; fails by throwing, typically an {@link AssertionError}. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    /**
     * Polls {@code condition} until it holds.
     *
     * @throws AssertionError when it does not hold within {@code timeout}
     */
    public static void until(String what, Duration timeout, Condition condition) {
        until(what, timeout, condition::holds, Boolean::booleanValue);
    }

    /**
     * Polls {@code poll} until {@code done} accepts its value, and returns that value.
     *
     * @throws AssertionError when no value is accepted within {@code timeout}; its message names
     *     {@code what} and the last value polled
     */
    public static <T> T until(
            String what, Duration timeout, Poll<? extends T> poll, Predicate<? super T> done) {
        return poll(what, timeout, poll, done, MAX_BACKOFF.toNanos());
    }

    /**
     * Polls {@code condition} every 10 ms, without backing off: for a watcher that must act within
     * moments of the condition, e.g. kill a TaskManager while a short job still runs.
     */
    public static void untilPromptly(String what, Duration timeout, Condition condition) {
        poll(what, timeout, condition::holds, Boolean::booleanValue, FIRST_BACKOFF_NANOS);
    }

    private static <T> T poll(
            String what,
            Duration timeout,
            Poll<? extends T> poll,
            Predicate<? super T> done,
            long maxBackoff) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long backoff = FIRST_BACKOFF_NANOS;
        int polls = 0;
        while (true) {
            T value = get(what, poll);
            polls++;
            if (done.test(value)) {
                return value;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(
                        String.format(
                                "Timed out after %s awaiting %s (%d polls); last value: %s",
                                Duration.ofNanos(System.nanoTime() - start), what, polls, value));
            }
            sleep(what, Math.min(backoff, left));
            backoff = Math.min(backoff * 2, maxBackoff);
        }
    }

    /**
     * Polls {@code remaining}, what is still missing or wrong, until it is empty: for waits on many
     * things at once (every profile of a run). The failure shows how many were left at the end and
     * the first {@value #EXAMPLES} of them.
     */
    public static void untilNone(
            String what, Duration timeout, Poll<? extends Collection<?>> remaining) {
        until(what, timeout, () -> new Remaining(remaining.get()), Remaining::none);
    }

    /**
     * Repeats {@code check} for {@code period} (at least once, and once more at its end): for what
     * must keep holding while time passes, e.g. that a job neither finishes nor fails while its
     * Redis is down.
     */
    public static void during(String what, Duration period, Check check) {
        long end = System.nanoTime() + period.toNanos();
        while (true) {
            get(
                    what,
                    () -> {
                        check.run();
                        return null;
                    });
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            sleep(what, Math.min(left, MAX_BACKOFF.toNanos() / 2));
        }
    }

    private record Remaining(Collection<?> items) {
        boolean none() {
            return items.isEmpty();
        }

        @Override
        public String toString() {
            return items.size()
                    + " left, e.g. "
                    + items.stream().limit(EXAMPLES).map(String::valueOf).toList();
        }
    }

    private static <T> T get(String what, Poll<T> poll) {
        try {
            return poll.get();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted awaiting " + what, e);
        } catch (Exception e) {
            throw new AssertionError("Failed awaiting " + what + ": " + e, e);
        }
    }

    private static void sleep(String what, long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted awaiting " + what, e);
        }
    }
}
