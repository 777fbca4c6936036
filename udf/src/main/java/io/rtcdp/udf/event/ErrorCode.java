package io.rtcdp.udf.event;

import java.util.List;
import java.util.Locale;

/**
 * Why a record went to the dead-letter output; the {@code error} of a dead-letter record. The input
 * codes ({@link #INPUT}) say why an input record is not a valid event; {@link #INTERNAL} and {@link
 * #REDIS_REJECTED} are about records the job could not process or write.
 */
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
    NO_ID,
    /**
     * {@code props.items} of an {@code order_completed} or {@code order_refunded} event is not a
     * list of valid order lines (docs/contract.md §1): not an array, too many lines, a line that is
     * not an object, a missing, invalid or repeated field of a line.
     */
    INVALID_ITEM,
    /**
     * A valid event (or a change it caused) that a stage of the job failed to process: a defect of
     * rtcdp, isolated to that record so that the job goes on. The dead letter names the stage.
     */
    INTERNAL,
    /**
     * A Redis write that Redis refused for a reason that retrying cannot fix ({@code WRONGTYPE},
     * {@code NOPERM}, {@code OOM}, {@code READONLY}, …); the dead letter names the key and the
     * reply.
     */
    REDIS_REJECTED;

    /** The codes of invalid input records (the first ten), in declaration order. */
    public static final List<ErrorCode> INPUT =
            List.copyOf(java.util.EnumSet.range(BAD_JSON, INVALID_ITEM));

    /** The code as written to the dead-letter output, e.g. {@code missing_field}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
