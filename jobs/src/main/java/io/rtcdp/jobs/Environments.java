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
        // the job is CPU-bound and rewrites each profile's state at every event: compressing the
        // young levels, which compaction soon rewrites, cost ~12 % of its CPU per event; LZ4
        // (cheaper than Flink's default Snappy) below them, where most of a large state sits
        // (docs/operations.md, "Flink settings")
        c.put(
                "state.backend.rocksdb.compression.per.level",
                "NO_COMPRESSION;NO_COMPRESSION;LZ4_COMPRESSION");
        if (cfg.get(RtcdpOptions.CHECKPOINT_DIR) != null) {
            c.put("execution.checkpointing.dir", cfg.get(RtcdpOptions.CHECKPOINT_DIR));
        }
        c.put("pipeline.generic-types", "false");
        c.put("pipeline.auto-watermark-interval", "200 ms");
        c.put("parallelism.default", Integer.toString(cfg.get(RtcdpOptions.PARALLELISM)));
        Map<String, String> set = flink.toMap();
        c.keySet().removeAll(set.keySet());
        Configuration conf = Configuration.fromMap(c);
        FlinkSettings.apply(cfg, conf);
        return conf;
    }

    /**
     * The streaming job's own Flink settings, which replay's throughput path does not take: a
     * buffer timeout of 10 ms instead of Flink's 100 ms. An event crosses five keyed exchanges
     * between the Kafka source and the Redis writer (dedupe, identity, fragments, profile, decide);
     * below a buffer's worth of records each waits for the output flusher, up to the timeout, so
     * Flink's default alone put ~250 ms into the median freshness at 1,000 events/s
     * (docs/bench/2026-12-03-live-latency.md).
     */
    static final Map<String, String> STREAMING_DEFAULTS =
            Map.of("execution.buffer-timeout.interval", "10 ms");

    /**
     * {@link #jobConfiguration(RtcdpConfig, ReadableConfig)} with the streaming job's own settings
     * ({@link #STREAMING_DEFAULTS}), each only where {@code flink} (the cluster's configuration)
     * does not set it.
     */
    public static Configuration streamingJobConfiguration(RtcdpConfig cfg, ReadableConfig flink) {
        Configuration c = jobConfiguration(cfg, flink);
        Map<String, String> set = flink.toMap();
        STREAMING_DEFAULTS.forEach(
                (k, v) -> {
                    if (!set.containsKey(k) && !c.containsKey(k)) {
                        c.setString(k, v);
                    }
                });
        return c;
    }

    /**
     * The directory, under the checkpoint directory, of the state changelog ({@link
     * #completeChangelog}).
     */
    public static final String CHANGELOG_DIR = "changelog";

    /**
     * Completes a local run's settings for Flink's changelog state backend (log-based incremental
     * checkpoints, FLIP-158) when {@code state.changelog.enabled} is set: the log in files ({@code
     * state.changelog.storage}), under {@code <checkpoint directory>/}{@value #CHANGELOG_DIR}
     * unless {@code state.changelog.dstl.dfs.base-path} is set. Not the default: measured in
     * docs/bench/2026-12-05-changelog.md (README, Freshness), with what it costs.
     */
    static void completeChangelog(Configuration c) {
        if (!changelogEnabled(c)) {
            return;
        }
        String restore = c.getString("execution.state-recovery.path", null);
        if (restore != null && !c.containsKey("execution.state-recovery.claim-mode")) {
            throw restoreNeedsClaim(restore);
        }
        if (setting(c, "state.changelog.storage", "state.backend.changelog.storage") == null) {
            c.setString("state.changelog.storage", "filesystem");
        }
        String checkpoints = setting(c, "execution.checkpointing.dir", "state.checkpoints.dir");
        if (setting(c, "state.changelog.dstl.dfs.base-path", "dstl.dfs.base-path") == null
                && checkpoints != null
                && !checkpoints.isBlank()) {
            c.setString(
                    "state.changelog.dstl.dfs.base-path",
                    checkpoints.strip().replaceAll("/+$", "") + "/" + CHANGELOG_DIR);
        }
    }

    /** Whether {@code c} enables Flink's changelog state backend. */
    public static boolean changelogEnabled(Configuration c) {
        String enabled = setting(c, "state.changelog.enabled", "state.backend.changelog.enabled");
        return enabled != null && Boolean.parseBoolean(enabled.strip());
    }

    /**
     * The one line for a restore with the changelog state backend and no claim mode: that backend
     * cannot take the full first checkpoint that a restore in NO_CLAIM mode (Flink's default) asks
     * for, so the job would fail at its first checkpoint; in CLAIM mode Flink owns the snapshot and
     * deletes it once a newer checkpoint subsumes it, which only the user can accept.
     */
    public static IllegalArgumentException restoreNeedsClaim(String snapshot) {
        return new IllegalArgumentException(
                "a restore with the changelog state backend (state.changelog.enabled) works only"
                        + " in CLAIM mode, in which Flink deletes "
                        + snapshot
                        + " once a newer checkpoint subsumes it: keep a copy and set"
                        + " flink.execution.state-recovery.claim-mode=CLAIM, or restore without the"
                        + " changelog (flink.state.changelog.enabled=false) and enable it at a later"
                        + " start (docs/operations.md, Checkpoints and restarts)");
    }

    /** The value of the first of {@code keys} that {@code c} has, else null. */
    private static String setting(Configuration c, String... keys) {
        for (String k : keys) {
            if (c.containsKey(k)) {
                return c.getString(k, null);
            }
        }
        return null;
    }

    /**
     * Adds the streaming job's own settings ({@link #STREAMING_DEFAULTS}) to a local run's
     * configuration (the demo, the live bench), each only where {@code c} does not set it.
     */
    public static void addStreamingDefaults(Configuration c) {
        STREAMING_DEFAULTS.forEach(
                (k, v) -> {
                    if (!c.containsKey(k)) {
                        c.setString(k, v);
                    }
                });
    }

    /**
     * A local MiniCluster environment with the settings of a local {@code rtcdp run} ({@link
     * #liveLocalConfiguration} in {@code workDir}, {@link #addStreamingDefaults}), {@code flink}
     * over them, and this JVM's metrics reporter ({@link InJvmMetrics}): the demo's and the
     * benches' streaming jobs, so that they run as {@code rtcdp run} does.
     */
    public static StreamExecutionEnvironment localStreaming(
            RtcdpConfig cfg, Path workDir, Map<String, String> flink) {
        Configuration conf = liveLocalConfiguration(cfg, workDir);
        flink.forEach(conf::setString);
        addStreamingDefaults(conf);
        completeChangelog(conf);
        InJvmMetrics.install(conf);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
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
        // nothing of a local run listens beyond this machine unless configured (flink.<key>)
        for (String key : LOOPBACK_KEYS) {
            c.setString(key, LOOPBACK);
        }
        if (cfg.get(RtcdpOptions.METRICS_PORT) > 0) {
            enablePrometheus(c, cfg.get(RtcdpOptions.METRICS_PORT));
        }
        FlinkSettings.apply(cfg, c);
        completeChangelog(c);
        return c;
    }

    /** The address a local run's endpoints listen on and advertise unless configured. */
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * The Flink settings of the addresses a local run listens on or advertises: REST API, RPC, blob
     * server, shuffle; each {@link #LOOPBACK} unless a {@code flink.<key>} setting says else.
     */
    static final java.util.List<String> LOOPBACK_KEYS =
            java.util.List.of(
                    "rest.bind-address",
                    "rest.address",
                    "jobmanager.rpc.address",
                    "jobmanager.bind-host",
                    "taskmanager.bind-host",
                    "taskmanager.host");

    /** Where a local {@code rtcdp run} keeps its state unless {@code checkpoint.dir} says else. */
    public static final Path LIVE_STATE_DIR = Path.of("rtcdp-state");

    /**
     * The settings of a local {@code rtcdp run} ({@link #localConfiguration} with {@code stateDir}:
     * checkpoints in {@code stateDir/checkpoints} unless {@code checkpoint.dir}, kept when the job
     * is cancelled or stopped, so a new run can start from them), restarts with exponential delay,
     * 1 s up to 1 min, at most 20 in a row; the {@code flink.<key>} settings over all of it.
     */
    public static Configuration liveLocalConfiguration(RtcdpConfig cfg, Path stateDir) {
        Configuration c = localConfiguration(cfg, stateDir);
        c.setString(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        c.setString("execution.checkpointing.num-retained", "3");
        // Flink triggers the first checkpoint at a random time within the first interval after
        // the job switched to RUNNING, which is before its tasks are deployed and running: such a
        // trigger fails (not all tasks running), and one that reaches the start-up rules source
        // as it finishes is declined (tasks not ready). A pause of one interval puts the first
        // checkpoint a whole interval after the start, when the tasks run and that source is done.
        c.setString(
                "execution.checkpointing.min-pause",
                c.getString("execution.checkpointing.interval", "10000 ms"));
        c.setString("restart-strategy.type", "exponential-delay");
        c.setString("restart-strategy.exponential-delay.initial-backoff", "1 s");
        c.setString("restart-strategy.exponential-delay.max-backoff", "1 min");
        c.setString("restart-strategy.exponential-delay.backoff-multiplier", "2.0");
        c.setString("restart-strategy.exponential-delay.reset-backoff-threshold", "10 min");
        c.setString("restart-strategy.exponential-delay.attempts-before-reset-backoff", "20");
        c.removeKey("restart-strategy.fixed-delay.attempts");
        c.removeKey("restart-strategy.fixed-delay.delay");
        FlinkSettings.apply(cfg, c);
        return c;
    }

    /**
     * Where the job's checkpoints go, as the start-up line says it; an IllegalArgumentException
     * (exit 2) under {@code flink run} when neither Flink's configuration nor rtcdp's settings name
     * a directory: Flink would then keep the checkpoints in the JobManager's memory, lost with it.
     */
    public static String checkpointDirectory(Configuration job, boolean userProgramOfFlink) {
        String dir = job.getString("execution.checkpointing.dir", null);
        if (dir == null) {
            dir = job.getString("state.checkpoints.dir", null);
        }
        if (dir == null || dir.isBlank()) {
            if (userProgramOfFlink) {
                throw new IllegalArgumentException(
                        "no checkpoint directory: set execution.checkpointing.dir in Flink's"
                                + " configuration (a FlinkDeployment's flinkConfiguration, flink"
                                + " run -D, config.yaml) or checkpoint.dir in rtcdp's settings;"
                                + " rtcdp does not checkpoint to the JobManager's memory");
            }
            throw new IllegalStateException("a local run has a checkpoint directory");
        }
        return dir;
    }

    /**
     * Adds a Prometheus reporter to a local run, serving {@code http://127.0.0.1:port/metrics}
     * ({@code flink.metrics.reporter.prom.host} for another address): Flink's reporter, which
     * listens on every interface, on one address ({@code
     * io.rtcdp.jobs.local.LoopbackPrometheusReporter}, named, not referenced: the local-run classes
     * are not in the cluster job jar). On a cluster, Flink's reporter from its {@code plugins/}
     * directory serves the metrics instead.
     */
    public static void enablePrometheus(Configuration c, int port) {
        c.setString(
                "metrics.reporter.prom.factory.class",
                "io.rtcdp.jobs.local.LoopbackPrometheusReporter$Factory");
        c.setString("metrics.reporter.prom.port", Integer.toString(port));
        if (!c.containsKey("metrics.reporter.prom.host")) {
            c.setString("metrics.reporter.prom.host", LOOPBACK);
        }
    }
}
