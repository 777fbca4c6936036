package io.rtcdp.udf.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantLifecyclesTest {
    static final long DAY = LifecycleThresholds.DAY;

    @Test
    void aTenantsOwnThresholdsGoOnTopOfThoseForEveryTenant() {
        TenantLifecycles l =
                TenantLifecycles.of(
                        Map.of("at-risk", "60d"),
                        Map.of("acme", Map.of("dormant", "365d"), "b2b", Map.of("active", "45d")));
        assertThat(l.forTenant("other").thresholds())
                .isEqualTo(new LifecycleThresholds(30 * DAY, 30 * DAY, 60 * DAY, 180 * DAY));
        assertThat(l.forTenant("acme").thresholds())
                .isEqualTo(new LifecycleThresholds(30 * DAY, 30 * DAY, 60 * DAY, 365 * DAY));
        assertThat(l.forTenant("b2b").thresholds())
                .isEqualTo(new LifecycleThresholds(30 * DAY, 45 * DAY, 60 * DAY, 180 * DAY));
        // the stage follows: 50 days without an event
        long lastSeen = 100 * DAY;
        long asOf = lastSeen + 50 * DAY;
        assertThat(l.forTenant("other").stage(0, lastSeen, asOf)).isEqualTo(LifecycleStage.AT_RISK);
        assertThat(TenantLifecycles.defaults().forTenant("other").stage(0, lastSeen, asOf))
                .isEqualTo(LifecycleStage.AT_RISK);
        assertThat(
                        TenantLifecycles.of(Map.of("active", "60d"), Map.of())
                                .forTenant("x")
                                .stage(0, lastSeen, asOf))
                .isEqualTo(LifecycleStage.ACTIVE);
        assertThat(TenantLifecycles.of(Map.of(), Map.of())).isEqualTo(TenantLifecycles.defaults());
    }

    @Test
    void badThresholdsAreOneLineNamingTheSetting() {
        assertThatThrownBy(() -> TenantLifecycles.of(Map.of("at-risk", "20d"), Map.of()))
                .hasMessageStartingWith("lifecycle: lifecycle thresholds must increase")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(
                        () ->
                                TenantLifecycles.of(
                                        Map.of(), Map.of("acme", Map.of("dormant", "60d"))))
                .hasMessageStartingWith(
                        "tenant.acme.lifecycle: lifecycle thresholds must increase");
        assertThatThrownBy(() -> TenantLifecycles.of(Map.of("active", "soon"), Map.of()))
                .hasMessageContaining("lifecycle.active-within")
                .hasMessageContaining("'soon'");
        assertThatThrownBy(() -> TenantLifecycles.of(Map.of("stale", "9d"), Map.of()))
                .hasMessageContaining("lifecycle.stale-within is no setting");
    }
}
