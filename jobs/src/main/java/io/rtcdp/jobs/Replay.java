package io.rtcdp.jobs;

import io.rtcdp.operators.Counters;
import io.rtcdp.operators.ingest.EventFileFormat;
import io.rtcdp.operators.sink.JsonLinesFileSink;
import io.rtcdp.operators.sink.RedisProfileSink;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.identity.Conflict;
import io.rtcdp.udf.identity.ConflictJson;
import java.nio.file.Files;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.execution.DetachedJobExecutionResult;
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
            String detachedJobId) {}

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
        // rules and models read (and checked) before any output file is touched
        RtcdpJob.Builder job =
                RtcdpJob.builder(cfg)
                        .ruleSetFiles(cfg.rulesFiles())
                        .modelsDir(cfg.get(RtcdpOptions.MODELS_DIR));
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

        Path[] paths =
                inputs.stream().map(p -> new Path(p.toAbsolutePath().toUri())).toArray(Path[]::new);
        FileSource<io.rtcdp.udf.event.Parsed> source =
                FileSource.forBulkFileFormat(new EventFileFormat(cfg.parser()), paths).build();
        job.eventsSource(source)
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
        long start = System.nanoTime();
        JobExecutionResult r = env.execute("rtcdp replay");
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (r instanceof DetachedJobExecutionResult) {
            return new Summary(0, 0, 0, 0, 0, millis, r.getJobID().toString());
        }
        return new Summary(
                counter(r, Counters.VALID),
                counter(r, Counters.INVALID),
                counter(r, Counters.DUPLICATES),
                counter(r, Counters.COUNTED),
                counter(r, Counters.PROFILES),
                millis,
                null);
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
