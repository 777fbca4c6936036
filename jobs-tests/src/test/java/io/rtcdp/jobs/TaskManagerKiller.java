package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * Kills the MiniCluster's TaskManager once a job has completed its first checkpoint (and a
 * test-given condition holds), then starts a new one for the job to restart on: the failure of the
 * exactly-once tests.
 */
final class TaskManagerKiller {
    private final AtomicLong killedAt = new AtomicLong();
    private final Thread thread;

    private TaskManagerKiller(MiniCluster cluster, Path checkpoints, BooleanSupplier ready) {
        thread =
                new Thread(
                        () -> {
                            try {
                                Await.untilPromptly(
                                        "a checkpoint and the test's condition to kill on",
                                        Duration.ofMinutes(10),
                                        () ->
                                                checkpointExists(checkpoints)
                                                        && ready.getAsBoolean());
                                cluster.terminateTaskManager(0).get();
                                killedAt.set(System.nanoTime());
                                cluster.startTaskManager();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "task-manager-killer");
        thread.setDaemon(true);
    }

    /** Starts watching {@code checkpoints} (a replay's work dir / checkpoints). */
    static TaskManagerKiller start(MiniCluster cluster, Path checkpoints, BooleanSupplier ready) {
        TaskManagerKiller k = new TaskManagerKiller(cluster, checkpoints, ready);
        k.thread.start();
        return k;
    }

    /** Whether the TaskManager has been killed (and a new one started). */
    boolean killed() {
        return killedAt.get() != 0;
    }

    /** Asserts that the kill happened, and before {@code endedNanos} (the job's end). */
    void assertKilledBefore(long endedNanos) throws InterruptedException {
        thread.join(10_000);
        assertThat(killedAt.get())
                .as("the TaskManager was killed while the job ran")
                .isPositive()
                .isLessThan(endedNanos);
    }

    private static boolean checkpointExists(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().equals("_metadata"));
        } catch (Exception e) {
            return false;
        }
    }
}
