package io.rtcdp.operators.profile;

import io.rtcdp.udf.rec.PurchasedItems;

/**
 * A profile's items after a change, sent by the profile stage to the next-purchase stage ({@code
 * rec.RecScorer}); {@code items == null} removes the profile (merged away or forgotten).
 *
 * @param tenant tenant
 * @param oneid profile
 * @param asOf the profile's event time ({@code as_of})
 * @param items what the profile bought, not modified once sent; null for a removal
 */
public record ItemsObservation(String tenant, String oneid, long asOf, PurchasedItems items) {

    public static ItemsObservation removal(String tenant, String oneid) {
        return new ItemsObservation(tenant, oneid, Long.MIN_VALUE, null);
    }

    public boolean isRemoval() {
        return items == null;
    }

    /** The next-purchase stage's key: the profile stage's. */
    public String key() {
        return tenant + '\u0001' + oneid;
    }
}
