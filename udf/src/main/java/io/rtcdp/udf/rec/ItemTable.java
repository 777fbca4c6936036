package io.rtcdp.udf.rec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's item table at one event time, built from every item's {@link ItemStats.Summary}: each
 * item's popularity at that time and its most similar items, and the most popular items. What
 * {@link NextPurchase} recommends from; small enough to be broadcast to every subtask.
 *
 * <p>The similarity of items i and j is the number of customers who bought both over the geometric
 * mean of their customer counts, {@code co(i,j) / sqrt(n(i) * n(j))} (cosine similarity of the
 * items' customer sets). Bounded: the {@link #MAX_ITEMS} most popular items, each with its {@link
 * #NEIGHBOURS} most similar. Immutable.
 */
public final class ItemTable {
    /** Items the table keeps, the most popular. */
    public static final int MAX_ITEMS = 20_000;

    /** Neighbours kept per item. */
    public static final int NEIGHBOURS = 10;

    /** Most popular items kept for profiles without items of their own. */
    public static final int POPULAR = 20;

    /** Leading byte of {@link #toByteArray}; bump it when the encoding changes. */
    static final int FORMAT = 1;

    /** The empty table. */
    public static final ItemTable EMPTY = new ItemTable(Long.MIN_VALUE, Map.of(), List.of());

    /** One item: its popularity at {@link #asOf} and its neighbours, most similar first. */
    public record Entry(double popularity, List<ItemStats.Neighbour> neighbours) {}

    private final long asOf;
    private final Map<String, Entry> items;
    private final List<String> popular;

    private ItemTable(long asOf, Map<String, Entry> items, List<String> popular) {
        this.asOf = asOf;
        this.items = items;
        this.popular = popular;
    }

    /**
     * Builds the table from every item's summary.
     *
     * @param asOf the event time the popularity is decayed to (the tenant's clock)
     * @param halfLifeMs the popularity's half-life, as in {@link ItemStats}
     */
    public static ItemTable build(
            Collection<ItemStats.Summary> summaries, long asOf, long halfLifeMs) {
        Map<String, Long> customers = new HashMap<>(summaries.size() * 2);
        Map<String, Double> popularity = new HashMap<>(summaries.size() * 2);
        for (ItemStats.Summary s : summaries) {
            customers.put(s.sku(), Math.max(1, s.customers()));
            double pop =
                    s.popAt() <= asOf
                            ? s.pop() * ItemStats.decay(asOf - s.popAt(), halfLifeMs)
                            : s.pop();
            popularity.put(s.sku(), pop);
        }
        List<ItemStats.Summary> kept = new ArrayList<>(summaries);
        Comparator<ItemStats.Summary> byPopularity =
                Comparator.comparingDouble((ItemStats.Summary s) -> -popularity.get(s.sku()))
                        .thenComparing(ItemStats.Summary::sku);
        kept.sort(byPopularity);
        if (kept.size() > MAX_ITEMS) {
            kept = kept.subList(0, MAX_ITEMS);
        }
        Map<String, Entry> items = new HashMap<>(kept.size() * 2);
        List<String> popular = new ArrayList<>(POPULAR);
        for (ItemStats.Summary s : kept) {
            if (popular.size() < POPULAR) {
                popular.add(s.sku());
            }
            long ni = customers.get(s.sku());
            List<ItemStats.Neighbour> similar = new ArrayList<>(s.neighbours().size());
            for (ItemStats.Neighbour n : s.neighbours()) {
                long nj = customers.getOrDefault(n.sku(), 1L);
                similar.add(
                        new ItemStats.Neighbour(n.sku(), n.value() / Math.sqrt((double) ni * nj)));
            }
            similar.sort(
                    Comparator.comparingDouble((ItemStats.Neighbour n) -> -n.value())
                            .thenComparing(ItemStats.Neighbour::sku));
            if (similar.size() > NEIGHBOURS) {
                similar = similar.subList(0, NEIGHBOURS);
            }
            items.put(s.sku(), new Entry(popularity.get(s.sku()), List.copyOf(similar)));
        }
        return new ItemTable(asOf, Map.copyOf(items), List.copyOf(popular));
    }

    /** The event time the popularity is at. */
    public long asOf() {
        return asOf;
    }

    /** The item's entry, or null if the table does not keep it. */
    public Entry get(String sku) {
        return items.get(sku);
    }

    /** An item's popularity, 0 if the table does not keep it. */
    public double popularity(String sku) {
        Entry e = items.get(sku);
        return e == null ? 0 : e.popularity();
    }

    /** The most popular items, most first. */
    public List<String> popular() {
        return popular;
    }

    public int size() {
        return items.size();
    }

    /** The table's bytes; {@link #fromByteArray} reads them back. */
    public byte[] toByteArray() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + items.size() * 160);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(asOf);
            out.writeInt(items.size());
            List<String> skus = new ArrayList<>(items.keySet());
            skus.sort(null);
            for (String sku : skus) {
                Entry e = items.get(sku);
                out.writeUTF(sku);
                out.writeDouble(e.popularity());
                out.writeByte(e.neighbours().size());
                for (ItemStats.Neighbour n : e.neighbours()) {
                    out.writeUTF(n.sku());
                    out.writeDouble(n.value());
                }
            }
            out.writeByte(popular.size());
            for (String sku : popular) {
                out.writeUTF(sku);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #toByteArray} wrote. */
    public static ItemTable fromByteArray(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IOException("unknown item-table format " + format);
            }
            long asOf = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > MAX_ITEMS) {
                throw new IOException("item table: " + n + " items, at most " + MAX_ITEMS);
            }
            Map<String, Entry> items = new HashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                String sku = in.readUTF();
                double pop = in.readDouble();
                int k = in.readUnsignedByte();
                List<ItemStats.Neighbour> neighbours = new ArrayList<>(k);
                for (int j = 0; j < k; j++) {
                    neighbours.add(new ItemStats.Neighbour(in.readUTF(), in.readDouble()));
                }
                items.put(sku, new Entry(pop, List.copyOf(neighbours)));
            }
            int p = in.readUnsignedByte();
            List<String> popular = new ArrayList<>(p);
            for (int i = 0; i < p; i++) {
                popular.add(in.readUTF());
            }
            return new ItemTable(asOf, Map.copyOf(items), List.copyOf(popular));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ItemTable t
                && t.asOf == asOf
                && t.items.equals(items)
                && t.popular.equals(popular);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(asOf) * 31 + items.hashCode();
    }

    @Override
    public String toString() {
        return "ItemTable{asOf=" + asOf + ", items=" + items.size() + ", popular=" + popular + "}";
    }
}
