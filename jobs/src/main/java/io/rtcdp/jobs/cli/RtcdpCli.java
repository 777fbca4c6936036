package io.rtcdp.jobs.cli;

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
            TextCommand.class,
            EvaluateCommand.class,
            RedisAclCommand.class,
            IdsCommand.class,
            SecretsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class RtcdpCli extends CommandLines.Top {
    public static void main(String[] args) {
        CommandLines.exit(execute(args), args);
    }

    /** Runs the command line and returns its exit code: 0 ok, 1 failure, 2 bad usage or config. */
    public static int execute(String... args) {
        return CommandLines.execute(new RtcdpCli(), args);
    }
}
