package io.rtcdp.udf.ml;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A sample of one tenant's customers for BG/NBD's live refit (docs/models.md, "BG/NBD in the live
 * job"): per customer the time of the first and the last order and the number of orders, which is
 * all BG/NBD needs of a customer ({@link #customer}).
 *
 * <p>The sample is a hash sample of level L: a customer is in it when the top L bits of a hash of
 * its profile id are zero ({@link #sampled}), so with probability 2<sup>−L</sup>, decided the same
 * way wherever and whenever it is asked, and a customer stays in or out of it across its changes. A
 * part of the tenant's profiles (a bucket) keeps its sample under a cap by raising its level: the
 * customers of the higher level are a subset of those of the lower. A customer of a level-L sample
 * stands for 2<sup>L</sup> customers ({@link #weight}), so the fit of the union of every part's
 * sample, weighted, estimates the fit of all customers; at level 0 it is that fit.
 *
 * @param clock the latest order time the part has seen (ms): the tenant's event time as the part
 *     knows it
 * @param level the sample's level, 0 ≤ level ≤ {@link #MAX_LEVEL}
 * @param firstOrderTs per sampled customer, the time of its first order (ms)
 * @param lastOrderTs the time of its last order (ms), ≥ the first
 * @param orders its number of orders, ≥ 1
 */
public record BgNbdSample(
        long clock, int level, long[] firstOrderTs, long[] lastOrderTs, long[] orders) {
    public static final int MAX_LEVEL = 31;

    private static final byte FORMAT = 1;
    private static final double DAY = 86_400_000.0;

    public BgNbdSample {
        if (level < 0 || level > MAX_LEVEL) {
            throw new IllegalArgumentException("sample level out of range: " + level);
        }
        if (firstOrderTs.length != lastOrderTs.length || orders.length != lastOrderTs.length) {
            throw new IllegalArgumentException("sample columns of different lengths");
        }
    }

    /** Whether the customer {@code oneid} is in a sample of {@code level}. */
    public static boolean sampled(String oneid, int level) {
        return level == 0 || hash(oneid) >>> (32 - level) == 0;
    }

    /**
     * The sampling hash: murmur3's finaliser of the id's {@code String.hashCode} (fixed by the JLS)
     * salted, so that it does not follow the hash that spreads profiles over the parts.
     */
    static int hash(String oneid) {
        int h = oneid.hashCode() ^ 0x2C1B3C6D;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    public int size() {
        return orders.length;
    }

    /** How many customers one sampled customer stands for: 2<sup>level</sup>. */
    public double weight() {
        return Math.scalb(1.0, level);
    }

    /**
     * A customer as BG/NBD sees it at {@code asOf} (ms), in days, as the scoring does ({@link
     * FeatureVectorBuilder#customer}): x = orders − 1 repeat purchases (0 when every order has one
     * time), t<sub>x</sub> from the first order to the last, T from the first order to {@code asOf}
     * (at least t<sub>x</sub>).
     */
    public static BgNbd.Customer customer(long first, long last, long orders, long asOf) {
        double tx = (last - first) / DAY;
        double x = orders >= 2 && last > first ? orders - 1 : 0;
        return new BgNbd.Customer(
                x, x > 0 ? tx : 0, Math.max(Math.max(tx, 0), (asOf - first) / DAY));
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(13 + 24 * size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(clock);
            out.writeByte(level);
            out.writeInt(size());
            for (int i = 0; i < size(); i++) {
                out.writeLong(firstOrderTs[i]);
                out.writeLong(lastOrderTs[i]);
                out.writeLong(orders[i]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @throws IllegalArgumentException for bytes that are not a sample of this format
     */
    public static BgNbdSample fromBytes(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            int format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown BG/NBD sample format " + format);
            }
            long clock = in.readLong();
            int level = in.readByte();
            int n = in.readInt();
            if (n < 0 || n > (b.length - 14) / 24) {
                throw new IllegalArgumentException("BG/NBD sample of a bad size " + n);
            }
            long[] first = new long[n];
            long[] last = new long[n];
            long[] orders = new long[n];
            for (int i = 0; i < n; i++) {
                first[i] = in.readLong();
                last[i] = in.readLong();
                orders[i] = in.readLong();
            }
            return new BgNbdSample(clock, level, first, last, orders);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated BG/NBD sample", e);
        }
    }

    /** A fit needs at least this many sampled customers ... */
    public static final int MIN_CUSTOMERS = 100;

    /** ... of whom at least this many bought again: fewer say little about the dropout. */
    public static final int MIN_REPEATERS = 10;

    /**
     * BG/NBD's parameters fitted to the union of {@code parts}, each customer weighted by its
     * part's {@link #weight}, as of the latest clock among them; null when they hold fewer than
     * {@link #MIN_CUSTOMERS} customers or {@link #MIN_REPEATERS} with a repeat purchase.
     */
    public static BgNbdFit fit(String tenant, Iterable<BgNbdSample> parts) {
        long asOf = Long.MIN_VALUE;
        int n = 0;
        for (BgNbdSample s : parts) {
            asOf = Math.max(asOf, s.clock());
            n += s.size();
        }
        List<BgNbd.Customer> customers = new ArrayList<>(n);
        double[] weights = new double[n];
        int repeaters = 0;
        double represented = 0;
        for (BgNbdSample s : parts) {
            double w = s.weight();
            for (int i = 0; i < s.size(); i++) {
                BgNbd.Customer c = customer(s.firstOrderTs[i], s.lastOrderTs[i], s.orders[i], asOf);
                weights[customers.size()] = w;
                customers.add(c);
                repeaters += c.x() > 0 ? 1 : 0;
                represented += w;
            }
        }
        if (n < MIN_CUSTOMERS || repeaters < MIN_REPEATERS) {
            return null;
        }
        BgNbd.Params p = BgNbd.fit(customers, weights);
        return new BgNbdFit(tenant, p, asOf, Math.round(represented), n);
    }
}
