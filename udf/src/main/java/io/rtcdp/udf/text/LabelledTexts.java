package io.rtcdp.udf.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads labelled sentences: a header line {@code lang\tintent\tsentiment\ttext}, then one sentence
 * a line with those four tab-separated fields; {@code lang} is {@code en} or {@code zh}. Blank
 * lines are skipped. A malformed line is an IllegalArgumentException naming its line number.
 */
public final class LabelledTexts {
    /** The header line of a labelled file. */
    public static final String HEADER = "lang\tintent\tsentiment\ttext";

    /** The languages a labelled file may hold. */
    public static final Set<String> LANGUAGES = Set.of("en", "zh");

    private LabelledTexts() {}

    /** All the sentences of {@code tsv}, in file order. */
    public static List<LabelledText> read(Reader tsv) throws IOException {
        BufferedReader in = tsv instanceof BufferedReader b ? b : new BufferedReader(tsv);
        List<LabelledText> out = new ArrayList<>();
        String header = in.readLine();
        if (header == null) {
            throw new IllegalArgumentException(
                    "line 1: empty input, expected the header " + q(HEADER));
        }
        if (!header.isEmpty() && header.charAt(0) == '\uFEFF') {
            header = header.substring(1);
        }
        if (!header.equals(HEADER)) {
            throw new IllegalArgumentException(
                    "line 1: expected the header " + q(HEADER) + ", got " + q(header));
        }
        int lineNo = 1;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            out.add(parse(line, lineNo));
        }
        return out;
    }

    private static LabelledText parse(String line, int lineNo) {
        String[] f = line.split("\t", -1);
        if (f.length != 4) {
            throw new IllegalArgumentException(
                    "line "
                            + lineNo
                            + ": expected 4 tab-separated fields (lang, intent, sentiment, text), got "
                            + f.length);
        }
        if (!LANGUAGES.contains(f[0])) {
            throw new IllegalArgumentException(
                    "line " + lineNo + ": unknown lang " + q(f[0]) + "; allowed: en, zh");
        }
        TextIntent intent;
        TextSentiment sentiment;
        try {
            intent = TextIntent.ofLabel(f[1]);
            sentiment = TextSentiment.ofLabel(f[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("line " + lineNo + ": " + e.getMessage(), e);
        }
        if (f[3].isBlank()) {
            throw new IllegalArgumentException("line " + lineNo + ": empty text");
        }
        return new LabelledText(f[0], intent, sentiment, f[3].strip());
    }

    private static String q(String s) {
        return "'" + s.replace("\t", "\\t") + "'";
    }
}
