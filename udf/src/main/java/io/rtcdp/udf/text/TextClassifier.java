package io.rtcdp.udf.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the {@link TextIntent} and {@link TextSentiment} of a customer message (English, Chinese or
 * both mixed): two softmax regressions over the message's word unigrams and bigrams (negation
 * marked) and the counts of the cues of a hand-written lexicon. {@link #builtIn()} is the model
 * trained from {@code data/text/train.tsv}; {@link TextTrainer} trains others. Immutable and
 * thread-safe; {@link #classify} never throws.
 *
 * <p>The model's JSON ({@link #toJson()}): {@code format}, {@code version}, {@code maxChars},
 * {@code lexicon} (the CRC-32 of the lexicon it was trained with, which must be this build's), and
 * for {@code intent} and {@code sentiment} the {@code labels}, the {@code bias} a label, and the
 * {@code weights} a feature (one a label).
 */
public final class TextClassifier implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The characters of a text that {@link #classify} reads; the rest is ignored. */
    public static final int MAX_CHARS = 2000;

    /** The classpath resource (next to this class) of {@link #builtIn()}. */
    public static final String BUILT_IN_RESOURCE = "text-model.json";

    static final String FORMAT = "rtcdp-text-classifier";
    static final int VERSION = 1;

    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final List<String> INTENT_LABELS =
            Arrays.stream(TextIntent.values()).map(TextIntent::label).toList();
    private static final List<String> SENTIMENT_LABELS =
            Arrays.stream(TextSentiment.values()).map(TextSentiment::label).toList();

    private static final TextIntent[] INTENTS = TextIntent.values();
    private static final TextSentiment[] SENTIMENTS = TextSentiment.values();

    private final SoftmaxModel intent;
    private final SoftmaxModel sentiment;
    private final String lexicon;

    TextClassifier(SoftmaxModel intent, SoftmaxModel sentiment, String lexicon) {
        if (!intent.labels().equals(INTENT_LABELS)) {
            throw new IllegalArgumentException(
                    "intent labels must be " + INTENT_LABELS + ", got " + intent.labels());
        }
        if (!sentiment.labels().equals(SENTIMENT_LABELS)) {
            throw new IllegalArgumentException(
                    "sentiment labels must be " + SENTIMENT_LABELS + ", got " + sentiment.labels());
        }
        this.intent = intent;
        this.sentiment = sentiment;
        this.lexicon = Objects.requireNonNull(lexicon);
    }

    private static final class BuiltIn {
        static final TextClassifier MODEL = load();

        private static TextClassifier load() {
            try (InputStream in = TextClassifier.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(
                            "resource "
                                    + BUILT_IN_RESOURCE
                                    + " not found next to "
                                    + TextClassifier.class.getName());
                }
                return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The shipped model ({@code text-model.json}, trained from {@code data/text/train.tsv}), loaded
     * once.
     */
    public static TextClassifier builtIn() {
        return BuiltIn.MODEL;
    }

    /** The intent and sentiment of {@code text} (its first {@link #MAX_CHARS} characters). */
    public TextSignal classify(String text) {
        Map<String, Double> x;
        try {
            x = Features.of(truncate(text));
        } catch (RuntimeException e) {
            // never expected; a text that cannot be read is classified as an empty one
            x = Map.of();
        }
        double[] pi = intent.probabilities(x);
        int best = 0;
        for (int c = 1; c < pi.length; c++) {
            if (pi[c] > pi[best]) {
                best = c;
            }
        }
        double[] ps = sentiment.probabilities(x);
        int s = 0;
        for (int c = 1; c < ps.length; c++) {
            if (ps[c] > ps[s]) {
                s = c;
            }
        }
        double score = ps[TextSentiment.POSITIVE.ordinal()] - ps[TextSentiment.NEGATIVE.ordinal()];
        return new TextSignal(INTENTS[best], pi[best], SENTIMENTS[s], score);
    }

    /** The first {@link #MAX_CHARS} characters of {@code text}, not splitting a surrogate pair. */
    static String truncate(String text) {
        if (text == null) {
            return "";
        }
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        int end = MAX_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))
                && Character.isLowSurrogate(text.charAt(end))) {
            end--;
        }
        return text.substring(0, end);
    }

    /** The number of features with a weight, for intent and sentiment together. */
    public int featureCount() {
        return intent.featureCount() + sentiment.featureCount();
    }

    /** The model as JSON, one feature a line; {@link #fromJson} reads it back exactly. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(1 << 16);
        sb.append("{\n\"format\": ").append(str(FORMAT));
        sb.append(",\n\"version\": ").append(VERSION);
        sb.append(",\n\"maxChars\": ").append(MAX_CHARS);
        sb.append(",\n\"lexicon\": ").append(str(lexicon));
        sb.append(",\n\"intent\": ");
        write(sb, intent);
        sb.append(",\n\"sentiment\": ");
        write(sb, sentiment);
        sb.append("\n}\n");
        return sb.toString();
    }

    private static void write(StringBuilder sb, SoftmaxModel m) {
        sb.append("{\n\"labels\": [");
        List<String> labels = m.labels();
        for (int i = 0; i < labels.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(str(labels.get(i)));
        }
        sb.append("],\n\"bias\": ");
        numbers(sb, m.bias());
        sb.append(",\n\"weights\": {");
        boolean first = true;
        for (Map.Entry<String, double[]> e : m.sortedWeights().entrySet()) {
            sb.append(first ? "\n" : ",\n").append(str(e.getKey())).append(": ");
            numbers(sb, e.getValue());
            first = false;
        }
        sb.append("\n}}");
    }

    private static void numbers(StringBuilder sb, double[] xs) {
        sb.append('[');
        for (int i = 0; i < xs.length; i++) {
            sb.append(i == 0 ? "" : ",").append(xs[i]);
        }
        sb.append(']');
    }

    private static String str(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    /** The model of {@link #toJson()}; IllegalArgumentException saying what is wrong. */
    public static TextClassifier fromJson(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("text model JSON: empty input");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "text model JSON: not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("text model JSON: expected an object");
        }
        String format = text(root, "format");
        if (!format.equals(FORMAT)) {
            throw new IllegalArgumentException(
                    "text model JSON: format is '" + format + "', expected '" + FORMAT + "'");
        }
        int version = integer(root, "version");
        if (version != VERSION) {
            throw new IllegalArgumentException(
                    "text model JSON: version "
                            + version
                            + " is not supported (only "
                            + VERSION
                            + ")");
        }
        int maxChars = integer(root, "maxChars");
        if (maxChars != MAX_CHARS) {
            throw new IllegalArgumentException(
                    "text model JSON: maxChars " + maxChars + ", this build reads " + MAX_CHARS);
        }
        String lexicon = text(root, "lexicon");
        String ours = Lexicon.get().fingerprint();
        if (!lexicon.equals(ours)) {
            throw new IllegalArgumentException(
                    "text model JSON: trained with lexicon "
                            + lexicon
                            + " but this build's lexicon is "
                            + ours
                            + "; retrain the model (TextTrainer)");
        }
        return new TextClassifier(
                model(root, "intent", INTENT_LABELS),
                model(root, "sentiment", SENTIMENT_LABELS),
                lexicon);
    }

    private static SoftmaxModel model(JsonNode root, String field, List<String> expected) {
        JsonNode m = root.get(field);
        if (m == null || !m.isObject()) {
            throw new IllegalArgumentException("text model JSON: missing object '" + field + "'");
        }
        JsonNode labelsNode = m.get("labels");
        if (labelsNode == null || !labelsNode.isArray()) {
            throw new IllegalArgumentException(
                    "text model JSON: missing array '" + field + ".labels'");
        }
        List<String> labels = new ArrayList<>();
        labelsNode.forEach(l -> labels.add(l.isTextual() ? l.textValue() : l.toString()));
        if (!labels.equals(expected)) {
            throw new IllegalArgumentException(
                    "text model JSON: "
                            + field
                            + ".labels must be "
                            + expected
                            + ", got "
                            + labels);
        }
        double[] bias = numbers(m.get("bias"), field + ".bias", labels.size());
        JsonNode w = m.get("weights");
        if (w == null || !w.isObject()) {
            throw new IllegalArgumentException(
                    "text model JSON: missing object '" + field + ".weights'");
        }
        Map<String, double[]> weights = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = w.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            weights.put(
                    e.getKey(),
                    numbers(e.getValue(), field + ".weights['" + e.getKey() + "']", labels.size()));
        }
        return new SoftmaxModel(labels, bias, weights);
    }

    private static double[] numbers(JsonNode node, String what, int n) {
        if (node == null || !node.isArray() || node.size() != n) {
            throw new IllegalArgumentException(
                    "text model JSON: '" + what + "' must be an array of " + n + " numbers");
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode v = node.get(i);
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                throw new IllegalArgumentException(
                        "text model JSON: '" + what + "' holds a non-number: " + v);
            }
            out[i] = v.doubleValue();
        }
        return out;
    }

    private static String text(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("text model JSON: missing string '" + field + "'");
        }
        return v.textValue();
    }

    private static int integer(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("text model JSON: missing integer '" + field + "'");
        }
        return v.intValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextClassifier c
                && intent.equals(c.intent)
                && sentiment.equals(c.sentiment)
                && lexicon.equals(c.lexicon);
    }

    @Override
    public int hashCode() {
        return Objects.hash(intent, sentiment, lexicon);
    }

    @Override
    public String toString() {
        return "TextClassifier[features=" + featureCount() + ", lexicon=" + lexicon + "]";
    }
}
