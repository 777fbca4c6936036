package io.rtcdp.udf.rec;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.testing.RetailOrders;
import io.rtcdp.udf.time.Times;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Next purchase on real data (UCI Online Retail II, its order lines as {@code props.items}): at the
 * cutoff 2011-09-01, {@link NextPurchase}'s hit@10 from statistics over the orders before the
 * cutoff only beats the most-popular-items and buy-again baselines ({@link RetailOrders}). The
 * statistics are spread over four buckets, as the job spreads them over subtasks.
 */
class RetailNextPurchaseTest {
    private static final int BUCKETS = 4;

    @Test
    void beatsMostPopularAndBuyAgainAtHitAt10() throws IOException {
        long cutoff = Times.parseTime("2011-09-01");
        RetailOrders orders = new RetailOrders(RetailOrders.events(), cutoff);
        List<ItemStats> buckets = new ArrayList<>();
        for (int b = 0; b < BUCKETS; b++) {
            buckets.add(new ItemStats());
        }
        Map<String, PurchasedItems> people = new HashMap<>();
        for (Event e : orders.before()) {
            PurchasedItems p =
                    people.computeIfAbsent(RetailOrders.customer(e), k -> new PurchasedItems());
            List<String> skus = RetailOrders.skus(e);
            List<String> prior =
                    p.top(ItemStats.PRIOR_ITEMS).stream().map(PurchasedItems.Item::sku).toList();
            List<String> fresh = skus.stream().filter(s -> p.orders(s) == 0).toList();
            for (int b = 0; b < BUCKETS; b++) {
                int bucket = b;
                buckets.get(b)
                        .addOrder(
                                e.ts(),
                                skus,
                                fresh,
                                prior,
                                s -> Math.floorMod(s.hashCode(), BUCKETS) == bucket);
            }
            p.addOrder(e.ts(), skus);
        }
        assertThat(people).isEqualTo(orders.people());
        List<ItemStats.Summary> summaries = new ArrayList<>();
        buckets.forEach(b -> summaries.addAll(b.summaries()));
        ItemTable table = ItemTable.build(summaries, cutoff, ItemStats.DEFAULT_HALF_LIFE_MS);

        assertThat(orders.population()).hasSizeGreaterThan(1_000);
        double ours =
                orders.hitRate(
                        c ->
                                NextPurchase.recommend(people.get(c), table, 10).stream()
                                        .map(NextPurchase.Recommendation::sku)
                                        .toList());
        double buyAgain = orders.buyAgain();
        double popular = orders.mostPopular();
        System.out.printf(
                "next purchase at 2011-09-01, %d customers: hit@10 rtcdp %.4f, buy again %.4f,"
                        + " most popular %.4f; item table of %d items%n",
                orders.population().size(), ours, buyAgain, popular, table.size());
        // what the job keeps for it, serialized as in its state (README, Next purchase)
        long profileBytes = 0;
        for (PurchasedItems p : people.values()) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            p.write(new java.io.DataOutputStream(b));
            profileBytes += b.size();
        }
        long statBytes = 0;
        int items = 0;
        for (ItemStats bucket : buckets) {
            for (ItemStats.Summary s : bucket.summaries()) {
                java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                bucket.get(s.sku()).write(new java.io.DataOutputStream(b));
                statBytes += b.size();
                items++;
            }
        }
        System.out.printf(
                "state: items of %d profiles %.0f bytes each on average; statistics of %d items"
                        + " %d bytes (%.0f per item); item table %d bytes%n",
                people.size(),
                (double) profileBytes / people.size(),
                items,
                statBytes,
                (double) statBytes / items,
                table.toByteArray().length);
        assertThat(ours).as("against buy again").isGreaterThan(buyAgain);
        assertThat(ours).as("against most popular").isGreaterThan(popular);
    }
}
