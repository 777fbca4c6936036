package io.rtcdp.operators.rec;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.profile.ItemsObservation;
import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.udf.rec.ItemStats;
import io.rtcdp.udf.rec.ItemTable;
import io.rtcdp.udf.rec.NextPurchase;
import io.rtcdp.udf.rec.PurchasedItems;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The next-purchase stage: sends a profile's {@code rec.next} when its items change (against {@link
 * ItemTable#EMPTY} before its tenant's first table), scores every profile of the tenant again when
 * a new table comes and sends only the texts that changed, keeps tenants apart, and forgets removed
 * profiles.
 */
class RecScorerTest {
    static final long T = 1_700_000_000_000L;

    KeyedBroadcastOperatorTestHarness<
                    String, ItemsObservation, Tuple2<String, byte[]>, ProfileChange>
            h;

    static KeyedBroadcastOperatorTestHarness<
                    String, ItemsObservation, Tuple2<String, byte[]>, ProfileChange>
            newHarness() throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new RecScorer(), List.of(RecScorer.TABLES)),
                RecScorer.KEY,
                Types.STRING,
                1,
                1,
                0);
    }

    @BeforeEach
    void open() throws Exception {
        h = newHarness();
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /** A profile that bought these items, each in one order. */
    static ItemsObservation bought(String tenant, String oneid, String... skus) {
        PurchasedItems p = new PurchasedItems();
        for (String sku : skus) {
            p.addOrder(T, List.of(sku));
        }
        return new ItemsObservation(tenant, oneid, T, p);
    }

    /** The table of these baskets, each a different customer's only order. */
    static ItemTable tableOf(List<List<String>> baskets) {
        ItemStats stats = new ItemStats();
        for (List<String> b : baskets) {
            stats.addOrder(T, b, List.of(), s -> true);
        }
        return ItemTable.build(stats.summaries(), T, ItemStats.DEFAULT_HALF_LIFE_MS);
    }

    /** hot sells most; a goes with b. */
    static final ItemTable FIRST =
            tableOf(List.of(List.of("a", "b"), List.of("hot"), List.of("hot"), List.of("hot")));

    /** Later: new sells most, and a goes with c too. */
    static final ItemTable SECOND =
            tableOf(
                    List.of(
                            List.of("a", "b"),
                            List.of("a", "c"),
                            List.of("new"),
                            List.of("new"),
                            List.of("new"),
                            List.of("new")));

    static String text(ItemsObservation o, ItemTable t) {
        return NextPurchase.render(
                NextPurchase.recommend(o.items(), t, NextPurchase.DEFAULT_COUNT));
    }

    void send(ItemsObservation o) throws Exception {
        h.processElement(o, 0);
    }

    void table(String tenant, ItemTable t) throws Exception {
        h.processBroadcastElement(Tuple2.of(tenant, t.toByteArray()), 0);
    }

    /** The texts sent since the last call, as {@code tenant/oneid text}. */
    List<String> sent() {
        List<ProfileChange> out = h.extractOutputValues();
        h.getOutput().clear();
        return out.stream()
                .map(
                        c -> {
                            assertThat(c.isRec()).as("a rec change").isTrue();
                            return c.tenant() + "/" + c.oneid() + " " + c.rec();
                        })
                .toList();
    }

    /** A profile whose ten own items are in no table: its text depends on no table. */
    static ItemsObservation many(String tenant, String oneid) {
        String[] skus = new String[NextPurchase.DEFAULT_COUNT];
        for (int i = 0; i < skus.length; i++) {
            skus[i] = "own" + i;
        }
        return bought(tenant, oneid, skus);
    }

    @Test
    void beforeItsTenantsFirstTableAProfileGetsItsOwnItems() throws Exception {
        send(bought("acme", "p", "a"));

        assertThat(sent()).containsExactly("acme/p a:0.693");
    }

    @Test
    void aProfileIsScoredAgainstTheTableInForceWhenItsItemsChange() throws Exception {
        table("acme", FIRST);
        ItemsObservation p = bought("acme", "p", "a");
        send(p);

        assertThat(sent()).containsExactly("acme/p " + text(p, FIRST));
        assertThat(text(p, FIRST)).startsWith("a:").contains("b:", "hot:");

        ItemsObservation more = bought("acme", "p", "a", "hot");
        send(more);
        assertThat(sent()).containsExactly("acme/p " + text(more, FIRST));
    }

    @Test
    void theSameItemsAgainSendNothing() throws Exception {
        table("acme", FIRST);
        send(bought("acme", "p", "a"));
        sent();

        send(bought("acme", "p", "a"));

        assertThat(sent()).isEmpty();
    }

    @Test
    void aNewTableScoresTheTenantsProfilesAgainAndSendsOnlyTheTextsThatChanged() throws Exception {
        ItemsObservation p = bought("acme", "p", "a");
        ItemsObservation q = many("acme", "q");
        ItemsObservation r = bought("beta", "r", "a");
        send(p);
        send(q);
        send(r);
        sent();
        table("acme", FIRST);
        // q's ten own items fill its text: no table moves it
        assertThat(sent()).containsExactly("acme/p " + text(p, FIRST));

        table("acme", SECOND);

        // beta's r is not acme's
        assertThat(sent()).containsExactly("acme/p " + text(p, SECOND));
        assertThat(text(p, SECOND)).isNotEqualTo(text(p, FIRST));

        table("acme", SECOND);
        assertThat(sent()).as("the same table again: nothing moves").isEmpty();
    }

    @Test
    void aProfileWithoutItemsGetsThePopularItemsOnceThereAreAny() throws Exception {
        ItemsObservation none = bought("acme", "n");
        send(none);
        assertThat(sent()).as("nothing to recommend: nothing to send").isEmpty();

        table("acme", FIRST);

        assertThat(sent()).containsExactly("acme/n " + text(none, FIRST));
        assertThat(text(none, FIRST)).startsWith("hot:");
    }

    @Test
    void aRemovedProfileIsClearedAndNotScoredAgain() throws Exception {
        send(bought("acme", "p", "a"));
        sent();

        send(ItemsObservation.removal("acme", "p"));
        assertThat(sent()).as("a removal sends nothing").isEmpty();
        table("acme", FIRST);
        assertThat(sent()).isEmpty();

        // back: its last text went with it, so the same text is news again
        ItemsObservation back = bought("acme", "p", "a");
        send(back);
        assertThat(sent()).containsExactly("acme/p " + text(back, FIRST));
    }

    @Test
    void eachTenantHasItsOwnTable() throws Exception {
        table("acme", FIRST);
        table("beta", SECOND);
        ItemsObservation a = bought("acme", "x", "a");
        ItemsObservation b = bought("beta", "x", "a");
        send(a);
        send(b);

        assertThat(sent()).containsExactly("acme/x " + text(a, FIRST), "beta/x " + text(b, SECOND));
    }

    @Test
    void anUnreadableTableIsADeadLetterAndTheOldOneStays() throws Exception {
        table("acme", FIRST);

        h.processBroadcastElement(Tuple2.of("acme", new byte[] {42}), 0);
        ItemsObservation p = bought("acme", "p", "a");
        send(p);

        assertThat(sent()).containsExactly("acme/p " + text(p, FIRST));
        assertThat(h.getSideOutput(RecordIsolation.INTERNAL_ERRORS)).hasSize(1);
    }

    @Test
    void tablesItemsAndTextsSurviveARestore() throws Exception {
        ItemsObservation p = bought("acme", "p", "a");
        send(p);
        table("acme", FIRST);
        sent();
        OperatorSubtaskState snapshot = h.snapshot(1, 0);
        h.close();
        h = newHarness();
        h.initializeState(snapshot);
        h.open();

        send(p);
        // restored: the same items, the same text, nothing sent
        assertThat(sent()).isEmpty();

        // and the table in force is FIRST
        ItemsObservation q = bought("acme", "q", "b");
        send(q);
        assertThat(sent()).containsExactly("acme/q " + text(q, FIRST));
        table("acme", SECOND);
        assertThat(sent()).contains("acme/p " + text(p, SECOND));
    }
}
