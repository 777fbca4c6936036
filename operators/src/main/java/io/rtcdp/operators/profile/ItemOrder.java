package io.rtcdp.operators.profile;

import java.util.List;

/**
 * One order's items, sent by the profile stage to one bucket of its tenant's item statistics
 * ({@code rec.ItemStatsStage}): the order's distinct skus and the customer's items before it
 * ({@link io.rtcdp.udf.rec.PurchasedItems#top}, at most {@link
 * io.rtcdp.udf.rec.ItemStats#PRIOR_ITEMS}). An order goes to every bucket that holds one of its
 * skus, and, when it holds an item new to the customer ({@code fresh}), to every bucket that holds
 * one of the customer's earlier items.
 *
 * @param tenant tenant
 * @param bucket the bucket of the tenant's items, 0 ≤ bucket < {@link ItemBuckets#BUCKETS}
 * @param ts the order's event time
 * @param basket the bucket's skus of the order's first {@link
 *     io.rtcdp.udf.rec.ItemStats#BASKET_ITEMS} distinct skus, sorted ({@link ItemBuckets#split}; a
 *     record from before that split holds all of the order's distinct skus)
 * @param fresh the order's skus (of those first ones, every bucket's) the customer had not bought
 *     before, sorted; empty when neither they nor {@code prior} hold one of the bucket's items
 * @param prior the customer's items before the order, most important first: all of them when one of
 *     {@code fresh} is the bucket's, else only the bucket's; empty when {@code fresh} is
 */
public record ItemOrder(
        String tenant,
        int bucket,
        long ts,
        List<String> basket,
        List<String> fresh,
        List<String> prior) {

    /** The item-statistics stage's key: tenant and bucket. */
    public String key() {
        return tenant + '\u0001' + bucket;
    }
}
