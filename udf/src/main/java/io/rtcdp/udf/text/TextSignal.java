package io.rtcdp.udf.text;

/**
 * What {@link TextClassifier#classify} reads in a text.
 *
 * @param intent the most probable intent
 * @param intentScore the model's probability of that intent, 0..1
 * @param sentiment the most probable sentiment
 * @param sentimentScore P(positive) - P(negative), -1..1
 */
public record TextSignal(
        TextIntent intent, double intentScore, TextSentiment sentiment, double sentimentScore) {}
