package io.rtcdp.udf.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TextClassifierTest {
    private static final TextClassifier C = TextClassifier.builtIn();

    private static void assertValid(TextSignal s) {
        assertThat(s.intent()).isNotNull();
        assertThat(s.sentiment()).isNotNull();
        assertThat(s.intentScore()).isBetween(0.0, 1.0);
        assertThat(s.sentimentScore()).isBetween(-1.0, 1.0);
    }

    @Test
    void readsTheObviousCases() {
        assertThat(C.classify("I want a refund, the kettle is broken").intent())
                .isEqualTo(TextIntent.REFUND);
        assertThat(C.classify("我要退款，东西是坏的").intent()).isEqualTo(TextIntent.REFUND);
        assertThat(C.classify("How much is the red dress?").intent())
                .isEqualTo(TextIntent.PRICE_QUESTION);
        assertThat(C.classify("这个多少钱？").intent()).isEqualTo(TextIntent.PRICE_QUESTION);
        assertThat(C.classify("Cancel my subscription, I'm switching to a competitor").intent())
                .isEqualTo(TextIntent.CHURN_THREAT);
        assertThat(C.classify("Love it, thank you so much!").sentiment())
                .isEqualTo(TextSentiment.POSITIVE);
        assertThat(C.classify("质量太差了，很失望").sentiment()).isEqualTo(TextSentiment.NEGATIVE);
        assertThat(C.classify("Great shoes!").sentimentScore()).isPositive();
    }

    @Test
    void negationFlipsTheLexicon() {
        assertThat(C.classify("not happy with this at all").sentiment())
                .isEqualTo(TextSentiment.NEGATIVE);
        assertThat(C.classify("很不满意").sentiment()).isEqualTo(TextSentiment.NEGATIVE);
        Tokens.Sequence s = Tokens.of("i don't like it at all");
        assertThat(List.of(s.marked(2), s.marked(3), s.marked(4)))
                .containsExactly("not_like", "not_it", "at");
        Tokens.Sequence n = Tokens.of("price 2,000 $ ok？");
        assertThat(n.tokens()).containsExactly("price", "<num>", "<cur>", "ok", "?");
    }

    @Test
    void neverThrowsOnOddStrings() {
        StringBuilder big = new StringBuilder();
        SplittableRandom r = new SplittableRandom(7);
        while (big.length() < 100_000) {
            big.appendCodePoint(r.nextInt(0x20, 0x2FFFF));
        }
        List<String> odd =
                new ArrayList<>(
                        List.of(
                                "",
                                " ",
                                "\t\n\r",
                                "😀😡👍🏽👨‍👩‍👧",
                                "我要refund!!! 😤 price?? 多少钱",
                                "\uD800",
                                "\uDC00abc\uD83D",
                                "abc\uD83D",
                                "\u0000\u0001\u007F\u200B\u202E",
                                "'''",
                                "n't not no never",
                                "不不不没没有别未",
                                "|||...???!!!",
                                "ﾃｽﾄ テスト 테스트 тест اختبار",
                                "a".repeat(100_000),
                                "退".repeat(100_000),
                                big.toString()));
        odd.add(null);
        for (String s : odd) {
            assertValid(C.classify(s));
        }
        // the text is cut at MAX_CHARS: what follows does not change the result
        String head = "refund ".repeat(TextClassifier.MAX_CHARS / 7 + 1);
        assertThat(C.classify(head + "how much is it")).isEqualTo(C.classify(head + "love it"));
    }

    @Property(tries = 300)
    void neverThrows(@ForAll String text) {
        assertValid(C.classify(text));
    }

    @Test
    void isThreadSafeAndSerializable() throws Exception {
        List<String> texts = List.of("我要退款", "how much?", "cancel my account", "很好用，谢谢");
        List<TextSignal> expected = texts.stream().map(C::classify).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                fs.add(
                        pool.submit(
                                () -> {
                                    for (int i = 0; i < 200; i++) {
                                        if (!C.classify(texts.get(i % 4))
                                                .equals(expected.get(i % 4))) {
                                            return false;
                                        }
                                    }
                                    return true;
                                }));
            }
            for (Future<Boolean> f : fs) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdown();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(C);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            TextClassifier back = (TextClassifier) in.readObject();
            assertThat(back).isEqualTo(C);
            assertThat(back.classify("我要退款")).isEqualTo(C.classify("我要退款"));
        }
    }

    @Test
    void labels() {
        assertThat(TextIntent.ofLabel("churn_threat")).isEqualTo(TextIntent.CHURN_THREAT);
        assertThat(TextIntent.PRICE_QUESTION.label()).isEqualTo("price_question");
        assertThat(TextSentiment.ofLabel("neutral")).isEqualTo(TextSentiment.NEUTRAL);
        assertThatThrownBy(() -> TextIntent.ofLabel("Refund"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "none, complaint, refund, price_question, purchase_intent, churn_threat");
        assertThatThrownBy(() -> TextSentiment.ofLabel("happy"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative, neutral, positive");
    }

    @Test
    void fromJsonRejectsBadInputClearly() {
        String good = C.toJson();
        assertThatThrownBy(() -> TextClassifier.fromJson(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> TextClassifier.fromJson("{not json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> TextClassifier.fromJson("[1,2]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected an object");
        assertThatThrownBy(
                        () -> TextClassifier.fromJson(good.replace("rtcdp-text-classifier", "x")))
                .hasMessageContaining("format");
        assertThatThrownBy(
                        () ->
                                TextClassifier.fromJson(
                                        good.replace("\"version\": 1", "\"version\": 9")))
                .hasMessageContaining("version 9");
        assertThatThrownBy(() -> TextClassifier.fromJson(good.replace("\"refund\"", "\"refunds\"")))
                .hasMessageContaining("intent.labels");
        assertThatThrownBy(
                        () ->
                                TextClassifier.fromJson(
                                        good.replaceFirst("\"bias\": \\[", "\"bias\": [\"x\",")))
                .hasMessageContaining("intent.bias");
        assertThatThrownBy(
                        () ->
                                TextClassifier.fromJson(
                                        good.replaceFirst(
                                                "\"lexicon\": \"[0-9a-f]+\"",
                                                "\"lexicon\": \"00000000\"")))
                .hasMessageContaining("lexicon");
        assertThatThrownBy(() -> TextClassifier.fromJson(good + "{}"))
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(
                        () ->
                                TextClassifier.fromJson(
                                        good.replaceFirst(",\n\"sentiment\": \\{", ",\n\"x\": {")))
                .hasMessageContaining("'sentiment'");
    }

    @Test
    void badTsvLinesNameTheirLineNumber() {
        String header = LabelledTexts.HEADER + "\n";
        assertThatThrownBy(() -> LabelledTexts.read(new StringReader("")))
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> LabelledTexts.read(new StringReader("text\tlang\n")))
                .hasMessageContaining("line 1: expected the header");
        assertThatThrownBy(
                        () ->
                                LabelledTexts.read(
                                        new StringReader(
                                                header
                                                        + "en\tnone\tneutral\thi\n\nen\tnone\tneutral\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 4")
                .hasMessageContaining("4 tab-separated fields");
        assertThatThrownBy(
                        () ->
                                LabelledTexts.read(
                                        new StringReader(header + "fr\tnone\tneutral\tsalut\n")))
                .hasMessageContaining("line 2: unknown lang 'fr'");
        assertThatThrownBy(
                        () ->
                                LabelledTexts.read(
                                        new StringReader(header + "en\tangry\tneutral\thi\n")))
                .hasMessageContaining("line 2: unknown intent label 'angry'");
        assertThatThrownBy(
                        () -> LabelledTexts.read(new StringReader(header + "en\tnone\tmeh\thi\n")))
                .hasMessageContaining("line 2: unknown sentiment label 'meh'");
        assertThatThrownBy(
                        () ->
                                LabelledTexts.read(
                                        new StringReader(header + "zh\tnone\tneutral\t  \n")))
                .hasMessageContaining("line 2: empty text");
    }

    @Test
    void readsGoodTsv() throws Exception {
        var l =
                LabelledTexts.read(
                        new StringReader(
                                "\uFEFF"
                                        + LabelledTexts.HEADER
                                        + "\r\nzh\trefund\tnegative\t我要退款\r\n"));
        assertThat(l)
                .containsExactly(
                        new LabelledText("zh", TextIntent.REFUND, TextSentiment.NEGATIVE, "我要退款"));
    }
}
