package io.rtcdp.udf.lifecycle;

/**
 * A profile's lifecycle stage (profile field {@code lifecycle}, docs/contract.md §3.2), in the
 * order time moves it.
 */
public enum LifecycleStage {
    NEW("new"),
    ACTIVE("active"),
    AT_RISK("at_risk"),
    DORMANT("dormant"),
    CHURNED("churned");

    private final String label;

    LifecycleStage(String label) {
        this.label = label;
    }

    /** The value written to the profile: {@code new}, {@code active}, {@code at_risk}, … */
    public String label() {
        return label;
    }
}
