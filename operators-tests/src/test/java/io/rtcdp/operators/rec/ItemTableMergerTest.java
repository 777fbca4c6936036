package io.rtcdp.operators.rec;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.KeyedOperatorTest;
import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.udf.rec.ItemStats;
import io.rtcdp.udf.rec.ItemTable;
import io.rtcdp.udf.rec.PurchasedItems;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;

/**
 * The table stage: the tenant's first table at once, later ones built from every item's latest
 * statistics after a short wait and at the end of the input, sent only when the table changed; the
 * table the same as one built directly from an {@link ItemStats} fed the same orders, at the
 * tenant's latest order time.
 */
class ItemTableMergerTest
        extends KeyedOperatorTest<Tuple3<String, String, byte[]>, Tuple2<String, byte[]>> {
    static final long DAY = 86_400_000L;
    static final long T = 1_700_000_000_000L;
    static final long DELAY = ItemTableMerger.MERGE_DELAY_MILLIS;
    static final long HALF_LIFE = ItemStats.DEFAULT_HALF_LIFE_MS;

    @Override
    protected ItemTableMerger function() {
        return new ItemTableMerger(Duration.ofMinutes(1));
    }

    @Override
    protected KeySelector<Tuple3<String, String, byte[]>, String> key() {
        return ItemTableMerger.KEY;
    }

    /** A tenant's orders fed to one {@link ItemStats}, remembering the items each one changed. */
    static final class Tenant {
        final String name;
        final ItemStats stats = new ItemStats();
        final Map<String, PurchasedItems> customers = new HashMap<>();
        final Set<String> changed = new TreeSet<>();
        long clock = Long.MIN_VALUE;

        Tenant(String name) {
            this.name = name;
        }

        void order(String customer, long ts, List<String> skus) {
            PurchasedItems p = customers.computeIfAbsent(customer, k -> new PurchasedItems());
            List<String> prior =
                    p.top(ItemStats.PRIOR_ITEMS).stream().map(PurchasedItems.Item::sku).toList();
            List<String> fresh =
                    PurchasedItems.distinct(skus).stream().filter(s -> p.orders(s) == 0).toList();
            changed.addAll(stats.addOrder(ts, skus, fresh, prior, s -> true));
            p.addOrder(ts, skus);
            clock = Math.max(clock, ts);
        }

        /** Random orders, not in time order. */
        void orders(Random rnd, int n) {
            for (int i = 0; i < n; i++) {
                List<String> skus = new ArrayList<>();
                for (int j = 1 + rnd.nextInt(4); j > 0; j--) {
                    skus.add("i" + rnd.nextInt(30));
                }
                order("c" + rnd.nextInt(40), T + rnd.nextInt(90) * DAY, skus);
            }
        }

        /** The statistics of the items changed since the last call, shuffled. */
        List<Tuple3<String, String, byte[]>> takeChanged(Random rnd) {
            List<Tuple3<String, String, byte[]>> out = new ArrayList<>();
            for (String sku : changed) {
                out.add(Tuple3.of(name, sku, ItemStatsStage.encode(stats.get(sku))));
            }
            changed.clear();
            Collections.shuffle(out, rnd);
            return out;
        }

        ItemTable table() {
            return ItemTable.build(stats.summaries(), clock, HALF_LIFE);
        }
    }

    void sendAll(List<Tuple3<String, String, byte[]>> stats) throws Exception {
        for (Tuple3<String, String, byte[]> s : stats) {
            send(s);
        }
    }

    /** The tables sent since the last call, by tenant, in the order sent. */
    List<Map.Entry<String, ItemTable>> sent() throws IOException {
        List<Map.Entry<String, ItemTable>> out = new ArrayList<>();
        for (Tuple2<String, byte[]> t : drain()) {
            out.add(Map.entry(t.f0, ItemTable.fromByteArray(t.f1)));
        }
        return out;
    }

    @Test
    void aTenantsFirstStatisticsGiveItsFirstTableAtOnce() throws Exception {
        Tenant acme = new Tenant("acme");
        acme.order("c1", T, List.of("a"));

        sendAll(acme.takeChanged(new Random(1)));

        assertThat(sent()).containsExactly(Map.entry("acme", acme.table()));
    }

    @Test
    void laterStatisticsAreBuiltTogetherAfterAShortWaitIntoTheTableOfAllOrders() throws Exception {
        Random rnd = new Random(3);
        Tenant acme = new Tenant("acme");
        acme.orders(rnd, 50);
        List<Tuple3<String, String, byte[]>> first = acme.takeChanged(rnd);
        send(first.get(0));
        sent();
        sendAll(first.subList(1, first.size()));
        acme.orders(rnd, 150); // newer statistics of some items replace their older ones
        sendAll(acme.takeChanged(rnd));
        assertThat(sent()).as("nothing before the wait").isEmpty();

        h.setProcessingTime(DELAY - 1);
        assertThat(sent()).isEmpty();
        h.setProcessingTime(DELAY);

        // one build of every item's latest statistics, at the latest order time
        assertThat(sent()).containsExactly(Map.entry("acme", acme.table()));
    }

    @Test
    void theEndOfTheInputBuildsWhatCameSinceTheLastBuild() throws Exception {
        Random rnd = new Random(4);
        Tenant acme = new Tenant("acme");
        Tenant beta = new Tenant("beta");
        acme.orders(rnd, 20);
        beta.orders(rnd, 20);
        sendAll(acme.takeChanged(rnd));
        sendAll(beta.takeChanged(rnd));
        h.setProcessingTime(DELAY);
        sent();
        acme.orders(rnd, 30);
        sendAll(acme.takeChanged(rnd));

        h.processWatermark(new Watermark(Long.MAX_VALUE));

        // beta had nothing new
        assertThat(sent()).containsExactly(Map.entry("acme", acme.table()));
        h.setProcessingTime(2 * DELAY);
        assertThat(sent()).as("built already").isEmpty();
    }

    @Test
    void aTableThatDidNotChangeIsNotSentAgain() throws Exception {
        Tenant acme = new Tenant("acme");
        acme.order("c1", T, List.of("a", "b"));
        List<Tuple3<String, String, byte[]>> stats = acme.takeChanged(new Random(1));
        sendAll(stats);
        h.setProcessingTime(DELAY);
        sent();

        sendAll(stats); // the same statistics again
        h.setProcessingTime(2 * DELAY);

        assertThat(sent()).isEmpty();
    }

    @Test
    void eachTenantHasItsOwnTable() throws Exception {
        Tenant acme = new Tenant("acme");
        Tenant beta = new Tenant("beta");
        acme.order("c1", T, List.of("a"));
        beta.order("c1", T + DAY, List.of("b"));

        sendAll(acme.takeChanged(new Random(1)));
        sendAll(beta.takeChanged(new Random(1)));

        assertThat(sent())
                .containsExactly(Map.entry("acme", acme.table()), Map.entry("beta", beta.table()));
    }

    @Test
    void unreadableStatisticsAreADeadLetterAndLeaveTheTableAlone() throws Exception {
        Tenant acme = new Tenant("acme");
        acme.order("c1", T, List.of("a", "b"));
        sendAll(acme.takeChanged(new Random(1)));
        h.setProcessingTime(DELAY);
        assertThat(sent()).last().isEqualTo(Map.entry("acme", acme.table()));

        send(Tuple3.of("acme", "c", new byte[] {42}));
        h.processWatermark(new Watermark(Long.MAX_VALUE));

        assertThat(sent()).isEmpty();
        assertThat(h.getSideOutput(RecordIsolation.INTERNAL_ERRORS)).hasSize(1);
    }

    @Test
    void theStatisticsAndTheClockSurviveARestore() throws Exception {
        Random rnd = new Random(6);
        Tenant acme = new Tenant("acme");
        acme.orders(rnd, 40);
        sendAll(acme.takeChanged(rnd));
        sent();
        restore(0);

        h.setProcessingTime(DELAY);
        assertThat(sent()).containsExactly(Map.entry("acme", acme.table()));
        acme.order("c1", T, List.of("zz")); // an old order: the clock stays
        sendAll(acme.takeChanged(rnd));
        h.setProcessingTime(2 * DELAY);
        assertThat(sent()).containsExactly(Map.entry("acme", acme.table()));
    }
}
