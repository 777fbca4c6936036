package io.rtcdp.udf.ml;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.ml.linalg.Vector;
import org.apache.flink.ml.param.Param;
import org.apache.flink.ml.param.StringParam;
import org.apache.flink.ml.servable.api.DataFrame;
import org.apache.flink.ml.servable.api.ModelServable;
import org.apache.flink.ml.servable.api.Row;
import org.apache.flink.ml.servable.types.BasicType;
import org.apache.flink.ml.servable.types.DataTypes;

/**
 * rtcdp's logistic-regression model behind Flink ML's servable API. Like Flink ML's own
 * LogisticRegressionModelServable it reads {@code features} (a vector: the {@link
 * FeatureVectorBuilder} output, before standardisation) and appends {@code prediction} (0 or 1 at p
 * ≥ 0.5) and {@code rawPrediction} ([1 − p, p]); it also appends {@code probability}, {@code
 * modelVersion} and {@code reasons}.
 *
 * <p>The definition (features, standardisation, label) comes from {@code model.json} at
 * construction; the coefficients come through {@link #setModelData}, in Flink ML's
 * LogisticRegressionModel layout. Per event the operator should call {@link #score(double[])},
 * which is the same arithmetic without a DataFrame. {@code DenseVector} is used only inside {@link
 * #transform}; it must never become a Flink record or state type.
 */
public final class LogisticRegressionServable implements ModelServable<LogisticRegressionServable> {
    public static final Param<String> FEATURES_COL =
            new StringParam("featuresCol", "Features column name.", "features");
    public static final Param<String> PREDICTION_COL =
            new StringParam("predictionCol", "Prediction column name.", "prediction");
    public static final Param<String> RAW_PREDICTION_COL =
            new StringParam("rawPredictionCol", "Raw prediction column name.", "rawPrediction");
    public static final Param<String> PROBABILITY_COL =
            new StringParam("probabilityCol", "Probability column name.", "probability");
    public static final Param<String> VERSION_COL =
            new StringParam("modelVersionCol", "Model version column name.", "modelVersion");
    public static final Param<String> REASONS_COL =
            new StringParam("reasonsCol", "Top contributing features column name.", "reasons");

    private final Map<Param<?>, Object> params = new HashMap<>();
    private final ModelIo.ModelMeta meta;
    private volatile LogisticModel model;

    /** A servable of the definition {@code meta}; it scores once {@link #setModelData} ran. */
    public LogisticRegressionServable(ModelIo.ModelMeta meta) {
        this.meta = meta;
        for (Param<?> p :
                List.of(
                        FEATURES_COL,
                        PREDICTION_COL,
                        RAW_PREDICTION_COL,
                        PROBABILITY_COL,
                        VERSION_COL,
                        REASONS_COL)) {
            params.put(p, p.defaultValue);
        }
    }

    /** A servable of an in-memory model. */
    public LogisticRegressionServable(LogisticModel model) {
        this(
                new ModelIo.ModelMeta(
                        model.spec(),
                        model.version(),
                        model.standardization(),
                        model.trainedUntil(),
                        model.metrics()));
        this.model = model;
    }

    /** Loads a model directory: {@code model.json}, then {@code data/part-0}. */
    public static LogisticRegressionServable load(Path dir) throws IOException {
        LogisticRegressionServable s = new LogisticRegressionServable(ModelIo.readMeta(dir));
        Path data = dir.resolve(ModelIo.DATA_FILE);
        if (!Files.isRegularFile(data)) {
            throw new ModelException(dir + ": no " + ModelIo.DATA_FILE);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(data))) {
            s.setModelData(in);
        } catch (ModelException e) {
            throw new ModelException(data + ": " + e.getMessage(), e);
        }
        return s;
    }

    /**
     * Sets the coefficients from one stream in Flink ML's LogisticRegressionModel layout.
     *
     * @throws ModelException when the data is malformed or does not fit the definition
     */
    @Override
    public LogisticRegressionServable setModelData(InputStream... modelDataInputs)
            throws IOException {
        if (modelDataInputs.length != 1) {
            throw new ModelException(
                    "expected one model data stream, got " + modelDataInputs.length);
        }
        ModelIo.ModelData data = ModelIo.readModelData(modelDataInputs[0]);
        model = meta.withData(data, "model " + meta.spec().name());
        return this;
    }

    /** The model in use; IllegalStateException before {@link #setModelData}. */
    public LogisticModel model() {
        LogisticModel m = model;
        if (m == null) {
            throw new IllegalStateException("no model data set");
        }
        return m;
    }

    /** The hot path: the probability of one input vector, no allocation. */
    public double score(double[] x) {
        return model().score(x);
    }

    /**
     * The hot path with reasons: the probability ({@link #score}, bit for bit) and the reasons' key
     * ({@link LogisticModel#reasonsKey}) in one pass, no allocation.
     */
    public double scoreWithReasonsKey(double[] x, long[] key) {
        return model().scoreWithReasonsKey(x, key);
    }

    /** Probability, model version and reasons of one input vector. */
    public Scored scoreWithReasons(double[] x) {
        return model().scoreWithReasons(x);
    }

    @Override
    public DataFrame transform(DataFrame input) {
        LogisticModel m = model();
        int col = input.getIndex(get(FEATURES_COL));
        List<Row> rows = input.collect();
        List<Object> prediction = new ArrayList<>(rows.size());
        List<Object> raw = new ArrayList<>(rows.size());
        List<Object> probability = new ArrayList<>(rows.size());
        List<Object> version = new ArrayList<>(rows.size());
        List<Object> reasons = new ArrayList<>(rows.size());
        for (Row row : rows) {
            double[] x = ((Vector) row.get(col)).toArray();
            double p = m.score(x);
            prediction.add(p >= 0.5 ? 1.0 : 0.0);
            raw.add(new DenseVector(new double[] {1 - p, p}));
            probability.add(p);
            version.add(m.version());
            reasons.add(m.reasons(x));
        }
        input.addColumn(get(PREDICTION_COL), DataTypes.DOUBLE, prediction);
        input.addColumn(get(RAW_PREDICTION_COL), DataTypes.VECTOR(BasicType.DOUBLE), raw);
        input.addColumn(get(PROBABILITY_COL), DataTypes.DOUBLE, probability);
        input.addColumn(get(VERSION_COL), DataTypes.LONG, version);
        input.addColumn(get(REASONS_COL), DataTypes.STRING, reasons);
        return input;
    }

    @Override
    public Map<Param<?>, Object> getParamMap() {
        return params;
    }
}
