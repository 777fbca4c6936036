package io.rtcdp.udf.lifecycle;

import static io.rtcdp.udf.lifecycle.LifecycleStage.ACTIVE;
import static io.rtcdp.udf.lifecycle.LifecycleStage.AT_RISK;
import static io.rtcdp.udf.lifecycle.LifecycleStage.CHURNED;
import static io.rtcdp.udf.lifecycle.LifecycleStage.DORMANT;
import static io.rtcdp.udf.lifecycle.LifecycleStage.NEW;
import static io.rtcdp.udf.lifecycle.LifecycleThresholds.DAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private final Lifecycle life = Lifecycle.defaults();
    private static final long T = 1_300_000_000_000L;

    @Test
    void stagesChangeExactlyAtTheThresholds() {
        long first = T - 400 * DAY;
        assertThat(life.stage(first, T, T)).isEqualTo(ACTIVE);
        assertThat(life.stage(first, T, T - DAY)).isEqualTo(ACTIVE);
        assertThat(life.stage(first, T, T + 30 * DAY - 1)).isEqualTo(ACTIVE);
        assertThat(life.stage(first, T, T + 30 * DAY)).isEqualTo(AT_RISK);
        assertThat(life.stage(first, T, T + 90 * DAY - 1)).isEqualTo(AT_RISK);
        assertThat(life.stage(first, T, T + 90 * DAY)).isEqualTo(DORMANT);
        assertThat(life.stage(first, T, T + 180 * DAY - 1)).isEqualTo(DORMANT);
        assertThat(life.stage(first, T, T + 180 * DAY)).isEqualTo(CHURNED);
        assertThat(life.stage(first, T, Long.MAX_VALUE)).isEqualTo(CHURNED);
    }

    @Test
    void newNeedsARecentFirstEventAndActivity() {
        assertThat(life.stage(T, T, T)).isEqualTo(NEW);
        assertThat(life.stage(T, T + 20 * DAY, T + 30 * DAY - 1)).isEqualTo(NEW);
        assertThat(life.stage(T, T + 20 * DAY, T + 30 * DAY)).isEqualTo(ACTIVE);
        assertThat(life.stage(T, T, T + 30 * DAY)).isEqualTo(AT_RISK);
    }

    @Test
    void nextChangeWalksTheStages() {
        long first = T;
        long last = T + 20 * DAY;
        List<String> walk = new ArrayList<>();
        long at = T + 21 * DAY;
        while (at != Long.MAX_VALUE) {
            walk.add(life.stage(first, last, at).label() + "@" + (at - T) / DAY);
            at = life.nextChange(first, last, at);
        }
        assertThat(walk)
                .containsExactly("new@21", "active@30", "at_risk@50", "dormant@110", "churned@200");
        // new straight to at_risk when both end together
        assertThat(life.nextChange(T, T, T)).isEqualTo(T + 30 * DAY);
        assertThat(life.stage(T, T, T + 30 * DAY)).isEqualTo(AT_RISK);
        assertThat(life.nextChange(T, T, T + 500 * DAY)).isEqualTo(Long.MAX_VALUE);
        // an asOf before the last event
        assertThat(life.nextChange(T - 400 * DAY, T, T - 5)).isEqualTo(T + 30 * DAY);
    }

    @Test
    void labelsAreTheContractValues() {
        assertThat(List.of(LifecycleStage.values()).stream().map(LifecycleStage::label))
                .containsExactly("new", "active", "at_risk", "dormant", "churned");
    }

    @Test
    void firstAfterLastIsRejected() {
        assertThatThrownBy(() -> life.stage(T + 1, T, T))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after lastSeen");
        assertThatThrownBy(() -> life.nextChange(T + 1, T, T))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thresholdsParseAndValidate() {
        assertThat(LifecycleThresholds.parse("30d", "30d", "90d", "180d"))
                .isEqualTo(LifecycleThresholds.defaults());
        assertThat(LifecycleThresholds.parseDuration("x", " 12h ")).isEqualTo(12 * 3_600_000L);
        assertThat(LifecycleThresholds.parseDuration("x", "15m")).isEqualTo(900_000L);
        assertThat(LifecycleThresholds.parseDuration("x", "45s")).isEqualTo(45_000L);
        assertThat(LifecycleThresholds.parseDuration("x", "500ms")).isEqualTo(500L);
        for (String bad : new String[] {"0d", "30", "-1d", "1.5d", "d", "30 d", "30D", "", "1w"}) {
            assertThatThrownBy(() -> LifecycleThresholds.parseDuration("dormant", bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "invalid dormant duration '"
                                    + bad
                                    + "': use "
                                    + LifecycleThresholds.DURATION_FORM);
        }
        assertThatThrownBy(() -> LifecycleThresholds.parseDuration("new", null))
                .hasMessageContaining("invalid new duration 'null'");
        assertThatThrownBy(() -> LifecycleThresholds.parseDuration("new", "999999999999999999d"))
                .hasMessage("invalid new duration '999999999999999999d': too long");
        assertThatThrownBy(() -> LifecycleThresholds.parse("30d", "90d", "90d", "180d"))
                .hasMessageContaining("must increase (active < at_risk < dormant)");
        assertThatThrownBy(() -> LifecycleThresholds.parse("30d", "30d", "200d", "180d"))
                .hasMessageContaining("must increase");
        assertThatThrownBy(() -> new LifecycleThresholds(0, 1, 2, 3))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> new Lifecycle(null)).hasMessageContaining("required");
        // newWithin may exceed activeWithin: then activity ends being new
        Lifecycle longNew = new Lifecycle(LifecycleThresholds.parse("60d", "30d", "90d", "180d"));
        assertThat(longNew.stage(T, T + 40 * DAY, T + 59 * DAY)).isEqualTo(NEW);
        assertThat(longNew.stage(T, T, T + 30 * DAY)).isEqualTo(AT_RISK);
    }
}
