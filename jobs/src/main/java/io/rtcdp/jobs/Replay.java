package io.rtcdp.jobs;

import io.rtcdp.operators.Counters;
import io.rtcdp.operators.ingest.EventFileFormat;
import io.rtcdp.operators.ingest.HeldOpenSource;
import io.rtcdp.operators.sink.JsonLinesFileSink;
import io.rtcdp.operators.sink.RedisProfileSink;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.identity.Conflict;
import io.rtcdp.udf.identity.ConflictJson;
import java.nio.file.Files;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.execution.DetachedJobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A bounded run of the full pipeline over event files (history backfill): returns once every write
 * has reached Redis.
 */
public final class Replay {
    /**
     * A replay refreshes idle profiles' windows only at the end of the input, when every profile
     * with a pending change is brought to the end of the data: a backfill moves through days of
     * event time per second, and refreshing as a live job does would only rewrite profiles nobody
     * reads yet. (A refresh interval this long puts each profile's one timer at the end of time.)
     */
    public static final java.time.Duration REFRESH_AT_END =
            java.time.Duration.ofMillis(Long.MAX_VALUE);

    private Replay() {}

    /**
     * Result counts of a replay. {@code detachedJobId} is set (and the counts are 0) when the job
     * was submitted to a cluster in detached mode (a jar run through the REST API): the replay then
     * goes on in the cluster after this returns.
     */
    public record Summary(
            long valid,
            long invalid,
            long duplicates,
            long counted,
            long profiles,
            long millis,
            String detachedJobId,
            String savepoint) {}

    /**
     * Runs the replay on a local MiniCluster and waits for it to finish; as a program that Flink
     * loaded ({@link Environments#isUserProgramOfFlink()}), it runs on that cluster with the
     * cluster's settings, and waits unless the submission is detached.
     *
     * @param flinkOverrides extra Flink settings (tests use it for restart strategies)
     */
    public static Summary run(
            RtcdpConfig cfg,
            List<java.nio.file.Path> inputs,
            java.nio.file.Path deadLetterFile,
            java.nio.file.Path conflictFile,
            java.nio.file.Path workDir,
            Configuration flinkOverrides)
            throws Exception {
        return run(cfg, inputs, deadLetterFile, conflictFile, null, workDir, flinkOverrides);
    }

    /**
     * As above, also writing every trigger to {@code triggerFile} (one JSON object per line) when
     * it is not null. Triggers always go to the tenants' Redis streams.
     */
    public static Summary run(
            RtcdpConfig cfg,
            List<java.nio.file.Path> inputs,
            java.nio.file.Path deadLetterFile,
            java.nio.file.Path conflictFile,
            java.nio.file.Path triggerFile,
            java.nio.file.Path workDir,
            Configuration flinkOverrides)
            throws Exception {
        return run(
                cfg,
                inputs,
                deadLetterFile,
                conflictFile,
                triggerFile,
                java.nio.file.Path.of(inputs.get(0).toString() + ".audit.jsonl"),
                workDir,
                flinkOverrides);
    }

    /** As above, writing the audit records of the input's forgets to {@code auditFile} (0600). */
    public static Summary run(
            RtcdpConfig cfg,
            List<java.nio.file.Path> inputs,
            java.nio.file.Path deadLetterFile,
            java.nio.file.Path conflictFile,
            java.nio.file.Path triggerFile,
            java.nio.file.Path auditFile,
            java.nio.file.Path workDir,
            Configuration flinkOverrides)
            throws Exception {
        return run(
                cfg,
                inputs,
                deadLetterFile,
                conflictFile,
                triggerFile,
                auditFile,
                workDir,
                null,
                flinkOverrides);
    }

    /**
     * As above; with a {@code savepointDir}, the run ends with a savepoint of the whole job in that
     * directory, taken once every event of the input has been read, for a streaming job to go on
     * from ({@code rtcdp run --from-savepoint}). The input is then held open rather than finished
     * ({@link HeldOpenSource}): the end of a bounded input would fire every event-time timer and
     * end the job, so profiles are refreshed as the live job refreshes them, never "at the end"
     * ({@link #REFRESH_AT_END} is refused). Local runs only: the replay waits for the end of the
     * input in its own JVM.
     */
    public static Summary run(
            RtcdpConfig cfg,
            List<java.nio.file.Path> inputs,
            java.nio.file.Path deadLetterFile,
            java.nio.file.Path conflictFile,
            java.nio.file.Path triggerFile,
            java.nio.file.Path auditFile,
            java.nio.file.Path workDir,
            java.nio.file.Path savepointDir,
            Configuration flinkOverrides)
            throws Exception {
        if (savepointDir != null) {
            if (Environments.isUserProgramOfFlink()) {
                throw new IllegalArgumentException(
                        "replay --savepoint runs locally only; on a cluster, stop the job with a"
                                + " savepoint (flink stop --savepointPath DIR)");
            }
            if (cfg.get(RtcdpOptions.PROFILE_REFRESH_INTERVAL).equals(REFRESH_AT_END)) {
                throw new IllegalArgumentException(
                        "replay --savepoint refreshes profiles as the live job does: give"
                                + " --refresh-interval a duration, not `end`");
            }
        }
        String until = cfg.get(RtcdpOptions.REPLAY_UNTIL);
        if (until != null && savepointDir != null) {
            throw new IllegalArgumentException(
                    "replay --until brings the profiles to a time the live job would not go on"
                            + " from: not with --savepoint");
        }
        // rules and models read (and checked) before any output file is touched
        RtcdpJob.Builder job =
                RtcdpJob.builder(cfg)
                        .ruleSetFiles(cfg.rulesFiles())
                        .modelsDir(cfg.get(RtcdpOptions.MODELS_DIR));
        if (until != null) {
            job.until(io.rtcdp.udf.time.Times.parseTime(until));
        }
        for (java.nio.file.Path in : inputs) {
            if (!Files.isReadable(in)) {
                throw new IllegalArgumentException("input file not readable: " + in);
            }
        }
        Files.deleteIfExists(deadLetterFile);
        Files.deleteIfExists(conflictFile);
        Files.deleteIfExists(auditFile);
        if (triggerFile != null) {
            Files.deleteIfExists(triggerFile);
        }
        Configuration conf =
                Environments.isUserProgramOfFlink()
                        ? Environments.jobConfiguration(cfg, Environments.flinkConfiguration())
                        : Environments.localConfiguration(cfg, workDir);
        conf.addAll(flinkOverrides);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

        String runId = java.util.UUID.randomUUID().toString();
        addTo(
                env,
                job,
                inputs,
                deadLetterFile,
                conflictFile,
                triggerFile,
                auditFile,
                savepointDir == null ? null : runId);
        long start = System.nanoTime();
        JobExecutionResult r;
        String savepoint = null;
        if (savepointDir == null) {
            r = env.execute("rtcdp replay");
        } else {
            try {
                Files.createDirectories(savepointDir);
                JobClient client = env.executeAsync("rtcdp replay");
                HeldOpenSource.Progress progress = HeldOpenSource.progress(runId);
                int parallelism = env.getParallelism();
                int starts = awaitEndOfInput(client, progress, parallelism);
                savepoint =
                        client.stopWithSavepoint(
                                        false,
                                        savepointDir.toAbsolutePath().toUri().toString(),
                                        SavepointFormatType.CANONICAL)
                                .get();
                r = client.getJobExecutionResult().get();
                if (progress.starts() != starts) {
                    // a reader started again (a restart from a checkpoint) after every reader had
                    // reported the end: the savepoint may have been taken before it re-read all
                    throw new IllegalStateException(
                            "the replay restarted while its savepoint was taken; "
                                    + savepoint
                                    + " may lack part of the input: run the replay again");
                }
            } finally {
                HeldOpenSource.forget(runId);
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (r instanceof DetachedJobExecutionResult) {
            return new Summary(0, 0, 0, 0, 0, millis, r.getJobID().toString(), null);
        }
        return new Summary(
                counter(r, Counters.VALID),
                counter(r, Counters.INVALID),
                counter(r, Counters.DUPLICATES),
                counter(r, Counters.COUNTED),
                counter(r, Counters.PROFILES),
                millis,
                null,
                savepoint);
    }

    /**
     * Adds the replay's job to {@code env}: {@code job} (its rules and models given) with the files
     * as its source and sinks. With a {@code heldOpenRunId}, the input is held open at its end
     * ({@link HeldOpenSource}) under that run id.
     */
    static void addTo(
            StreamExecutionEnvironment env,
            RtcdpJob.Builder job,
            List<java.nio.file.Path> inputs,
            java.nio.file.Path deadLetterFile,
            java.nio.file.Path conflictFile,
            java.nio.file.Path triggerFile,
            java.nio.file.Path auditFile,
            String heldOpenRunId) {
        RtcdpConfig cfg = job.config();
        Path[] paths =
                inputs.stream().map(p -> new Path(p.toAbsolutePath().toUri())).toArray(Path[]::new);
        FileSource<io.rtcdp.udf.event.Parsed> source =
                FileSource.forBulkFileFormat(new EventFileFormat(cfg.parser()), paths).build();
        if (heldOpenRunId != null) {
            // a start-up source that finishes as the savepoint is taken would fail it
            job.holdStartUpControlOpen();
        }
        job.historySource(
                        heldOpenRunId == null
                                ? source
                                : new HeldOpenSource<>(source, heldOpenRunId))
                .profileSink(redisSink(cfg))
                .idKeySink(redisSink(cfg))
                .deadLetterSink(
                        new JsonLinesFileSink<DeadLetter>(deadLetterFile, DeadLetter::toJson))
                .conflictSink(new JsonLinesFileSink<Conflict>(conflictFile, ConflictJson::toJson))
                .auditOutput(io.rtcdp.operators.sink.AuditOutput.file(auditFile.toAbsolutePath()))
                .singleFileWriters();
        if (triggerFile != null) {
            job.triggerSink(
                    new JsonLinesFileSink<io.rtcdp.udf.rules.Trigger>(
                            triggerFile, io.rtcdp.udf.rules.Trigger::toJson));
        }
        job.build().addTo(env);
    }

    /**
     * Waits until every reader of the held-open input reached its end and saw a checkpoint complete
     * after it ({@link HeldOpenSource.Progress#allSettled}: a stop-with-savepoint that meets a task
     * as it finishes fails the job), and returns the readers' starts then; fails with the job's
     * failure if it ends first.
     */
    private static int awaitEndOfInput(
            JobClient client, HeldOpenSource.Progress progress, int parallelism) throws Exception {
        while (true) {
            int starts = progress.starts();
            if (progress.allSettled(parallelism)) {
                return starts;
            }
            JobStatus status = client.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                client.getJobExecutionResult().get(); // throws the job's failure
                throw new IllegalStateException("the replay ended before its input: " + status);
            }
            Thread.sleep(50);
        }
    }

    public static RedisProfileSink redisSink(RtcdpConfig cfg) {
        return RedisProfileSink.builder()
                .redisUrl(cfg.get(RtcdpOptions.REDIS_URL))
                .keyPrefix(cfg.get(RtcdpOptions.KEY_PREFIX))
                .flushInterval(cfg.get(RtcdpOptions.REDIS_FLUSH_INTERVAL))
                .maxBufferedProfiles(cfg.get(RtcdpOptions.REDIS_MAX_BUFFERED_PROFILES))
                .build();
    }

    private static long counter(JobExecutionResult r, String name) {
        Object v = r.getAllAccumulatorResults().get(name);
        return v instanceof Number n ? n.longValue() : 0L;
    }
}
