package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.ConfigFile;
import io.rtcdp.jobs.Environments;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.Streaming;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
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
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "A properties file of settings (see README, Configuration).")
    Path config;

    @Mixin MetricsOptions metrics;

    @Override
    public Integer call() throws Exception {
        RtcdpConfig cfg = config == null ? ConfigFile.defaults() : ConfigFile.load(config);
        Configuration conf = Environments.jobConfiguration(cfg);
        int port = metrics.port(cfg.metricsPort());
        // under `flink run` the cluster's reporters apply; its job configuration cannot add one
        if (port > 0 && !Environments.isUserProgramOfFlink()) {
            Environments.enablePrometheus(conf, port);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Streaming.build(cfg, env);
        env.execute("rtcdp");
        return 0;
    }
}
