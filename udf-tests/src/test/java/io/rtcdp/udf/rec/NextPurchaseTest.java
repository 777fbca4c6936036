package io.rtcdp.udf.rec;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.rec.NextPurchase.Recommendation;
import io.rtcdp.udf.rec.NextPurchase.Source;
import java.util.List;
import org.junit.jupiter.api.Test;

class NextPurchaseTest {

    private static ItemTable table() {
        ItemStats stats = new ItemStats();
        // hot sells now; a, b and x go together; p is bought alone
        for (int c = 0; c < 5; c++) {
            stats.addOrder(1_000, List.of("a", "b", "x"), List.of(), s -> true);
        }
        for (int c = 0; c < 8; c++) {
            stats.addOrder(2_000, List.of("hot"), List.of(), s -> true);
        }
        stats.addOrder(1_500, List.of("p"), List.of(), s -> true);
        return ItemTable.build(stats.summaries(), 2_000, ItemStats.DEFAULT_HALF_LIFE_MS);
    }

    private static List<String> skus(List<Recommendation> recs) {
        return recs.stream().map(Recommendation::sku).toList();
    }

    @Test
    void ownItemsFirstThenSimilarThenPopular() {
        PurchasedItems own = new PurchasedItems();
        own.addOrder(10, List.of("a"));
        own.addOrder(20, List.of("a", "p"));
        List<Recommendation> recs = NextPurchase.recommend(own, table(), 10);
        assertThat(recs.stream().map(Recommendation::source).toList())
                .containsExactly(
                        Source.AGAIN, Source.AGAIN, Source.SIMILAR, Source.SIMILAR, Source.POPULAR);
        // a: 2 orders; p: 1; then a's neighbours b and x (equal, by sku); then hot
        assertThat(skus(recs)).containsExactly("a", "p", "b", "x", "hot");
        assertThat(recs.get(0).score()).isGreaterThan(recs.get(1).score());
    }

    @Test
    void whatSellsNowWeighsOwnItems() {
        PurchasedItems own = new PurchasedItems();
        own.addOrder(10, List.of("p", "hot"));
        assertThat(skus(NextPurchase.recommend(own, table(), 2))).containsExactly("hot", "p");
    }

    @Test
    void aProfileWithoutOrdersGetsThePopularItemsAndTheCountIsKept() {
        List<Recommendation> recs = NextPurchase.recommend(new PurchasedItems(), table(), 3);
        assertThat(skus(recs)).containsExactly("hot", "a", "b");
        assertThat(recs).allSatisfy(r -> assertThat(r.source()).isEqualTo(Source.POPULAR));
        assertThat(NextPurchase.recommend(new PurchasedItems(), ItemTable.EMPTY, 10)).isEmpty();
    }

    @Test
    void rendersSkusWithScoresEscapingSeparators() {
        assertThat(
                        NextPurchase.render(
                                List.of(
                                        new Recommendation("a,b:c%", 2.0, Source.AGAIN),
                                        new Recommendation("x", 1.23456, Source.SIMILAR),
                                        new Recommendation("y", 0.0005, Source.POPULAR))))
                .isEqualTo("a%2Cb%3Ac%25:2,x:1.235,y:0.001");
        assertThat(NextPurchase.render(List.of())).isEmpty();
    }

    @Test
    void skusAreReadBackFromTheText() {
        List<Recommendation> recs =
                List.of(
                        new Recommendation("a,b:c%", 2.0, Source.AGAIN),
                        new Recommendation("%2C", 1.0, Source.SIMILAR),
                        new Recommendation("x", 0.5, Source.POPULAR));
        assertThat(NextPurchase.skus(NextPurchase.render(recs)))
                .containsExactly("a,b:c%", "%2C", "x");
        assertThat(NextPurchase.skus("")).isEmpty();
    }
}
