package io.rtcdp.operators;

import java.util.Map;
import java.util.function.Function;

/**
 * A per-tenant map's entry for the tenant asked last: a run of one tenant's records (nearly all of
 * them, in most jobs) looks the map up once. The tenant is compared with {@code equals}, which is
 * one reference comparison where the records of a tenant share one string (deserialized records)
 * and a comparison of a few bytes where they do not (parsed events); a tenant whose answer was null
 * (nothing kept yet) looks the map up again, so the answer is always the map's.
 *
 * <p>The owner calls {@link #reset} whenever it replaces or removes an entry of the map otherwise
 * than through this memo (adding an entry for a tenant the map lacked needs none). Not thread-safe:
 * the task thread only.
 *
 * @param <V> the map's values
 */
public final class TenantMemo<V> {
    private final Map<String, V> byTenant;
    private final Function<String, V> make;

    private String tenant;
    private V value;

    /**
     * @param byTenant the map the answers come from
     * @param make the entry of a tenant the map lacks, put into it; null to answer null for such a
     *     tenant and put nothing
     */
    public TenantMemo(Map<String, V> byTenant, Function<String, V> make) {
        this.byTenant = byTenant;
        this.make = make;
    }

    /**
     * The map's entry for {@code tenant}: made and put first when there is none and the memo has a
     * maker; null when there is none and it has no maker.
     */
    public V get(String tenant) {
        if (value == null || !tenant.equals(this.tenant)) {
            value = make == null ? byTenant.get(tenant) : byTenant.computeIfAbsent(tenant, make);
            this.tenant = tenant;
        }
        return value;
    }

    /** Forgets the last answer: the map changed. */
    public void reset() {
        tenant = null;
        value = null;
    }
}
