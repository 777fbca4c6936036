package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.Environments;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.jobs.SavepointCheck;
import io.rtcdp.jobs.Streaming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
    @Mixin SettingsOptions settings;

    @Mixin MetricsOptions metrics;

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
        for (Path p : history) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("--history: not readable: " + p);
            }
        }
        settings.warnIfSecretsOnCommandLine(System.err);
        Configuration conf = Environments.jobConfiguration(cfg, flink);
        int port = metrics.port(cfg.get(RtcdpOptions.METRICS_PORT));
        // under `flink run` the cluster's reporters apply; its job configuration cannot add one
        if (port > 0 && !Environments.isUserProgramOfFlink()) {
            Environments.enablePrometheus(conf, port);
        }
        if (fromSavepoint != null) {
            if (Environments.isUserProgramOfFlink()) {
                throw new IllegalArgumentException(
                        "--from-savepoint is for a local run; under `flink run`, give the savepoint"
                                + " with -s PATH (and --allowNonRestoredState only for a replay's"
                                + " savepoint, docs/operations.md)");
            }
            SavepointCheck.restoreFrom(fromSavepoint, conf, e -> Streaming.build(cfg, e, history));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env, history);
        env.execute("rtcdp");
        return 0;
    }
}
