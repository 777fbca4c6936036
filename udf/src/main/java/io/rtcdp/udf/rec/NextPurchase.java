package io.rtcdp.udf.rec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a profile will buy next: the items it is likely to order, best first, from what it bought
 * ({@link PurchasedItems}) and its tenant's {@link ItemTable}.
 *
 * <ol>
 *   <li>{@link Source#AGAIN}: the profile's own items, scored {@code orders * ln(2 + popularity)}:
 *       what it bought in more orders, weighted up by what sells now (its tenant's decayed order
 *       count; a season's items come back first);
 *   <li>{@link Source#SIMILAR}: then items it has not bought, scored by the sum over its items i of
 *       {@code orders(i) * similarity(i, j)} (customers who bought i also bought j);
 *   <li>{@link Source#POPULAR}: then the tenant's most popular items, for profiles with few items
 *       of their own (none at all: a profile without orders).
 * </ol>
 *
 * <p>Measured on Online Retail II (RetailNextPurchaseTest): at the cutoff 2011-09-01, the share of
 * customers with an order in the next 30 days whose top 10 held an item of that order is above both
 * the most-popular-items and the buy-again-what-you-bought-most baselines. Stateless.
 */
public final class NextPurchase {
    /** Items recommended per profile. */
    public static final int DEFAULT_COUNT = 10;

    private NextPurchase() {}

    /** Where a recommendation comes from. */
    public enum Source {
        AGAIN,
        SIMILAR,
        POPULAR
    }

    /** One recommended item; scores compare within one {@link Source}. */
    public record Recommendation(String sku, double score, Source source) {}

    private static final Comparator<Map.Entry<String, Double>> BEST =
            Comparator.comparingDouble((Map.Entry<String, Double> e) -> -e.getValue())
                    .thenComparing(Map.Entry::getKey);

    /**
     * The profile's next items, at most {@code count}, best first.
     *
     * @param own what the profile bought
     * @param table its tenant's item table ({@link ItemTable#EMPTY} before the first)
     */
    public static List<Recommendation> recommend(PurchasedItems own, ItemTable table, int count) {
        List<Recommendation> out = new ArrayList<>(count);
        List<PurchasedItems.Item> items = own.items();
        Map<String, Double> again = new HashMap<>(items.size() * 2);
        for (PurchasedItems.Item i : items) {
            again.put(i.sku(), i.orders() * Math.log(2 + table.popularity(i.sku())));
        }
        add(out, again, Source.AGAIN, count);
        if (out.size() == count) {
            return out;
        }
        Map<String, Double> similar = new HashMap<>();
        for (PurchasedItems.Item i : own.top(ItemStats.PRIOR_ITEMS)) {
            ItemTable.Entry e = table.get(i.sku());
            if (e == null) {
                continue;
            }
            for (ItemStats.Neighbour n : e.neighbours()) {
                if (!again.containsKey(n.sku())) {
                    similar.merge(n.sku(), i.orders() * n.value(), Double::sum);
                }
            }
        }
        add(out, similar, Source.SIMILAR, count);
        if (out.size() == count) {
            return out;
        }
        Set<String> taken = new HashSet<>(again.keySet());
        taken.addAll(similar.keySet());
        for (String sku : table.popular()) {
            if (out.size() == count) {
                break;
            }
            if (taken.add(sku)) {
                out.add(
                        new Recommendation(
                                sku, Math.log(2 + table.popularity(sku)), Source.POPULAR));
            }
        }
        return out;
    }

    /**
     * The text of {@code rec.next} (docs/contract.md §3.2): {@code sku:score} per item, best first,
     * separated by commas; in a sku, {@code %}, {@code ,} and {@code :} are written {@code %25},
     * {@code %2C} and {@code %3A}; scores with at most three decimals. The empty string for none.
     */
    public static String render(List<Recommendation> recs) {
        StringBuilder b = new StringBuilder(recs.size() * 16);
        for (Recommendation r : recs) {
            if (b.length() > 0) {
                b.append(',');
            }
            String sku = r.sku();
            for (int i = 0; i < sku.length(); i++) {
                char c = sku.charAt(i);
                switch (c) {
                    case '%' -> b.append("%25");
                    case ',' -> b.append("%2C");
                    case ':' -> b.append("%3A");
                    default -> b.append(c);
                }
            }
            b.append(':').append(score(r.score()));
        }
        return b.toString();
    }

    /** The skus of a {@link #render rendered} text, in its order. */
    public static List<String> skus(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> skus = new ArrayList<>(DEFAULT_COUNT);
        int from = 0;
        while (from <= text.length()) {
            int comma = text.indexOf(',', from);
            int end = comma < 0 ? text.length() : comma;
            int colon = text.lastIndexOf(':', end - 1);
            String sku = text.substring(from, colon < from ? end : colon);
            skus.add(sku.replace("%2C", ",").replace("%3A", ":").replace("%25", "%"));
            if (comma < 0) {
                break;
            }
            from = comma + 1;
        }
        return skus;
    }

    private static String score(double s) {
        return java.math.BigDecimal.valueOf(s)
                .setScale(3, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }

    private static void add(
            List<Recommendation> out, Map<String, Double> scores, Source source, int count) {
        if (scores.isEmpty()) {
            return;
        }
        List<Map.Entry<String, Double>> best = new ArrayList<>(scores.entrySet());
        best.sort(BEST);
        for (Map.Entry<String, Double> e : best) {
            if (out.size() == count) {
                return;
            }
            out.add(new Recommendation(e.getKey(), e.getValue(), source));
        }
    }
}
