package io.rtcdp.udf.rec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PurchasedItemsTest {

    /** One order: its time and skus (repeats allowed). */
    private record Order(long ts, List<String> skus) {}

    /** Brute force: per sku, the orders that held it and the latest of their times. */
    private static Map<String, long[]> oracle(List<Order> orders) {
        Map<String, long[]> m = new TreeMap<>();
        for (Order o : orders) {
            for (String sku : new java.util.TreeSet<>(o.skus())) {
                long[] v = m.computeIfAbsent(sku, k -> new long[] {0, Long.MIN_VALUE});
                v[0]++;
                v[1] = Math.max(v[1], o.ts());
            }
        }
        return m;
    }

    private static Map<String, long[]> contents(PurchasedItems p) {
        Map<String, long[]> m = new TreeMap<>();
        for (PurchasedItems.Item i : p.items()) {
            m.put(i.sku(), new long[] {i.orders(), i.lastOrderTs()});
        }
        return m;
    }

    private static List<Order> randomOrders(Random rnd, int n, int catalogue) {
        List<Order> orders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> skus = new ArrayList<>();
            int k = 1 + rnd.nextInt(6);
            for (int j = 0; j < k; j++) {
                skus.add("sku" + rnd.nextInt(catalogue));
            }
            orders.add(new Order(rnd.nextInt(1_000_000), skus));
        }
        return orders;
    }

    @Test
    void countsEachOrderOncePerItemAndKeepsTheLatestTime() {
        PurchasedItems p = new PurchasedItems();
        p.addOrder(100, List.of("b", "a", "b"));
        p.addOrder(50, List.of("a"));
        assertThat(p.orders("a")).isEqualTo(2);
        assertThat(p.orders("b")).isEqualTo(1);
        assertThat(p.orders("c")).isZero();
        assertThat(p.items())
                .containsExactly(
                        new PurchasedItems.Item("a", 2, 100), new PurchasedItems.Item("b", 1, 100));
        assertThat(p.top(1)).containsExactly(new PurchasedItems.Item("a", 2, 100));
    }

    /** Any split of the orders over fragments, merged in any order, equals the whole history. */
    @Test
    void mergeOfAnySplitEqualsTheUnionOfTheOrders() {
        Random rnd = new Random(7);
        for (int round = 0; round < 300; round++) {
            List<Order> orders = randomOrders(rnd, 1 + rnd.nextInt(40), 1 + rnd.nextInt(60));
            int parts = 1 + rnd.nextInt(4);
            List<PurchasedItems> fragments = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                fragments.add(new PurchasedItems());
            }
            for (Order o : orders) {
                fragments.get(rnd.nextInt(parts)).addOrder(o.ts(), o.skus());
            }
            java.util.Collections.shuffle(fragments, rnd);
            PurchasedItems merged = fragments.get(0);
            for (int i = 1; i < parts; i++) {
                merged.merge(fragments.get(i));
            }
            PurchasedItems whole = new PurchasedItems();
            orders.forEach(o -> whole.addOrder(o.ts(), o.skus()));
            assertThat(contents(merged)).usingRecursiveComparison().isEqualTo(oracle(orders));
            assertThat(merged).isEqualTo(whole);
        }
    }

    @Test
    void keepsAtMostTheBoundAndCountsWhatIsLeftOut() {
        PurchasedItems p = new PurchasedItems();
        int leftOut = 0;
        for (int i = 0; i < PurchasedItems.MAX_ITEMS + 10; i++) {
            leftOut += p.addOrder(i, List.of(String.format("s%04d", i)));
        }
        assertThat(p.size()).isEqualTo(PurchasedItems.MAX_ITEMS);
        assertThat(leftOut).isEqualTo(10);
        // a kept item still counts
        assertThat(p.addOrder(9_999, List.of("s0000"))).isZero();
        assertThat(p.orders("s0000")).isEqualTo(2);

        // a merge over the bound keeps the most ordered, then the latest
        PurchasedItems other = new PurchasedItems();
        for (int i = 0; i < 20; i++) {
            other.addOrder(1, List.of("x" + i));
            other.addOrder(2, List.of("x" + i));
        }
        p.merge(other);
        assertThat(p.size()).isEqualTo(PurchasedItems.MAX_ITEMS);
        assertThat(p.orders("x7")).isEqualTo(2);
        assertThat(p.orders("s0000")).isEqualTo(2);
        // the ones with one order and the earliest times went
        assertThat(p.orders("s0001")).isZero();
    }

    @Test
    void encodingRoundTrips() throws IOException {
        Random rnd = new Random(3);
        PurchasedItems p = new PurchasedItems();
        randomOrders(rnd, 50, 80).forEach(o -> p.addOrder(o.ts(), o.skus()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        p.write(new DataOutputStream(bytes));
        PurchasedItems back =
                PurchasedItems.read(
                        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back).isEqualTo(p);
        assertThat(back.hashCode()).isEqualTo(p.hashCode());
        assertThat(back.copy()).isEqualTo(p);
    }
}
