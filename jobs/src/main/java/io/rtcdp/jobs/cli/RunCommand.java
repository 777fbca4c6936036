package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.Environments;
import io.rtcdp.jobs.InJvmMetrics;
import io.rtcdp.jobs.KafkaTopics;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.jobs.SavepointCheck;
import io.rtcdp.jobs.Streaming;
import io.rtcdp.operators.sink.RedisClients;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rtcdp run}: the streaming job, locally or under {@code flink run}. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Runs the streaming job: events from Kafka, profiles to Redis, dead letters to"
                        + " Kafka. The same jar runs under `flink run` on a cluster.")
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin SettingsOptions settings;

    @Mixin MetricsOptions metrics;

    @Option(
            names = "--create-topics",
            description =
                    "Create the Kafka topics the job reads and writes that do not exist yet"
                            + " (partitions: kafka.create-topics.partitions; replication: the"
                            + " brokers' default); without it a missing topic is exit 2 with"
                            + " the kafka-topics.sh lines that create it.")
    boolean createTopics;

    @Option(
            names = "--from-savepoint",
            paramLabel = "PATH",
            description =
                    "Start from this savepoint (or retained checkpoint): one a `rtcdp replay"
                            + " --savepoint` wrote (history, then live), or one of a stopped"
                            + " streaming job. State of an operator the job lacks stops the start,"
                            + " except a replay's file source and sinks. Under `flink run`, use"
                            + " its -s option instead.")
    String fromSavepoint;

    @Option(
            names = "--history",
            paramLabel = "FILE",
            arity = "1..*",
            description =
                    "Event files (or directories of them) to read first, to their end, before the"
                            + " events topic (from the group's committed offsets, else its"
                            + " earliest); an event in both is counted once. A savepoint of such"
                            + " a job restores only into a job given --history again.")
    List<Path> history = List.of();

    @Override
    public Integer call() throws Exception {
        // under `flink run` the cluster's configuration: its rtcdp settings are read, and the Flink
        // settings the job needs are added only where it has none
        ReadableConfig flink = Environments.flinkConfiguration();
        RtcdpConfig cfg = settings.load(flink);
        if (cfg.parser().usesDevSecret()) {
            // anyone can recompute ids hashed with it from a list of phone numbers or e-mails
            throw new IllegalArgumentException(
                    "no PII secret configured: the streaming job does not hash phone and e-mail"
                            + " with the public development secret; set default-secret, 32 bytes"
                            + " or more, in the --config file (e.g."
                            + " default-secret=${file:/run/secrets/rtcdp-master} or"
                            + " ${env:RTCDP_DEFAULT_SECRET}) and, for a tenant with a key of its"
                            + " own, tenant-secret.<tenant>");
        }
        boolean onFlink = Environments.isUserProgramOfFlink();
        Configuration conf;
        String checkpoints;
        if (onFlink) {
            conf = Environments.streamingJobConfiguration(cfg, flink);
            Configuration effective = Configuration.fromMap(flink.toMap());
            effective.addAll(conf);
            checkpoints = Environments.checkpointDirectory(effective, true);
        } else {
            Path state = Environments.LIVE_STATE_DIR.toAbsolutePath();
            conf = Environments.liveLocalConfiguration(cfg, state);
            Environments.addStreamingDefaults(conf);
            checkpoints = Environments.checkpointDirectory(conf, false);
            int port = metrics.port(cfg.get(RtcdpOptions.METRICS_PORT));
            if (port > 0) {
                Environments.enablePrometheus(conf, port);
            }
            InJvmMetrics.install(conf);
        }
        Streaming.refuseReplaySettings(cfg);
        for (Path p : history) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("--history: not readable: " + p);
            }
        }
        if (fromSavepoint != null) {
            if (onFlink) {
                throw new IllegalArgumentException(
                        "--from-savepoint is for a local run; under `flink run`, give the savepoint"
                                + " with -s PATH (and --allowNonRestoredState only for a replay's"
                                + " savepoint, docs/operations.md)");
            }
            SavepointCheck.restoreFrom(fromSavepoint, conf, e -> Streaming.build(cfg, e, history));
        }
        List<String> created = KafkaTopics.check(cfg, createTopics);
        // once the settings and topics are known good, so that a problem stays the only line
        settings.warnIfSecretsOnCommandLine(System.err);
        PrintStream out = System.out;
        if (!created.isEmpty()) {
            say(out, "rtcdp: created Kafka topics " + String.join(", ", created));
        }
        if (!onFlink) {
            makeStateDirectory(conf);
            LocalLogging.forLiveRun();
        }
        say(out, startLine(cfg, conf, checkpoints, onFlink));
        if (fromSavepoint != null) {
            say(out, "rtcdp: restoring the job's state from " + fromSavepoint);
        }
        if (!history.isEmpty()) {
            say(
                    out,
                    "rtcdp: reading the history first, to its end: "
                            + String.join(", ", history.stream().map(Path::toString).toList())
                            + "; then "
                            + cfg.get(RtcdpOptions.EVENTS_TOPIC));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env, history);
        if (onFlink) {
            // the cluster runs it (attached or detached, as `flink run` was asked)
            env.execute("rtcdp");
            return 0;
        }
        JobClient job = env.executeAsync("rtcdp");
        watch(job, cfg, out);
        job.getJobExecutionResult().get();
        return 0;
    }

    /** The start-up line: what the job reads and writes, where its checkpoints go. */
    static String startLine(
            RtcdpConfig cfg, Configuration conf, String checkpoints, boolean onFlink) {
        String interval =
                conf.getString(
                        "execution.checkpointing.interval",
                        cfg.get(RtcdpOptions.CHECKPOINT_INTERVAL).toMillis() + " ms");
        String parallelism =
                conf.getString(
                        "parallelism.default", Integer.toString(cfg.get(RtcdpOptions.PARALLELISM)));
        StringBuilder reads = new StringBuilder();
        StringBuilder writes = new StringBuilder();
        for (KafkaTopics.Topic t : KafkaTopics.of(cfg)) {
            String role = t.setting().key().substring("kafka.topic.".length());
            if (t.reads()) {
                reads.append(reads.length() == 0 ? "" : ", ").append(role).append(' ');
                reads.append(t.name());
            }
            if (t.writes()) {
                writes.append(", ").append(role).append(' ').append(t.name());
            }
        }
        return "rtcdp: starting the streaming job"
                + (onFlink ? " on the Flink cluster" : " locally")
                + "; reads Kafka "
                + cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP)
                + " ("
                + reads
                + "; group "
                + cfg.get(RtcdpOptions.GROUP_ID)
                + "), parallelism "
                + parallelism
                + "; writes Redis "
                + RedisClients.endpoint(cfg.get(RtcdpOptions.REDIS_URL))
                + " (key prefix "
                + cfg.get(RtcdpOptions.KEY_PREFIX)
                + ") and Kafka topics"
                + writes.substring(1)
                + "; checkpoints every "
                + interval
                + " to "
                + checkpoints;
    }

    /**
     * Follows the local job: one line when it runs and its events source has partitions, one when
     * its first checkpoint completed; warnings for failed checkpoints and restarts (their causes
     * are in Flink's warnings before them). Returns when the job is running and assigned, or has
     * ended; a daemon thread keeps watching.
     */
    private static void watch(JobClient job, RtcdpConfig cfg, PrintStream out) throws Exception {
        String events = cfg.get(RtcdpOptions.EVENTS_TOPIC);
        // the Kafka source's metric groups name a topic with '_' for '.'
        String scope = "KafkaSourceReader.topic." + events.replace('.', '_') + ".partition.";
        while (true) {
            JobStatus s = job.getJobStatus().get();
            if (s.isGloballyTerminalState()) {
                return;
            }
            if (s == JobStatus.RUNNING && InJvmMetrics.registered("currentOffset", scope)) {
                break;
            }
            Thread.sleep(200);
        }
        say(
                out,
                "rtcdp: running (job "
                        + job.getJobID()
                        + "), consuming "
                        + events
                        + " from the committed offsets of group "
                        + cfg.get(RtcdpOptions.GROUP_ID)
                        + " (from the earliest where it has none)");
        Thread t =
                new Thread(
                        () -> {
                            try {
                                follow(job, out);
                            } catch (Exception e) {
                                // the job ended; its result is the command's
                            }
                        },
                        "rtcdp-run-watch");
        t.setDaemon(true);
        t.start();
    }

    private static void follow(JobClient job, PrintStream out) throws Exception {
        long completed = 0;
        long failed = 0;
        long restarts = 0;
        while (!job.getJobStatus().get().isGloballyTerminalState()) {
            long c = InJvmMetrics.sum("numberOfCompletedCheckpoints");
            long f = InJvmMetrics.sum("numberOfFailedCheckpoints");
            long r = InJvmMetrics.sum("numRestarts");
            if (completed == 0 && c > 0) {
                say(out, "rtcdp: first checkpoint completed");
            }
            if (f > failed) {
                LOG.warn(
                        "rtcdp: {} checkpoint(s) failed, {} in all (the cause: Flink's warning"
                                + " before this line)",
                        f - failed,
                        f);
            }
            if (r > restarts) {
                LOG.warn(
                        "rtcdp: the job restarted, {} time(s) in all (the cause: Flink's warning"
                                + " before this line)",
                        r);
            }
            completed = c;
            failed = f;
            restarts = r;
            Thread.sleep(Duration.ofSeconds(1).toMillis());
        }
    }

    /** A line to standard output and, at INFO, to the log. */
    private static void say(PrintStream out, String line) {
        out.println(line);
        out.flush();
        LOG.info(line);
    }

    /**
     * Creates the local run's directories that Flink's settings name as local paths (checkpoints,
     * RocksDB), readable by their owner only: they hold the profiles' state.
     */
    private static void makeStateDirectory(Configuration conf) throws IOException {
        for (String key :
                new String[] {"execution.checkpointing.dir", "state.backend.rocksdb.localdir"}) {
            String v = conf.getString(key, null);
            if (v == null) {
                continue;
            }
            Path p;
            if (v.startsWith("file:")) {
                p = Path.of(java.net.URI.create(v));
            } else if (!v.contains("://")) {
                p = Path.of(v);
            } else {
                continue;
            }
            if (!Files.isDirectory(p)) {
                Files.createDirectories(p);
            }
            try {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
                Path parent = p.getParent();
                if (parent != null && parent.endsWith(Environments.LIVE_STATE_DIR.getFileName())) {
                    Files.setPosixFilePermissions(
                            parent, PosixFilePermissions.fromString("rwx------"));
                }
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
        }
    }
}
