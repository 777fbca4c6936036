package io.rtcdp.udf.event;

/**
 * One normalised identifier. For PII types {@code value} is already the hex HMAC, never the plain
 * text.
 */
public record Id(String type, String value) implements Comparable<Id> {

    @Override
    public int compareTo(Id o) {
        int c = IdTypes.STRENGTH.compare(type, o.type);
        return c != 0 ? c : value.compareTo(o.value);
    }

    /** {@code type:value}, the form used in Redis keys and logs. */
    @Override
    public String toString() {
        return type + ":" + value;
    }
}
