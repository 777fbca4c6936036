package io.rtcdp.udf.ml;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Online logistic regression by FTRL-Proximal (McMahan et al. 2013), the algorithm and parameters
 * (alpha, beta, l1, l2) of Flink ML's OnlineLogisticRegression, one labelled vector at a time.
 *
 * <p>Standardisation is fixed for the life of a trainer, so every model version it emits has the
 * same mean/std and its weights stay comparable: either taken from an initial model ({@link
 * #from}), given, or computed (Welford) over the first {@code warmup} samples, which are buffered
 * and then trained on in their order ({@link #withWarmup}). A later drift of the feature
 * distribution changes the intercept and weights, not the scaling; retraining in batch ({@code
 * rtcdp train}) resets it.
 *
 * <p>The intercept (the last coefficient) is not regularised. Not thread-safe.
 */
public final class FtrlTrainer {

    /** FTRL-Proximal parameters: per-coordinate rate {@code alpha / (beta + sqrt(Σg²))}. */
    public record Params(double alpha, double beta, double l1, double l2) {
        public Params {
            if (!(alpha > 0) || !(beta >= 0) || !(l1 >= 0) || !(l2 >= 0)) {
                throw new IllegalArgumentException(
                        "FTRL needs alpha > 0 and beta, l1, l2 ≥ 0, got " + this);
            }
        }

        /**
         * The values rtcdp uses: chosen once, before any evaluation, and not tuned
         * (docs/models.md).
         */
        public static Params defaults() {
            return new Params(0.05, 1, 0, 1e-4);
        }
    }

    private final ModelSpec spec;
    private final Params params;
    private final int d;
    private final double[] z;
    private final double[] n;
    private final double[] w;
    private final double[] xs;
    private Standardization standardization;
    private final int warmup;
    private List<double[]> buffer;
    private List<Integer> bufferLabels;
    private long updates;

    /**
     * The spec and standardisation as {@code model.json} text, as {@link #write} stores them, and
     * the standardisation it was made for: made once, not on every write.
     */
    private String metaText;

    private Standardization metaFor;

    /**
     * Meta texts read and what they parse to (immutable), so that reading a trainer's state, which
     * the online trainer does for every labelled example, does not parse JSON. A tenant's models
     * give a few texts; the cache is emptied should it ever hold more than {@link #META_CACHE}.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, ModelIo.ModelMeta>
            PARSED_META = new java.util.concurrent.ConcurrentHashMap<>();

    private static final int META_CACHE = 64;

    private FtrlTrainer(ModelSpec spec, Params params, Standardization fixed, int warmup) {
        this.spec = spec;
        this.params = params;
        this.d = spec.features().size() + 1;
        this.z = new double[d];
        this.n = new double[d];
        this.w = new double[d];
        this.xs = new double[d];
        this.standardization = fixed;
        this.warmup = warmup;
        if (fixed == null) {
            buffer = new ArrayList<>();
            bufferLabels = new ArrayList<>();
        } else if (fixed.size() != d - 1) {
            throw new IllegalArgumentException(
                    "standardisation of " + fixed.size() + " features for " + (d - 1));
        }
    }

    /** A trainer with a given standardisation, starting from all-zero weights. */
    public FtrlTrainer(ModelSpec spec, Params params, Standardization standardization) {
        this(spec, params, standardization, 0);
    }

    /** A trainer that standardises by the first {@code warmup} samples (≥ 1). */
    public static FtrlTrainer withWarmup(ModelSpec spec, Params params, int warmup) {
        if (warmup < 1) {
            throw new IllegalArgumentException("warmup must be ≥ 1, got " + warmup);
        }
        return new FtrlTrainer(spec, params, null, warmup);
    }

    /** A trainer that continues from {@code initial}: its standardisation and its weights. */
    public static FtrlTrainer from(LogisticModel initial, Params params) {
        FtrlTrainer t = new FtrlTrainer(initial.spec(), params, initial.standardization(), 0);
        double[] c = initial.coefficients();
        for (int i = 0; i < t.d; i++) {
            // Invert the closed form of w for n = 0, so that the first weights equal c.
            boolean intercept = i == t.d - 1;
            double l1 = intercept ? 0 : params.l1();
            double l2 = intercept ? 0 : params.l2();
            t.z[i] =
                    c[i] == 0
                            ? 0
                            : -c[i] * (params.beta() / params.alpha() + l2)
                                    - Math.signum(c[i]) * l1;
            t.w[i] = c[i];
        }
        return t;
    }

    /** Learns from one input vector (the {@link FeatureVectorBuilder} output) and its label. */
    public void update(double[] x, int y) {
        if (x.length != d - 1) {
            throw new IllegalArgumentException(
                    "expected " + (d - 1) + " features, got " + x.length);
        }
        if (y != 0 && y != 1) {
            throw new IllegalArgumentException("label must be 0 or 1, got " + y);
        }
        updates++;
        if (standardization == null) {
            buffer.add(x.clone());
            bufferLabels.add(y);
            if (buffer.size() >= warmup) {
                endWarmup();
            }
            return;
        }
        step(x, y);
    }

    private void endWarmup() {
        Standardization.Welford stats = new Standardization.Welford(d - 1);
        for (double[] x : buffer) {
            stats.add(x);
        }
        standardization = stats.result();
        List<double[]> xs = buffer;
        List<Integer> ys = bufferLabels;
        buffer = null;
        bufferLabels = null;
        for (int i = 0; i < xs.size(); i++) {
            step(xs.get(i), ys.get(i));
        }
    }

    private void step(double[] x, int y) {
        double alpha = params.alpha();
        double beta = params.beta();
        double margin = 0;
        for (int i = 0; i < d; i++) {
            xs[i] = i == d - 1 ? 1 : standardization.apply(i, x[i]);
            boolean intercept = i == d - 1;
            double l1 = intercept ? 0 : params.l1();
            double l2 = intercept ? 0 : params.l2();
            double zi = z[i];
            w[i] =
                    Math.abs(zi) <= l1
                            ? 0
                            : -(zi - Math.signum(zi) * l1)
                                    / ((beta + Math.sqrt(n[i])) / alpha + l2);
            margin += w[i] * xs[i];
        }
        double g0 = LogisticModel.sigmoid(margin) - y;
        for (int i = 0; i < d; i++) {
            double g = g0 * xs[i];
            double sigma = (Math.sqrt(n[i] + g * g) - Math.sqrt(n[i])) / alpha;
            z[i] += g - sigma * w[i];
            n[i] += g * g;
        }
    }

    /** Layout version of {@link #write}. */
    private static final int FORMAT = 1;

    /**
     * Writes the whole trainer state: format, parameters, the spec and standardisation (as {@code
     * model.json} text), warm-up, updates, the FTRL {@code z} and {@code n} arrays, and the samples
     * of a warm-up still running. {@link #read} restores a trainer that continues identically.
     */
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeDouble(params.alpha());
        out.writeDouble(params.beta());
        out.writeDouble(params.l1());
        out.writeDouble(params.l2());
        boolean standardized = standardization != null;
        if (metaText == null || metaFor != standardization) {
            Standardization s = standardized ? standardization : Standardization.identity(d - 1);
            metaText = ModelIo.metaJson(new LogisticModel(spec, 0, s, new double[d], 0, Map.of()));
            metaFor = standardization;
        }
        writeLongString(out, metaText);
        out.writeBoolean(standardized);
        out.writeInt(warmup);
        out.writeLong(updates);
        for (int i = 0; i < d; i++) {
            out.writeDouble(z[i]);
            out.writeDouble(n[i]);
        }
        if (!standardized) {
            out.writeInt(buffer.size());
            for (int r = 0; r < buffer.size(); r++) {
                for (double v : buffer.get(r)) {
                    out.writeDouble(v);
                }
                out.writeByte(bufferLabels.get(r));
            }
        }
    }

    /** Reads a trainer written by {@link #write}. */
    public static FtrlTrainer read(DataInput in) throws IOException {
        int format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("FTRL trainer state format " + format + " is not " + FORMAT);
        }
        Params params =
                new Params(in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble());
        String text = readLongString(in);
        ModelIo.ModelMeta meta = PARSED_META.get(text);
        if (meta == null) {
            meta = ModelIo.parseMeta(text);
            if (PARSED_META.size() >= META_CACHE) {
                PARSED_META.clear();
            }
            PARSED_META.put(text, meta);
        }
        boolean standardized = in.readBoolean();
        int warmup = in.readInt();
        FtrlTrainer t =
                new FtrlTrainer(
                        meta.spec(), params, standardized ? meta.standardization() : null, warmup);
        t.metaText = text;
        t.metaFor = t.standardization;
        t.updates = in.readLong();
        for (int i = 0; i < t.d; i++) {
            t.z[i] = in.readDouble();
            t.n[i] = in.readDouble();
        }
        if (!standardized) {
            int rows = in.readInt();
            for (int r = 0; r < rows; r++) {
                double[] x = new double[t.d - 1];
                for (int i = 0; i < x.length; i++) {
                    x[i] = in.readDouble();
                }
                t.buffer.add(x);
                t.bufferLabels.add((int) in.readByte());
            }
        }
        return t;
    }

    /** A deep copy (through {@link #write} and {@link #read}). */
    public FtrlTrainer copy() {
        try {
            var bytes = new java.io.ByteArrayOutputStream(64 + 16 * d);
            write(new java.io.DataOutputStream(bytes));
            return read(
                    new java.io.DataInputStream(
                            new java.io.ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy an FTRL trainer", e);
        }
    }

    // writeUTF is limited to 64 KB; a model.json with many features may not be
    private static void writeLongString(DataOutput out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readLongString(DataInput in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The model spec this trainer learns. */
    public ModelSpec spec() {
        return spec;
    }

    /** The FTRL parameters. */
    public Params params() {
        return params;
    }

    /** Labelled vectors seen so far. */
    public long updates() {
        return updates;
    }

    /** The standardisation in use, null while still warming up. */
    public Standardization standardization() {
        return standardization;
    }

    /**
     * The current weights as a model version. Ends a warm-up that is still running (with the
     * samples seen so far).
     *
     * @throws IllegalStateException when no sample has been seen and no standardisation was given
     */
    public LogisticModel toModel(long version, long trainedUntil) {
        if (standardization == null) {
            if (buffer.isEmpty()) {
                throw new IllegalStateException("no training data yet");
            }
            endWarmup();
        }
        double[] c = new double[d];
        for (int i = 0; i < d; i++) {
            boolean intercept = i == d - 1;
            double l1 = intercept ? 0 : params.l1();
            double l2 = intercept ? 0 : params.l2();
            c[i] =
                    Math.abs(z[i]) <= l1
                            ? 0
                            : -(z[i] - Math.signum(z[i]) * l1)
                                    / ((params.beta() + Math.sqrt(n[i])) / params.alpha() + l2);
        }
        return new LogisticModel(
                spec,
                version,
                standardization,
                c,
                trainedUntil,
                Map.of("train_samples", (double) updates));
    }
}
