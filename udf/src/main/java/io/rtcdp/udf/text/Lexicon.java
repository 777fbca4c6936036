package io.rtcdp.udf.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The cue lexicon ({@code lexicon.tsv} next to this class): phrases that signal an intent or a
 * sentiment, written for rtcdp. Each line is {@code category<TAB>cue}; categories are the intent
 * labels other than {@code none}, and {@code positive} and {@code negative}. A cue with Han
 * characters is found as a substring of the text; any other cue as a sequence of tokens. A
 * sentiment cue in a negation scope counts for the opposite sentiment; an intent cue there counts
 * as {@code lex:not_<intent>}.
 */
final class Lexicon {
    static final String RESOURCE = "lexicon.tsv";
    static final String POSITIVE = "positive";
    static final String NEGATIVE = "negative";

    private static final Set<String> CATEGORIES =
            Set.of(
                    "complaint",
                    "refund",
                    "price_question",
                    "purchase_intent",
                    "churn_threat",
                    POSITIVE,
                    NEGATIVE);

    private static final String ZH_NEGATORS = "不没别未";

    private static final Lexicon INSTANCE = load();

    private record Cue(List<String> categories, List<String> tokens) {}

    /** Token cues by their first token, longest first. */
    private final Map<String, List<Cue>> tokenCues;

    /** The categories of the Han cues, by their text. */
    private final Map<String, List<String>> hanCues;

    private final int maxHanLength;
    private final String fingerprint;

    private Lexicon(
            Map<String, List<Cue>> tokenCues,
            Map<String, List<String>> hanCues,
            String fingerprint) {
        this.tokenCues = tokenCues;
        this.hanCues = hanCues;
        this.maxHanLength = hanCues.keySet().stream().mapToInt(String::length).max().orElse(0);
        this.fingerprint = fingerprint;
    }

    static Lexicon get() {
        return INSTANCE;
    }

    /** The CRC-32 of the lexicon file, in hex: a model records the lexicon it was trained with. */
    String fingerprint() {
        return fingerprint;
    }

    private static Lexicon load() {
        byte[] bytes;
        try (InputStream in = Lexicon.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "resource " + RESOURCE + " not found next to " + Lexicon.class.getName());
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        Map<String, List<Cue>> tokenCues = new HashMap<>();
        Map<String, List<String>> hanCues = new HashMap<>();
        Map<List<String>, List<String>> byTokens = new HashMap<>();
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 2 || !CATEGORIES.contains(f[0]) || f[1].isBlank()) {
                throw new IllegalStateException(RESOURCE + " line " + (i + 1) + ": " + line);
            }
            String cue = f[1].strip().toLowerCase(Locale.ROOT);
            if (cue.codePoints().anyMatch(Tokens::isHan)) {
                hanCues.computeIfAbsent(cue, k -> new ArrayList<>()).add(f[0]);
            } else {
                List<String> tokens =
                        Tokens.of(cue).tokens().stream()
                                .filter(t -> !t.equals(Tokens.BREAK))
                                .toList();
                if (!tokens.isEmpty()) {
                    byTokens.computeIfAbsent(tokens, k -> new ArrayList<>()).add(f[0]);
                }
            }
        }
        byTokens.forEach(
                (tokens, categories) ->
                        tokenCues
                                .computeIfAbsent(tokens.get(0), k -> new ArrayList<>())
                                .add(new Cue(categories, tokens)));
        tokenCues
                .values()
                .forEach(
                        l ->
                                l.sort(
                                        Comparator.comparingInt((Cue c) -> -c.tokens().size())
                                                .thenComparing(c -> String.join(" ", c.tokens()))));
        return new Lexicon(tokenCues, hanCues, String.format("%08x", crc.getValue()));
    }

    /**
     * Adds the counts of the cues found in {@code text} (lower-cased) and its tokens to {@code
     * out}.
     */
    void addFeatures(String text, Tokens.Sequence seq, Map<String, Double> out) {
        List<String> tokens = seq.tokens();
        for (int k = 0; k < tokens.size(); ) {
            List<Cue> cues = tokenCues.get(tokens.get(k));
            Cue hit = null;
            if (cues != null) {
                for (Cue c : cues) {
                    if (matches(tokens, k, c.tokens())) {
                        hit = c;
                        break;
                    }
                }
            }
            if (hit == null) {
                k++;
            } else {
                for (String category : hit.categories()) {
                    count(out, category, seq.negated()[k]);
                }
                k += hit.tokens().size();
            }
        }
        if (maxHanLength == 0) {
            return;
        }
        int n = text.length();
        for (int i = 0; i < n; ) {
            if (!Tokens.isHan(text.charAt(i))) {
                i++;
                continue;
            }
            int len = Math.min(maxHanLength, n - i);
            List<String> categories = null;
            for (; len > 0; len--) {
                categories = hanCues.get(text.substring(i, i + len));
                if (categories != null) {
                    break;
                }
            }
            if (categories == null) {
                i++;
            } else {
                boolean negated = negatedHan(text, i);
                for (String category : categories) {
                    count(out, category, negated);
                }
                i += len;
            }
        }
    }

    /** Whether a Han cue at {@code i} follows a negation in the 2 characters before it. */
    private static boolean negatedHan(String text, int i) {
        if (ZH_NEGATORS.indexOf(text.charAt(i)) >= 0) {
            return false;
        }
        for (int j = i - 1; j >= Math.max(0, i - 2); j--) {
            char c = text.charAt(j);
            if (!Tokens.isHan(c)) {
                return false;
            }
            if (ZH_NEGATORS.indexOf(c) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(List<String> tokens, int k, List<String> cue) {
        if (k + cue.size() > tokens.size()) {
            return false;
        }
        for (int j = 0; j < cue.size(); j++) {
            if (!tokens.get(k + j).equals(cue.get(j))) {
                return false;
            }
        }
        return true;
    }

    private static void count(Map<String, Double> out, String category, boolean negated) {
        String name;
        if (category.equals(POSITIVE)) {
            name = negated ? NEGATIVE : POSITIVE;
        } else if (category.equals(NEGATIVE)) {
            name = negated ? POSITIVE : NEGATIVE;
        } else {
            name = negated ? "not_" + category : category;
        }
        out.merge("lex:" + name, 1.0, Double::sum);
    }
}
