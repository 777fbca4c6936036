package io.rtcdp.operators.profile;

/**
 * A profile's RFM inputs after a change, sent by the profile stage to the tenant's RFM stage: the
 * time of its last order, its number of orders and its revenue. {@code orders == 0} removes the
 * profile from the tenant's distribution (merged away, forgotten, or no order).
 *
 * @param tenant tenant
 * @param oneid profile
 * @param lastOrderTs event time of the last order, ms
 * @param orders {@code f.orders_total}
 * @param revenueMicros {@code f.revenue_total} in millionths
 */
public record RfmObservation(
        String tenant, String oneid, long lastOrderTs, long orders, long revenueMicros) {

    public static RfmObservation removal(String tenant, String oneid) {
        return new RfmObservation(tenant, oneid, 0, 0, 0);
    }

    public boolean isRemoval() {
        return orders == 0;
    }
}
