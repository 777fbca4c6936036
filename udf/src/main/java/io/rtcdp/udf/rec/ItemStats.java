package io.rtcdp.udf.rec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.memory.Memory;

/**
 * A tenant's co-purchase statistics for some of its items (a bucket of them; the tenant's items are
 * spread over buckets so that the work spreads over subtasks), updated per order:
 *
 * <ul>
 *   <li>popularity: the number of orders that held the item, each decayed with a half-life ({@link
 *       #DEFAULT_HALF_LIFE_MS} by default) from its event time, so that what sells now counts more
 *       than what sold last season; the sum does not depend on the orders' arrival order;
 *   <li>customers: the number of customers who bought the item (counted at each customer's first
 *       order of it);
 *   <li>neighbours: for each item, how many customers bought it and each other item (counted once
 *       per customer, when the customer first bought the second of the two), the most frequent ones
 *       kept in a frequent-items sketch (Apache DataSketches {@link ItemsSketch}, {@link
 *       #NEIGHBOUR_MAP} counters): exact while an item has at most {@code 0.75 *} {@link
 *       #NEIGHBOUR_MAP} neighbours, above that each count within the sketch's error bound.
 * </ul>
 *
 * <p>{@link #summaries} gives what {@link ItemTable} is built from. Mutable, not thread-safe.
 */
public final class ItemStats {
    /** The popularity's half-life: 30 days of event time. */
    public static final long DEFAULT_HALF_LIFE_MS = 30L * 86_400_000L;

    /** Counters of an item's neighbour sketch (a power of two). */
    public static final int NEIGHBOUR_MAP = 64;

    /**
     * A customer's items, at most, counted as bought before an order ({@link PurchasedItems#top}).
     */
    public static final int PRIOR_ITEMS = 64;

    /** An order's distinct items, at most, that count (the first in sku order). */
    public static final int BASKET_ITEMS = 128;

    /** Leading byte of an item's encoding; bump it when the encoding changes. */
    static final int FORMAT = 1;

    private static final ArrayOfStringsSerDe SERDE = new ArrayOfStringsSerDe();

    private final long halfLifeMs;
    private final Map<String, Stat> items = new TreeMap<>();

    public ItemStats() {
        this(DEFAULT_HALF_LIFE_MS);
    }

    public ItemStats(long halfLifeMs) {
        if (halfLifeMs <= 0) {
            throw new IllegalArgumentException("half-life must be positive, got " + halfLifeMs);
        }
        this.halfLifeMs = halfLifeMs;
    }

    /** One item's statistics. Mutable. */
    public static final class Stat {
        /** Decayed order count at {@link #popAt}. */
        double pop;

        long popAt = Long.MIN_VALUE;
        long customers;
        long orders;
        final ItemsSketch<String> neighbours;

        Stat() {
            this(new ItemsSketch<>(NEIGHBOUR_MAP));
        }

        private Stat(ItemsSketch<String> neighbours) {
            this.neighbours = neighbours;
        }

        /** Adds one order at {@code ts}: the popularity is kept at the latest time seen. */
        void addOrder(long ts, long halfLifeMs) {
            orders++;
            if (popAt == Long.MIN_VALUE) {
                pop = 1;
                popAt = ts;
            } else if (ts >= popAt) {
                pop = pop * decay(ts - popAt, halfLifeMs) + 1;
                popAt = ts;
            } else {
                pop += decay(popAt - ts, halfLifeMs);
            }
        }

        /** Writes this item's statistics; {@link #read} reads them back. */
        public void write(DataOutput out) throws IOException {
            out.writeByte(FORMAT);
            out.writeDouble(pop);
            out.writeLong(popAt);
            out.writeLong(customers);
            out.writeLong(orders);
            byte[] sketch = neighbours.toByteArray(SERDE);
            out.writeInt(sketch.length);
            out.write(sketch);
        }

        /** Reads what {@link #write} wrote. */
        public static Stat read(DataInput in) throws IOException {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IOException("unknown item-statistics format " + format);
            }
            double pop = in.readDouble();
            long popAt = in.readLong();
            long customers = in.readLong();
            long orders = in.readLong();
            byte[] sketch = new byte[in.readInt()];
            in.readFully(sketch);
            Stat s = new Stat(ItemsSketch.getInstance(Memory.wrap(sketch), SERDE));
            s.pop = pop;
            s.popAt = popAt;
            s.customers = customers;
            s.orders = orders;
            return s;
        }
    }

    /** {@code 2^(-elapsed / halfLife)}. */
    public static double decay(long elapsedMs, long halfLifeMs) {
        return Math.pow(0.5, (double) elapsedMs / halfLifeMs);
    }

    /**
     * Counts one order of one customer whose earlier items are {@code prior}: an item of the order
     * is new to the customer if it is not among them.
     *
     * @see #addOrder(long, Collection, Collection, Collection, Predicate)
     */
    public Set<String> addOrder(
            long ts, Collection<String> basket, Collection<String> prior, Predicate<String> mine) {
        Set<String> priorSet = new HashSet<>(prior);
        List<String> fresh = new ArrayList<>();
        for (String sku : PurchasedItems.distinct(basket)) {
            if (!priorSet.contains(sku)) {
                fresh.add(sku);
            }
        }
        return addOrder(ts, basket, fresh, prior, mine);
    }

    /**
     * Counts one order of one customer.
     *
     * @param ts the order's event time
     * @param basket the order's items (distinct or not; the first {@link #BASKET_ITEMS} distinct in
     *     sku order count)
     * @param newItems the order's items the customer had not bought before
     * @param prior the customer's main items before this order (the first {@link #PRIOR_ITEMS}
     *     count)
     * @param mine which items these statistics keep (a bucket's); the others are left to theirs
     * @return the items whose statistics changed
     */
    public Set<String> addOrder(
            long ts,
            Collection<String> basket,
            Collection<String> newItems,
            Collection<String> prior,
            Predicate<String> mine) {
        List<String> bought = bounded(PurchasedItems.distinct(basket), BASKET_ITEMS);
        Set<String> isNew = new HashSet<>(newItems);
        List<String> fresh = new ArrayList<>(bought.size());
        for (String sku : bought) {
            if (isNew.contains(sku)) {
                fresh.add(sku);
            }
        }
        return addShare(ts, bought, fresh, prior, mine);
    }

    /**
     * Counts the share of one order that statistics of the items {@code mine} keeps: what {@link
     * #addOrder(long, Collection, Collection, Collection, Predicate)} does for them, from only the
     * order's items that are {@code mine} and the order's new items, so that each keeper of a part
     * of the items needs only its part of the basket.
     *
     * @param bought the order's items that are {@code mine}, of its first {@link #BASKET_ITEMS}
     *     distinct items in sku order
     * @param fresh the order's items the customer had not bought before, of those first {@link
     *     #BASKET_ITEMS}, in sku order (all of them, mine or not); may be empty when none of them
     *     and none of {@code prior} is {@code mine}
     * @param prior as for {@code addOrder}, in its order; when none of {@code fresh} is {@code
     *     mine}, only its items that are {@code mine} are needed; may be empty when {@code fresh}
     *     is
     * @return the items whose statistics changed
     */
    public Set<String> addShare(
            long ts,
            List<String> bought,
            List<String> fresh,
            Collection<String> prior,
            Predicate<String> mine) {
        List<String> before = bounded(prior, PRIOR_ITEMS);
        Set<String> changed = new HashSet<>();
        for (String sku : bought) {
            if (mine.test(sku)) {
                stat(sku).addOrder(ts, halfLifeMs);
                changed.add(sku);
            }
        }
        // a pair counts once per customer: when the second of the two is first bought, with every
        // item bought before and every other item first bought in the same order
        for (String j : fresh) {
            if (mine.test(j)) {
                Stat s = stat(j);
                s.customers++;
                for (String i : before) {
                    s.neighbours.update(i);
                }
                for (String i : fresh) {
                    if (!i.equals(j)) {
                        s.neighbours.update(i);
                    }
                }
            }
        }
        if (!fresh.isEmpty()) {
            for (String i : before) {
                if (mine.test(i)) {
                    Stat s = stat(i);
                    for (String j : fresh) {
                        s.neighbours.update(j);
                    }
                    changed.add(i);
                }
            }
        }
        return changed;
    }

    private static List<String> bounded(Collection<String> skus, int max) {
        List<String> list = new ArrayList<>(skus);
        return list.size() <= max ? list : list.subList(0, max);
    }

    private Stat stat(String sku) {
        return items.computeIfAbsent(sku, k -> new Stat());
    }

    /** The statistics of one item, or null; mutable, for the state of a keyed stage. */
    public Stat get(String sku) {
        return items.get(sku);
    }

    /** Puts an item's statistics read from state. */
    public void put(String sku, Stat s) {
        items.put(sku, s);
    }

    public int size() {
        return items.size();
    }

    /**
     * What one item's statistics contribute to the tenant's {@link ItemTable}.
     *
     * @param sku the item
     * @param pop its decayed order count at {@code popAt}
     * @param popAt event time of {@code pop}
     * @param customers customers who bought it
     * @param neighbours other items and how many customers bought both, most first (ties by sku)
     */
    public record Summary(
            String sku, double pop, long popAt, long customers, List<Neighbour> neighbours) {}

    /** Another item and a count or score. */
    public record Neighbour(String sku, double value) {}

    /** The summary of one item's statistics, or null if it has none. */
    public Summary summary(String sku) {
        Stat s = items.get(sku);
        return s == null ? null : summary(sku, s);
    }

    /** The summary of the statistics {@code s} of {@code sku}. */
    public static Summary summary(String sku, Stat s) {
        ItemsSketch.Row<String>[] rows =
                s.neighbours.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES);
        Arrays.sort(
                rows,
                Comparator.comparingLong((ItemsSketch.Row<String> r) -> -r.getEstimate())
                        .thenComparing(ItemsSketch.Row::getItem));
        List<Neighbour> neighbours = new ArrayList<>(rows.length);
        for (ItemsSketch.Row<String> r : rows) {
            neighbours.add(new Neighbour(r.getItem(), r.getEstimate()));
        }
        return new Summary(sku, s.pop, s.popAt, s.customers, List.copyOf(neighbours));
    }

    /** The summaries of every item, in sku order. */
    public List<Summary> summaries() {
        List<Summary> all = new ArrayList<>(items.size());
        items.forEach((sku, s) -> all.add(summary(sku, s)));
        return all;
    }

    public long halfLifeMs() {
        return halfLifeMs;
    }
}
