package io.rtcdp.udf.rec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * What one profile bought, per item (sku): in how many of its orders the item was, and the event
 * time of the latest of them. The input of the next-purchase recommendation ({@link NextPurchase})
 * and of the tenant's co-purchase statistics ({@link ItemStats}).
 *
 * <p>Bounded: at most {@link #MAX_ITEMS} items; a new item beyond them is not kept (counted by the
 * caller), so one profile's state stays bounded whatever its orders carry. Merging two profiles'
 * items ({@link #merge}) adds their order counts and keeps the later time per item, which is the
 * same as counting the union of their orders, exactly for every profile with at most {@link
 * #MAX_ITEMS} items in all; above, the merge keeps the {@link #MAX_ITEMS} first in {@link #ORDER}.
 *
 * <p>Items are kept sorted by sku, so that equal contents have equal encodings. Mutable, not
 * thread-safe.
 */
public final class PurchasedItems {
    /** Items one profile keeps. */
    public static final int MAX_ITEMS = 256;

    /** Leading byte of {@link #write}; bump it when the encoding changes. */
    static final int FORMAT = 1;

    private String[] skus;
    private int[] orders;
    private long[] last;
    private int size;

    public PurchasedItems() {
        this(8);
    }

    private PurchasedItems(int capacity) {
        skus = new String[capacity];
        orders = new int[capacity];
        last = new long[capacity];
    }

    /** An item of a profile's history. */
    public record Item(String sku, int orders, long lastOrderTs) {}

    /**
     * The order of importance of a profile's items: more orders first, then the later last order,
     * then the sku; the items {@link #top} returns and a merge over the bound keeps.
     */
    public static final Comparator<Item> ORDER =
            Comparator.comparingInt((Item i) -> -i.orders())
                    .thenComparingLong(i -> -i.lastOrderTs())
                    .thenComparing(Item::sku);

    /**
     * Counts one order: each distinct sku of {@code skus} once.
     *
     * @param ts the order's event time
     * @return how many of its items were left out (new items beyond {@link #MAX_ITEMS})
     */
    public int addOrder(long ts, Collection<String> skus) {
        int leftOut = 0;
        for (String sku : distinct(skus)) {
            int i = find(sku);
            if (i >= 0) {
                orders[i] = orders[i] == Integer.MAX_VALUE ? orders[i] : orders[i] + 1;
                last[i] = Math.max(last[i], ts);
            } else if (size < MAX_ITEMS) {
                insert(-i - 1, sku, 1, ts);
            } else {
                leftOut++;
            }
        }
        return leftOut;
    }

    /**
     * The distinct skus of an order, sorted: {@code skus} itself when it has one or none, or is
     * already what this returns.
     */
    public static Collection<String> distinct(Collection<String> skus) {
        if (skus.size() <= 1 || skus instanceof TreeSet<String> t && t.comparator() == null) {
            return skus;
        }
        return new TreeSet<>(skus);
    }

    /** Adds another profile's items (see the class comment). */
    public void merge(PurchasedItems other) {
        List<Item> all = new ArrayList<>(size + other.size);
        int a = 0;
        int b = 0;
        while (a < size || b < other.size) {
            int c = a == size ? 1 : b == other.size ? -1 : skus[a].compareTo(other.skus[b]);
            if (c < 0) {
                all.add(item(a++));
            } else if (c > 0) {
                all.add(other.item(b++));
            } else {
                long n = (long) orders[a] + other.orders[b];
                all.add(
                        new Item(
                                skus[a],
                                (int) Math.min(Integer.MAX_VALUE, n),
                                Math.max(last[a], other.last[b])));
                a++;
                b++;
            }
        }
        if (all.size() > MAX_ITEMS) {
            all.sort(ORDER);
            all = new ArrayList<>(all.subList(0, MAX_ITEMS));
            all.sort(Comparator.comparing(Item::sku));
        }
        ensure(all.size());
        size = 0;
        for (Item i : all) {
            skus[size] = i.sku();
            orders[size] = i.orders();
            last[size] = i.lastOrderTs();
            size++;
        }
    }

    /** The number of orders that held {@code sku}, 0 for none. */
    public int orders(String sku) {
        int i = find(sku);
        return i >= 0 ? orders[i] : 0;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The first {@code n} items in {@link #ORDER}. */
    public List<Item> top(int n) {
        List<Item> all = items();
        all.sort(ORDER);
        return all.size() <= n ? all : new ArrayList<>(all.subList(0, n));
    }

    /** Every item, sorted by sku. */
    public List<Item> items() {
        List<Item> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(item(i));
        }
        return all;
    }

    private Item item(int i) {
        return new Item(skus[i], orders[i], last[i]);
    }

    private int find(String sku) {
        return Arrays.binarySearch(skus, 0, size, sku);
    }

    private void insert(int at, String sku, int n, long ts) {
        ensure(size + 1);
        System.arraycopy(skus, at, skus, at + 1, size - at);
        System.arraycopy(orders, at, orders, at + 1, size - at);
        System.arraycopy(last, at, last, at + 1, size - at);
        skus[at] = sku;
        orders[at] = n;
        last[at] = ts;
        size++;
    }

    private void ensure(int capacity) {
        if (capacity > skus.length) {
            int n = Math.max(capacity, Math.min(MAX_ITEMS, skus.length * 2));
            skus = Arrays.copyOf(skus, n);
            orders = Arrays.copyOf(orders, n);
            last = Arrays.copyOf(last, n);
        }
    }

    /** Writes the items; {@link #read} reads them back. */
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeShort(size);
        for (int i = 0; i < size; i++) {
            out.writeUTF(skus[i]);
            out.writeInt(orders[i]);
            out.writeLong(last[i]);
        }
    }

    /** Reads what {@link #write} wrote. */
    public static PurchasedItems read(DataInput in) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("unknown purchased-items format " + format);
        }
        int n = in.readUnsignedShort();
        if (n > MAX_ITEMS) {
            throw new IOException("purchased items: " + n + " items, at most " + MAX_ITEMS);
        }
        PurchasedItems p = new PurchasedItems(Math.max(n, 1));
        for (int i = 0; i < n; i++) {
            p.skus[i] = in.readUTF();
            p.orders[i] = in.readInt();
            p.last[i] = in.readLong();
        }
        p.size = n;
        return p;
    }

    public PurchasedItems copy() {
        PurchasedItems p = new PurchasedItems(Math.max(size, 1));
        System.arraycopy(skus, 0, p.skus, 0, size);
        System.arraycopy(orders, 0, p.orders, 0, size);
        System.arraycopy(last, 0, p.last, 0, size);
        p.size = size;
        return p;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PurchasedItems p) || p.size != size) {
            return false;
        }
        return Arrays.equals(skus, 0, size, p.skus, 0, size)
                && Arrays.equals(orders, 0, size, p.orders, 0, size)
                && Arrays.equals(last, 0, size, p.last, 0, size);
    }

    @Override
    public int hashCode() {
        int h = size;
        for (int i = 0; i < size; i++) {
            h = 31 * h + skus[i].hashCode();
            h = 31 * h + orders[i];
            h = 31 * h + Long.hashCode(last[i]);
        }
        return h;
    }

    @Override
    public String toString() {
        return "PurchasedItems" + items();
    }
}
