package io.rtcdp.udf.event;

/** An input record that is not a valid event. Cheap: no stack trace. */
public final class InvalidEventException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public InvalidEventException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
