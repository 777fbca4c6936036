package io.rtcdp.udf.rec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ItemStatsTest {
    private static final long DAY = 86_400_000L;

    /** One order of a customer. */
    private record Order(String customer, long ts, List<String> skus) {}

    private static List<Order> orders(Random rnd, int n, int customers, int catalogue) {
        List<Order> orders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> skus = new ArrayList<>();
            for (int j = 1 + rnd.nextInt(5); j > 0; j--) {
                skus.add("i" + rnd.nextInt(catalogue));
            }
            orders.add(new Order("c" + rnd.nextInt(customers), i * 3_600_000L, skus));
        }
        return orders;
    }

    /** Feeds orders in time order per customer (each with the customer's items before it). */
    private static void feed(List<Order> orders, List<ItemStats> buckets) {
        Map<String, PurchasedItems> people = new HashMap<>();
        for (Order o : orders) {
            PurchasedItems p = people.computeIfAbsent(o.customer(), k -> new PurchasedItems());
            List<String> prior =
                    p.top(ItemStats.PRIOR_ITEMS).stream().map(PurchasedItems.Item::sku).toList();
            List<String> fresh = o.skus().stream().filter(s -> p.orders(s) == 0).toList();
            for (int b = 0; b < buckets.size(); b++) {
                int bucket = b;
                int n = buckets.size();
                buckets.get(b)
                        .addOrder(
                                o.ts(),
                                o.skus(),
                                prior,
                                s -> Math.floorMod(s.hashCode(), n) == bucket);
            }
            p.addOrder(o.ts(), o.skus());
        }
    }

    /** Brute force: customers per item and customers per pair, from the whole history. */
    @Test
    void countsCustomersAndPairsExactlyWhileSmall() {
        Random rnd = new Random(11);
        List<Order> orders = orders(rnd, 400, 60, 25);
        ItemStats stats = new ItemStats();
        feed(orders, List.of(stats));

        Map<String, Set<String>> buyers = new TreeMap<>();
        for (Order o : orders) {
            for (String s : o.skus()) {
                buyers.computeIfAbsent(s, k -> new HashSet<>()).add(o.customer());
            }
        }
        for (ItemStats.Summary s : stats.summaries()) {
            assertThat(s.customers()).as(s.sku()).isEqualTo(buyers.get(s.sku()).size());
            Map<String, Double> expected = new TreeMap<>();
            for (Map.Entry<String, Set<String>> other : buyers.entrySet()) {
                if (other.getKey().equals(s.sku())) {
                    continue;
                }
                Set<String> both = new HashSet<>(buyers.get(s.sku()));
                both.retainAll(other.getValue());
                if (!both.isEmpty()) {
                    expected.put(other.getKey(), (double) both.size());
                }
            }
            Map<String, Double> actual = new TreeMap<>();
            s.neighbours().forEach(n -> actual.put(n.sku(), n.value()));
            assertThat(actual).as(s.sku()).isEqualTo(expected);
        }
    }

    @Test
    void bucketsTogetherEqualOneAndTheTableIsTheSame() {
        Random rnd = new Random(5);
        List<Order> orders = orders(rnd, 2_000, 300, 40);
        ItemStats one = new ItemStats();
        feed(orders, List.of(one));
        List<ItemStats> buckets = List.of(new ItemStats(), new ItemStats(), new ItemStats());
        feed(orders, buckets);
        List<ItemStats.Summary> spread = new ArrayList<>();
        buckets.forEach(b -> spread.addAll(b.summaries()));
        assertThat(buckets).allSatisfy(b -> assertThat(b.size()).isPositive());
        long asOf = orders.get(orders.size() - 1).ts();
        assertThat(ItemTable.build(spread, asOf, ItemStats.DEFAULT_HALF_LIFE_MS))
                .isEqualTo(ItemTable.build(one.summaries(), asOf, ItemStats.DEFAULT_HALF_LIFE_MS));
    }

    @Test
    void popularityDecaysWithItsHalfLifeWhateverTheArrivalOrder() {
        ItemStats stats = new ItemStats(10 * DAY);
        List<Long> times = new ArrayList<>(List.of(0L, 10 * DAY, 20 * DAY, 5 * DAY));
        for (long ts : times) {
            stats.addOrder(ts, List.of("a"), List.of(), s -> true);
        }
        ItemStats.Summary s = stats.summary("a");
        assertThat(s.popAt()).isEqualTo(20 * DAY);
        // 1/4 + 1/2 + 1 + 2^-1.5, at day 20
        assertThat(s.pop()).isCloseTo(0.25 + 0.5 + 1 + Math.pow(0.5, 1.5), within(1e-12));

        Collections.shuffle(times, new Random(1));
        ItemStats again = new ItemStats(10 * DAY);
        for (long ts : times) {
            again.addOrder(ts, List.of("a"), List.of(), x -> true);
        }
        assertThat(again.summary("a").pop()).isCloseTo(s.pop(), within(1e-12));
        ItemTable t = ItemTable.build(stats.summaries(), 30 * DAY, 10 * DAY);
        assertThat(t.popularity("a")).isCloseTo(s.pop() / 2, within(1e-12));
    }

    @Test
    void statisticsRoundTrip() throws IOException {
        ItemStats stats = new ItemStats();
        feed(orders(new Random(2), 300, 40, 30), List.of(stats));
        for (ItemStats.Summary s : stats.summaries()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            stats.get(s.sku()).write(new DataOutputStream(bytes));
            ItemStats.Stat back =
                    ItemStats.Stat.read(
                            new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(ItemStats.summary(s.sku(), back)).isEqualTo(s);
        }
    }

    @Test
    void tableKeepsTheMostSimilarAndRoundTrips() throws IOException {
        ItemStats stats = new ItemStats();
        // a and b always together (3 customers), c with a once
        stats.addOrder(1, List.of("a", "b"), List.of(), s -> true);
        stats.addOrder(2, List.of("a", "b"), List.of(), s -> true);
        stats.addOrder(3, List.of("b"), List.of("a"), s -> true);
        stats.addOrder(4, List.of("c"), List.of("a", "b"), s -> true);
        ItemTable t = ItemTable.build(stats.summaries(), 4, ItemStats.DEFAULT_HALF_LIFE_MS);
        // n(a) = 2, n(b) = 3, n(c) = 1; co(a,b) = 3, co(a,c) = 1, co(b,c) = 1
        assertThat(t.get("a").neighbours())
                .containsExactly(
                        new ItemStats.Neighbour("b", 3 / Math.sqrt(6)),
                        new ItemStats.Neighbour("c", 1 / Math.sqrt(2)));
        assertThat(t.popular()).startsWith("b");
        assertThat(ItemTable.fromByteArray(t.toByteArray())).isEqualTo(t);
        assertThat(ItemTable.fromByteArray(ItemTable.EMPTY.toByteArray()).size()).isZero();
    }
}
