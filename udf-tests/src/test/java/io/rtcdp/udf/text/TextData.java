package io.rtcdp.udf.text;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The labelled sets of data/text/, relative to the module directory the tests run in. */
final class TextData {
    static final Path DIR = Path.of(System.getProperty("rtcdp.text.data", "../data/text"));

    /** The shipped model's source in udf/, relative to this module's directory. */
    static final Path SHIPPED_MODEL =
            Path.of(
                    "../udf/src/main/resources/io/rtcdp/udf/text/"
                            + TextClassifier.BUILT_IN_RESOURCE);

    private TextData() {}

    static List<LabelledText> train() throws IOException {
        return read("train.tsv");
    }

    static List<LabelledText> test() throws IOException {
        return read("test.tsv");
    }

    private static List<LabelledText> read(String name) throws IOException {
        try (Reader r = Files.newBufferedReader(DIR.resolve(name), StandardCharsets.UTF_8)) {
            return LabelledTexts.read(r);
        }
    }
}
