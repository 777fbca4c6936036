package io.rtcdp.udf.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@link TextClassifier} from labelled sentences: the features of each text, then one
 * softmax regression for intent (classes weighted inversely to their frequency, so that rare
 * intents count as much as {@code none}) and one for sentiment. Deterministic: the same examples in
 * the same order give the same {@link TextClassifier#toJson()}.
 *
 * <p>The shipped model is {@code train(data/text/train.tsv)}; {@code TextModelShippedTest} checks
 * it and rewrites it with {@code -Dtext.regenerate=true} (data/text/README.md).
 */
public final class TextTrainer {
    static final SoftmaxTrainer.Params INTENT =
            new SoftmaxTrainer.Params(2, 0.002, 300, 0.05, true, 3);
    static final SoftmaxTrainer.Params SENTIMENT =
            new SoftmaxTrainer.Params(2, 0.002, 300, 0.05, true, 3);

    private TextTrainer() {}

    /** The classifier of {@code examples}, with the default parameters. */
    public static TextClassifier train(List<LabelledText> examples) {
        return train(examples, INTENT, SENTIMENT);
    }

    static TextClassifier train(
            List<LabelledText> examples,
            SoftmaxTrainer.Params intentParams,
            SoftmaxTrainer.Params sentimentParams) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples to train on");
        }
        List<Map<String, Double>> xs = new ArrayList<>(examples.size());
        int[] intents = new int[examples.size()];
        int[] sentiments = new int[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            LabelledText e = examples.get(i);
            xs.add(Features.of(TextClassifier.truncate(e.text())));
            intents[i] = e.intent().ordinal();
            sentiments[i] = e.sentiment().ordinal();
        }
        SoftmaxModel intent =
                SoftmaxTrainer.train(
                        Arrays.stream(TextIntent.values()).map(TextIntent::label).toList(),
                        xs,
                        intents,
                        intentParams);
        SoftmaxModel sentiment =
                SoftmaxTrainer.train(
                        Arrays.stream(TextSentiment.values()).map(TextSentiment::label).toList(),
                        xs,
                        sentiments,
                        sentimentParams);
        return new TextClassifier(intent, sentiment, Lexicon.get().fingerprint());
    }
}
