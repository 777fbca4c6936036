package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.Replay;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.jobs.WorkDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rtcdp replay}: the full pipeline over event files, then exit. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description =
                "Bounded run of the full pipeline over .jsonl/.jsonl.gz event files (history"
                        + " backfill); exits 0 when every write has reached Redis.")
public final class ReplayCommand implements Callable<Integer> {
    @Option(
            names = "--input",
            paramLabel = "FILE",
            required = true,
            arity = "1..*",
            description = "Event files (.jsonl or .jsonl.gz), or directories of them.")
    List<Path> inputs;

    @Option(
            names = "--dlq",
            paramLabel = "FILE",
            description = "Dead-letter file (default: <first input>.dlq.jsonl beside it).")
    Path dlq;

    @Option(
            names = "--conflicts",
            paramLabel = "FILE",
            description =
                    "Identity conflicts file (default: <first input>.conflicts.jsonl beside it).")
    Path conflicts;

    @Option(
            names = "--audit",
            paramLabel = "FILE",
            description =
                    "Audit records of the input's forgets, one JSON object per line, 0600"
                            + " (default: <first input>.audit.jsonl beside it).")
    Path audit;

    @Option(
            names = "--rules",
            paramLabel = "FILE",
            arity = "1..*",
            description = "Rule set files (YAML or JSON, docs/contract.md §6), checked first.")
    List<Path> rules = List.of();

    @Option(
            names = "--models",
            paramLabel = "DIR",
            description =
                    "Models directory: one model directory per model (purchase/, churn/), as"
                            + " `rtcdp train --out` writes them; used for every tenant.")
    Path models;

    @Option(
            names = "--triggers",
            paramLabel = "FILE",
            description =
                    "Also write the triggers to this file, one JSON object per line (they always"
                            + " go to the tenants' Redis streams).")
    Path triggers;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "2",
            description = "Parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "Checkpoint interval in seconds (default: ${DEFAULT-VALUE}).")
    int checkpointSeconds;

    @Option(
            names = "--refresh-interval",
            paramLabel = "DURATION",
            description =
                    "Refresh idle profiles at most once per this much event time during the run,"
                            + " or `end`: only when the input ends, when every profile is brought"
                            + " to the end of the data (default: end; with --savepoint, the live"
                            + " job's profile.refresh-interval).")
    String refreshInterval;

    @Option(
            names = "--until",
            paramLabel = "TIME",
            description =
                    "Read no event after TIME ("
                            + io.rtcdp.udf.time.Times.TIME_FORMS
                            + "; later ones are left out and counted) and bring every profile to"
                            + " TIME when the input ends: values and scores as of TIME, e.g. a"
                            + " cutoff `rtcdp evaluate` scores at. Not with --savepoint.")
    String until;

    @Option(
            names = "--savepoint",
            paramLabel = "DIR",
            description =
                    "End with a savepoint of the whole job in DIR, taken once every event was"
                            + " read, for `rtcdp run --from-savepoint` (or `flink run -s`) to go"
                            + " on from: history, then live. Profiles refresh as the live job"
                            + " refreshes them. The run's secrets must be the live job's.")
    Path savepointDir;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description =
                    "Where the run makes its work directory (RocksDB files, checkpoints; default:"
                            + " the system's temporary directory).")
    Path workParent;

    @Option(
            names = "--keep-work-dir",
            description =
                    "Keep the work directory after the run. By default it is deleted when the"
                            + " run ends, whether it succeeded or failed: it holds the profiles'"
                            + " state.")
    boolean keepWorkDir;

    @Mixin CommonOptions common;

    @Mixin MetricsOptions metrics;

    @Override
    public Integer call() throws Exception {
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .parser(common.parserConfig())
                        .set(RtcdpOptions.REDIS_URL, common.redisUrl)
                        .set(RtcdpOptions.KEY_PREFIX, common.keyPrefix)
                        .set(
                                RtcdpOptions.RULES_FILES,
                                String.join(",", rules.stream().map(Path::toString).toList()))
                        .set(RtcdpOptions.MODELS_DIR, models == null ? null : models.toString())
                        .set(RtcdpOptions.PARALLELISM, parallelism)
                        .set(
                                RtcdpOptions.CHECKPOINT_INTERVAL,
                                java.time.Duration.ofSeconds(checkpointSeconds))
                        .set(RtcdpOptions.PROFILE_REFRESH_INTERVAL, refreshInterval())
                        .set(RtcdpOptions.REPLAY_UNTIL, until)
                        .set(RtcdpOptions.METRICS_PORT, metrics.port(0))
                        .build();
        Path dead = dlq != null ? dlq : Path.of(inputs.get(0).toString() + ".dlq.jsonl");
        Path work = WorkDirectory.create(workParent, "replay");
        Path conf =
                conflicts != null
                        ? conflicts
                        : Path.of(inputs.get(0).toString() + ".conflicts.jsonl");
        Replay.Summary s;
        try {
            Path auditFile =
                    audit != null ? audit : Path.of(inputs.get(0).toString() + ".audit.jsonl");
            s =
                    Replay.run(
                            cfg,
                            inputs,
                            dead,
                            conf,
                            triggers,
                            auditFile,
                            work,
                            savepointDir,
                            new Configuration());
        } finally {
            if (keepWorkDir) {
                System.err.println("rtcdp: work directory kept: " + work);
            } else {
                WorkDirectory.delete(work);
            }
        }
        // after the run, so that a bad argument is the only line it prints
        if (cfg.parser().usesDevSecret()) {
            System.err.println(
                    "rtcdp: warning: PII ids are hashed with the public development secret (no"
                            + " default-secret in --config, RTCDP_DEFAULT_SECRET or"
                            + " --tenant-secret): anyone can recompute them from a list of phone"
                            + " numbers or e-mails");
        }
        common.secrets.warnIfOnCommandLine(System.err);
        if (s.detachedJobId() != null) {
            System.out.printf(
                    "submitted replay job %s (detached): it goes on in the cluster%n",
                    s.detachedJobId());
            return 0;
        }
        System.out.printf(
                "replayed %d valid events (%d invalid → %s, %d duplicates dropped) into %d"
                        + " profiles in %.1f s (%.0f events/s)%n",
                s.valid(),
                s.invalid(),
                dead,
                s.duplicates(),
                s.profiles(),
                s.millis() / 1000.0,
                (s.valid() + s.invalid()) * 1000.0 / Math.max(1, s.millis()));
        if (s.savepoint() != null) {
            System.out.printf(
                    "savepoint: %s%n  go on live with: rtcdp run --from-savepoint %s --config"
                            + " FILE%n",
                    s.savepoint(), s.savepoint());
        }
        return 0;
    }

    private java.time.Duration refreshInterval() {
        if (refreshInterval == null) {
            return savepointDir == null
                    ? Replay.REFRESH_AT_END
                    : RtcdpOptions.PROFILE_REFRESH_INTERVAL.defaultValue();
        }
        return refreshInterval.equals("end")
                ? Replay.REFRESH_AT_END
                : RtcdpOptions.duration(refreshInterval);
    }
}
