package io.rtcdp.operators.decide;

import io.rtcdp.operators.types.TrainerStateSerializer;
import io.rtcdp.udf.ml.FtrlTrainer;
import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.Metrics;
import io.rtcdp.udf.ml.ModelException;
import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.ml.ModelQuality;
import io.rtcdp.udf.rules.VersionStep;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online learning (docs/contract.md §7.6): learns each tenant's models from the decision stage's
 * labelled examples ({@link ProfileDecider#LABELLED}) by FTRL-Proximal and publishes a new model
 * version every {@code publishEvery} examples, as {@link ModelMessages} text for the models topic.
 * The job reads that topic back, so the decision stage serves the new version from then on.
 *
 * <p>Keyed by {@code tenant/model}. The trainer of a key starts from the model served to that
 * tenant (its own, else the one for every tenant, read from the broadcast model versions), so it
 * keeps that model's standardisation; examples arriving before any model is known are skipped. When
 * a version this trainer did not publish (a batch retrain) becomes the served one, it starts again
 * from that version. A published version is {@code max(largest served version seen, last published)
 * + 1}, trained until the largest example event time.
 *
 * <p>Live quality: per key, the most recent {@value #QUALITY_WINDOW} (served probability, label)
 * pairs of the currently served version (the window restarts when a higher version appears on the
 * examples; examples of older versions are left out). Every {@value #REPORT_EVERY} pairs the
 * window's AUC, log-loss and ECE are computed and exported as gauges of the group {@code
 * model=<name>}: {@code auc}, {@code logLoss}, {@code ece}, {@code servedVersion} (the version
 * those numbers are of), {@code windowSize}; with the counters {@code examples}, {@code
 * examplesSkipped} and {@code versionsPublished}. The gauges show the key of that model name last
 * reported in this subtask. The windows are heap-only (not checkpointed): after a restore they
 * refill from new examples.
 */
public final class OnlineTrainer
        extends KeyedBroadcastProcessFunction<String, LabelledExample, String, String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OnlineTrainer.class);

    public static final KeySelector<LabelledExample, String> KEY = LabelledExample::key;

    /** Examples between two published versions unless configured. */
    public static final int DEFAULT_PUBLISH_EVERY = 5_000;

    /** Labelled pairs in the live quality window of a served model. */
    public static final int QUALITY_WINDOW = 10_000;

    /** Pairs between two recomputations of the quality gauges. */
    public static final int REPORT_EVERY = 1_000;

    private static final ValueStateDescriptor<TrainerState> STATE =
            new ValueStateDescriptor<>("online-trainer", TrainerStateSerializer.TYPE_INFO);

    private final int publishEvery;

    private VersionStep versionStep = VersionStep.DEFAULT;
    private final double alpha;
    private final double beta;
    private final double l1;
    private final double l2;

    private transient ValueState<TrainerState> state;

    /** Decoded broadcast models by {@code tenant/name}. */
    private transient Map<String, LogisticModel> models;

    /** Model keys whose restored text this jar cannot decode. */
    private transient java.util.Set<String> dropped;

    private final io.rtcdp.operators.RecordIsolation isolation =
            new io.rtcdp.operators.RecordIsolation("trainer");

    /** Live quality windows by {@code tenant/name}. */
    private transient Map<String, Window> windows;

    /** Latest quality report by model name, read by the gauges. */
    private transient Map<String, Stats> stats;

    private transient Map<String, Counters> counters;

    /** Quality of a served model version over recent labelled examples. */
    public record Stats(String tenant, long servedVersion, Metrics.Report report) {}

    private record Window(long version, ModelQuality quality) {}

    private record Counters(Counter examples, Counter skipped, Counter published) {}

    public OnlineTrainer() {
        this(DEFAULT_PUBLISH_EVERY, FtrlTrainer.Params.defaults());
    }

    public OnlineTrainer(int publishEvery) {
        this(publishEvery, FtrlTrainer.Params.defaults());
    }

    /**
     * Sets how far a model version may be above the one in force; the same as the decision stage's
     * ({@link ProfileDecider#versionStep}), so that the trainer starts from the version served.
     */
    public OnlineTrainer versionStep(VersionStep step) {
        this.versionStep = java.util.Objects.requireNonNull(step);
        return this;
    }

    public OnlineTrainer(int publishEvery, FtrlTrainer.Params params) {
        if (publishEvery < 1) {
            throw new IllegalArgumentException("publishEvery must be ≥ 1, got " + publishEvery);
        }
        this.publishEvery = publishEvery;
        this.alpha = params.alpha();
        this.beta = params.beta();
        this.l1 = params.l1();
        this.l2 = params.l2();
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(STATE);
        models = new HashMap<>();
        dropped = new java.util.HashSet<>();
        isolation.open(getRuntimeContext().getMetricGroup());
        windows = new HashMap<>();
        stats = new ConcurrentHashMap<>();
        counters = new HashMap<>();
        for (String name : ProfileDecider.MODEL_NAMES) {
            counters(name);
        }
    }

    private Counters counters(String name) {
        Counters c = counters.get(name);
        if (c != null) {
            return c;
        }
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("model", name);
        g.gauge("auc", (Gauge<Double>) () -> stat(name, Metrics.Report::auc));
        g.gauge("logLoss", (Gauge<Double>) () -> stat(name, Metrics.Report::logLoss));
        g.gauge("ece", (Gauge<Double>) () -> stat(name, Metrics.Report::ece));
        g.gauge(
                "servedVersion",
                (Gauge<Long>)
                        () -> {
                            Stats s = stats.get(name);
                            return s == null ? 0L : s.servedVersion();
                        });
        g.gauge(
                "windowSize",
                (Gauge<Integer>)
                        () -> {
                            Stats s = stats.get(name);
                            return s == null ? 0 : s.report().count();
                        });
        c =
                new Counters(
                        g.counter("examples"),
                        g.counter("examplesSkipped"),
                        g.counter("versionsPublished"));
        counters.put(name, c);
        return c;
    }

    private double stat(String name, java.util.function.ToDoubleFunction<Metrics.Report> f) {
        Stats s = stats.get(name);
        return s == null ? Double.NaN : f.applyAsDouble(s.report());
    }

    /** The latest quality report of a model name in this subtask, null before the first. */
    public Stats stats(String name) {
        return stats.get(name);
    }

    @Override
    public void processElement(LabelledExample e, ReadOnlyContext ctx, Collector<String> out)
            throws Exception {
        isolation.run(
                () -> process(e, ctx, out),
                null,
                () -> "trainer:" + e.tenant() + "/" + e.model(),
                d -> ctx.output(io.rtcdp.operators.RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(LabelledExample e, ReadOnlyContext ctx, Collector<String> out)
            throws Exception {
        Counters c = counters(e.model());
        c.examples().inc();
        observe(e);

        TrainerState st = state.value();
        long served = e.servedVersion();
        if (st == null || (served > st.baseVersion && served > st.lastPublished)) {
            LogisticModel base =
                    served(e.tenant(), e.model(), ctx.getBroadcastState(ProfileDecider.MODELS));
            if (base != null
                    && (st == null
                            || (base.version() > st.baseVersion
                                    && base.version() > st.lastPublished))) {
                TrainerState next =
                        new TrainerState(
                                FtrlTrainer.from(base, new FtrlTrainer.Params(alpha, beta, l1, l2)),
                                base.version());
                if (st != null) {
                    next.lastPublished = st.lastPublished;
                    next.maxServedVersion = st.maxServedVersion;
                    next.maxTs = st.maxTs;
                }
                st = next;
            }
        }
        if (st == null || e.x().length != st.trainer.spec().features().size()) {
            // no model to start from yet, or an example of another feature list
            c.skipped().inc();
            return;
        }
        st.trainer.update(e.x(), e.label());
        st.maxServedVersion = Math.max(st.maxServedVersion, served);
        st.maxTs = Math.max(st.maxTs, e.ts());
        st.sincePublished++;
        long highest = Math.max(Math.max(st.maxServedVersion, st.baseVersion), st.lastPublished);
        if (st.sincePublished >= publishEvery && highest == Long.MAX_VALUE) {
            // only a version served before versions were bounded can be this high: there is no
            // next one (the decision stage would refuse it anyway); learning goes on unpublished
            LOG.error(
                    "Cannot publish a new {} model version for tenant {}: version {} is in force",
                    e.model(),
                    e.tenant(),
                    highest);
            st.sincePublished = 0;
        } else if (st.sincePublished >= publishEvery) {
            long version = highest + 1;
            LogisticModel model = st.trainer.toModel(version, st.maxTs);
            out.collect(ModelMessages.encode(e.tenant(), model));
            st.lastPublished = version;
            st.sincePublished = 0;
            c.published().inc();
            LOG.info(
                    "Published {} model version {} for tenant {} ({} examples learned)",
                    e.model(),
                    version,
                    e.tenant(),
                    st.trainer.updates());
        }
        state.update(st);
    }

    /** Adds the served prediction to the live quality window of its version. */
    private void observe(LabelledExample e) {
        double p = e.servedProbability();
        if (!(p >= 0 && p <= 1) || (e.label() != 0 && e.label() != 1)) {
            return;
        }
        String key = e.key();
        Window w = windows.get(key);
        if (w == null || e.servedVersion() > w.version()) {
            w = new Window(e.servedVersion(), ModelQuality.window(QUALITY_WINDOW));
            windows.put(key, w);
        } else if (e.servedVersion() < w.version()) {
            return; // judged by the newer version from now on
        }
        w.quality().add(p, e.label());
        if (w.quality().total() % REPORT_EVERY == 0) {
            stats.put(e.model(), new Stats(e.tenant(), w.version(), w.quality().report()));
        }
    }

    /** The tenant's own served model of that name, else the one for every tenant, else null. */
    private LogisticModel served(
            String tenant, String name, ReadOnlyBroadcastState<String, String> stored)
            throws Exception {
        LogisticModel m = model(ModelMessages.key(tenant, name), stored);
        return m != null ? m : model(ModelMessages.key(ModelMessages.ANY_TENANT, name), stored);
    }

    private LogisticModel model(String key, ReadOnlyBroadcastState<String, String> stored)
            throws Exception {
        LogisticModel m = models.get(key);
        if (m != null) {
            return m;
        }
        String text = stored.get(key);
        if (text == null) {
            return null;
        }
        // restored from a checkpoint: it decoded when it was accepted, but a newer jar may not
        // take it (the decision stage logs and counts that); then there is no model to learn on
        if (dropped.contains(key)) {
            return null;
        }
        try {
            m = ModelMessages.decode(text).model();
        } catch (ModelException | RuntimeException e) {
            dropped.add(key);
            return null;
        }
        models.put(key, m);
        return m;
    }

    /** Keeps the highest version of each model; rule sets and bad messages are not its business. */
    @Override
    public void processBroadcastElement(String text, Context ctx, Collector<String> out)
            throws Exception {
        if (!ModelMessages.isModel(text)) {
            return;
        }
        ModelMessages.Decoded m;
        try {
            m = ModelMessages.decode(text);
        } catch (ModelException e) {
            return; // the decision stage logs and counts it
        }
        BroadcastState<String, String> stored = ctx.getBroadcastState(ProfileDecider.MODELS);
        LogisticModel current = model(m.key(), stored);
        if (versionStep.judge(current == null ? null : current.version(), m.model().version())
                != VersionStep.Verdict.APPLY) {
            return; // the decision stage logs and counts a refusal
        }
        stored.put(m.key(), text);
        models.put(m.key(), m.model());
        dropped.remove(m.key());
    }
}
