package io.rtcdp.udf.ml;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.profile.ProfileFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Offline training and evaluation over a {@link History}, computing features exactly as the live
 * pipeline does: a {@link ProfileFeatures} per person, fed the person's events in time order and
 * advanced to each snapshot time, rendered and turned into vectors by the model's {@link
 * FeatureVectorBuilder}.
 *
 * <p>Snapshots are taken on an event-time grid (multiples of {@link Config#snapshotInterval()}
 * since the epoch) for every person seen so far, and labelled by a {@link SnapshotLabeler} per
 * person once {@code t + horizon} is reached: what a live job with a per-profile timer on the same
 * grid would learn from, in the same order (by label time). Nothing after {@code until} is used,
 * neither as a feature nor as a label.
 *
 * <p>Models with BG/NBD inputs ({@link ModelSpec#usesBgNbd}) get BG/NBD's parameters fitted to the
 * purchases up to the snapshot time, refitted every {@link #BG_NBD_REFIT} of event time (as a live
 * job would refit them periodically), and at the end time for the vectors there; the passes' specs
 * carry the parameters of the end time, with which their models are served.
 */
public final class Backtest {
    public static final long DAY = LabelSpec.DAY_MILLIS;

    /** How often BG/NBD's parameters are refitted while streaming (event time). */
    public static final long BG_NBD_REFIT = 28 * DAY;

    /**
     * @param snapshotInterval grid step of snapshot times (ms)
     * @param ftrl online trainer parameters
     * @param warmup samples whose Welford stats fix the online standardisation
     * @param batchL2 ridge penalty of the batch trainer
     */
    public record Config(
            long snapshotInterval, FtrlTrainer.Params ftrl, int warmup, double batchL2) {
        public static Config defaults() {
            return new Config(7 * DAY, FtrlTrainer.Params.defaults(), 2000, 1e-4);
        }
    }

    /**
     * Labelled snapshots for one model, in the order a live job would label them, and the vectors
     * of every person seen at the end time.
     */
    public static final class Pass {
        /** The model's spec; with BG/NBD inputs, with the parameters of the end time. */
        public ModelSpec spec;

        public final List<LabelledSnapshot> labelled = new ArrayList<>();

        /** Person index → vector at the end time, for persons seen by then (else null). */
        public final double[][] atEnd;

        Pass(ModelSpec spec, int persons) {
            this.spec = spec;
            this.atEnd = new double[persons][];
        }
    }

    private Backtest() {}

    /**
     * Streams the history up to {@code until} (inclusive) and returns, per model spec, the
     * snapshots labelled by then and every seen person's vector at {@code until}.
     */
    public static List<Pass> stream(History h, List<ModelSpec> specs, long until, Config c) {
        int persons = h.persons();
        ProfileFeatures[] profiles = new ProfileFeatures[persons];
        List<Pass> passes = new ArrayList<>();
        List<FeatureVectorBuilder> builders = new ArrayList<>();
        List<SnapshotLabeler[]> labelers = new ArrayList<>();
        for (ModelSpec s : specs) {
            passes.add(new Pass(s, persons));
            builders.add(s.builder());
            labelers.add(new SnapshotLabeler[persons]);
        }
        int[] seen = new int[persons];
        int seenCount = 0;
        boolean bgNbd = specs.stream().anyMatch(ModelSpec::usesBgNbd);
        long nextFit = Long.MIN_VALUE;
        String[] rendered = FeatureVectorBuilder.renderBuffer();
        List<Event> events = h.events();
        long step = c.snapshotInterval();
        long nextGrid = Long.MIN_VALUE;
        int i = 0;
        while (true) {
            long nextEvent = i < events.size() ? events.get(i).ts() : Long.MAX_VALUE;
            if (nextEvent > until) {
                nextEvent = Long.MAX_VALUE;
            }
            if (nextGrid != Long.MIN_VALUE && nextGrid < nextEvent && nextGrid <= until) {
                // Snapshot time: events at or before it are in; label what is due, then snapshot.
                if (bgNbd && nextGrid >= nextFit) {
                    refit(h, seen, seenCount, nextGrid, passes, builders);
                    nextFit = nextGrid + BG_NBD_REFIT;
                }
                for (int k = 0; k < seenCount; k++) {
                    int p = seen[k];
                    profiles[p].advanceTo(nextGrid);
                    profiles[p].render(rendered);
                    for (int s = 0; s < passes.size(); s++) {
                        SnapshotLabeler l = labelers.get(s)[p];
                        passes.get(s).labelled.addAll(l.advanceTo(nextGrid));
                        l.offer(nextGrid, builders.get(s).build(rendered));
                    }
                }
                nextGrid += step;
                continue;
            }
            if (nextEvent == Long.MAX_VALUE) {
                break;
            }
            Event e = events.get(i);
            int p = h.person(i);
            if (profiles[p] == null) {
                profiles[p] = new ProfileFeatures();
                seen[seenCount++] = p;
                for (int s = 0; s < passes.size(); s++) {
                    ModelSpec spec = passes.get(s).spec;
                    long h0 = spec.label().horizonMillis();
                    labelers.get(s)[p] =
                            new SnapshotLabeler(spec.label(), step, (int) (h0 / step) + 2);
                }
            }
            profiles[p].add(e);
            if (e.isTrack(Event.ORDER_COMPLETED)) {
                for (SnapshotLabeler[] ls : labelers) {
                    ls[p].onOrder(e.ts());
                }
            }
            if (nextGrid == Long.MIN_VALUE) {
                nextGrid = Math.floorDiv(e.ts(), step) * step + step;
            }
            i++;
        }
        if (bgNbd) {
            refit(h, seen, seenCount, until, passes, builders);
        }
        for (int k = 0; k < seenCount; k++) {
            int p = seen[k];
            profiles[p].advanceTo(until);
            profiles[p].render(rendered);
            for (int s = 0; s < passes.size(); s++) {
                passes.get(s).labelled.addAll(labelers.get(s)[p].advanceTo(until));
                passes.get(s).atEnd[p] = builders.get(s).build(rendered);
            }
        }
        return passes;
    }

    /**
     * Fits BG/NBD to the purchases by {@code t} of the persons seen and gives the passes that use
     * it the new parameters (none while no one has a repeat purchase).
     */
    private static void refit(
            History h,
            int[] seen,
            int seenCount,
            long t,
            List<Pass> passes,
            List<FeatureVectorBuilder> builders) {
        List<BgNbd.Customer> customers = new ArrayList<>();
        for (int k = 0; k < seenCount; k++) {
            BgNbd.Customer c = h.purchasesUpTo(seen[k], t);
            if (c != null) {
                customers.add(c);
            }
        }
        if (customers.stream().noneMatch(c -> c.x() > 0)) {
            return;
        }
        BgNbd.Params params = BgNbd.fit(customers);
        for (int s = 0; s < passes.size(); s++) {
            Pass pass = passes.get(s);
            if (pass.spec.usesBgNbd()) {
                pass.spec = pass.spec.withBgNbd(params);
                builders.set(s, pass.spec.builder());
            }
        }
    }

    /** Rows and labels of labelled snapshots, for the batch trainer. */
    public record Matrix(double[][] x, int[] y) {
        public static Matrix of(List<LabelledSnapshot> snapshots) {
            double[][] x = new double[snapshots.size()][];
            int[] y = new int[snapshots.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = snapshots.get(i).x();
                y[i] = snapshots.get(i).label();
            }
            return new Matrix(x, y);
        }
    }

    /** The batch model of a pass. */
    public static LogisticModel trainBatch(Pass pass, long version, long until, Config c) {
        if (pass.labelled.isEmpty()) {
            throw new IllegalArgumentException(
                    "no labelled snapshot before "
                            + until
                            + ": the history must be longer than the "
                            + pass.spec.label().horizonDays()
                            + "-day horizon");
        }
        Matrix m = Matrix.of(pass.labelled);
        LogisticModel model =
                new BatchTrainer(c.batchL2())
                        .fit(pass.spec, m.x(), m.y(), m.x().length, version, until);
        double[] p = new double[m.y().length];
        for (int i = 0; i < p.length; i++) {
            p[i] = model.score(m.x()[i]);
        }
        Metrics.Report r = Metrics.report(p, m.y(), p.length);
        return model.withMetrics(
                Map.of(
                        "train_samples",
                        (double) r.count(),
                        "train_positives",
                        (double) r.positives(),
                        "train_auc",
                        r.auc(),
                        "train_log_loss",
                        r.logLoss()));
    }

    /** The online model of a pass: FTRL over its snapshots in label order. */
    public static LogisticModel trainOnline(Pass pass, long version, long until, Config c) {
        FtrlTrainer t = FtrlTrainer.withWarmup(pass.spec, c.ftrl(), c.warmup());
        for (LabelledSnapshot s : pass.labelled) {
            t.update(s.x(), s.label());
        }
        return t.toModel(version, until);
    }

    /**
     * The quality of the models of one label at one cutoff, and the online model itself (with the
     * BG/NBD parameters of the last refit, at the cutoff, and the order calendar up to it). {@code
     * online} and {@code batch} are their probabilities as served, seasonally calibrated ({@link
     * OrderCalendar}); {@code onlineUncalibrated} the online model's own.
     */
    public record Evaluation(
            ModelSpec spec,
            long cutoff,
            int persons,
            int trainSamples,
            Metrics.Report online,
            Metrics.Report onlineUncalibrated,
            Metrics.Report batch,
            Metrics.Report recency,
            Metrics.Report bgNbd,
            BgNbd.Params bgNbdParams,
            LogisticModel onlineModel) {}

    /**
     * Trains, from history up to {@code cutoff}, an online (FTRL) model, a batch model and a
     * recency-only model (a one-feature batch LR on {@code days_since_last_order}, capped at 365),
     * and fits BG/NBD ({@link BgNbd}, in days) to the purchases of everyone who ordered by the
     * cutoff; scores every person seen by the cutoff, and compares with what happened after it.
     * BG/NBD scores a label by P(a purchase within its horizon); a person without an order by the
     * cutoff is taken as a customer whose first purchase was at the cutoff (no repeat purchases,
     * age 0).
     */
    public static List<Evaluation> evaluate(
            History h, List<ModelSpec> specs, long cutoff, Config c) {
        BgNbd.Customer[] purchases = new BgNbd.Customer[h.persons()];
        List<BgNbd.Customer> customers = new ArrayList<>();
        for (int p = 0; p < h.persons(); p++) {
            purchases[p] = h.purchasesUpTo(p, cutoff);
            if (purchases[p] != null) {
                customers.add(purchases[p]);
            }
        }
        BgNbd.Params bg = BgNbd.fit(customers);
        List<ModelSpec> all = new ArrayList<>(specs);
        for (ModelSpec s : specs) {
            all.add(recencySpec(s));
        }
        List<Pass> passes = stream(h, all, cutoff, c);
        OrderCalendar calendar = h.calendar(cutoff);
        List<Evaluation> out = new ArrayList<>();
        for (int s = 0; s < specs.size(); s++) {
            Pass main = passes.get(s);
            main.spec = main.spec.withCalendar(calendar);
            Pass rec = passes.get(s + specs.size());
            LogisticModel online = trainOnline(main, 1, cutoff, c);
            LogisticModel batch = trainBatch(main, 1, cutoff, c);
            LogisticModel recency = trainBatch(rec, 1, cutoff, c);
            long horizon = main.spec.label().horizonMillis();
            if (cutoff + horizon > h.lastTs()) {
                throw new IllegalArgumentException(
                        "the history ends before cutoff + "
                                + main.spec.label().horizonDays()
                                + " days: nothing to evaluate "
                                + main.spec.name()
                                + " against");
            }
            int n = 0;
            double[] po = new double[h.persons()];
            double[] pu = new double[h.persons()];
            double[] pb = new double[h.persons()];
            double[] pr = new double[h.persons()];
            double[] pg = new double[h.persons()];
            int[] y = new int[h.persons()];
            double horizonDays = horizon / 86_400_000.0;
            boolean purchaseIsPositive = main.spec.label().label(true) == 1;
            for (int p = 0; p < h.persons(); p++) {
                if (main.atEnd[p] == null) {
                    continue;
                }
                pu[n] = online.score(main.atEnd[p]);
                po[n] = online.spec().calibrate(pu[n], cutoff);
                pb[n] = batch.spec().calibrate(batch.score(main.atEnd[p]), cutoff);
                pr[n] = recency.score(rec.atEnd[p]);
                double buys =
                        BgNbd.probabilityOfPurchase(
                                bg,
                                purchases[p] != null ? purchases[p] : NEW_CUSTOMER,
                                horizonDays);
                pg[n] = purchaseIsPositive ? buys : 1 - buys;
                y[n] = main.spec.label().label(h.orderedWithin(p, cutoff, horizon));
                n++;
            }
            out.add(
                    new Evaluation(
                            main.spec,
                            cutoff,
                            n,
                            main.labelled.size(),
                            Metrics.report(po, y, n),
                            Metrics.report(pu, y, n),
                            Metrics.report(pb, y, n),
                            Metrics.report(pr, y, n),
                            Metrics.report(pg, y, n),
                            bg,
                            online));
        }
        return out;
    }

    /** How BG/NBD sees a person without an order by the cutoff: first purchase at the cutoff. */
    private static final BgNbd.Customer NEW_CUSTOMER = new BgNbd.Customer(0, 0, 0);

    /** The recency-only baseline of a model. */
    public static ModelSpec recencySpec(ModelSpec s) {
        return new ModelSpec(
                s.name(),
                s.label(),
                List.of(
                        new FeatureSpec(
                                "days_since_last_order",
                                FeatureSpec.Transform.IDENTITY,
                                365,
                                365)));
    }
}
