package io.rtcdp.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The entry point of the cluster job jar ({@code rtcdp-job.jar}): only the commands that submit a
 * Flink job to the cluster the jar runs on, the streaming job ({@code run}) and the history
 * backfill ({@code replay}). The local tools (demo, bench, generate, ...) are in the {@code rtcdp}
 * tool jar, {@link RtcdpCli}, with the in-JVM Kafka and Redis they use; the cluster jar has
 * neither. The same arguments, exit codes and error lines as {@code rtcdp}.
 */
@Command(
        name = "rtcdp-job",
        mixinStandardHelpOptions = true,
        version = "rtcdp 0.1.0",
        description = "rtcdp's Flink jobs, for a Flink cluster (flink run, application mode).",
        subcommands = {RunCommand.class, ReplayCommand.class, CommandLine.HelpCommand.class})
public final class JobCli extends CommandLines.Top {
    public static void main(String[] args) {
        try {
            Class.forName("org.apache.flink.configuration.Configuration");
        } catch (ClassNotFoundException e) {
            // Flink is the cluster's: this jar leaves it out
            System.err.println(
                    "rtcdp-job: no Flink on the classpath: this jar runs on a Flink cluster (flink"
                            + " run, application mode); for local runs use the rtcdp tool"
                            + " (jobs/target/rtcdp.jar, ./rtcdp)");
            System.exit(2);
        }
        CommandLines.exit(CommandLines.execute(new JobCli(), args), args);
    }
}
