package io.rtcdp.udf.event;

import java.nio.charset.StandardCharsets;

/**
 * A record of the dead-letter output (docs/contract.md §4.1): error code, human message, the
 * beginning of the original payload, where it came from ({@code topic/partition/offset} or {@code
 * file:line}) and the payload's full size in bytes.
 *
 * <p>Every dead letter is small whatever the input, so that writing it can never fail (a Kafka
 * record over the broker's {@code max.message.bytes} would fail the producer and restart the job
 * forever). The canonical constructor, which every way of making a dead letter goes through, bounds
 * each text by its size in {@link #toJson()}, that is as UTF-8 after JSON escaping: the payload to
 * {@value #MAX_PAYLOAD_BYTES} bytes, the message to {@value #MAX_MESSAGE_BYTES}, the source to
 * {@value #MAX_SOURCE_BYTES} (keeping its end, where the line or offset is) and the error code to
 * {@value #MAX_ERROR_BYTES}; {@code toJson()} is therefore at most {@value #MAX_JSON_BYTES} bytes.
 * Texts are cut between characters, never inside a surrogate pair or an escape, and unpaired
 * surrogates become U+FFFD. A payload cut here gets a note in the message; {@code payloadBytes}
 * keeps the original size.
 *
 * @param error the code, {@link ErrorCode#code()}
 * @param message what is wrong, naming fields but never quoting values
 * @param payload the record as UTF-8 text (invalid bytes as U+FFFD), or its beginning, with its id
 *     values and PII trait values masked ({@link PayloadMask}); null when the record had no value
 *     (a Kafka tombstone)
 * @param source {@code topic/partition/offset}, {@code file:line} or the stage that failed
 * @param payloadBytes the size of the whole original record in bytes (of its UTF-8 encoding when
 *     given as text), 0 without payload
 */
public record DeadLetter(
        String error, String message, String payload, String source, long payloadBytes) {

    /** Bound of the payload in {@link #toJson()}: UTF-8 bytes after JSON escaping. */
    public static final int MAX_PAYLOAD_BYTES = 4096;

    /** Bound of the message in {@link #toJson()}: UTF-8 bytes after JSON escaping. */
    public static final int MAX_MESSAGE_BYTES = 512;

    /** Bound of the source in {@link #toJson()}: UTF-8 bytes after JSON escaping. */
    public static final int MAX_SOURCE_BYTES = 256;

    /** Bound of the error code in {@link #toJson()}. */
    public static final int MAX_ERROR_BYTES = 64;

    /** The largest {@link #toJson()} of any dead letter, in UTF-8 bytes. */
    public static final int MAX_JSON_BYTES =
            MAX_ERROR_BYTES
                    + MAX_MESSAGE_BYTES
                    + MAX_PAYLOAD_BYTES
                    + MAX_SOURCE_BYTES
                    + "{'error':'','message':'','payload':'','source':'','payload_bytes':}".length()
                    + 19;

    /**
     * How many leading bytes of a record are enough for its dead letter: each byte becomes at least
     * one byte of escaped JSON, and the last incomplete UTF-8 sequence is cut off.
     */
    public static final int PAYLOAD_HEAD_BYTES = MAX_PAYLOAD_BYTES + 4;

    private static final String ELLIPSIS = "...";

    /** Bounds every text; see the class comment. */
    public DeadLetter {
        error = Json.clipEnd(Json.wellFormed(error), MAX_ERROR_BYTES, "");
        source = Json.clipStart(Json.wellFormed(source), MAX_SOURCE_BYTES, ELLIPSIS);
        payload = Json.wellFormed(payload);
        if (payload != null) {
            int keep = Json.fit(payload, MAX_PAYLOAD_BYTES);
            if (keep < payload.length()) {
                payload = payload.substring(0, keep);
                message = withTruncationNote(message, payloadBytes);
            }
        }
        message = Json.clipEnd(Json.wellFormed(message), MAX_MESSAGE_BYTES, ELLIPSIS);
        payloadBytes = Math.max(payloadBytes, 0);
    }

    /** A dead letter of a whole record given as text; its size is that of its UTF-8 encoding. */
    public DeadLetter(String error, String message, String payload, String source) {
        this(error, message, payload, source, Json.utf8Length(payload));
    }

    /**
     * A dead letter of a whole record given as bytes (null for a record without value). Only the
     * beginning of the record is decoded, however long it is, and what may be PII in it is masked
     * ({@link PayloadMask}).
     */
    public static DeadLetter of(
            ErrorCode code, String message, byte[] payload, String source, PayloadMask mask) {
        if (payload == null) {
            return new DeadLetter(code.code(), message, null, source, 0);
        }
        return of(code, message, payload, payload.length, payload.length, source, mask);
    }

    /**
     * A dead letter of a record of which only the beginning is at hand: {@code head[0, headLength)}
     * of {@code payloadBytes} bytes in all (a line too long to be read into memory). {@link
     * #PAYLOAD_HEAD_BYTES} bytes of head are enough. What may be PII in it is masked ({@link
     * PayloadMask}).
     */
    public static DeadLetter of(
            ErrorCode code,
            String message,
            byte[] head,
            int headLength,
            long payloadBytes,
            String source,
            PayloadMask mask) {
        int n = Math.min(headLength, PAYLOAD_HEAD_BYTES);
        boolean cut = n < payloadBytes;
        // a character that the head cuts is not decoded (it would become U+FFFD, and masking can
        // make room for it in the payload)
        int decoded = cut ? completeUtf8(head, n) : n;
        String text = mask.mask(new String(head, 0, decoded, StandardCharsets.UTF_8), cut);
        if (cut && Json.fit(text, MAX_PAYLOAD_BYTES) == text.length()) {
            // A short head of a longer record: nothing for the constructor to cut, but cut it is.
            message = withTruncationNote(message, payloadBytes);
        }
        return new DeadLetter(code.code(), message, text, source, payloadBytes);
    }

    /** {@code n}, or less so that {@code b[0, n)} does not end inside a UTF-8 sequence. */
    private static int completeUtf8(byte[] b, int n) {
        for (int back = 1; back <= 3 && back <= n; back++) {
            int c = b[n - back] & 0xff;
            if (c < 0x80) {
                return n; // ASCII: nothing cut
            }
            if (c >= 0xc0) {
                int length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
                return length > back ? n - back : n;
            }
        }
        return n; // continuation bytes only: invalid anyway, decoded as U+FFFD
    }

    private static String withTruncationNote(String message, long payloadBytes) {
        String note = " (payload truncated; the record has " + payloadBytes + " bytes)";
        return Json.clipEnd(Json.wellFormed(message), MAX_MESSAGE_BYTES - note.length(), ELLIPSIS)
                + note;
    }

    /**
     * {@code {"error":…,"message":…,"payload":…,"source":…,"payload_bytes":…}}, one line of at most
     * {@link #MAX_JSON_BYTES} bytes of UTF-8. Control characters, U+2028 and U+2029 are written as
     * escapes, so that the line is also safe to print on a terminal or to embed in JavaScript.
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder(128 + (payload == null ? 0 : payload.length()));
        sb.append("{\"error\":");
        Json.appendString(sb, error);
        sb.append(",\"message\":");
        Json.appendString(sb, message);
        sb.append(",\"payload\":");
        Json.appendString(sb, payload);
        sb.append(",\"source\":");
        Json.appendString(sb, source);
        sb.append(",\"payload_bytes\":").append(payloadBytes).append('}');
        return sb.toString();
    }

    /** JSON string escaping and measuring; sizes are UTF-8 bytes of the escaped text. */
    static final class Json {
        private static final char[] HEX = "0123456789abcdef".toCharArray();

        private Json() {}

        /** Whether the character is written as a six-byte {@code \\uXXXX} escape. */
        private static boolean unicodeEscaped(char c) {
            return c < 0x20 && shortEscape(c) == 0
                    || (c >= 0x7f && c <= 0x9f)
                    || c == 0x2028
                    || c == 0x2029;
        }

        /** The letter of a two-byte escape ({@code \n} …), or 0. */
        private static char shortEscape(char c) {
            switch (c) {
                case '"':
                    return '"';
                case '\\':
                    return '\\';
                case '\n':
                    return 'n';
                case '\r':
                    return 'r';
                case '\t':
                    return 't';
                case '\b':
                    return 'b';
                case '\f':
                    return 'f';
                default:
                    return 0;
            }
        }

        /** Escaped size of the BMP character {@code c} that is not a surrogate. */
        private static int size(char c) {
            if (c >= 0x20 && c < 0x7f) {
                return c == '"' || c == '\\' ? 2 : 1;
            }
            if (shortEscape(c) != 0) {
                return 2;
            }
            if (unicodeEscaped(c)) {
                return 6;
            }
            return c < 0x800 ? 2 : 3;
        }

        /** The text with every unpaired surrogate replaced by U+FFFD; null stays null. */
        static String wellFormed(String s) {
            if (s == null) {
                return null;
            }
            char[] fixed = null;
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (!Character.isSurrogate(c)) {
                    continue;
                }
                if (Character.isHighSurrogate(c)
                        && i + 1 < n
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                if (fixed == null) {
                    fixed = s.toCharArray();
                }
                fixed[i] = '\uFFFD';
            }
            return fixed == null ? s : new String(fixed);
        }

        /**
         * The number of leading chars of the well-formed {@code s} whose escaped UTF-8 size is at
         * most {@code maxBytes}, never ending inside a surrogate pair.
         */
        static int fit(String s, int maxBytes) {
            int n = s.length();
            long used = 0;
            int i = 0;
            while (i < n) {
                char c = s.charAt(i);
                int width = 1;
                int size;
                if (Character.isHighSurrogate(c)) {
                    width = 2;
                    size = 4;
                } else {
                    size = size(c);
                }
                if (used + size > maxBytes) {
                    return i;
                }
                used += size;
                i += width;
            }
            return n;
        }

        /** {@code s} cut at its end to {@code maxBytes}, with {@code mark} after a cut. */
        static String clipEnd(String s, int maxBytes, String mark) {
            if (s == null || fit(s, maxBytes) == s.length()) {
                return s;
            }
            return s.substring(0, fit(s, maxBytes - mark.length())) + mark;
        }

        /** {@code s} cut at its start to {@code maxBytes}, with {@code mark} before a cut. */
        static String clipStart(String s, int maxBytes, String mark) {
            if (s == null || fit(s, maxBytes) == s.length()) {
                return s;
            }
            int budget = maxBytes - mark.length();
            int from = s.length();
            long used = 0;
            while (from > 0) {
                char c = s.charAt(from - 1);
                int width = Character.isLowSurrogate(c) && from > 1 ? 2 : 1;
                int size = width == 2 ? 4 : size(c);
                if (used + size > budget) {
                    break;
                }
                used += size;
                from -= width;
            }
            return mark + s.substring(from);
        }

        /** UTF-8 size of {@code s} (0 for null), as {@code getBytes(UTF_8)} would encode it. */
        static long utf8Length(String s) {
            if (s == null) {
                return 0;
            }
            long bytes = 0;
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    bytes++;
                } else if (c < 0x800) {
                    bytes += 2;
                } else if (Character.isHighSurrogate(c)
                        && i + 1 < n
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 4;
                    i++;
                } else if (Character.isSurrogate(c)) {
                    bytes++; // encoded as '?'
                } else {
                    bytes += 3;
                }
            }
            return bytes;
        }

        /** Appends {@code s} as a JSON string, or {@code null}. */
        static void appendString(StringBuilder sb, String s) {
            if (s == null) {
                sb.append("null");
                return;
            }
            sb.append('"');
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                char e = shortEscape(c);
                if (e != 0) {
                    sb.append('\\').append(e);
                } else if (unicodeEscaped(c)) {
                    sb.append("\\u")
                            .append(HEX[c >> 12 & 0xf])
                            .append(HEX[c >> 8 & 0xf])
                            .append(HEX[c >> 4 & 0xf])
                            .append(HEX[c & 0xf]);
                } else {
                    sb.append(c);
                }
            }
            sb.append('"');
        }
    }
}
