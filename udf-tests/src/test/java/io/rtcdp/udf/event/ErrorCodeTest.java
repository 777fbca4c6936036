package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

    /** Every code is about input records except the two about records the job failed on. */
    @Test
    void theInputCodesAreEveryCodeButInternalAndRedisRejected() {
        assertThat(ErrorCode.INPUT)
                .containsExactlyElementsOf(
                        Arrays.stream(ErrorCode.values())
                                .filter(
                                        c ->
                                                c != ErrorCode.INTERNAL
                                                        && c != ErrorCode.REDIS_REJECTED)
                                .toList())
                .contains(ErrorCode.NO_ID, ErrorCode.INVALID_ITEM);
    }

    @Test
    void codesAreTheNamesInLowerCase() {
        assertThat(ErrorCode.INVALID_ITEM.code()).isEqualTo("invalid_item");
        assertThat(ErrorCode.NO_ID.code()).isEqualTo("no_id");
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(c.code()).matches("[a-z_]{1,64}");
        }
    }
}
