package io.rtcdp.udf.text;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The feeling a customer message expresses. */
public enum TextSentiment {
    NEGATIVE("negative"),
    NEUTRAL("neutral"),
    POSITIVE("positive");

    private static final TextSentiment[] VALUES = values();

    private final String label;

    TextSentiment(String label) {
        this.label = label;
    }

    /** The label used in data files and models, e.g. {@code "negative"}. */
    public String label() {
        return label;
    }

    /** The sentiment of a label; IllegalArgumentException naming the allowed labels. */
    public static TextSentiment ofLabel(String label) {
        for (TextSentiment s : VALUES) {
            if (s.label.equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException(
                "unknown sentiment label '"
                        + label
                        + "'; allowed: "
                        + Arrays.stream(VALUES)
                                .map(TextSentiment::label)
                                .collect(Collectors.joining(", ")));
    }
}
