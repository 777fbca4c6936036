package io.rtcdp.operators.rec;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.profile.ItemBuckets;
import io.rtcdp.operators.profile.ItemOrder;
import io.rtcdp.operators.profile.ItemsObservation;
import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.udf.rec.ItemStats;
import io.rtcdp.udf.rec.ItemTable;
import io.rtcdp.udf.rec.NextPurchase;
import io.rtcdp.udf.rec.PurchasedItems;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The three next-purchase stages together (item statistics → table → recommendations), driven by
 * hand with every interleaving a run can have: a customer's orders reach the bucket stage and the
 * items reach the scoring stage at different times, statistics and tables come late,
 * processing-time refreshes fire anywhere. At the end of the input each tenant's last table is the
 * one built from a single {@link ItemStats} fed every order (as {@link ItemBuckets#split} sends
 * them) at the tenant's latest order time, and every customer's last sent {@code rec.next} is its
 * recommendation from that table, in every interleaving.
 *
 * <p>The best sellers have more neighbours than their sketches keep exactly ({@code 0.75 *} {@link
 * ItemStats#NEIGHBOUR_MAP}): the statistics kept per bucket, written and read back per order, are
 * those of the single {@link ItemStats} bit for bit, sketches included.
 */
class RecPipelineTest {
    static final long DAY = 86_400_000L;
    static final long T = 1_700_000_000_000L;
    static final Duration REFRESH = Duration.ofSeconds(10);
    static final long HALF_LIFE = ItemStats.DEFAULT_HALF_LIFE_MS;
    static final int CATALOGUE = 150;

    /**
     * What the profile stage sends for random orders of two tenants' customers (not in time order;
     * now and then a customer removed, who may come back with new orders), and what the stages must
     * end with.
     *
     * @param orders the records of the bucket stage
     * @param observations the records of the scoring stage
     * @param tables each tenant's table built directly
     * @param texts each customer's recommendation from it, by {@code tenant/oneid}
     * @param widest the most other items that customers bought with one item
     */
    record Input(
            List<ItemOrder> orders,
            List<ItemsObservation> observations,
            Map<String, ItemTable> tables,
            Map<String, String> texts,
            int widest) {}

    static Input input(long seed, int customers) {
        Random rnd = new Random(seed);
        List<ItemOrder> orders = new ArrayList<>();
        List<ItemsObservation> observations = new ArrayList<>();
        Map<String, ItemStats> direct = new TreeMap<>();
        Map<String, Long> clocks = new TreeMap<>();
        Map<String, PurchasedItems> people = new TreeMap<>();
        Map<String, Set<String>> together = new HashMap<>();
        for (int i = 0; i < customers * 4; i++) {
            String tenant = rnd.nextInt(5) == 0 ? "beta" : "acme";
            String oneid = "o" + rnd.nextInt(customers);
            String key = tenant + "/" + oneid;
            if (people.containsKey(key) && rnd.nextInt(30) == 0) {
                observations.add(ItemsObservation.removal(tenant, oneid));
                people.remove(key);
                continue;
            }
            List<String> skus = new ArrayList<>();
            for (int j = 1 + rnd.nextInt(5); j > 0; j--) {
                double u = rnd.nextDouble();
                skus.add("i" + (int) (CATALOGUE * u * u)); // the first items sell most
            }
            long ts = T + rnd.nextInt(200) * DAY;
            PurchasedItems before = people.getOrDefault(key, new PurchasedItems());
            ItemBuckets.split(tenant, ts, skus, before, orders::add);
            List<String> prior =
                    before.top(ItemStats.PRIOR_ITEMS).stream()
                            .map(PurchasedItems.Item::sku)
                            .toList();
            List<String> fresh =
                    PurchasedItems.distinct(skus).stream()
                            .filter(s -> before.orders(s) == 0)
                            .toList();
            direct.computeIfAbsent(tenant, t -> new ItemStats(HALF_LIFE))
                    .addOrder(ts, skus, fresh, prior, s -> true);
            clocks.merge(tenant, ts, Math::max);
            PurchasedItems after = before.copy();
            after.addOrder(ts, skus);
            people.put(key, after);
            for (PurchasedItems.Item item : after.items()) {
                Set<String> with =
                        together.computeIfAbsent(tenant + "/" + item.sku(), k -> new HashSet<>());
                after.items().forEach(other -> with.add(other.sku()));
                with.remove(item.sku());
            }
            observations.add(new ItemsObservation(tenant, oneid, ts, after.copy()));
        }
        Map<String, ItemTable> tables = new TreeMap<>();
        direct.forEach(
                (tenant, stats) ->
                        tables.put(
                                tenant,
                                ItemTable.build(stats.summaries(), clocks.get(tenant), HALF_LIFE)));
        Map<String, String> texts = new TreeMap<>();
        people.forEach(
                (key, items) ->
                        texts.put(
                                key,
                                NextPurchase.render(
                                        NextPurchase.recommend(
                                                items,
                                                tables.get(key.substring(0, key.indexOf('/'))),
                                                NextPurchase.DEFAULT_COUNT))));
        int widest = together.values().stream().mapToInt(Set::size).max().orElse(0);
        return new Input(orders, observations, tables, texts, widest);
    }

    /**
     * What the stages end with: each tenant's last table and each customer's last sent text (as the
     * decision stage keeps it: a removal deletes it).
     */
    record Result(Map<String, ItemTable> tables, Map<String, String> texts) {}

    /**
     * Runs the input through the three stages, interleaving at random (by {@code seed}) what each
     * stage receives next, as the network and the timers may.
     */
    static Result run(Input in, long seed) throws Exception {
        Random rnd = new Random(seed);
        try (var buckets =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new ItemStatsOperator(new ItemStatsStage(REFRESH, HALF_LIFE)),
                                ItemStatsStage.KEY,
                                Types.STRING);
                var merger =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(new ItemTableMerger(REFRESH, HALF_LIFE)),
                                ItemTableMerger.KEY,
                                Types.STRING);
                var scorer =
                        new KeyedBroadcastOperatorTestHarness<>(
                                new CoBroadcastWithKeyedOperator<>(
                                        new RecScorer(), List.of(RecScorer.TABLES)),
                                RecScorer.KEY,
                                Types.STRING,
                                1,
                                1,
                                0)) {
            buckets.open();
            merger.open();
            scorer.open();
            Deque<ItemOrder> toBuckets = new ArrayDeque<>(in.orders());
            Deque<ItemsObservation> toScorer = new ArrayDeque<>(in.observations());
            Deque<Tuple3<String, String, byte[]>> toMerger = new ArrayDeque<>();
            Deque<Tuple2<String, byte[]>> toScorerBroadcast = new ArrayDeque<>();
            Map<String, String> texts = new TreeMap<>();
            Map<String, ItemTable> tables = new TreeMap<>();
            long[] now = {0};
            ThrowingRunnable collect =
                    () -> {
                        toMerger.addAll(buckets.extractOutputValues());
                        buckets.getOutput().clear();
                        for (Tuple2<String, byte[]> t : merger.extractOutputValues()) {
                            toScorerBroadcast.add(t);
                            tables.put(t.f0, ItemTable.fromByteArray(t.f1));
                        }
                        merger.getOutput().clear();
                        for (ProfileChange c : scorer.extractOutputValues()) {
                            texts.put(c.tenant() + "/" + c.oneid(), c.rec());
                        }
                        scorer.getOutput().clear();
                    };
            // phase 0: input; 1: the buckets' end of input came; 2: the merger's came
            for (int phase = 0; phase < 3; phase++) {
                while (phase == 0 && !toBuckets.isEmpty()
                        || phase == 1 && !toMerger.isEmpty()
                        || phase == 2 && (!toScorer.isEmpty() || !toScorerBroadcast.isEmpty())) {
                    switch (rnd.nextInt(12)) {
                        case 0, 1, 2, 3 -> {
                            if (!toBuckets.isEmpty()) {
                                buckets.processElement(toBuckets.poll(), 0);
                            }
                        }
                        case 4, 5, 6 -> {
                            if (!toScorer.isEmpty()) {
                                ItemsObservation o = toScorer.poll();
                                scorer.processElement(o, 0);
                                if (o.isRemoval()) {
                                    // the decision stage deletes the profile
                                    texts.remove(o.tenant() + "/" + o.oneid());
                                }
                            }
                        }
                        case 7, 8, 9 -> {
                            if (!toMerger.isEmpty()) {
                                merger.processElement(toMerger.poll(), 0);
                            }
                        }
                        case 10 -> {
                            if (!toScorerBroadcast.isEmpty()) {
                                scorer.processBroadcastElement(toScorerBroadcast.poll(), 0);
                            }
                        }
                        default -> {
                            now[0] += rnd.nextInt((int) REFRESH.toMillis());
                            buckets.setProcessingTime(now[0]);
                            merger.setProcessingTime(now[0]);
                        }
                    }
                    collect.run();
                }
                if (phase == 0) {
                    buckets.processWatermark(new Watermark(Long.MAX_VALUE));
                } else if (phase == 1) {
                    merger.processWatermark(new Watermark(Long.MAX_VALUE));
                }
                collect.run();
            }
            // refreshes after the end change nothing
            now[0] += 10 * REFRESH.toMillis();
            buckets.setProcessingTime(now[0]);
            merger.setProcessingTime(now[0]);
            collect.run();
            assertThat(toMerger).isEmpty();
            assertThat(toScorerBroadcast).isEmpty();
            assertThat(buckets.getSideOutput(RecordIsolation.INTERNAL_ERRORS)).isNullOrEmpty();
            assertThat(merger.getSideOutput(RecordIsolation.INTERNAL_ERRORS)).isNullOrEmpty();
            assertThat(scorer.getSideOutput(RecordIsolation.INTERNAL_ERRORS)).isNullOrEmpty();
            return new Result(tables, texts);
        }
    }

    /** A step of the run that may throw. */
    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void everyInterleavingEndsWithTheTableOfAllOrdersAndEachCustomersRecommendationFromIt()
            throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            Input in = input(seed, 200);
            assertThat(in.tables()).containsOnlyKeys("acme", "beta");
            assertThat(in.widest())
                    .as("some sketches past their exact range")
                    .isGreaterThan(ItemStats.NEIGHBOUR_MAP * 3 / 4);
            // not only the customers' own items: neighbours and popular items fill the ten
            assertThat(in.texts().values())
                    .allSatisfy(t -> assertThat(t.split(",")).hasSize(NextPurchase.DEFAULT_COUNT));

            Result got = run(in, seed * 7919);

            assertThat(got.tables()).as("seed %d", seed).isEqualTo(in.tables());
            assertThat(got.texts()).as("seed %d", seed).isEqualTo(in.texts());
        }
    }
}
