package io.rtcdp.udf.lifecycle;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The lifecycle thresholds of each tenant: the settings for every tenant ({@code
 * lifecycle.<stage>-within}), with a tenant's own values on top ({@code
 * tenant.<tenant>.lifecycle.<stage>-within}). Immutable.
 */
public final class TenantLifecycles implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The names of the thresholds, as in the settings: {@code <name>-within}. */
    public static final String NEW = "new";

    public static final String ACTIVE = "active";
    public static final String AT_RISK = "at-risk";
    public static final String DORMANT = "dormant";

    private final Lifecycle defaults;
    private final Map<String, Lifecycle> perTenant;

    private TenantLifecycles(Lifecycle defaults, Map<String, Lifecycle> perTenant) {
        this.defaults = defaults;
        this.perTenant = Map.copyOf(perTenant);
    }

    /** The contract's thresholds (§3.2) for every tenant. */
    public static TenantLifecycles defaults() {
        return of(Lifecycle.defaults());
    }

    /** {@code lifecycle} for every tenant. */
    public static TenantLifecycles of(Lifecycle lifecycle) {
        return new TenantLifecycles(lifecycle, Map.of());
    }

    /**
     * @param overrides threshold name ({@link #NEW}, {@link #ACTIVE}, {@link #AT_RISK}, {@link
     *     #DORMANT}) → duration text such as {@code 45d}, for every tenant, on top of the defaults
     * @param tenantOverrides tenant → (name → duration text), on top of {@code overrides}
     * @throws IllegalArgumentException with one line naming the tenant and the bad value, for an
     *     unknown name, a malformed duration, or thresholds that do not increase
     */
    public static TenantLifecycles of(
            Map<String, String> overrides, Map<String, Map<String, String>> tenantOverrides) {
        Lifecycle all = new Lifecycle(thresholds("lifecycle", overrides));
        Map<String, Lifecycle> perTenant = new HashMap<>();
        tenantOverrides.forEach(
                (tenant, o) -> {
                    Map<String, String> merged = new HashMap<>(overrides);
                    merged.putAll(o);
                    perTenant.put(
                            tenant,
                            new Lifecycle(thresholds("tenant." + tenant + ".lifecycle", merged)));
                });
        return new TenantLifecycles(all, perTenant);
    }

    private static LifecycleThresholds thresholds(String prefix, Map<String, String> values) {
        LifecycleThresholds d = LifecycleThresholds.defaults();
        long[] t = {
            d.newWithinMillis(),
            d.activeWithinMillis(),
            d.atRiskWithinMillis(),
            d.dormantWithinMillis()
        };
        String[] names = {NEW, ACTIVE, AT_RISK, DORMANT};
        values.forEach(
                (name, text) -> {
                    int i = java.util.List.of(names).indexOf(name);
                    if (i < 0) {
                        throw new IllegalArgumentException(
                                prefix
                                        + "."
                                        + name
                                        + "-within is no setting; the thresholds are new, active,"
                                        + " at-risk and dormant");
                    }
                    t[i] = LifecycleThresholds.parseDuration(prefix + "." + name + "-within", text);
                });
        try {
            return new LifecycleThresholds(t[0], t[1], t[2], t[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + ": " + e.getMessage(), e);
        }
    }

    /** The lifecycle of {@code tenant}: its own thresholds, else those for every tenant. */
    public Lifecycle forTenant(String tenant) {
        Lifecycle l = perTenant.get(tenant);
        return l != null ? l : defaults;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TenantLifecycles t
                && defaults.equals(t.defaults)
                && perTenant.equals(t.perTenant);
    }

    @Override
    public int hashCode() {
        return Objects.hash(defaults, perTenant);
    }
}
