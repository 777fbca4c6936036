package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.profile.RedisKeys;
import io.rtcdp.udf.testing.RetailOrders;
import io.rtcdp.udf.time.Times;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Next purchase through the job (issue 15): UCI Online Retail II replayed up to the cutoff
 * 2011-09-01 at parallelism 2 into a real redis-server; the {@code rec.next} of every customer with
 * an order in the next 30 days who ordered before, read back from Redis, beats the
 * most-popular-items and buy-again baselines at hit@10 ({@link RetailOrders}); and every customer
 * with items has a {@code rec.next} of at most 10 items.
 */
class RetailNextPurchaseITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir Path tmp;

    @Test
    void recommendationsInRedisBeatTheBaselines() throws Exception {
        long cutoff = Times.parseTime("2011-09-01");
        RetailOrders orders = new RetailOrders(RetailOrders.events(), cutoff);

        // the imported events before the cutoff, as a replay to the cutoff reads them
        EventParser parser = new EventParser(ParserConfig.defaults());
        Path history = tmp.resolve("history.jsonl");
        int kept = 0;
        try (BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(
                                        new GZIPInputStream(
                                                Files.newInputStream(
                                                        RetailOrders.imported().events())),
                                        StandardCharsets.UTF_8));
                BufferedWriter out = Files.newBufferedWriter(history)) {
            String line;
            while ((line = in.readLine()) != null) {
                Parsed p = parser.parse(line.getBytes(StandardCharsets.UTF_8), "retail");
                if (p.isValid() && p.event().ts() < cutoff) {
                    out.write(line);
                    out.newLine();
                    kept++;
                }
            }
        }

        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
                        .build();
        Replay.Summary summary =
                Replay.run(
                        cfg,
                        List.of(history),
                        tmp.resolve("dlq.jsonl"),
                        tmp.resolve("conflicts.jsonl"),
                        tmp.resolve("work"),
                        FlinkTestCluster.noRestarts());
        assertThat(summary.invalid()).isZero();
        assertThat(summary.valid()).isEqualTo(kept);

        var redis = REDIS.client();
        RedisKeys keys = new RedisKeys("rtcdp");
        Map<String, List<String>> recs = new HashMap<>();
        for (String customer : orders.people().keySet()) {
            String oneid = redis.get(keys.id("retail", "user_id", customer));
            assertThat(oneid).as("id key of customer %s", customer).isNotNull();
            String text = redis.hget(keys.profile("retail", oneid), "rec.next");
            assertThat(text).as("rec.next of customer %s", customer).isNotBlank();
            List<String> skus = skus(text);
            assertThat(skus).as(customer).hasSizeBetween(1, 10).doesNotHaveDuplicates();
            recs.put(customer, skus);
        }

        double ours = orders.hitRate(recs::get);
        double buyAgain = orders.buyAgain();
        double popular = orders.mostPopular();
        System.out.printf(
                "next purchase through the job at 2011-09-01, %d customers: hit@10 rtcdp %.4f,"
                        + " buy again %.4f, most popular %.4f%n",
                orders.population().size(), ours, buyAgain, popular);
        assertThat(ours).as("against buy again").isGreaterThan(buyAgain);
        assertThat(ours).as("against most popular").isGreaterThan(popular);
    }

    /** The skus of a {@code rec.next} text, in its order (contract §3.2). */
    static List<String> skus(String text) {
        List<String> skus = new ArrayList<>();
        for (String entry : text.split(",")) {
            int colon = entry.lastIndexOf(':');
            assertThat(colon).as(entry).isPositive();
            Double.parseDouble(entry.substring(colon + 1));
            skus.add(
                    entry.substring(0, colon)
                            .replace("%2C", ",")
                            .replace("%3A", ":")
                            .replace("%25", "%"));
        }
        return skus;
    }
}
