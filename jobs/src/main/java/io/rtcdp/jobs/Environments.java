package io.rtcdp.jobs;

import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.util.FlinkUserCodeClassLoader;

/** Flink settings rtcdp relies on: RocksDB, checkpoints, no Kryo. */
public final class Environments {
    private Environments() {}

    /**
     * Whether rtcdp runs as a user program that Flink loaded ({@code flink run}, a jar run through
     * the REST API, application mode on Kubernetes): its execution environment then submits to a
     * cluster whose settings (slots, memory, restart strategy, checkpoint directory) are the
     * cluster's, and its {@code main} may run inside the JobManager's process.
     */
    public static boolean isUserProgramOfFlink() {
        return Environments.class.getClassLoader() instanceof FlinkUserCodeClassLoader;
    }

    /** The settings every rtcdp job runs with, on a cluster or locally. */
    public static Configuration jobConfiguration(RtcdpConfig cfg) {
        Configuration c = new Configuration();
        c.setString("state.backend.type", "rocksdb");
        c.setString("execution.checkpointing.incremental", "true");
        c.setString(
                "execution.checkpointing.interval", cfg.checkpointInterval().toMillis() + " ms");
        c.setString("execution.checkpointing.mode", "EXACTLY_ONCE");
        // most state reads look up keys that are not there yet (every new event id in the dedupe
        // stage, every new profile and fragment): bloom filters answer them without reading
        // the SST files' blocks
        c.setString("state.backend.rocksdb.use-bloom-filter", "true");
        if (cfg.checkpointDir() != null) {
            c.setString("execution.checkpointing.dir", cfg.checkpointDir());
        }
        c.setString("pipeline.generic-types", "false");
        c.setString("pipeline.auto-watermark-interval", "200 ms");
        c.setString("parallelism.default", Integer.toString(cfg.parallelism()));
        return c;
    }

    /** Settings for a local MiniCluster run (demo, replay, bench): slots and memory. */
    public static Configuration localConfiguration(RtcdpConfig cfg, Path workDir) {
        Configuration c = jobConfiguration(cfg);
        if (cfg.checkpointDir() == null) {
            c.setString(
                    "execution.checkpointing.dir",
                    workDir.resolve("checkpoints").toAbsolutePath().toUri().toString());
        }
        c.setString("state.backend.rocksdb.localdir", workDir.resolve("rocksdb").toString());
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, cfg.parallelism());
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
        c.setString("restart-strategy.type", "fixed-delay");
        c.setString("restart-strategy.fixed-delay.attempts", "3");
        c.setString("restart-strategy.fixed-delay.delay", "1 s");
        c.setString("rest.bind-port", "0");
        if (cfg.metricsPort() > 0) {
            enablePrometheus(c, cfg.metricsPort());
        }
        return c;
    }

    /**
     * Adds Flink's Prometheus reporter, serving {@code http://HOST:port/metrics}. The reporter is
     * found through {@code META-INF/services} of {@code flink-metrics-prometheus} (merged into the
     * fat jar); on a cluster it comes from Flink's {@code plugins/} directory instead.
     */
    public static void enablePrometheus(Configuration c, int port) {
        c.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.setString("metrics.reporter.prom.port", Integer.toString(port));
    }
}
