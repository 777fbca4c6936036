package io.rtcdp.udf.event;

/** The outcome of parsing one input record: exactly one of {@code event} and {@code deadLetter}. */
public record Parsed(Event event, DeadLetter deadLetter) {

    public static Parsed ok(Event event) {
        return new Parsed(event, null);
    }

    public static Parsed bad(DeadLetter deadLetter) {
        return new Parsed(null, deadLetter);
    }

    public boolean isValid() {
        return event != null;
    }
}
