package io.rtcdp.operators.profile;

/**
 * A profile's RFM inputs after a change, sent by the profile stage to the tenant's RFM stage: the
 * time of its last order, its number of orders and its revenue, and the time of its first order
 * (for BG/NBD's live refit, {@link io.rtcdp.udf.ml.BgNbdSample}). {@code orders == 0} removes the
 * profile from the tenant's distribution (merged away, forgotten, or no order).
 *
 * @param tenant tenant
 * @param oneid profile
 * @param lastOrderTs event time of the last order, ms
 * @param orders {@code f.orders_total}
 * @param revenueMicros {@code f.revenue_total} in millionths
 * @param firstOrderTs event time of the first order, ms; {@link Long#MIN_VALUE} when unknown (a
 *     profile state of before format 3)
 */
public record RfmObservation(
        String tenant,
        String oneid,
        long lastOrderTs,
        long orders,
        long revenueMicros,
        long firstOrderTs) {

    /** An observation without the first order's time. */
    public RfmObservation(
            String tenant, String oneid, long lastOrderTs, long orders, long revenueMicros) {
        this(tenant, oneid, lastOrderTs, orders, revenueMicros, Long.MIN_VALUE);
    }

    public static RfmObservation removal(String tenant, String oneid) {
        return new RfmObservation(tenant, oneid, 0, 0, 0);
    }

    public boolean isRemoval() {
        return orders == 0;
    }
}
