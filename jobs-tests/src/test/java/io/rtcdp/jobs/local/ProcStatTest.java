package io.rtcdp.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatTest {
    @Test
    void theNameMayHoldSpacesAndParenthesesAndTheCpuIsUserPlusSystemTicks() {
        String stat =
                "4242 (a (name) with) parens) S 1 1 1 0 -1 4194368 100 0 0 0 250 17 0 0 20 0 40 0";
        assertThat(ProcStat.name(stat)).isEqualTo("a (name) with) parens");
        assertThat(ProcStat.cpuTicks(stat)).isEqualTo(267);
        assertThatThrownBy(() -> ProcStat.cpuTicks("not a stat line"))
                .isInstanceOf(RuntimeException.class);
    }
}
