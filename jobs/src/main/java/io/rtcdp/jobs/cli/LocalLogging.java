package io.rtcdp.jobs.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The console log of a local {@code rtcdp run}: besides what {@code log4j2.properties} shows to
 * every command, failed checkpoints with their cause (WARN), which a bounded run's or the demo's
 * shutdown produces as a matter of course and so stay hidden there. Only in a local run: under
 * {@code flink run} the cluster's logging is the cluster's.
 */
final class LocalLogging {
    private LocalLogging() {}

    static void forLiveRun() {
        try {
            Configurator.setLevel(
                    "org.apache.flink.runtime.checkpoint.CheckpointFailureManager", Level.WARN);
        } catch (LinkageError | RuntimeException e) {
            // another logging backend: its own configuration decides
        }
    }
}
