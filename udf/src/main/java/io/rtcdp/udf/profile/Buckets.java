package io.rtcdp.udf.profile;

import java.util.Arrays;

/**
 * A sorted map from distinct {@code long} keys to a fixed number of {@code long} counters, as
 * parallel primitive arrays grown geometrically. Events mostly arrive in key order, so inserting at
 * the end and dropping a prefix (expiry) are the cheap cases; out-of-order inserts shift the tail.
 * No boxing, no per-entry objects: this is deserialized, updated and serialized per event. Counters
 * saturate at the ends of {@code long} rather than wrap.
 */
final class Buckets {
    private static final long[] EMPTY = new long[0];

    final int width;
    int size;
    long[] keys = EMPTY;
    final long[][] cols;

    Buckets(int width) {
        this.width = width;
        this.cols = new long[width][];
        Arrays.fill(cols, EMPTY);
    }

    long get(int col, int i) {
        return cols[col][i];
    }

    void add(int col, int i, long delta) {
        cols[col][i] = Decimals.addSaturating(cols[col][i], delta);
    }

    /** The index of {@code key}, inserted with zero counters when absent. */
    int slot(long key) {
        int n = size;
        int pos;
        if (n == 0 || keys[n - 1] < key) {
            pos = n;
        } else if (keys[n - 1] == key) {
            return n - 1;
        } else {
            int found = Arrays.binarySearch(keys, 0, n, key);
            if (found >= 0) {
                return found;
            }
            pos = -found - 1;
        }
        ensureCapacity(n + 1);
        int tail = n - pos;
        if (tail > 0) {
            System.arraycopy(keys, pos, keys, pos + 1, tail);
            for (long[] col : cols) {
                System.arraycopy(col, pos, col, pos + 1, tail);
            }
        }
        keys[pos] = key;
        for (long[] col : cols) {
            col[pos] = 0;
        }
        size = n + 1;
        return pos;
    }

    /** Appends a key larger than every key present (decoding). */
    int append(long key) {
        if (size > 0 && keys[size - 1] >= key) {
            throw new IllegalArgumentException("keys must ascend: " + key);
        }
        ensureCapacity(size + 1);
        keys[size] = key;
        for (long[] col : cols) {
            col[size] = 0;
        }
        return size++;
    }

    /** How many keys are {@code <= maxKey}; equally, the index of the first key above it. */
    int countUpTo(long maxKey) {
        int n = size;
        if (n == 0 || keys[0] > maxKey) {
            return 0;
        }
        if (keys[n - 1] <= maxKey) {
            return n;
        }
        int found = Arrays.binarySearch(keys, 0, n, maxKey);
        return found >= 0 ? found + 1 : -found - 1;
    }

    void dropFirst(int k) {
        if (k <= 0) {
            return;
        }
        int rest = size - k;
        System.arraycopy(keys, k, keys, 0, rest);
        for (long[] col : cols) {
            System.arraycopy(col, k, col, 0, rest);
        }
        size = rest;
    }

    void dropUpTo(long maxKey) {
        dropFirst(countUpTo(maxKey));
    }

    long sum(int col, int from) {
        long[] c = cols[col];
        long s = 0;
        for (int i = from; i < size; i++) {
            s = Decimals.addSaturating(s, c[i]);
        }
        return s;
    }

    void mergeFrom(Buckets other) {
        mergeFrom(other.keys, other.cols, other.size);
    }

    /**
     * Adds another sorted map into this one, summing the counters of equal keys. {@code otherKeys}
     * may differ from the other map's own keys (remapped category indices), as long as it ascends.
     */
    void mergeFrom(long[] otherKeys, long[][] otherCols, int otherSize) {
        if (otherSize == 0) {
            return;
        }
        int n = size;
        if (n == 0 || keys[n - 1] < otherKeys[0]) {
            ensureCapacity(n + otherSize);
            System.arraycopy(otherKeys, 0, keys, n, otherSize);
            for (int c = 0; c < width; c++) {
                System.arraycopy(otherCols[c], 0, cols[c], n, otherSize);
            }
            size = n + otherSize;
            return;
        }
        int cap = n + otherSize;
        long[] mk = new long[cap];
        long[][] mc = new long[width][cap];
        int i = 0;
        int j = 0;
        int m = 0;
        while (i < n || j < otherSize) {
            if (j == otherSize || (i < n && keys[i] < otherKeys[j])) {
                mk[m] = keys[i];
                for (int c = 0; c < width; c++) {
                    mc[c][m] = cols[c][i];
                }
                i++;
            } else if (i == n || otherKeys[j] < keys[i]) {
                mk[m] = otherKeys[j];
                for (int c = 0; c < width; c++) {
                    mc[c][m] = otherCols[c][j];
                }
                j++;
            } else {
                mk[m] = keys[i];
                for (int c = 0; c < width; c++) {
                    mc[c][m] = Decimals.addSaturating(cols[c][i], otherCols[c][j]);
                }
                i++;
                j++;
            }
            m++;
        }
        keys = mk;
        System.arraycopy(mc, 0, cols, 0, width);
        size = m;
    }

    void ensureCapacity(int min) {
        int cap = keys.length;
        if (cap >= min) {
            return;
        }
        int newCap = Math.max(min, Math.max(4, cap + (cap >> 1)));
        keys = Arrays.copyOf(keys, newCap);
        for (int c = 0; c < width; c++) {
            cols[c] = Arrays.copyOf(cols[c], newCap);
        }
    }

    Buckets copy() {
        Buckets b = new Buckets(width);
        b.size = size;
        b.keys = Arrays.copyOf(keys, size);
        for (int c = 0; c < width; c++) {
            b.cols[c] = Arrays.copyOf(cols[c], size);
        }
        return b;
    }

    boolean contentEquals(Buckets o) {
        if (size != o.size || width != o.width) {
            return false;
        }
        if (!Arrays.equals(keys, 0, size, o.keys, 0, size)) {
            return false;
        }
        for (int c = 0; c < width; c++) {
            if (!Arrays.equals(cols[c], 0, size, o.cols[c], 0, size)) {
                return false;
            }
        }
        return true;
    }

    int contentHash() {
        int h = size;
        for (int i = 0; i < size; i++) {
            h = 31 * h + Long.hashCode(keys[i]);
            for (int c = 0; c < width; c++) {
                h = 31 * h + Long.hashCode(cols[c][i]);
            }
        }
        return h;
    }
}
