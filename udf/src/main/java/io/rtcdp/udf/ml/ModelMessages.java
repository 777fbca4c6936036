package io.rtcdp.udf.ml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A model version as one text message, the form in which models travel through the {@code
 * rtcdp.models} topic and the job's broadcast state: {@code {"tenant": T, "model": <model.json>,
 * "data": <base64 of the Flink ML model data>}}. The tenant {@code *} means every tenant without a
 * model of that name of its own (a models directory given at start-up).
 */
public final class ModelMessages {
    /** The tenant of models that apply to every tenant. */
    public static final String ANY_TENANT = "*";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelMessages() {}

    /** A decoded, checked model version. */
    public record Decoded(String tenant, LogisticRegressionServable servable) {
        public LogisticModel model() {
            return servable.model();
        }

        public String name() {
            return servable.model().name();
        }

        /** Key of the model in state and on the topic: {@code tenant/name}. */
        public String key() {
            return ModelMessages.key(tenant, name());
        }
    }

    public static String key(String tenant, String name) {
        return tenant + '/' + name;
    }

    /** The message of a model for a tenant. */
    public static String encode(String tenant, LogisticModel model) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ModelIo.writeModelData(data, model.coefficients(), model.version());
        ObjectNode root = JSON.createObjectNode();
        root.put("tenant", tenant);
        root.set("model", JSON.readTree(ModelIo.metaJson(model)));
        root.put("data", Base64.getEncoder().encodeToString(data.toByteArray()));
        return JSON.writeValueAsString(root);
    }

    /**
     * Decodes and checks a message, building the servable through Flink ML's servable API ({@code
     * setModelData} over the model data stream).
     *
     * @throws ModelException saying what is wrong with it
     */
    public static Decoded decode(String text) throws ModelException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ModelException("model message is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelException("model message is not a JSON object");
        }
        String tenant = root.path("tenant").asText("");
        if (!tenant.equals(ANY_TENANT) && !tenant.matches("[a-z0-9_-]{1,64}")) {
            throw new ModelException("model message has no valid tenant: '" + tenant + "'");
        }
        JsonNode meta = root.get("model");
        if (meta == null || !meta.isObject()) {
            throw new ModelException("model message has no model object");
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(root.path("data").asText(""));
        } catch (IllegalArgumentException e) {
            throw new ModelException("model message data is not base64", e);
        }
        try {
            LogisticRegressionServable s =
                    new LogisticRegressionServable(ModelIo.parseMeta(meta.toString()));
            s.setModelData(new ByteArrayInputStream(data));
            return new Decoded(tenant, s);
        } catch (ModelException e) {
            throw e;
        } catch (IllegalArgumentException | IOException e) {
            throw new ModelException("model message: " + e.getMessage(), e);
        }
    }

    /**
     * The messages of a models directory ({@code --models DIR}: one model directory per model name,
     * as {@code rtcdp train --out} writes it), for every tenant.
     *
     * @throws ModelException naming the directory at fault
     */
    public static List<String> readDirectory(Path dir) throws ModelException {
        if (!Files.isDirectory(dir)) {
            throw new ModelException("models directory not found: " + dir);
        }
        List<String> out = new ArrayList<>();
        try (var subdirs = Files.list(dir)) {
            for (Path sub : subdirs.sorted().toList()) {
                if (!Files.isDirectory(sub)) {
                    continue;
                }
                LogisticModel model = ModelIo.read(sub);
                if (!model.name().equals(sub.getFileName().toString())) {
                    throw new ModelException(
                            sub
                                    + ": holds model '"
                                    + model.name()
                                    + "', not '"
                                    + sub.getFileName()
                                    + "'");
                }
                out.add(encode(ANY_TENANT, model));
            }
        } catch (ModelException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelException("cannot read models directory " + dir + ": " + e, e);
        }
        if (out.isEmpty()) {
            throw new ModelException(dir + ": no model directories (expected purchase/, churn/)");
        }
        return out;
    }

    /** Whether a broadcast text is a model message rather than a rule set. */
    public static boolean isModel(String text) {
        return text.startsWith("{\"tenant\":") && text.contains("\"model\":");
    }
}
