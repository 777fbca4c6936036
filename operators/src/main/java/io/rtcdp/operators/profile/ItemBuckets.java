package io.rtcdp.operators.profile;

import io.rtcdp.udf.rec.ItemStats;
import io.rtcdp.udf.rec.PurchasedItems;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
     * Splits one order into the records of the buckets it changes ({@link ItemOrder}), each with
     * only what its bucket needs ({@link ItemStats#addShare}): the bucket's own items of the
     * order's first {@link ItemStats#BASKET_ITEMS} distinct items, and the order's new items and
     * the customer's main earlier items only if one of those is the bucket's (a bucket then counts
     * pairs across buckets).
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
        List<String> bought =
                basket.size() > ItemStats.BASKET_ITEMS
                        ? basket.subList(0, ItemStats.BASKET_ITEMS)
                        : basket;
        TreeMap<Integer, List<String>> own = new TreeMap<>();
        List<String> fresh = new ArrayList<>();
        Set<Integer> withFresh = new HashSet<>();
        for (String sku : bought) {
            int b = bucket(sku);
            own.computeIfAbsent(b, k -> new ArrayList<>()).add(sku);
            if (before.orders(sku) == 0) {
                fresh.add(sku);
                withFresh.add(b);
            }
        }
        List<String> prior = new ArrayList<>();
        Map<Integer, List<String>> ownPrior = new HashMap<>();
        if (!fresh.isEmpty()) {
            for (PurchasedItems.Item i : before.top(ItemStats.PRIOR_ITEMS)) {
                prior.add(i.sku());
                int b = bucket(i.sku());
                ownPrior.computeIfAbsent(b, k -> new ArrayList<>()).add(i.sku());
                own.computeIfAbsent(b, k -> new ArrayList<>());
            }
        }
        List<String> priorCopy = List.copyOf(prior);
        List<String> freshCopy = List.copyOf(fresh);
        for (Map.Entry<Integer, List<String>> e : own.entrySet()) {
            int b = e.getKey();
            List<String> earlier;
            if (withFresh.contains(b)) {
                earlier = priorCopy; // its new items pair with every earlier item
            } else if (ownPrior.containsKey(b)) {
                earlier = List.copyOf(ownPrior.get(b)); // its earlier items pair with the new ones
            } else {
                earlier = null; // no pair of this order is the bucket's
            }
            out.accept(
                    new ItemOrder(
                            tenant,
                            b,
                            ts,
                            List.copyOf(e.getValue()),
                            earlier == null ? List.of() : freshCopy,
                            earlier == null ? List.of() : earlier));
        }
    }
}
