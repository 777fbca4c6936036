package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.ml.servable.api.DataFrame;
import org.apache.flink.ml.servable.api.Row;
import org.apache.flink.ml.servable.types.BasicType;
import org.apache.flink.ml.servable.types.DataType;
import org.apache.flink.ml.servable.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelIoTest {
    @TempDir Path dir;

    private static final String META =
            """
            {"format": 1, "name": "churn", "version": 42,
             "label": {"kind": "churn", "horizon_days": 90},
             "features": [
               {"name": "days_since_last_order", "transform": "log1p", "cap": 365, "missing": 365},
               {"name": "orders_total", "transform": "identity"}],
             "mean": [2.5, 3.0], "std": [0.5, 2.0], "trained_until": 1314835200000,
             "metrics": {"auc": 0.8}}
            """;

    /** Flink ML's layout written byte by byte, independently of ModelIo. */
    private static byte[] flinkMlData(double[] c, long version) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * c.length + 8); // big-endian by default
        b.putInt(c.length);
        for (double v : c) {
            b.putDouble(v);
        }
        b.putLong(version);
        return b.array();
    }

    private Path modelDir(String meta, byte[] data) throws Exception {
        Path d = Files.createTempDirectory(dir, "m");
        Files.writeString(d.resolve("model.json"), meta);
        if (data != null) {
            Files.createDirectories(d.resolve("data"));
            Files.write(d.resolve("data/part-0"), data);
        }
        return d;
    }

    @Test
    void servableReadsFlinkMlLayoutAndEqualsAHandComputation() throws Exception {
        double[] c = {0.7, -0.3, -1.1};
        LogisticRegressionServable s =
                LogisticRegressionServable.load(modelDir(META, flinkMlData(c, 42)));
        double[] x = {Math.log1p(30), 5};
        double z0 = (Math.log1p(30) - 2.5) / 0.5;
        double z1 = (5 - 3.0) / 2.0;
        double m = 0.7 * z0 - 0.3 * z1 - 1.1;
        double expected = 1 / (1 + Math.exp(-m));
        assertThat(s.score(x)).isCloseTo(expected, within(1e-12));
        Scored sc = s.scoreWithReasons(x);
        assertThat(sc.modelVersion()).isEqualTo(42);
        assertThat(sc.reasons())
                .isEqualTo(
                        String.format(
                                "days_since_last_order:%+.2f,orders_total:%+.2f",
                                0.7 * z0, -0.3 * z1));

        // The servable API path gives the same numbers.
        List<Row> rows = new ArrayList<>();
        rows.add(new Row(new ArrayList<>(List.of(new DenseVector(x)))));
        rows.add(new Row(new ArrayList<>(List.of(new DenseVector(new double[] {0, 0})))));
        DataFrame df =
                new DataFrame(
                        new ArrayList<>(List.of("features")),
                        new ArrayList<DataType>(List.of(DataTypes.VECTOR(BasicType.DOUBLE))),
                        rows);
        DataFrame out = s.transform(df);
        Row r0 = out.collect().get(0);
        assertThat((double) r0.getAs(out.getIndex("probability"))).isEqualTo(s.score(x));
        assertThat(((DenseVector) r0.get(out.getIndex("rawPrediction"))).get(1))
                .isEqualTo(s.score(x));
        assertThat((long) r0.getAs(out.getIndex("modelVersion"))).isEqualTo(42L);
        assertThat((String) r0.getAs(out.getIndex("reasons"))).isEqualTo(sc.reasons());
        Row r1 = out.collect().get(1);
        assertThat((double) r1.getAs(out.getIndex("probability")))
                .isEqualTo(s.score(new double[] {0, 0}));
    }

    @Test
    void writeThenReadRoundTrips() throws Exception {
        LogisticModel m = ModelIo.read(modelDir(META, flinkMlData(new double[] {1, 2, 3}, 42)));
        Path out = dir.resolve("copy");
        ModelIo.write(m, out);
        LogisticModel back = ModelIo.read(out);
        assertThat(back.coefficients()).containsExactly(1, 2, 3);
        assertThat(back.spec()).isEqualTo(m.spec());
        assertThat(back.standardization().mean()).containsExactly(2.5, 3.0);
        assertThat(back.metrics()).containsEntry("auc", 0.8);
        assertThat(Files.readAllBytes(out.resolve("data/part-0")))
                .isEqualTo(flinkMlData(new double[] {1, 2, 3}, 42));
    }

    @Test
    void bgNbdParametersRoundTripAndAreRequiredByItsInputs() throws Exception {
        String meta =
                META.replace("\"orders_total\"", "\"p_alive\"")
                        .replace(
                                "\"mean\"",
                                "\"bgnbd\": {\"r\": 0.61, \"alpha\": 48.5, \"a\": 0.15, \"b\": 2.8},"
                                        + " \"mean\"");
        LogisticModel m = ModelIo.read(modelDir(meta, flinkMlData(new double[] {1, 2, 3}, 42)));
        assertThat(m.spec().bgNbd()).isEqualTo(new BgNbd.Params(0.61, 48.5, 0.15, 2.8));
        Path out = dir.resolve("bg");
        ModelIo.write(m, out);
        assertThat(ModelIo.read(out).spec()).isEqualTo(m.spec());
        // a model without BG/NBD inputs may carry them; one with them must
        assertThat(ModelIo.read(modelDir(META, flinkMlData(new double[] {1, 2, 3}, 42))).spec())
                .extracting(ModelSpec::bgNbd)
                .isNull();
        byte[] good = flinkMlData(new double[] {1, 2, 3}, 42);
        Path without = modelDir(META.replace("\"orders_total\"", "\"p_alive\""), good);
        assertThatThrownBy(() -> ModelIo.read(without))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("need the 'bgnbd' parameters");
        Path negative = modelDir(meta.replace("0.61", "-0.61"), good);
        assertThatThrownBy(() -> ModelIo.read(negative))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("positive");
    }

    @Test
    void anOrderCalendarRoundTripsAndIsChecked() throws Exception {
        byte[] good = flinkMlData(new double[] {1, 2, 3}, 42);
        String meta =
                META.replace(
                        "\"mean\"",
                        "\"order_calendar\": {\"first_day\": \"2010-12-30\", \"orders\": [3, 0,"
                                + " 7]}, \"mean\"");
        LogisticModel m = ModelIo.read(modelDir(meta, good));
        OrderCalendar c = m.spec().calendar();
        assertThat(c.firstDay()).isEqualTo(java.time.LocalDate.of(2010, 12, 30).toEpochDay());
        assertThat(c.orders()).containsExactly(3, 0, 7);
        Path out = dir.resolve("calendar");
        ModelIo.write(m, out);
        assertThat(ModelIo.read(out).spec()).isEqualTo(m.spec());
        assertThat(Files.readString(out.resolve("model.json"))).contains("\"2010-12-30\"");
        // none: no calibration
        assertThat(ModelIo.read(modelDir(META, good)).spec().calendar()).isNull();
        for (String[] bad :
                new String[][] {
                    {"\"2010-12-30\"", "\"30.12.2010\"", "must be a date"},
                    {"[3, 0, 7]", "[3, -1, 7]", "integers ≥ 0"},
                    {"[3, 0, 7]", "[3, 0.5, 7]", "integers ≥ 0"},
                    {"[3, 0, 7]", "[]", "1 to"},
                    {"[3, 0, 7]", "7", "must be an array"}
                }) {
            Path d = modelDir(meta.replace(bad[0], bad[1]), good);
            assertThatThrownBy(() -> ModelIo.read(d))
                    .as(bad[1])
                    .isInstanceOf(ModelException.class)
                    .hasMessageContaining(bad[2]);
        }
    }

    @Test
    void rejectsMalformedModels() throws Exception {
        byte[] good = flinkMlData(new double[] {1, 2, 3}, 42);
        record Case(String meta, byte[] data, String message) {}
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        byte[] extra = java.util.Arrays.copyOf(good, good.length + 1);
        List<Case> cases =
                List.of(
                        new Case(META, flinkMlData(new double[] {1, 2}, 42), "3 coefficients"),
                        new Case(
                                META, flinkMlData(new double[] {1, 2, 3, 4}, 42), "3 coefficients"),
                        new Case(META, flinkMlData(new double[] {1, Double.NaN, 3}, 42), "NaN"),
                        new Case(META, flinkMlData(new double[] {1, 2, 3}, 41), "version 41"),
                        new Case(META, truncated, "truncated"),
                        new Case(META, extra, "extra bytes"),
                        new Case(META, null, "no data/part-0"),
                        new Case(
                                META.replace("orders_total", "shoe_size"),
                                good,
                                "unknown feature 'shoe_size'"),
                        new Case(
                                META.replace("\"kind\": \"churn\"", "\"kind\": \"ltv\""),
                                good,
                                "unknown label kind 'ltv'"),
                        new Case(
                                META.replace("\"kind\": \"churn\"", "\"kind\": \"purchase\""),
                                good,
                                "must match"),
                        new Case(
                                META.replace("\"std\": [0.5, 2.0]", "\"std\": [0.5, 0]"),
                                good,
                                "std"),
                        new Case(
                                META.replace("\"mean\": [2.5, 3.0]", "\"mean\": [2.5]"),
                                good,
                                "1 means"),
                        new Case(
                                META.replace("\"mean\": [2.5, 3.0]", "\"mean\": [2.5, NaN]"),
                                good,
                                "not valid JSON"),
                        new Case(META.replace("\"format\": 1", "\"format\": 2"), good, "format 2"),
                        new Case(META.replace("log1p", "sqrt"), good, "unknown transform 'sqrt'"),
                        new Case("[]", good, "expected a JSON object"));
        for (Case c : cases) {
            Path d = modelDir(c.meta(), c.data());
            assertThatThrownBy(() -> ModelIo.read(d))
                    .as(c.message())
                    .isInstanceOf(ModelException.class)
                    .hasMessageContaining(c.message());
            assertThatThrownBy(() -> LogisticRegressionServable.load(d))
                    .as(c.message())
                    .isInstanceOf(ModelException.class)
                    .hasMessageContaining(c.message());
        }
        assertThatThrownBy(() -> ModelIo.read(dir.resolve("nothing")))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("not a model directory");
    }

    @Test
    void modelDataEncoderMatchesFlinkMlLayout() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelIo.writeModelData(out, new double[] {0.5, -2}, 7);
        assertThat(out.toByteArray()).isEqualTo(flinkMlData(new double[] {0.5, -2}, 7));
        ModelIo.ModelData d = ModelIo.readModelData(new ByteArrayInputStream(out.toByteArray()));
        assertThat(d.coefficients()).containsExactly(0.5, -2);
        assertThat(d.version()).isEqualTo(7);
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        new DataOutputStream(bad).writeInt(-1);
        assertThatThrownBy(() -> ModelIo.readModelData(new ByteArrayInputStream(bad.toByteArray())))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("out of range");
    }
}
