package io.rtcdp.udf.identity;

/**
 * A bounded cache of one value per (tenant, key), for the identity step's hot ids and profiles.
 * Exact: a lookup returns what was put for that tenant and key or nothing, never another key's
 * value; what it holds is a subset of what was put, the least recently used entries of a set
 * evicted first (approximately: CLOCK).
 *
 * <p>Why not a {@code LinkedHashMap} in access order: with hundreds of thousands of entries its
 * lookups are random memory accesses through a chain of objects (table slot, node, key object, its
 * parts), and each hit also relinks the node at the tail (two more nodes written). Here the entries
 * are set-associative: a key's hash picks a set of {@link #WAYS} slots whose hashes lie in one
 * cache line, so a lookup reads that line, then only the key of a slot whose hash matches (to be
 * exact), then the value. A hit marks its slot in a per-set byte of reference bits (a small array
 * that stays in the CPU's caches); a miss that puts into a full set evicts the first slot from the
 * set's hand on whose bit is clear, clearing bits as it passes (second chance).
 *
 * <p>Keys are compared with {@code equals}; tenants, mostly one shared instance per text, first by
 * identity. Not thread-safe.
 *
 * @param <V> the cached values (not null: a cached absence is a sentinel value of the caller's)
 */
public final class IdCache<V> {
    /** Slots per set: eight int hashes fill half a cache line. */
    static final int WAYS = 8;

    private final int setMask;
    private final int[] hashes;
    private final String[] tenants;
    private final Object[] keys;
    private final Object[] values;

    /** Per set: bit w is set when slot w was used since the hand last passed it. */
    private final byte[] referenced;

    /** Per set: the slot the eviction hand looks at first. */
    private final byte[] hands;

    private int size;

    /**
     * @param capacity at least this many entries fit (rounded up to a power of two sets of {@link
     *     #WAYS} slots); positive
     */
    public IdCache(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        int sets = Integer.highestOneBit(Math.max(1, (capacity + WAYS - 1) / WAYS));
        if (sets * WAYS < capacity) {
            sets <<= 1;
        }
        setMask = sets - 1;
        hashes = new int[sets * WAYS];
        tenants = new String[sets * WAYS];
        keys = new Object[sets * WAYS];
        values = new Object[sets * WAYS];
        referenced = new byte[sets];
        hands = new byte[sets];
    }

    /** How many entries fit. */
    public int capacity() {
        return hashes.length;
    }

    /** How many entries are held. */
    public int size() {
        return size;
    }

    /** The hash a lookup of {@code key} of {@code tenant} uses: pass it to get and put. */
    public static int hash(String tenant, Object key) {
        int h = 31 * tenant.hashCode() + key.hashCode();
        // the murmur3 finalizer: the set index and the slot hashes take different bits
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** The value put for {@code key} of {@code tenant}, or null when none is held. */
    @SuppressWarnings("unchecked")
    public V get(String tenant, Object key, int hash) {
        int set = hash & setMask;
        int base = set * WAYS;
        for (int w = 0; w < WAYS; w++) {
            int i = base + w;
            if (hashes[i] == hash && matches(i, tenant, key)) {
                referenced[set] |= (byte) (1 << w);
                return (V) values[i];
            }
        }
        return null;
    }

    /** Holds {@code value} for {@code key} of {@code tenant}, in place of what it held for it. */
    public void put(String tenant, Object key, int hash, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null value");
        }
        int set = hash & setMask;
        int base = set * WAYS;
        int free = -1;
        for (int w = 0; w < WAYS; w++) {
            int i = base + w;
            if (keys[i] == null) {
                if (free < 0) {
                    free = w;
                }
            } else if (hashes[i] == hash && matches(i, tenant, key)) {
                values[i] = value;
                referenced[set] |= (byte) (1 << w);
                return;
            }
        }
        int w = free >= 0 ? free : victim(set);
        if (free >= 0) {
            size++;
        }
        int i = base + w;
        hashes[i] = hash;
        tenants[i] = tenant;
        keys[i] = key;
        values[i] = value;
        referenced[set] |= (byte) (1 << w);
    }

    private boolean matches(int i, String tenant, Object key) {
        String t = tenants[i];
        return (t == tenant || t.equals(tenant)) && keys[i].equals(key);
    }

    /** The slot of a full set to reuse: CLOCK over the set's reference bits. */
    private int victim(int set) {
        int bits = referenced[set] & 0xff;
        int hand = hands[set];
        while ((bits & (1 << hand)) != 0) {
            bits &= ~(1 << hand);
            hand = (hand + 1) & (WAYS - 1);
        }
        referenced[set] = (byte) bits;
        hands[set] = (byte) ((hand + 1) & (WAYS - 1));
        return hand;
    }
}
