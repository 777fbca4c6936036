package io.rtcdp.operators.sink;

import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.ErrorCode;

/**
 * A Redis write that Redis refused for good (see {@link RedisFailure}): not retried, counted, and
 * in the job handed on as a dead letter.
 *
 * @param key the Redis key
 * @param command what was written: {@code profile} (hash write or delete), {@code id}, {@code
 *     alias} or {@code segment}
 * @param failure why, one of {@link RedisFailure#REJECTIONS}
 * @param reply the first line of Redis's reply, bounded
 * @param payload the refused write as compact JSON, see {@link RedisWriteOperator}
 */
record RejectedWrite(
        String key, String command, RedisFailure failure, String reply, String payload) {

    /** Prefix of a rejected write's dead-letter {@code source}; the key follows. */
    static final String SOURCE_PREFIX = "redis:";

    /** The dead letter: code {@code redis_rejected}, source {@code redis:<key>}. */
    DeadLetter toDeadLetter() {
        return new DeadLetter(
                ErrorCode.REDIS_REJECTED.code(),
                failure.reason()
                        + ": Redis refused the "
                        + command
                        + " write of "
                        + key
                        + ": "
                        + reply,
                payload,
                SOURCE_PREFIX + key);
    }
}
