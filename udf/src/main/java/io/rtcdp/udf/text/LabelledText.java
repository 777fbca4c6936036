package io.rtcdp.udf.text;

import java.util.Objects;

/**
 * One labelled sentence of {@code data/text/*.tsv}.
 *
 * @param lang {@code "en"} or {@code "zh"}
 */
public record LabelledText(String lang, TextIntent intent, TextSentiment sentiment, String text) {
    public LabelledText {
        Objects.requireNonNull(lang, "lang");
        Objects.requireNonNull(intent, "intent");
        Objects.requireNonNull(sentiment, "sentiment");
        Objects.requireNonNull(text, "text");
    }
}
