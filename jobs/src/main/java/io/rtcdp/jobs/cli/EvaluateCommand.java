package io.rtcdp.jobs.cli;

import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.ml.Backtest;
import io.rtcdp.udf.ml.BgNbd;
import io.rtcdp.udf.ml.History;
import io.rtcdp.udf.ml.Metrics;
import io.rtcdp.udf.time.Times;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rtcdp evaluate}: model quality at a cutoff against what happened after it. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description =
                "Trains on history before --cutoff (online FTRL as the live job learns, batch LR,"
                        + " recency-only LR, BG/NBD) and scores every person seen by then against what"
                        + " happened after it: AUC, log-loss, ECE (10 bins), top-decile lift.")
public final class EvaluateCommand implements Callable<Integer> {
    @Option(
            names = "--input",
            required = true,
            arity = "1..*",
            paramLabel = "FILE",
            description = "Event files, .jsonl or .jsonl.gz.")
    List<Path> inputs;

    @Option(
            names = "--cutoff",
            required = true,
            paramLabel = "TIME",
            description = "Scoring time: " + Times.TIME_FORMS + ".")
    String cutoff;

    @Option(
            names = "--inputs",
            paramLabel = "SET",
            description =
                    "Inputs of the online and batch models: extended (default) or rfm (as"
                            + " rtcdp train --inputs).")
    ModelInputs inputSet = ModelInputs.extended;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "Also write the online models at the cutoff as a models directory (one"
                            + " sub-directory per model, as rtcdp train --out writes one), for"
                            + " replay --models or models.dir.")
    Path out;

    @Override
    public Integer call() throws Exception {
        long cutoffMs = Times.parseTime(cutoff);
        for (Path in : inputs) {
            if (!Files.isReadable(in)) {
                throw new IllegalArgumentException("cannot read --input " + in);
            }
        }
        long start = System.nanoTime();
        History h = History.read(inputs, new EventParser(ParserConfig.defaults()));
        List<Backtest.Evaluation> results =
                Backtest.evaluate(
                        h,
                        List.of(inputSet.spec("purchase"), inputSet.spec("churn")),
                        cutoffMs,
                        Backtest.Config.defaults());
        print(System.out, cutoffMs, results);
        if (out != null) {
            for (Backtest.Evaluation e : results) {
                Path dir = out.resolve(e.spec().name());
                io.rtcdp.udf.ml.ModelIo.write(e.onlineModel(), dir);
                System.out.printf(
                        "wrote the online %s model (version %d) to %s%n",
                        e.spec().name(), e.onlineModel().version(), dir);
            }
        }
        System.out.printf(
                "%d events (%d invalid skipped), %.1f s%n",
                h.events().size(), h.invalid(), (System.nanoTime() - start) / 1e9);
        return 0;
    }

    static void print(PrintStream out, long cutoffMs, List<Backtest.Evaluation> results) {
        out.printf("cutoff %s%n", Instant.ofEpochMilli(cutoffMs));
        out.printf(
                "%-13s %-9s %7s %9s %8s %7s %7s %8s%n",
                "label", "model", "persons", "positives", "AUC", "logloss", "ECE", "lift@10%");
        for (Backtest.Evaluation e : results) {
            String label = e.spec().name() + " " + e.spec().label().horizonDays() + "d";
            row(out, label, "online", e.online());
            row(out, label, "online/u", e.onlineUncalibrated());
            row(out, label, "batch", e.batch());
            row(out, label, "recency", e.recency());
            row(out, label, "bg/nbd", e.bgNbd());
        }
        if (!results.isEmpty()) {
            BgNbd.Params p = results.get(0).bgNbdParams();
            out.printf(
                    Locale.ROOT,
                    "bg/nbd: r=%.4f alpha=%.4f days, a=%.4f, b=%.4f (fitted to the purchases up to"
                            + " the cutoff)%n",
                    p.r(),
                    p.alpha(),
                    p.a(),
                    p.b());
            out.printf(
                    "online and batch: as served, seasonally calibrated by the orders per day up"
                            + " to the cutoff (docs/models.md); online/u: the online model's own"
                            + " probabilities%n");
        }
    }

    private static void row(PrintStream out, String label, String model, Metrics.Report r) {
        out.printf(
                Locale.ROOT,
                "%-13s %-9s %7d %9d %8.4f %7.4f %7.4f %8.2f%n",
                label,
                model,
                r.count(),
                r.positives(),
                r.auc(),
                r.logLoss(),
                r.ece(),
                r.lift());
    }
}
