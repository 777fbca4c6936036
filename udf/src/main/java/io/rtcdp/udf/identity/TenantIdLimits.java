package io.rtcdp.udf.identity;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * The id limits of each tenant: a default for all, and overrides per tenant (docs/contract.md
 * §2.3).
 */
public final class TenantIdLimits implements Serializable {
    private static final long serialVersionUID = 1L;

    private final IdLimits defaults;
    private final Map<String, IdLimits> perTenant;

    private TenantIdLimits(IdLimits defaults, Map<String, IdLimits> perTenant) {
        this.defaults = defaults;
        this.perTenant = Map.copyOf(perTenant);
    }

    /** The default limits (docs/contract.md §2) for every tenant. */
    public static TenantIdLimits defaults() {
        return new TenantIdLimits(IdLimits.defaults(), Map.of());
    }

    /**
     * @param overrides type → limit for every tenant (on top of the defaults of docs/contract.md
     *     §2)
     * @param tenantOverrides tenant → (type → limit), on top of {@code overrides}
     */
    public static TenantIdLimits of(
            Map<String, Integer> overrides, Map<String, Map<String, Integer>> tenantOverrides) {
        Map<String, IdLimits> perTenant = new HashMap<>();
        tenantOverrides.forEach(
                (tenant, o) -> {
                    Map<String, Integer> merged = new HashMap<>(overrides);
                    merged.putAll(o);
                    perTenant.put(tenant, IdLimits.withOverrides(merged));
                });
        return new TenantIdLimits(IdLimits.withOverrides(overrides), perTenant);
    }

    public IdLimits forTenant(String tenant) {
        IdLimits l = perTenant.get(tenant);
        return l != null ? l : defaults;
    }
}
