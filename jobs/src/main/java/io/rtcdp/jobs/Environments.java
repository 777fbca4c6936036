package io.rtcdp.jobs;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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

    /**
     * Flink's configuration when Flink runs rtcdp ({@link #isUserProgramOfFlink()}): the cluster's,
     * with what {@code flink run} or the FlinkDeployment added. Empty in a local run: the local
     * environment's own defaults (its parallelism is the machine's cores) are no one's choice.
     */
    public static ReadableConfig flinkConfiguration() {
        return isUserProgramOfFlink()
                ? StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration()
                : new Configuration();
    }

    /** The settings of a job without a cluster's configuration (tests, local runs). */
    public static Configuration jobConfiguration(RtcdpConfig cfg) {
        return jobConfiguration(cfg, new Configuration());
    }

    /**
     * The Flink settings rtcdp needs, each only where {@code flink} (the cluster's configuration,
     * {@link #flinkConfiguration()}) does not set it: what the cluster sets is never overridden (a
     * FlinkDeployment's checkpoint interval and directory, its parallelism). The rtcdp settings
     * Flink's configuration also knows ({@link RtcdpOptions#FLINK_EQUIVALENTS}) were resolved
     * against it when they were read.
     */
    public static Configuration jobConfiguration(RtcdpConfig cfg, ReadableConfig flink) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("state.backend.type", "rocksdb");
        c.put("execution.checkpointing.incremental", "true");
        c.put(
                "execution.checkpointing.interval",
                cfg.get(RtcdpOptions.CHECKPOINT_INTERVAL).toMillis() + " ms");
        c.put("execution.checkpointing.mode", "EXACTLY_ONCE");
        // most state reads look up keys that are not there yet (every new event id in the dedupe
        // stage, every new profile and fragment): bloom filters answer them without reading
        // the SST files' blocks
        c.put("state.backend.rocksdb.use-bloom-filter", "true");
        if (cfg.get(RtcdpOptions.CHECKPOINT_DIR) != null) {
            c.put("execution.checkpointing.dir", cfg.get(RtcdpOptions.CHECKPOINT_DIR));
        }
        c.put("pipeline.generic-types", "false");
        c.put("pipeline.auto-watermark-interval", "200 ms");
        c.put("parallelism.default", Integer.toString(cfg.get(RtcdpOptions.PARALLELISM)));
        Map<String, String> set = flink.toMap();
        c.keySet().removeAll(set.keySet());
        return Configuration.fromMap(c);
    }

    /** Settings for a local MiniCluster run (demo, replay, bench): slots and memory. */
    public static Configuration localConfiguration(RtcdpConfig cfg, Path workDir) {
        Configuration c = jobConfiguration(cfg);
        if (cfg.get(RtcdpOptions.CHECKPOINT_DIR) == null) {
            c.setString(
                    "execution.checkpointing.dir",
                    workDir.resolve("checkpoints").toAbsolutePath().toUri().toString());
        }
        c.setString("state.backend.rocksdb.localdir", workDir.resolve("rocksdb").toString());
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, cfg.get(RtcdpOptions.PARALLELISM));
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
        c.setString("restart-strategy.type", "fixed-delay");
        c.setString("restart-strategy.fixed-delay.attempts", "3");
        c.setString("restart-strategy.fixed-delay.delay", "1 s");
        c.setString("rest.bind-port", "0");
        if (cfg.get(RtcdpOptions.METRICS_PORT) > 0) {
            enablePrometheus(c, cfg.get(RtcdpOptions.METRICS_PORT));
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
