package io.rtcdp.udf.text;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a customer message asks for or announces (data/text/README.md has the labelling guide). When
 * a message has several, the strongest counts: {@link #CHURN_THREAT} over {@link #REFUND} over
 * {@link #COMPLAINT}.
 */
public enum TextIntent {
    /** None of the others: praise, a question about delivery or the account, small talk. */
    NONE("none"),
    /** Reports a problem or dissatisfaction, without asking for money back or leaving. */
    COMPLAINT("complaint"),
    /** Asks for money back: a refund, a return for a refund, a reversed charge. */
    REFUND("refund"),
    /** Asks about a price, a discount, a coupon, a shipping cost, a sale. */
    PRICE_QUESTION("price_question"),
    /** Says the customer wants to buy, order, book, subscribe or upgrade. */
    PURCHASE_INTENT("purchase_intent"),
    /** Says the customer leaves: cancels, closes the account, switches to a competitor. */
    CHURN_THREAT("churn_threat");

    private static final TextIntent[] VALUES = values();

    private final String label;

    TextIntent(String label) {
        this.label = label;
    }

    /** The label used in data files and models, e.g. {@code "price_question"}. */
    public String label() {
        return label;
    }

    /** The intent of a label; IllegalArgumentException naming the allowed labels. */
    public static TextIntent ofLabel(String label) {
        for (TextIntent i : VALUES) {
            if (i.label.equals(label)) {
                return i;
            }
        }
        throw new IllegalArgumentException(
                "unknown intent label '"
                        + label
                        + "'; allowed: "
                        + Arrays.stream(VALUES)
                                .map(TextIntent::label)
                                .collect(Collectors.joining(", ")));
    }
}
