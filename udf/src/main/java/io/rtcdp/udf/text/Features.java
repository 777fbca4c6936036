package io.rtcdp.udf.text;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sparse features of a text: {@code u:} token unigrams and {@code b:} bigrams within a clause
 * (negated tokens {@code not_}-prefixed), each 1, and the cue counts of the {@link Lexicon} ({@code
 * lex:}, at most {@link #MAX_CUE_COUNT}).
 */
final class Features {
    static final double MAX_CUE_COUNT = 3;

    private Features() {}

    /** The features of {@code text}, which the caller has cut to its maximum length. */
    static Map<String, Double> of(String text) {
        Tokens.Sequence seq = Tokens.of(text);
        List<String> tokens = seq.tokens();
        Map<String, Double> out = new HashMap<>();
        String prev = null;
        for (int k = 0; k < tokens.size(); k++) {
            if (tokens.get(k).equals(Tokens.BREAK)) {
                prev = null;
                continue;
            }
            String t = seq.marked(k);
            out.put("u:" + t, 1.0);
            if (prev != null) {
                out.put("b:" + prev + " " + t, 1.0);
            }
            prev = t;
        }
        Lexicon.get().addFeatures(text.toLowerCase(Locale.ROOT), seq, out);
        out.replaceAll((k, v) -> k.startsWith("lex:") ? Math.min(v, MAX_CUE_COUNT) : v);
        return out;
    }
}
