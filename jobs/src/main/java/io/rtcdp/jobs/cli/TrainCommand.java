package io.rtcdp.jobs.cli;

import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.ml.Backtest;
import io.rtcdp.udf.ml.History;
import io.rtcdp.udf.ml.LabelSpec;
import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.ModelIo;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.time.Times;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rtcdp train}: a model directory (docs/models.md) from event history, offline. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Fits a purchase or churn model on event history, offline: weekly snapshots of"
                        + " every person's profile features whose label horizon ends by --until.")
public final class TrainCommand implements Callable<Integer> {
    @Option(
            names = "--input",
            required = true,
            arity = "1..*",
            paramLabel = "FILE",
            description = "Event files, .jsonl or .jsonl.gz.")
    List<Path> inputs;

    @Option(
            names = "--until",
            required = true,
            paramLabel = "TIME",
            description = "Use no event after this time: " + Times.TIME_FORMS + ".")
    String until;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "NAME",
            description = "purchase or churn.")
    String model;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Model directory to write.")
    Path out;

    @Option(
            names = "--inputs",
            paramLabel = "SET",
            description =
                    "Model inputs: extended (default: the RFM-style inputs, 180- and 365-day"
                            + " windows, last year's next 90 days and BG/NBD's P(alive) and"
                            + " purchase probability, its parameters fitted at --until) or rfm"
                            + " (the RFM-style inputs only).")
    ModelInputs inputSet = ModelInputs.extended;

    @Option(
            names = "--no-calibration",
            description =
                    "Write no order calendar: the model serves its own probabilities, not"
                            + " seasonally calibrated ones (docs/models.md).")
    boolean noCalibration;

    @Option(
            names = "--model-version",
            paramLabel = "N",
            description = "Model version (default: --until in epoch seconds).")
    Long version;

    @Override
    public Integer call() throws Exception {
        long untilMs = Times.parseTime(until);
        LabelSpec.Kind.of(model);
        if (version != null && version < 0) {
            throw new IllegalArgumentException("--model-version must be ≥ 0, got " + version);
        }
        for (Path in : inputs) {
            if (!Files.isReadable(in)) {
                throw new IllegalArgumentException("cannot read --input " + in);
            }
        }
        long start = System.nanoTime();
        History h = History.read(inputs, new EventParser(ParserConfig.defaults()));
        ModelSpec spec = inputSet.spec(model);
        Backtest.Config config = Backtest.Config.defaults();
        Backtest.Pass pass = Backtest.stream(h, List.of(spec), untilMs, config).get(0);
        if (pass.spec.usesBgNbd() && pass.spec.bgNbd() == null) {
            throw new IllegalArgumentException(
                    "no customer has a repeat purchase by --until: BG/NBD's parameters cannot be"
                            + " fitted for the extended inputs; use --inputs rfm");
        }
        if (!noCalibration) {
            pass.spec = pass.spec.withCalendar(h.calendar(untilMs));
        }
        long v = version != null ? version : Math.floorDiv(untilMs, 1000);
        LogisticModel m = Backtest.trainBatch(pass, v, untilMs, config);
        ModelIo.write(m, out);
        System.out.printf(
                "%s model v%d: %d events (%d invalid skipped), %d persons, %.0f snapshots (%.0f"
                        + " positive), in-sample AUC %.4f; written to %s in %.1f s%n",
                model,
                v,
                h.events().size(),
                h.invalid(),
                h.persons(),
                m.metrics().get("train_samples"),
                m.metrics().get("train_positives"),
                m.metrics().get("train_auc"),
                out,
                (System.nanoTime() - start) / 1e9);
        if (m.spec().calendar() != null) {
            System.out.println(m.spec().calendar().describe(m.spec().label().horizonDays()));
        }
        return 0;
    }
}
