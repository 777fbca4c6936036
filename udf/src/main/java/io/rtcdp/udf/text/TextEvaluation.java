package io.rtcdp.udf.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The quality of a {@link TextClassifier} on labelled sentences: intent accuracy, per-intent
 * precision, recall and F1 and their macro average (over the intents that occur in the test set or
 * in the predictions), sentiment accuracy and per-sentiment F1; overall and per language.
 */
public final class TextEvaluation {
    private final int n;
    private final int[][] intentConfusion;
    private final int[][] sentimentConfusion;
    private final List<String> languages;
    private final List<TextEvaluation> byLanguage;

    private TextEvaluation(List<LabelledText> test, List<TextSignal> predicted, boolean split) {
        n = test.size();
        intentConfusion = new int[TextIntent.values().length][TextIntent.values().length];
        sentimentConfusion = new int[TextSentiment.values().length][TextSentiment.values().length];
        for (int i = 0; i < n; i++) {
            intentConfusion[test.get(i).intent().ordinal()][predicted.get(i).intent().ordinal()]++;
            sentimentConfusion[test.get(i).sentiment().ordinal()][
                    predicted.get(i).sentiment().ordinal()]++;
        }
        languages = new ArrayList<>();
        byLanguage = new ArrayList<>();
        if (split) {
            for (String lang : new TreeSet<>(test.stream().map(LabelledText::lang).toList())) {
                List<LabelledText> t = new ArrayList<>();
                List<TextSignal> p = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (test.get(i).lang().equals(lang)) {
                        t.add(test.get(i));
                        p.add(predicted.get(i));
                    }
                }
                languages.add(lang);
                byLanguage.add(new TextEvaluation(t, p, false));
            }
        }
    }

    /** Classifies every sentence of {@code test} with {@code c} and compares with its labels. */
    public static TextEvaluation of(TextClassifier c, List<LabelledText> test) {
        List<TextSignal> predicted = test.stream().map(e -> c.classify(e.text())).toList();
        return new TextEvaluation(test, predicted, true);
    }

    /** The number of sentences. */
    public int size() {
        return n;
    }

    /** The languages of the test set, sorted. */
    public List<String> languages() {
        return List.copyOf(languages);
    }

    /** The evaluation of the sentences of one language; IllegalArgumentException if none. */
    public TextEvaluation forLanguage(String lang) {
        int i = languages.indexOf(lang);
        if (i < 0) {
            throw new IllegalArgumentException(
                    "no sentences in language '" + lang + "'; the test set has " + languages);
        }
        return byLanguage.get(i);
    }

    public double intentAccuracy() {
        return accuracy(intentConfusion);
    }

    public double intentMacroF1() {
        return macroF1(intentConfusion);
    }

    public double intentMacroF1(String lang) {
        return forLanguage(lang).intentMacroF1();
    }

    public double intentPrecision(TextIntent i) {
        return precision(intentConfusion, i.ordinal());
    }

    public double intentRecall(TextIntent i) {
        return recall(intentConfusion, i.ordinal());
    }

    public double intentF1(TextIntent i) {
        return f1(intentConfusion, i.ordinal());
    }

    public double sentimentAccuracy() {
        return accuracy(sentimentConfusion);
    }

    public double sentimentAccuracy(String lang) {
        return forLanguage(lang).sentimentAccuracy();
    }

    public double sentimentMacroF1() {
        return macroF1(sentimentConfusion);
    }

    public double sentimentPrecision(TextSentiment s) {
        return precision(sentimentConfusion, s.ordinal());
    }

    public double sentimentRecall(TextSentiment s) {
        return recall(sentimentConfusion, s.ordinal());
    }

    public double sentimentF1(TextSentiment s) {
        return f1(sentimentConfusion, s.ordinal());
    }

    /** The figures as Markdown tables. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                "| set | sentences | intent accuracy | intent macro-F1 | sentiment accuracy | sentiment macro-F1 |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        summaryRow(sb, "all", this);
        for (int i = 0; i < languages.size(); i++) {
            summaryRow(sb, languages.get(i), byLanguage.get(i));
        }
        sb.append("\n| intent | support | precision | recall | F1 |");
        for (String lang : languages) {
            sb.append(" F1 ").append(lang).append(" |");
        }
        sb.append("\n|---|---:|---:|---:|---:|");
        sb.append("---:|".repeat(languages.size()));
        sb.append('\n');
        for (TextIntent i : TextIntent.values()) {
            int c = i.ordinal();
            sb.append("| ").append(i.label()).append(" | ").append(support(intentConfusion, c));
            sb.append(" | ").append(f(precision(intentConfusion, c)));
            sb.append(" | ").append(f(recall(intentConfusion, c)));
            sb.append(" | ").append(f(f1(intentConfusion, c))).append(" |");
            for (TextEvaluation e : byLanguage) {
                sb.append(' ').append(f(f1(e.intentConfusion, c))).append(" |");
            }
            sb.append('\n');
        }
        sb.append(
                "\n| sentiment | support | precision | recall | F1 |\n|---|---:|---:|---:|---:|\n");
        for (TextSentiment s : TextSentiment.values()) {
            int c = s.ordinal();
            sb.append("| ").append(s.label()).append(" | ").append(support(sentimentConfusion, c));
            sb.append(" | ").append(f(precision(sentimentConfusion, c)));
            sb.append(" | ").append(f(recall(sentimentConfusion, c)));
            sb.append(" | ").append(f(f1(sentimentConfusion, c))).append(" |\n");
        }
        sb.append("\nIntent confusion (rows: labelled, columns: predicted)\n\n|  |");
        for (TextIntent i : TextIntent.values()) {
            sb.append(' ').append(i.label()).append(" |");
        }
        sb.append("\n|---|").append("---:|".repeat(TextIntent.values().length)).append('\n');
        for (TextIntent i : TextIntent.values()) {
            sb.append("| ").append(i.label()).append(" |");
            for (int p = 0; p < TextIntent.values().length; p++) {
                sb.append(' ').append(intentConfusion[i.ordinal()][p]).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void summaryRow(StringBuilder sb, String name, TextEvaluation e) {
        sb.append("| ").append(name).append(" | ").append(e.n);
        sb.append(" | ").append(f(e.intentAccuracy()));
        sb.append(" | ").append(f(e.intentMacroF1()));
        sb.append(" | ").append(f(e.sentimentAccuracy()));
        sb.append(" | ").append(f(e.sentimentMacroF1())).append(" |\n");
    }

    private static String f(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.3f", x);
    }

    private static double accuracy(int[][] m) {
        long right = 0;
        long all = 0;
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m.length; j++) {
                all += m[i][j];
                right += i == j ? m[i][j] : 0;
            }
        }
        return all == 0 ? Double.NaN : (double) right / all;
    }

    private static int support(int[][] m, int c) {
        int s = 0;
        for (int j = 0; j < m.length; j++) {
            s += m[c][j];
        }
        return s;
    }

    private static int predicted(int[][] m, int c) {
        int s = 0;
        for (int[] row : m) {
            s += row[c];
        }
        return s;
    }

    private static double precision(int[][] m, int c) {
        int p = predicted(m, c);
        return p == 0 ? (support(m, c) == 0 ? Double.NaN : 0) : (double) m[c][c] / p;
    }

    private static double recall(int[][] m, int c) {
        int s = support(m, c);
        return s == 0 ? (predicted(m, c) == 0 ? Double.NaN : 0) : (double) m[c][c] / s;
    }

    /** F1 of class c; NaN when the class neither occurs nor is predicted. */
    private static double f1(int[][] m, int c) {
        int s = support(m, c);
        int p = predicted(m, c);
        if (s == 0 && p == 0) {
            return Double.NaN;
        }
        return s + p == 0 ? 0 : 2.0 * m[c][c] / (s + p);
    }

    private static double macroF1(int[][] m) {
        double sum = 0;
        int k = 0;
        for (int c = 0; c < m.length; c++) {
            double x = f1(m, c);
            if (!Double.isNaN(x)) {
                sum += x;
                k++;
            }
        }
        return k == 0 ? Double.NaN : sum / k;
    }
}
