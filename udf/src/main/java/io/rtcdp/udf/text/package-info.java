/**
 * Text signals of customer messages (chats, reviews, feedback) in English and Chinese: {@link
 * io.rtcdp.udf.text.TextClassifier} turns a text into a {@link io.rtcdp.udf.text.TextIntent} and a
 * {@link io.rtcdp.udf.text.TextSentiment}, with two softmax regressions over word n-grams and
 * hand-written cue lexicons; {@link io.rtcdp.udf.text.TextTrainer} trains it from labelled
 * sentences ({@code data/text/}, read by {@link io.rtcdp.udf.text.LabelledTexts}) and {@link
 * io.rtcdp.udf.text.TextEvaluation} measures it. Chinese is segmented with HanLP (portable).
 */
package io.rtcdp.udf.text;
