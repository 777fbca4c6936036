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
public final class JobCli implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        CommandLines.exit(execute(args), args);
    }

    /** Runs the command line and returns its exit code, as {@link RtcdpCli#execute} does. */
    public static int execute(String... args) {
        return CommandLines.execute(new JobCli(), args);
    }
}
