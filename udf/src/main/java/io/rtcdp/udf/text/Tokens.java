package io.rtcdp.udf.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits a text into tokens: lower-cased English (any non-Han script) words with their apostrophes,
 * {@code <num>} for a number, {@code <cur>} for a currency sign, {@code ?} and {@code !} (also
 * full-width), emoji and other symbols one a token, and the HanLP words of each run of Han
 * characters. Other punctuation, and the start and end, are clause breaks ({@link #BREAK}). After a
 * negation word the next {@link #NEGATION_SCOPE} tokens of the clause are negated.
 */
final class Tokens {
    /** A clause break: ends the negation scope and is never part of an n-gram. */
    static final String BREAK = "|";

    static final int NEGATION_SCOPE = 2;

    private static final Set<String> NEGATORS =
            Set.of(
                    "not",
                    "no",
                    "never",
                    "n't",
                    "nothing",
                    "nobody",
                    "nor",
                    "cannot",
                    "don't",
                    "dont",
                    "won't",
                    "wont",
                    "isn't",
                    "isnt",
                    "can't",
                    "cant",
                    "doesn't",
                    "doesnt",
                    "didn't",
                    "didnt",
                    "wasn't",
                    "wasnt",
                    "aren't",
                    "arent",
                    "weren't",
                    "couldn't",
                    "couldnt",
                    "shouldn't",
                    "wouldn't",
                    "wouldnt",
                    "haven't",
                    "havent",
                    "hasn't",
                    "hasnt",
                    "hadn't",
                    "ain't",
                    "aint",
                    "不",
                    "没",
                    "没有",
                    "别",
                    "未");

    /** The tokens, and whether each is in a negation scope. */
    record Sequence(List<String> tokens, boolean[] negated) {
        int size() {
            return tokens.size();
        }

        /** The token at {@code i}, {@code not_}-prefixed if negated. */
        String marked(int i) {
            return negated[i] ? "not_" + tokens.get(i) : tokens.get(i);
        }
    }

    private Tokens() {}

    static boolean isNegator(String token) {
        return NEGATORS.contains(token);
    }

    /** The tokens of {@code text}, which the caller has already cut to its maximum length. */
    static Sequence of(String text) {
        String s = text.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            int c = s.codePointAt(i);
            int len = Character.charCount(c);
            if (isHan(c)) {
                int j = i;
                while (j < n && isHan(s.codePointAt(j))) {
                    j += Character.charCount(s.codePointAt(j));
                }
                out.addAll(ChineseSegmenter.segment(s.substring(i, j)));
                i = j;
            } else if (Character.isLetter(c)) {
                int j = i + len;
                while (j < n) {
                    int d = s.codePointAt(j);
                    if ((Character.isLetter(d) && !isHan(d))
                            || Character.getType(d) == Character.NON_SPACING_MARK
                            || (isApostrophe(d)
                                    && j + 1 < n
                                    && Character.isLetter(s.charAt(j + 1)))) {
                        j += Character.charCount(d);
                    } else {
                        break;
                    }
                }
                out.add(s.substring(i, j).replace('\u2019', '\''));
                i = j;
            } else if (Character.isDigit(c)) {
                int j = i + len;
                while (j < n
                        && (Character.isDigit(s.codePointAt(j))
                                || ((s.charAt(j) == '.' || s.charAt(j) == ',')
                                        && j + 1 < n
                                        && Character.isDigit(s.codePointAt(j + 1))))) {
                    j += Character.charCount(s.codePointAt(j));
                }
                out.add("<num>");
                i = j;
            } else {
                String t = symbol(c);
                if (t != null) {
                    out.add(t);
                }
                i += len;
            }
        }
        return negate(out);
    }

    private static Sequence negate(List<String> raw) {
        List<String> tokens = new ArrayList<>(raw.size());
        for (String t : raw) {
            if (!(t.equals(BREAK) && (tokens.isEmpty() || last(tokens).equals(BREAK)))) {
                tokens.add(t);
            }
        }
        if (!tokens.isEmpty() && last(tokens).equals(BREAK)) {
            tokens.remove(tokens.size() - 1);
        }
        boolean[] negated = new boolean[tokens.size()];
        int left = 0;
        for (int k = 0; k < tokens.size(); k++) {
            String t = tokens.get(k);
            if (t.equals(BREAK) || t.equals("?") || t.equals("!")) {
                left = 0;
            } else if (isNegator(t)) {
                left = NEGATION_SCOPE;
            } else if (left > 0) {
                negated[k] = true;
                left--;
            }
        }
        return new Sequence(List.copyOf(tokens), negated);
    }

    private static String last(List<String> l) {
        return l.get(l.size() - 1);
    }

    /** The token of a character that is neither a letter, a digit nor Han; null to skip it. */
    private static String symbol(int c) {
        switch (c) {
            case '?', '\uFF1F' -> {
                return "?";
            }
            case '!', '\uFF01' -> {
                return "!";
            }
            case '\u200D', '\uFE0F', '\uFE0E', '\'', '\u2019' -> {
                return null;
            }
            default -> {}
        }
        int type = Character.getType(c);
        if (type == Character.CURRENCY_SYMBOL || c == '\uFFE5') {
            return "<cur>";
        }
        if (type == Character.OTHER_SYMBOL) {
            return new String(Character.toChars(c));
        }
        if (Character.isWhitespace(c)
                || Character.isSpaceChar(c)
                || type == Character.SURROGATE
                || type == Character.MODIFIER_SYMBOL
                || type == Character.FORMAT) {
            return null;
        }
        return BREAK;
    }

    static boolean isHan(int c) {
        return Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN;
    }

    private static boolean isApostrophe(int c) {
        return c == '\'' || c == '\u2019';
    }
}
