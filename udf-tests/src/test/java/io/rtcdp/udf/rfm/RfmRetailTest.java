package io.rtcdp.udf.rfm;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.testing.RetailOrders;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * RFM on the real UCI Online Retail II data (5,942 customers): the per-customer values come from
 * {@link ProfileFeatures}, exactly as the profile operator computes them, and the sketch is held to
 * the exact quantiles.
 */
class RfmRetailTest {
    @Test
    void sketchBoundariesAndScoresMatchExactQuantilesOnRealData() {
        Map<String, ProfileFeatures> customers = new HashMap<>();
        for (Event e : RetailOrders.events()) {
            customers.computeIfAbsent(e.ids().get(0).value(), k -> new ProfileFeatures()).add(e);
        }
        assertThat(customers).hasSize(5_942);

        List<String> ids = new ArrayList<>();
        List<long[]> rows = new ArrayList<>();
        for (Map.Entry<String, ProfileFeatures> c : customers.entrySet()) {
            ProfileFeatures f = c.getValue();
            if (f.ordersTotal() > 0) {
                ids.add(c.getKey());
                rows.add(new long[] {f.lastOrderTs(), f.ordersTotal(), f.revenueTotalMicros()});
            }
        }
        int n = rows.size();
        long[][] d = new long[3][n];
        for (int i = 0; i < n; i++) {
            for (int dim = 0; dim < 3; dim++) {
                d[dim][i] = rows.get(i)[dim];
            }
        }

        RfmSketch one = new RfmSketch();
        RfmSketch[] parts = {new RfmSketch(), new RfmSketch(), new RfmSketch(), new RfmSketch()};
        for (int i = 0; i < n; i++) {
            one.add(d[0][i], d[1][i], d[2][i]);
            parts[i % parts.length].add(d[0][i], d[1][i], d[2][i]);
        }
        RfmSketch merged = new RfmSketch();
        for (RfmSketch p : parts) {
            merged.merge(RfmSketch.heapify(p.toByteArray()));
        }
        RfmBoundaries est = one.boundaries();
        int differ = RfmSketchPropertiesTest.checkAgainstExact(est, d);
        int differMerged = RfmSketchPropertiesTest.checkAgainstExact(merged.boundaries(), d);

        long[][] exact = new long[3][];
        long[][] sorted = new long[3][];
        for (int dim = 0; dim < 3; dim++) {
            sorted[dim] = ExactRfm.sorted(d[dim]);
            exact[dim] = ExactRfm.boundaries(sorted[dim]);
        }
        RfmBoundaries exactB = RfmBoundaries.of(n, exact[0], exact[1], exact[2]);

        Map<String, Integer> sizes = new TreeMap<>();
        Map<String, Integer> exactSizes = new TreeMap<>();
        int customersDiffering = 0;
        for (int i = 0; i < n; i++) {
            RfmScore s = est.score(d[0][i], d[1][i], d[2][i]);
            RfmScore x = exactB.score(d[0][i], d[1][i], d[2][i]);
            sizes.merge(s.segment(), 1, Integer::sum);
            exactSizes.merge(x.segment(), 1, Integer::sum);
            customersDiffering += s.equals(x) ? 0 : 1;
        }
        assertThat(exactSizes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(n);

        String[] names = {"recency", "frequency", "monetary"};
        System.out.printf(
                "RfmRetail: %d customers, %d with orders, k=%d (rank error bound %.4f),"
                        + " sketch %d bytes%n",
                customers.size(), n, one.k(), one.normalizedRankError(), one.toByteArray().length);
        for (int dim = 0; dim < 3; dim++) {
            long[] got = RfmSketchPropertiesTest.dim(est, dim);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                double lo = ExactRfm.countBelow(sorted[dim], got[i]) / (double) n;
                double hi = ExactRfm.countUpTo(sorted[dim], got[i]) / (double) n;
                sb.append(
                        String.format(
                                " φ%.1f est=%s exact=%s rank=[%.4f,%.4f]",
                                RfmBoundaries.PHI.get(i),
                                show(dim, got[i]),
                                show(dim, exact[dim][i]),
                                lo,
                                hi));
            }
            System.out.printf("RfmRetail: %s%s%n", names[dim], sb);
        }
        System.out.printf(
                "RfmRetail: scores differing from exact: %d value scores (%d customers);"
                        + " merged sketch: %d value scores%n",
                differ, customersDiffering, differMerged);
        System.out.printf("RfmRetail: segments (sketch) %s%n", ordered(sizes));
        System.out.printf("RfmRetail: segments (exact)  %s%n", ordered(exactSizes));
        System.out.printf("RfmRetail: boundaries %d bytes: %s%n", est.toByteArray().length, est);
    }

    private static String show(int dim, long v) {
        return switch (dim) {
            case 0 -> Instant.ofEpochMilli(v).toString();
            case 1 -> Long.toString(v);
            default -> java.math.BigDecimal.valueOf(v, 6).stripTrailingZeros().toPlainString();
        };
    }

    private static Map<String, Integer> ordered(Map<String, Integer> sizes) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String s : RfmSegments.ALL) {
            out.put(s, sizes.getOrDefault(s, 0));
        }
        return out;
    }
}
