package io.rtcdp.jobs.cli;

import io.rtcdp.udf.rules.CompiledRules;
import io.rtcdp.udf.rules.RuleSetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rtcdp rules}: rule set tools. */
@Command(
        name = "rules",
        mixinStandardHelpOptions = true,
        description = "Rule set tools (tags, segments, triggers; see docs/rules.md).",
        subcommands = {RulesCommand.Validate.class})
public final class RulesCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** {@code rtcdp rules validate FILE}: compiles a rule set; exit 0 if valid, else 2. */
    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description =
                    "Parses and compiles a YAML or JSON rule set. Exit 0 with a summary if it is"
                            + " valid, 2 with one line per problem otherwise.")
    public static final class Validate implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "Rule set file (.yaml, .yml or .json).")
        Path file;

        @Override
        public Integer call() {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                spec.commandLine()
                        .getErr()
                        .println("rtcdp: rule set file not readable: " + file + " (" + e + ")");
                return CommandLine.ExitCode.USAGE;
            }
            try {
                CompiledRules c = CompiledRules.compile(text);
                var rs = c.ruleSet();
                long eventDriven = 0;
                for (int i = 0; i < rs.triggers().size(); i++) {
                    eventDriven += c.isEventDriven(i) ? 1 : 0;
                }
                spec.commandLine()
                        .getOut()
                        .printf(
                                "%s: valid, tenant %s version %d: %d tags, %d segments, %d"
                                        + " triggers (%d event-driven)%n",
                                file,
                                rs.tenant(),
                                rs.version(),
                                rs.tags().size(),
                                rs.segments().size(),
                                rs.triggers().size(),
                                eventDriven);
                return CommandLine.ExitCode.OK;
            } catch (RuleSetException e) {
                for (String p : e.problems()) {
                    spec.commandLine().getErr().println(file + ": " + p);
                }
                return CommandLine.ExitCode.USAGE;
            }
        }
    }
}
