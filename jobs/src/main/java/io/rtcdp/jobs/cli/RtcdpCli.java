package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.Environments;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rtcdp} launcher: one command line, many subcommands (docs/contract.md §8). */
@Command(
        name = "rtcdp",
        mixinStandardHelpOptions = true,
        version = "rtcdp 0.1.0",
        description = "Real-time Customer Data Platform on Apache Flink.",
        subcommands = {
            DemoCommand.class,
            ReplayCommand.class,
            RunCommand.class,
            ProfileCommand.class,
            RulesCommand.class,
            ImportRetailCommand.class,
            GenerateCommand.class,
            BenchCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            CommandLine.HelpCommand.class
        })
public final class RtcdpCli implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        int code = execute(args);
        if (Environments.isUserProgramOfFlink()) {
            // Under `flink run`, a REST jar run or application mode, main runs inside Flink's
            // process (the JobManager, for the latter two): System.exit would end that process.
            if (code != 0) {
                throw new IllegalStateException(
                        "rtcdp " + String.join(" ", args) + ": exit code " + code);
            }
            return;
        }
        System.exit(code);
    }

    /** Runs the command line and returns its exit code: 0 ok, 1 failure, 2 bad usage or config. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new RtcdpCli());
        cl.setExecutionExceptionHandler(
                (ex, cmd, parseResult) -> {
                    if (ex instanceof IllegalArgumentException) {
                        cmd.getErr().println("rtcdp: " + ex.getMessage());
                        return CommandLine.ExitCode.USAGE;
                    }
                    throw ex;
                });
        cl.setParameterExceptionHandler(
                (ex, a) -> {
                    CommandLine c = ex.getCommandLine();
                    c.getErr().println("rtcdp: " + ex.getMessage() + " (see: " + helpHint(c) + ")");
                    return CommandLine.ExitCode.USAGE;
                });
        return cl.execute(args);
    }

    private static String helpHint(CommandLine c) {
        return c.getCommandSpec().qualifiedName() + " --help";
    }
}
