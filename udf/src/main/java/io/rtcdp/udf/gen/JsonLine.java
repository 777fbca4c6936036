package io.rtcdp.udf.gen;

/**
 * Builds one compact JSON object into a reused buffer. The generator writes a million lines in a
 * few seconds and needs exact control of field order and of deliberately wrong fields, which a tree
 * model or an object mapper would only slow down.
 */
final class JsonLine {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder sb;
    private boolean first;

    JsonLine() {
        this(512);
    }

    private JsonLine(int capacity) {
        sb = new StringBuilder(capacity);
    }

    /** Starts a new object, discarding the previous one. */
    JsonLine begin() {
        sb.setLength(0);
        sb.append('{');
        first = true;
        return this;
    }

    JsonLine str(String name, String value) {
        key(name);
        quote(value);
        return this;
    }

    JsonLine num(String name, long value) {
        key(name);
        sb.append(value);
        return this;
    }

    /** A money amount given in hundredths, written with exactly two decimals. */
    JsonLine cents(String name, long cents) {
        key(name);
        if (cents < 0) {
            sb.append('-');
            cents = -cents;
        }
        long frac = cents % 100;
        sb.append(cents / 100)
                .append('.')
                .append((char) ('0' + frac / 10))
                .append((char) ('0' + frac % 10));
        return this;
    }

    JsonLine bool(String name, boolean value) {
        key(name);
        sb.append(value);
        return this;
    }

    /** A field whose value is already JSON text (or, for bad records, deliberately not). */
    JsonLine raw(String name, String json) {
        key(name);
        sb.append(json);
        return this;
    }

    JsonLine open(String name) {
        key(name);
        sb.append('{');
        first = true;
        return this;
    }

    JsonLine close() {
        sb.append('}');
        first = false;
        return this;
    }

    /** Closes the top-level object and returns it. */
    String end() {
        sb.append('}');
        return sb.toString();
    }

    private void key(String name) {
        if (!first) {
            sb.append(',');
        }
        first = false;
        quote(name);
        sb.append(':');
    }

    /** {@code s} as a JSON string literal. */
    static String quoted(String s) {
        JsonLine j = new JsonLine(s.length() + 16);
        j.quote(s);
        return j.sb.toString();
    }

    private void quote(String s) {
        sb.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
