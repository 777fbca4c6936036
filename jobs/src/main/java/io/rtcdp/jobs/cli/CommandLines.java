package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.Environments;
import picocli.CommandLine;

/**
 * How both entry points, the {@code rtcdp} tool ({@link RtcdpCli}) and the cluster job jar ({@link
 * JobCli}), run a command line: the same error lines and exit codes, 0 ok, 1 failure, 2 bad usage
 * or configuration (one line on stderr).
 */
final class CommandLines {
    private CommandLines() {}

    /** A top command: it runs only through one of its subcommands. */
    abstract static class Top implements Runnable {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
        }
    }

    /** Runs the command line of the given top command and returns its exit code. */
    static int execute(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
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

    /**
     * Ends the program with the exit code; inside Flink's process (a cluster running the jar) it
     * returns, or throws for a failure, instead of ending that process.
     */
    static void exit(int code, String... args) {
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

    private static String helpHint(CommandLine c) {
        return c.getCommandSpec().qualifiedName() + " --help";
    }
}
