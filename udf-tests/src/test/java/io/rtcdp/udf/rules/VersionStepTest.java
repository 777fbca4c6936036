package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.rules.VersionStep.Verdict;
import org.junit.jupiter.api.Test;

class VersionStepTest {
    final VersionStep step = new VersionStep(100);

    @Test
    void aHigherVersionWithinTheStepApplies() {
        assertThat(step.judge(7L, 8)).isEqualTo(Verdict.APPLY);
        assertThat(step.judge(7L, 107)).isEqualTo(Verdict.APPLY);
        assertThat(step.judge(null, 0)).isEqualTo(Verdict.APPLY);
        assertThat(step.judge(null, 100)).isEqualTo(Verdict.APPLY);
    }

    @Test
    void aRepeatOrAnOlderVersionIsIgnored() {
        assertThat(step.judge(7L, 7)).isEqualTo(Verdict.IGNORE);
        assertThat(step.judge(7L, 3)).isEqualTo(Verdict.IGNORE);
    }

    @Test
    void aVersionBeyondTheStepOrNegativeIsRefused() {
        assertThat(step.judge(7L, 108)).isEqualTo(Verdict.REFUSE);
        assertThat(step.judge(null, 101)).isEqualTo(Verdict.REFUSE);
        assertThat(step.judge(7L, Long.MAX_VALUE)).isEqualTo(Verdict.REFUSE);
        assertThat(step.judge(null, -1)).isEqualTo(Verdict.REFUSE);
        assertThat(step.refusal(7L, 108))
                .isEqualTo("version 108 is more than 100 above version 7 in force");
    }

    @Test
    void nothingOverflowsAtTheEnds() {
        VersionStep widest = new VersionStep(Long.MAX_VALUE);
        assertThat(widest.judge(null, Long.MAX_VALUE)).isEqualTo(Verdict.APPLY);
        assertThat(widest.judge(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Verdict.IGNORE);
        assertThat(VersionStep.DEFAULT.judge(Long.MAX_VALUE - 1, Long.MAX_VALUE))
                .isEqualTo(Verdict.APPLY);
    }

    @Test
    void theDefaultTakesEpochMillisecondsButNotTheLargestLong() {
        long epochMillis = 1_798_761_600_000L; // 2027-01-01
        assertThat(VersionStep.DEFAULT.judge(null, epochMillis)).isEqualTo(Verdict.APPLY);
        assertThat(VersionStep.DEFAULT.judge(epochMillis, Long.MAX_VALUE))
                .isEqualTo(Verdict.REFUSE);
    }

    @Test
    void theStepIsPositive() {
        assertThatThrownBy(() -> new VersionStep(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
