package io.rtcdp.operators.rec;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.KeyedOperatorTest;
import io.rtcdp.operators.profile.ItemBuckets;
import io.rtcdp.operators.profile.ItemOrder;
import io.rtcdp.udf.rec.ItemStats;
import io.rtcdp.udf.rec.PurchasedItems;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;

/**
 * The item-statistics stage: each changed item of a bucket sent at once after the bucket's first
 * change, later changes coalesced (one record per item) until the next refresh, what changed since
 * sent at the end of a bounded input; each item's statistics the same as one {@link ItemStats} fed
 * the same orders, and only the bucket's own items.
 */
class ItemStatsStageTest extends KeyedOperatorTest<ItemOrder, Tuple3<String, String, byte[]>> {
    static final long DAY = 86_400_000L;
    static final long T = 1_700_000_000_000L;
    static final Duration REFRESH = Duration.ofMinutes(1);
    static final long R = REFRESH.toMillis();

    @Override
    protected ItemStatsStage function() {
        return new ItemStatsStage(REFRESH);
    }

    @Override
    protected org.apache.flink.streaming.api.operators.OneInputStreamOperator<
                    ItemOrder, Tuple3<String, String, byte[]>>
            operator() {
        return new ItemStatsOperator(function());
    }

    @Override
    protected KeySelector<ItemOrder, String> key() {
        return ItemStatsStage.KEY;
    }

    /** Three skus of one bucket, and one of another. */
    static final String A = "a";

    static final String B = sameBucketAs(A, "b");
    static final String C = sameBucketAs(A, "c");
    static final String X = otherBucketThan(A);

    static String sameBucketAs(String sku, String prefix) {
        for (int i = 0; ; i++) {
            String s = prefix + i;
            if (ItemBuckets.bucket(s) == ItemBuckets.bucket(sku)) {
                return s;
            }
        }
    }

    static String otherBucketThan(String sku) {
        for (int i = 0; ; i++) {
            String s = "x" + i;
            if (ItemBuckets.bucket(s) != ItemBuckets.bucket(sku)) {
                return s;
            }
        }
    }

    /** What the stage is fed, and the same orders fed to one {@link ItemStats} of every item. */
    final ItemStats direct = new ItemStats();

    final Map<String, PurchasedItems> customers = new TreeMap<>();

    /**
     * One order of a customer: split into its buckets' records as the profile stage does; sends
     * those of A's bucket (the others go to other keys, which this test leaves out unless {@code
     * all}), and feeds the whole order to {@link #direct}.
     */
    void order(String customer, long days, boolean all, String... skus) throws Exception {
        PurchasedItems before =
                customers.computeIfAbsent(customer, k -> new PurchasedItems()).copy();
        List<ItemOrder> records = new ArrayList<>();
        ItemBuckets.split("acme", T + days * DAY, List.of(skus), before, records::add);
        for (ItemOrder o : records) {
            if (all || o.bucket() == ItemBuckets.bucket(A)) {
                send(o);
            }
        }
        List<String> prior =
                before.top(ItemStats.PRIOR_ITEMS).stream().map(PurchasedItems.Item::sku).toList();
        List<String> fresh =
                PurchasedItems.distinct(List.of(skus)).stream()
                        .filter(s -> before.orders(s) == 0)
                        .toList();
        direct.addOrder(T + days * DAY, List.of(skus), fresh, prior, s -> true);
        customers.get(customer).addOrder(T + days * DAY, List.of(skus));
    }

    void order(String customer, long days, String... skus) throws Exception {
        order(customer, days, false, skus);
    }

    /** The items sent since the last call, as {@code tenant/sku}, each checked against direct. */
    List<String> sent() throws IOException {
        List<String> skus = new ArrayList<>();
        for (Tuple3<String, String, byte[]> s : drain()) {
            assertThat(ItemStats.summary(s.f1, ItemStatsStage.decode(s.f2)))
                    .as("the statistics of %s", s.f1)
                    .isEqualTo(direct.summary(s.f1));
            skus.add(s.f0 + "/" + s.f1);
        }
        return skus;
    }

    @Test
    void aBucketsFirstChangeSendsEachChangedItemAtOnce() throws Exception {
        order("c1", 0, A, B, X);

        // X is another bucket's
        assertThat(sent()).containsExactlyInAnyOrder("acme/" + A, "acme/" + B);
    }

    @Test
    void laterChangesAreCoalescedUntilTheNextRefresh() throws Exception {
        order("c1", 0, A);
        sent();
        h.setProcessingTime(10);
        order("c2", 1, A, B);
        order("c3", 2, B, C);
        order("c2", 3, C);
        assertThat(sent()).as("nothing before the refresh").isEmpty();

        h.setProcessingTime(R - 1);
        assertThat(sent()).isEmpty();
        h.setProcessingTime(R);
        // each changed item once, with every order since
        assertThat(sent()).containsExactlyInAnyOrder("acme/" + A, "acme/" + B, "acme/" + C);

        h.setProcessingTime(3 * R);
        assertThat(sent()).as("nothing changed since").isEmpty();
        order("c4", 4, C);
        h.setProcessingTime(4 * R);
        assertThat(sent()).containsExactly("acme/" + C);
    }

    @Test
    void anItemNewToTheCustomerChangesItsEarlierItemsOfTheBucket() throws Exception {
        order("c1", 0, A);
        sent();
        order("c1", 1, X); // X is new to c1, who bought A before: A gets X as a neighbour
        h.setProcessingTime(R);

        assertThat(sent()).containsExactly("acme/" + A);
        assertThat(direct.summary(A).neighbours())
                .extracting(ItemStats.Neighbour::sku)
                .containsExactly(X);

        order("c1", 2, X); // nothing new to c1: nothing for A's bucket
        h.setProcessingTime(2 * R);
        assertThat(sent()).isEmpty();
    }

    @Test
    void theEndOfABoundedInputSendsWhatChangedSinceTheLastSend() throws Exception {
        order("c1", 0, A, B);
        sent();
        order("c2", 1, B, C);

        h.processWatermark(new Watermark(Long.MAX_VALUE));

        assertThat(sent()).containsExactlyInAnyOrder("acme/" + B, "acme/" + C);
        h.setProcessingTime(2 * R);
        assertThat(sent()).as("sent already").isEmpty();
    }

    @Test
    void eachBucketAndTenantSendsItsOwnItems() throws Exception {
        order("c1", 0, true, A, X);
        send(new ItemOrder("beta", ItemBuckets.bucket(A), T, List.of(A), List.of(A), List.of()));

        List<String> got = new ArrayList<>();
        drain().forEach(s -> got.add(s.f0 + "/" + s.f1));
        assertThat(got).containsExactlyInAnyOrder("acme/" + A, "acme/" + X, "beta/" + A);
    }

    @Test
    void theStatisticsAndWhatIsLeftToSendSurviveARestore() throws Exception {
        order("c1", 0, A, B);
        sent();
        order("c2", 1, B);
        restore(10);

        h.setProcessingTime(R);
        assertThat(sent()).containsExactly("acme/" + B);
        order("c2", 2, A, B);
        h.setProcessingTime(2 * R);
        assertThat(sent()).containsExactlyInAnyOrder("acme/" + A, "acme/" + B);
    }

    @Test
    void statisticsKeptOnTheHeapBetweenCheckpointsEqualOrdersCountedOneByOne() throws Exception {
        java.util.Random random = new java.util.Random(42);
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            skus.add("s" + i);
        }
        for (int n = 0; n < 300; n++) {
            String[] basket = new String[1 + random.nextInt(6)];
            for (int i = 0; i < basket.length; i++) {
                basket[i] = skus.get(random.nextInt(skus.size()));
            }
            order("c" + random.nextInt(25), n / 10, true, basket);
            if (n % 70 == 69) {
                // a checkpoint and a restart from it between orders
                restore(n);
            }
        }
        // every bucket's statistics at the end of the input: each checked against direct
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(sent()).hasSizeGreaterThan(30);
    }

    @Test
    void anOrderWithoutItemsOfTheBucketChangesNothing() throws Exception {
        send(new ItemOrder("acme", ItemBuckets.bucket(A), T, List.of(X), List.of(X), List.of()));
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(drain()).isEmpty();
    }
}
