package io.rtcdp.udf.gen;

/**
 * One record of a generated input stream, with its ground truth.
 *
 * @param json the record as it would arrive (one JSONL line, without the line break)
 * @param kind what the record is
 * @param expectedErrorCode for {@link Kind#BAD}, the dead-letter code a correct parser gives it
 *     ({@link io.rtcdp.udf.event.ErrorCode#code()}); null otherwise
 * @param person the index ({@code 0 … persons-1}) of the person the record belongs to; for a bad
 *     record, the person whose event was corrupted
 */
public record GeneratedRecord(String json, Kind kind, String expectedErrorCode, int person) {

    /** What a generated record is. */
    public enum Kind {
        /** A valid event, emitted once (apart from its duplicates). */
        VALID,
        /** The exact line of an earlier VALID record, sent again. */
        DUPLICATE,
        /** Not a valid event; {@link #expectedErrorCode()} says why. */
        BAD
    }
}
