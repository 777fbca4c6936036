package io.rtcdp.udf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.ml.History;
import io.rtcdp.udf.rec.PurchasedItems;
import io.rtcdp.udf.retail.RetailImporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The orders of UCI Online Retail II with their items, split at a cutoff, and the next-purchase
 * baselines and measure (hit@10) that the recommendation is compared with, in the udf test and in
 * the replay through the job alike. Also the data set itself for every test that reads it whole:
 * imported and parsed once per test JVM ({@link #imported()}, {@link #history()}).
 *
 * <ul>
 *   <li>population: the customers with an order in the 30 days from the cutoff who ordered before
 *       it (a profile with items at the cutoff);
 *   <li>hit@10: the share of them whose 10 recommended skus hold a sku of those orders;
 *   <li>buy again: a customer's items by the number of its orders that held them, then the latest,
 *       then the sku ({@link PurchasedItems#top});
 *   <li>most popular: the 10 skus in the most orders before the cutoff, over the last 30 days, 90
 *       days or all of it; the best of the three counts.
 * </ul>
 */
public final class RetailOrders {
    public static final long DAY = 86_400_000L;

    /** The data set, as the tests find it. */
    public static Path csv() {
        return Path.of(System.getProperty("rtcdp.retail.csv", "../data/online-retail-ii.csv.gz"))
                .toAbsolutePath()
                .normalize();
    }

    /** The data set imported ({@code import-retail}'s gzipped JSON lines) and what it counted. */
    public record Imported(Path events, RetailImporter.Stats stats) {}

    private static Imported imported;
    private static History history;

    /**
     * The data set imported as tenant {@code retail}'s events, once per test JVM (into its
     * temporary directory, deleted at its exit): every test that reads the whole data set reads
     * this file instead of importing it (~4 s each).
     */
    public static synchronized Imported imported() {
        if (imported == null) {
            Path csv = csv();
            assertThat(csv).as("the data set (data/ in the repository) at %s", csv).isReadable();
            try {
                Path dir = Files.createTempDirectory("rtcdp-retail-events");
                // deleted at exit in the reverse order: the file, then its directory
                dir.toFile().deleteOnExit();
                Path events = dir.resolve("retail.jsonl.gz");
                events.toFile().deleteOnExit();
                imported = new Imported(events, RetailImporter.run(csv, events));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return imported;
    }

    /** The imported events parsed with the default settings, once per test JVM; none invalid. */
    public static synchronized History history() {
        if (history == null) {
            try {
                history =
                        History.read(
                                List.of(imported().events()),
                                new EventParser(ParserConfig.defaults()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(history.invalid()).isZero();
        }
        return history;
    }

    /** Every valid event of the data set, in time order. */
    public static List<Event> events() {
        return history().events();
    }

    private final long cutoff;
    private final List<Event> before = new ArrayList<>();
    private final Map<String, PurchasedItems> people = new TreeMap<>();
    private final Map<String, Set<String>> future = new TreeMap<>();

    /**
     * @param events the data set's events in time order
     * @param cutoff what is before it is history, the 30 days from it the future
     */
    public RetailOrders(List<Event> events, long cutoff) {
        this.cutoff = cutoff;
        for (Event e : events) {
            if (!e.isTrack(Event.ORDER_COMPLETED) || e.items().isEmpty()) {
                continue;
            }
            String customer = customer(e);
            if (e.ts() < cutoff) {
                before.add(e);
                people.computeIfAbsent(customer, k -> new PurchasedItems())
                        .addOrder(e.ts(), skus(e));
            } else if (e.ts() < cutoff + 30 * DAY) {
                future.computeIfAbsent(customer, k -> new HashSet<>()).addAll(skus(e));
            }
        }
    }

    /** The customer id of a retail event. */
    public static String customer(Event e) {
        return e.strongestId().value();
    }

    public static List<String> skus(Event e) {
        return e.items().stream().map(OrderItem::sku).toList();
    }

    /** Orders with items before the cutoff, in time order. */
    public List<Event> before() {
        return before;
    }

    /** Each customer's items at the cutoff. */
    public Map<String, PurchasedItems> people() {
        return people;
    }

    /** The customers the measure is taken over, sorted. */
    public List<String> population() {
        return future.keySet().stream().filter(people::containsKey).sorted().toList();
    }

    /** The share of the population whose recommended skus hold a sku it then ordered. */
    public double hitRate(Function<String, List<String>> recommend) {
        List<String> population = population();
        int hits = 0;
        for (String c : population) {
            List<String> recs = recommend.apply(c);
            assertThat(recs).as(c).hasSizeLessThanOrEqualTo(10);
            if (recs.stream().anyMatch(future.get(c)::contains)) {
                hits++;
            }
        }
        return (double) hits / population.size();
    }

    /** hit@10 of buy again. */
    public double buyAgain() {
        return hitRate(c -> people.get(c).top(10).stream().map(PurchasedItems.Item::sku).toList());
    }

    /** hit@10 of the best most-popular list. */
    public double mostPopular() {
        double best = 0;
        for (long days : new long[] {30, 90, Long.MAX_VALUE / DAY}) {
            List<String> top = mostOrdered(cutoff - days * DAY);
            best = Math.max(best, hitRate(c -> top));
        }
        return best;
    }

    private List<String> mostOrdered(long from) {
        Map<String, Integer> count = new HashMap<>();
        for (Event e : before) {
            if (e.ts() >= from) {
                for (String sku : PurchasedItems.distinct(skus(e))) {
                    count.merge(sku, 1, Integer::sum);
                }
            }
        }
        return count.entrySet().stream()
                .sorted(
                        Comparator.comparingInt((Map.Entry<String, Integer> x) -> -x.getValue())
                                .thenComparing(Map.Entry::getKey))
                .limit(10)
                .map(Map.Entry::getKey)
                .toList();
    }
}
