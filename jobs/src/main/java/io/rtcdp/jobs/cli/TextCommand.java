package io.rtcdp.jobs.cli;

import io.rtcdp.udf.text.LabelledText;
import io.rtcdp.udf.text.LabelledTexts;
import io.rtcdp.udf.text.TextClassifier;
import io.rtcdp.udf.text.TextEvaluation;
import io.rtcdp.udf.text.TextSignal;
import io.rtcdp.udf.text.TextTrainer;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rtcdp text}: the text classifier of {@code props.text} (docs/contract.md §1): train one
 * from a labelled file, evaluate one on a labelled file, classify a few texts.
 */
@Command(
        name = "text",
        mixinStandardHelpOptions = true,
        description =
                "The text classifier of props.text (intent and sentiment, English and Chinese):"
                        + " train, evaluate, classify. Labelled files are TSV with the header"
                        + " lang<TAB>intent<TAB>sentiment<TAB>text (data/text/README.md).",
        subcommands = {
            TextCommand.Train.class,
            TextCommand.Evaluate.class,
            TextCommand.Classify.class
        })
public final class TextCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** Reads a labelled file; null (after one line on stderr) when it cannot. */
    static List<LabelledText> labelled(CommandLine cl, Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<LabelledText> texts = LabelledTexts.read(r);
            if (texts.isEmpty()) {
                cl.getErr().println("rtcdp: no labelled texts in " + file);
                return null;
            }
            return texts;
        } catch (IOException | RuntimeException e) {
            cl.getErr().println("rtcdp: " + file + ": " + e.getMessage());
            return null;
        }
    }

    /** {@code --model}: a model JSON of {@code rtcdp text train}, else the shipped one. */
    static final class ModelOption {
        @Option(names = "--model", description = "Model JSON (rtcdp text train); default: shipped.")
        Path file;

        /** The model, or null (after one line on stderr) when unreadable. */
        TextClassifier load(CommandLine cl) {
            if (file == null) {
                return TextClassifier.builtIn();
            }
            try {
                return TextClassifier.fromJson(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                cl.getErr().println("rtcdp: text model " + file + ": " + e.getMessage());
                return null;
            }
        }
    }

    /** {@code rtcdp text train --input FILE --out MODEL}. */
    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description =
                    "Trains a classifier (intent and sentiment) from a labelled file and writes it"
                            + " as JSON. The same file gives the same model.")
    public static final class Train implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--input", required = true, description = "Labelled TSV file.")
        Path input;

        @Option(names = "--out", required = true, description = "Where to write the model JSON.")
        Path out;

        @Override
        public Integer call() throws IOException {
            CommandLine cl = spec.commandLine();
            List<LabelledText> texts = labelled(cl, input);
            if (texts == null) {
                return CommandLine.ExitCode.USAGE;
            }
            TextClassifier model = TextTrainer.train(texts);
            Files.writeString(out, model.toJson(), StandardCharsets.UTF_8);
            cl.getOut().printf("trained on %d texts of %s: %s%n", texts.size(), input, out);
            return CommandLine.ExitCode.OK;
        }
    }

    /** {@code rtcdp text evaluate --input FILE [--model MODEL]}. */
    @Command(
            name = "evaluate",
            mixinStandardHelpOptions = true,
            description =
                    "Evaluates a classifier (the shipped one unless --model) on a labelled file:"
                            + " intent macro-F1, sentiment accuracy, per language and per class.")
    public static final class Evaluate implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--input", required = true, description = "Labelled TSV file.")
        Path input;

        @CommandLine.Mixin ModelOption model;

        @Override
        public Integer call() {
            CommandLine cl = spec.commandLine();
            List<LabelledText> texts = labelled(cl, input);
            TextClassifier c = model.load(cl);
            if (texts == null || c == null) {
                return CommandLine.ExitCode.USAGE;
            }
            cl.getOut().print(TextEvaluation.of(c, texts).report());
            cl.getOut().flush();
            return CommandLine.ExitCode.OK;
        }
    }

    /** {@code rtcdp text classify [--model MODEL] TEXT...}. */
    @Command(
            name = "classify",
            mixinStandardHelpOptions = true,
            description = "Prints the intent and sentiment of each text, one line each.")
    public static final class Classify implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin ModelOption model;

        @Parameters(paramLabel = "TEXT", arity = "1..*", description = "Texts to classify.")
        List<String> texts;

        @Override
        public Integer call() {
            CommandLine cl = spec.commandLine();
            TextClassifier c = model.load(cl);
            if (c == null) {
                return CommandLine.ExitCode.USAGE;
            }
            for (String t : texts) {
                TextSignal s = c.classify(t);
                cl.getOut()
                        .printf(
                                Locale.ROOT,
                                "%s %.3f %s %+.3f%n",
                                s.intent().label(),
                                s.intentScore(),
                                s.sentiment().label(),
                                s.sentimentScore());
            }
            return CommandLine.ExitCode.OK;
        }
    }
}
