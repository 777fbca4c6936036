package io.rtcdp.udf.ml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes model directories (docs/models.md): {@code model.json} with the definition and
 * standardisation, and {@code data/part-0} with the coefficients in Flink ML's
 * LogisticRegressionModel layout (big-endian int32 n, n float64, int64 model version).
 */
public final class ModelIo {
    public static final String META_FILE = "model.json";
    public static final String DATA_FILE = "data/part-0";
    public static final int FORMAT = 1;

    /** Refuses absurd lengths before allocating. */
    private static final int MAX_COEFFICIENTS = 1 << 16;

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelIo() {}

    /** Coefficients and version as Flink ML stores them. */
    public record ModelData(double[] coefficients, long version) {}

    /** Writes Flink ML's LogisticRegressionModel data layout. */
    public static void writeModelData(OutputStream out, double[] coefficients, long version)
            throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(coefficients.length);
        for (double c : coefficients) {
            d.writeDouble(c);
        }
        d.writeLong(version);
        d.flush();
    }

    /**
     * Reads one model data record and checks that nothing follows it.
     *
     * @throws ModelException when truncated, followed by extra bytes, or holding a non-finite value
     */
    public static ModelData readModelData(InputStream in) throws ModelException {
        DataInputStream d = new DataInputStream(in);
        try {
            int n = d.readInt();
            if (n < 1 || n > MAX_COEFFICIENTS) {
                throw new ModelException("model data: coefficient count " + n + " out of range");
            }
            double[] c = new double[n];
            for (int i = 0; i < n; i++) {
                c[i] = d.readDouble();
                if (!Double.isFinite(c[i])) {
                    throw new ModelException("model data: coefficient " + i + " is " + c[i]);
                }
            }
            long version = d.readLong();
            if (d.read() != -1) {
                throw new ModelException("model data: extra bytes after the model version");
            }
            return new ModelData(c, version);
        } catch (EOFException e) {
            throw new ModelException("model data: truncated", e);
        } catch (ModelException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelException("model data: " + e.getMessage(), e);
        }
    }

    /** Writes {@code model} into {@code dir} (created if needed), replacing an earlier model. */
    public static void write(LogisticModel model, Path dir) throws IOException {
        Files.createDirectories(dir.resolve(DATA_FILE).getParent());
        try (OutputStream out =
                new BufferedOutputStream(Files.newOutputStream(dir.resolve(DATA_FILE)))) {
            writeModelData(out, model.coefficients(), model.version());
        }
        Files.writeString(dir.resolve(META_FILE), metaJson(model));
    }

    /** The {@code model.json} text of a model. */
    public static String metaJson(LogisticModel model) throws JsonProcessingException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("name", model.name());
        root.put("version", model.version());
        ObjectNode label = root.putObject("label");
        label.put("kind", model.spec().label().kind().id());
        label.put("horizon_days", model.spec().label().horizonDays());
        ArrayNode features = root.putArray("features");
        for (FeatureSpec f : model.spec().features()) {
            ObjectNode o = features.addObject();
            o.put("name", f.name());
            o.put("transform", f.transform().id());
            if (f.cap() != Double.POSITIVE_INFINITY) {
                o.put("cap", f.cap());
            }
            if (f.missing() != 0) {
                o.put("missing", f.missing());
            }
        }
        BgNbd.Params bg = model.spec().bgNbd();
        if (bg != null) {
            ObjectNode o = root.putObject("bgnbd");
            o.put("r", bg.r());
            o.put("alpha", bg.alpha());
            o.put("a", bg.a());
            o.put("b", bg.b());
        }
        OrderCalendar calendar = model.spec().calendar();
        if (calendar != null) {
            ObjectNode o = root.putObject("order_calendar");
            o.put("first_day", java.time.LocalDate.ofEpochDay(calendar.firstDay()).toString());
            ArrayNode orders = o.putArray("orders");
            for (long n : calendar.orders()) {
                orders.add(n);
            }
        }
        ArrayNode mean = root.putArray("mean");
        ArrayNode std = root.putArray("std");
        for (int i = 0; i < model.standardization().size(); i++) {
            mean.add(model.standardization().mean(i));
            std.add(model.standardization().std(i));
        }
        root.put("trained_until", model.trainedUntil());
        ObjectNode metrics = root.putObject("metrics");
        model.metrics().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> metrics.put(e.getKey(), e.getValue()));
        return JSON.writeValueAsString(root) + "\n";
    }

    /**
     * Reads and validates a model directory.
     *
     * @throws ModelException naming the directory and what is wrong
     */
    public static LogisticModel read(Path dir) throws ModelException {
        ModelMeta meta = readMeta(dir);
        ModelData data;
        try (InputStream in =
                new BufferedInputStream(Files.newInputStream(dir.resolve(DATA_FILE)))) {
            data = readModelData(in);
        } catch (NoSuchFileException e) {
            throw new ModelException(dir + ": no " + DATA_FILE);
        } catch (ModelException e) {
            throw new ModelException(dir.resolve(DATA_FILE) + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelException(dir + ": cannot read " + DATA_FILE + ": " + e, e);
        }
        return meta.withData(data, dir.toString());
    }

    /** A model's {@code model.json}: everything but the coefficients. */
    public record ModelMeta(
            ModelSpec spec,
            long version,
            Standardization standardization,
            long trainedUntil,
            Map<String, Double> metrics) {

        /** The model of this definition and {@code data}, checked against each other. */
        public LogisticModel withData(ModelData data, String where) throws ModelException {
            if (data.version() != version) {
                throw new ModelException(
                        where
                                + ": model data has version "
                                + data.version()
                                + " but model.json says "
                                + version);
            }
            try {
                return new LogisticModel(
                        spec, version, standardization, data.coefficients(), trainedUntil, metrics);
            } catch (IllegalArgumentException e) {
                throw new ModelException(where + ": " + e.getMessage(), e);
            }
        }
    }

    /** Reads and validates {@code dir/model.json}. */
    public static ModelMeta readMeta(Path dir) throws ModelException {
        Path file = dir.resolve(META_FILE);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ModelException(dir + ": no " + META_FILE + " (not a model directory)");
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e, e);
        }
        try {
            return parseMeta(text);
        } catch (JsonProcessingException e) {
            throw new ModelException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ModelException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses {@code model.json} text; IllegalArgumentException says what is wrong. */
    public static ModelMeta parseMeta(String text) throws JsonProcessingException {
        JsonNode root = JSON.readTree(text);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        int format = integer(root, "format");
        if (format != FORMAT) {
            throw new IllegalArgumentException(
                    "model format "
                            + format
                            + " is not supported (this build reads "
                            + FORMAT
                            + ")");
        }
        String name = text(root, "name");
        long version =
                root.path("version").canConvertToExactIntegral()
                        ? root.path("version").asLong()
                        : fail("'version' must be an integer");
        JsonNode labelNode = required(root, "label");
        LabelSpec label =
                new LabelSpec(
                        LabelSpec.Kind.of(text(labelNode, "kind")),
                        integer(labelNode, "horizon_days"));
        List<FeatureSpec> features = new ArrayList<>();
        JsonNode fs = required(root, "features");
        if (!fs.isArray()) {
            throw new IllegalArgumentException("'features' must be an array");
        }
        for (JsonNode f : fs) {
            features.add(
                    new FeatureSpec(
                            text(f, "name"),
                            FeatureSpec.Transform.of(text(f, "transform")),
                            f.has("cap") ? number(f, "cap") : Double.POSITIVE_INFINITY,
                            f.has("missing") ? number(f, "missing") : 0));
        }
        BgNbd.Params bg = null;
        JsonNode bgNode = root.get("bgnbd");
        if (bgNode != null && !bgNode.isNull()) {
            bg =
                    new BgNbd.Params(
                            number(bgNode, "r"),
                            number(bgNode, "alpha"),
                            number(bgNode, "a"),
                            number(bgNode, "b"));
        }
        ModelSpec spec = new ModelSpec(name, label, features, bg, calendar(root));
        if (bg == null && spec.usesBgNbd()) {
            throw new IllegalArgumentException(
                    "features p_alive and bgnbd_purchase need the 'bgnbd' parameters");
        }
        double[] mean = numbers(root, "mean");
        double[] std = numbers(root, "std");
        if (mean.length != features.size() || std.length != features.size()) {
            throw new IllegalArgumentException(
                    features.size()
                            + " features but "
                            + mean.length
                            + " means and "
                            + std.length
                            + " stds");
        }
        long trainedUntil =
                root.has("trained_until") ? root.get("trained_until").asLong() : Long.MIN_VALUE;
        Map<String, Double> metrics = new LinkedHashMap<>();
        JsonNode m = root.path("metrics");
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNumber()) {
                metrics.put(e.getKey(), e.getValue().asDouble());
            }
        }
        return new ModelMeta(spec, version, new Standardization(mean, std), trainedUntil, metrics);
    }

    /** The optional {@code order_calendar} of a model.json: first day and orders per day. */
    private static OrderCalendar calendar(JsonNode root) {
        JsonNode c = root.get("order_calendar");
        if (c == null || c.isNull()) {
            return null;
        }
        long first;
        try {
            first = java.time.LocalDate.parse(text(c, "first_day")).toEpochDay();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "'order_calendar.first_day' must be a date (YYYY-MM-DD)", e);
        }
        JsonNode orders = required(c, "orders");
        if (!orders.isArray()) {
            throw new IllegalArgumentException("'order_calendar.orders' must be an array");
        }
        long[] n = new long[orders.size()];
        for (int i = 0; i < n.length; i++) {
            JsonNode v = orders.get(i);
            if (!v.canConvertToExactIntegral() || v.asLong() < 0) {
                throw new IllegalArgumentException(
                        "'order_calendar.orders' must hold integers ≥ 0");
            }
            n[i] = v.asLong();
        }
        return new OrderCalendar(first, n);
    }

    private static long fail(String message) {
        throw new IllegalArgumentException(message);
    }

    private static JsonNode required(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing '" + field + "'");
        }
        return v;
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = required(o, field);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return v.asText();
    }

    private static int integer(JsonNode o, String field) {
        JsonNode v = required(o, field);
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("'" + field + "' must be an integer");
        }
        return v.asInt();
    }

    private static double number(JsonNode o, String field) {
        JsonNode v = required(o, field);
        if (!v.isNumber()) {
            throw new IllegalArgumentException("'" + field + "' must be a number");
        }
        return v.asDouble();
    }

    private static double[] numbers(JsonNode o, String field) {
        JsonNode v = required(o, field);
        if (!v.isArray()) {
            throw new IllegalArgumentException("'" + field + "' must be an array of numbers");
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw new IllegalArgumentException("'" + field + "'[" + i + "] is not a number");
            }
            out[i] = v.get(i).asDouble();
        }
        return out;
    }
}
