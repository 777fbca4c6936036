package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.udf.text.TextClassifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rtcdp text}: training from the shipped labelled file gives the shipped model, evaluation
 * prints its figures, classification one line per text; unusable files are one line and exit 2; the
 * job takes a trained model through {@code text.model}.
 */
class TextCommandTest {
    static final Path TRAIN = Path.of("../data/text/train.tsv");
    static final Path TEST = Path.of("../data/text/test.tsv");

    @TempDir Path tmp;

    @Test
    void trainingOnTheShippedFileGivesTheShippedModelAndTheJobTakesIt() throws Exception {
        Path model = tmp.resolve("model.json");
        CliRun train =
                CliRun.of("text", "train", "--input", TRAIN.toString(), "--out", model.toString());
        assertThat(train.code()).as(train.err()).isZero();
        assertThat(train.out()).startsWith("trained on 666 texts of " + TRAIN);
        assertThat(TextClassifier.fromJson(Files.readString(model, StandardCharsets.UTF_8)))
                .isEqualTo(TextClassifier.builtIn());

        CliRun eval =
                CliRun.of(
                        "text",
                        "evaluate",
                        "--input",
                        TEST.toString(),
                        "--model",
                        model.toString());
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(eval.out())
                .contains("| set | sentences | intent accuracy | intent macro-F1")
                .contains("| en | 207 |")
                .contains("| zh | 219 |");

        RtcdpConfig cfg =
                RtcdpConfig.builder().set(RtcdpOptions.TEXT_MODEL, model.toString()).build();
        assertThat(cfg.parser().textClassifier()).isEqualTo(TextClassifier.builtIn());
        assertThat(cfg.parser().textClassifier()).isNotSameAs(TextClassifier.builtIn());
    }

    @Test
    void classifyPrintsTheSignalsOfEachText() {
        CliRun r =
                CliRun.of(
                        "text",
                        "classify",
                        "I want my money back for the broken kettle",
                        "这件外套多少钱？");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines())
                .satisfiesExactly(
                        l -> assertThat(l).matches("refund 0\\.\\d{3} negative [-+]\\d\\.\\d{3}"),
                        l -> assertThat(l).startsWith("price_question "));
    }

    @Test
    void anUnusableFileIsOneLineAndExitTwo() throws Exception {
        Path bad = tmp.resolve("bad.tsv");
        Files.writeString(bad, "lang\tintent\tsentiment\ttext\nen\tgrumble\tnegative\tmeh\n");
        CliRun r = CliRun.of("text", "evaluate", "--input", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().trim()).doesNotContain("\n").contains("line 2").contains("grumble");

        CliRun missing =
                CliRun.of(
                        "text",
                        "train",
                        "--input",
                        tmp.resolve("none.tsv").toString(),
                        "--out",
                        tmp.resolve("m.json").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().trim()).doesNotContain("\n").contains("none.tsv");

        Path notAModel = tmp.resolve("model.json");
        Files.writeString(notAModel, "{\"weights\": 1}");
        CliRun classify = CliRun.of("text", "classify", "--model", notAModel.toString(), "hello");
        assertThat(classify.code()).isEqualTo(2);
        assertThat(classify.err().trim()).doesNotContain("\n").startsWith("rtcdp: text model ");

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                RtcdpConfig.builder()
                                        .set(RtcdpOptions.TEXT_MODEL, notAModel.toString())
                                        .build()
                                        .parser())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("text.model: " + notAModel + " is not a text model: ");
    }
}
