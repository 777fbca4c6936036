package io.rtcdp.operators.profile;

import io.rtcdp.udf.rec.ItemStats;
import io.rtcdp.udf.rec.PurchasedItems;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * How a tenant's items spread over the buckets of the item statistics, so that one tenant's
 * co-purchase work spreads over every subtask.
 */
public final class ItemBuckets {
    /** Buckets per tenant: enough that 4–8 subtasks get about the same share of them. */
    public static final int BUCKETS = 64;

    private ItemBuckets() {}

    /** The bucket of an item: a stable hash of its sku, 0 ≤ bucket < {@link #BUCKETS}. */
    public static int bucket(String sku) {
        int h = sku.hashCode() * 0x9E3779B9; // String.hashCode is fixed by the JLS
        return (h ^ (h >>> 16)) & (BUCKETS - 1);
    }

    /**
     * Splits one order into the records of the buckets it changes ({@link ItemOrder}).
     *
     * @param skus the order's skus (repeats allowed)
     * @param before the customer's items before the order
     */
    public static void split(
            String tenant,
            long ts,
            Collection<String> skus,
            PurchasedItems before,
            Consumer<ItemOrder> out) {
        List<String> basket = List.copyOf(PurchasedItems.distinct(skus));
        if (basket.isEmpty()) {
            return;
        }
        List<String> prior = new ArrayList<>();
        for (PurchasedItems.Item i : before.top(ItemStats.PRIOR_ITEMS)) {
            prior.add(i.sku());
        }
        List<String> fresh = new ArrayList<>();
        for (String sku : basket) {
            if (before.orders(sku) == 0) {
                fresh.add(sku);
            }
        }
        TreeMap<Integer, Boolean> buckets = new TreeMap<>();
        for (String sku :
                basket.size() > ItemStats.BASKET_ITEMS
                        ? basket.subList(0, ItemStats.BASKET_ITEMS)
                        : basket) {
            buckets.put(bucket(sku), true);
        }
        if (!fresh.isEmpty()) {
            for (String sku : prior) {
                buckets.put(bucket(sku), true);
            }
        }
        List<String> priorCopy = List.copyOf(prior);
        List<String> freshCopy = List.copyOf(fresh);
        for (int b : buckets.keySet()) {
            out.accept(new ItemOrder(tenant, b, ts, basket, freshCopy, priorCopy));
        }
    }
}
