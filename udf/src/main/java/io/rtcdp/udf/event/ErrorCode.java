package io.rtcdp.udf.event;

import java.util.Locale;

/** Why an input record is not a valid event; the {@code error} of a dead-letter record. */
public enum ErrorCode {
    /** Not parseable as JSON, or not UTF-8. */
    BAD_JSON,
    /** Valid JSON, but not an object. */
    NOT_AN_OBJECT,
    /** Record larger than 64 KiB. */
    OVERSIZE,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field has the wrong JSON type or an invalid value (e.g. tenant pattern). */
    INVALID_FIELD,
    /** {@code type} is not one of track, page, identify, consent, forget. */
    UNKNOWN_TYPE,
    /** {@code ts} is neither epoch ms nor ISO-8601 with offset. */
    BAD_TS,
    /** {@code ts} is more than the allowed skew (1 day) in the future. */
    TS_IN_FUTURE,
    /** {@code ids} has no usable id (empty, unknown types only, or blank values). */
    NO_ID;

    /** The code as written to the dead-letter output, e.g. {@code missing_field}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
