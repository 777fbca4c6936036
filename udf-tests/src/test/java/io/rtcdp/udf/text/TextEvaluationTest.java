package io.rtcdp.udf.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped model on data/text/test.tsv, written apart from the training set. The thresholds are
 * a little below the measured figures (data/text/README.md), so that a real regression fails.
 */
class TextEvaluationTest {
    @Test
    void shippedModelOnTheTestSet() throws Exception {
        List<LabelledText> test = TextData.test();
        TextEvaluation e = TextEvaluation.of(TextClassifier.builtIn(), test);
        System.out.println("TextClassifier.builtIn() on data/text/test.tsv\n" + e.report());

        assertThat(e.forLanguage("en").size()).isGreaterThanOrEqualTo(160);
        assertThat(e.forLanguage("zh").size()).isGreaterThanOrEqualTo(160);
        assertThat(e.intentMacroF1("en")).isGreaterThan(0.84);
        assertThat(e.intentMacroF1("zh")).isGreaterThan(0.80);
        assertThat(e.sentimentAccuracy("en")).isGreaterThan(0.89);
        assertThat(e.sentimentAccuracy("zh")).isGreaterThan(0.86);
        for (TextIntent i : TextIntent.values()) {
            assertThat(e.intentF1(i)).as("F1 of %s", i.label()).isGreaterThan(0.7);
        }
    }

    @Test
    void trainingSetIsLargeAndCoversEveryLabelInBothLanguages() throws Exception {
        List<LabelledText> train = TextData.train();
        List<LabelledText> test = TextData.test();
        for (String lang : List.of("en", "zh")) {
            assertThat(train.stream().filter(t -> t.lang().equals(lang)).count())
                    .isGreaterThanOrEqualTo(300);
            for (TextIntent i : TextIntent.values()) {
                assertThat(
                                test.stream()
                                        .filter(t -> t.lang().equals(lang) && t.intent() == i)
                                        .count())
                        .as("%s %s in test.tsv", lang, i.label())
                        .isGreaterThanOrEqualTo(20);
            }
        }
        assertThat(test)
                .extracting(LabelledText::text)
                .doesNotContainAnyElementsOf(train.stream().map(LabelledText::text).toList());
    }

    @Test
    void metricsOfAKnownConfusion() {
        TextClassifier c = TextClassifier.builtIn();
        List<LabelledText> set =
                List.of(
                        new LabelledText(
                                "en", TextIntent.REFUND, TextSentiment.NEGATIVE, "I want a refund"),
                        new LabelledText(
                                "en", TextIntent.REFUND, TextSentiment.NEGATIVE, "refund me now"));
        TextEvaluation e = TextEvaluation.of(c, set);
        assertThat(e.size()).isEqualTo(2);
        assertThat(e.intentRecall(TextIntent.REFUND)).isCloseTo(1.0, within(1e-9));
        assertThat(e.intentMacroF1()).isCloseTo(1.0, within(1e-9));
        assertThat(e.report()).contains("| refund | 2 |");
    }
}
