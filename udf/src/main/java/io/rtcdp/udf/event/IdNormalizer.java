package io.rtcdp.udf.event;

import java.util.Locale;

/**
 * Normalisation of id values (docs/contract.md §2.1), so that the same person's id written in
 * different ways maps to one key. Every method returns the normalised value, or null when the value
 * is unusable as an id; normalising a normalised value returns it unchanged.
 */
public final class IdNormalizer {

    /** The longest raw id value accepted; longer values make the event invalid. */
    public static final int MAX_VALUE_LENGTH = 256;

    /** {@code \+[0-9]{5,18}}: shorter or longer digit strings are not phone numbers. */
    private static final int MIN_PHONE_DIGITS = 5;

    private static final int MAX_PHONE_DIGITS = 18;

    private IdNormalizer() {}

    /**
     * Normalises a value of the given id type.
     *
     * @param countryCode the tenant's country code (e.g. {@code +86}) for phones without one
     * @return the normalised value, or null when it is unusable
     */
    public static String normalize(String type, String value, String countryCode) {
        switch (type) {
            case IdTypes.EMAIL:
                return email(value);
            case IdTypes.PHONE:
                return phone(value, countryCode);
            default:
                return other(value);
        }
    }

    /** Trimmed and lower-cased; unusable without exactly one {@code @} with text on both sides. */
    public static String email(String value) {
        String s = value.strip().toLowerCase(Locale.ROOT);
        int at = s.indexOf('@');
        if (at <= 0 || at == s.length() - 1 || s.indexOf('@', at + 1) >= 0) {
            return null;
        }
        return s;
    }

    /**
     * Without spaces, dashes, brackets {@code ()[]} and dots, prefixed with {@code countryCode}
     * when it has no leading {@code +}; unusable unless the result is {@code +} and 5 to 18 digits.
     */
    public static String phone(String value, String countryCode) {
        int n = value.length();
        StringBuilder sb = null;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (isPhoneSeparator(c)) {
                if (sb == null) {
                    sb = new StringBuilder(countryCode.length() + n);
                    sb.append(value, 0, i);
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        String s = sb == null ? value : sb.toString();
        if (s.isEmpty()) {
            return null;
        }
        if (s.charAt(0) != '+') {
            s = countryCode + s;
        }
        return isE164Like(s) ? s : null;
    }

    /** Trimmed; unusable when blank. */
    public static String other(String value) {
        String s = value.strip();
        return s.isEmpty() ? null : s;
    }

    private static boolean isPhoneSeparator(char c) {
        if (c >= '0' && c <= '9') {
            return false;
        }
        switch (c) {
            case '(':
            case ')':
            case '[':
            case ']':
            case '.':
                return true;
            default:
                // Dashes and spaces of every script: the ideographic space and the fullwidth hyphen
                // of
                // CJK keyboards, the en dash of word processors.
                return Character.isWhitespace(c)
                        || Character.isSpaceChar(c)
                        || Character.getType(c) == Character.DASH_PUNCTUATION;
        }
    }

    private static boolean isE164Like(String s) {
        int digits = s.length() - 1;
        if (s.charAt(0) != '+' || digits < MIN_PHONE_DIGITS || digits > MAX_PHONE_DIGITS) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
