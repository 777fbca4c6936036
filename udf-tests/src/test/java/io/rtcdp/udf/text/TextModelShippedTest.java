package io.rtcdp.udf.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The shipped model is exactly what {@link TextTrainer} makes of data/text/train.tsv. After a
 * change of the data, the lexicon, the features or the trainer, regenerate it: {@code mvn -B -o
 * test -pl udf-tests -am -Dtest=TextModelShippedTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtext.regenerate=true}.
 */
class TextModelShippedTest {
    private static final String HOW =
            "the shipped model "
                    + TextData.SHIPPED_MODEL
                    + " is stale: regenerate it with `mvn -B -o test -pl udf-tests -am"
                    + " -Dtest=TextModelShippedTest -Dsurefire.failIfNoSpecifiedTests=false"
                    + " -Dtext.regenerate=true` (from the repository root)";

    @Test
    void shippedModelIsTheModelOfTheTrainingSet() throws Exception {
        String trained = TextTrainer.train(TextData.train()).toJson();
        if (Boolean.getBoolean("text.regenerate")) {
            Files.writeString(TextData.SHIPPED_MODEL, trained, StandardCharsets.UTF_8);
            System.out.println(
                    "wrote " + TextData.SHIPPED_MODEL + " (" + trained.length() + " characters)");
        }
        String shipped = Files.readString(TextData.SHIPPED_MODEL, StandardCharsets.UTF_8);
        assertThat(shipped).as(HOW).isEqualTo(trained);
        assertThat(TextClassifier.builtIn().toJson()).as(HOW).isEqualTo(trained);
    }

    @Test
    void trainingIsDeterministic() throws Exception {
        var train = TextData.train();
        String a = TextTrainer.train(train).toJson();
        String b = TextTrainer.train(java.util.List.copyOf(train)).toJson();
        assertThat(b).isEqualTo(a);
    }

    @Test
    void jsonRoundTripsExactly() {
        TextClassifier c = TextClassifier.builtIn();
        String json = c.toJson();
        TextClassifier back = TextClassifier.fromJson(json);
        assertThat(back.toJson()).isEqualTo(json);
        assertThat(back).isEqualTo(c);
        assertThat(back.classify("I want my money back"))
                .isEqualTo(c.classify("I want my money back"));
    }

    @Test
    void shippedModelIsCompact() {
        assertThat(TextClassifier.builtIn().toJson().length()).isLessThan(200_000);
    }
}
