package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.KeyedOperatorTest;
import io.rtcdp.udf.rfm.RfmBoundaries;
import io.rtcdp.udf.rfm.RfmDistribution;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;

/**
 * The boundaries stage: the tenant's first boundaries at once, later ones merged from every
 * bucket's latest summary after a short wait and at the end of the input, sent only when a boundary
 * moved.
 */
class RfmBoundaryMergerTest
        extends KeyedOperatorTest<Tuple3<String, Integer, byte[]>, Tuple2<String, byte[]>> {
    static final long DELAY = RfmBoundaryMerger.MERGE_DELAY_MILLIS;

    @Override
    protected RfmBoundaryMerger function() {
        return new RfmBoundaryMerger(Duration.ofMinutes(1));
    }

    @Override
    protected KeySelector<Tuple3<String, Integer, byte[]>, String> key() {
        return RfmBoundaryMerger.KEY;
    }

    /** A bucket's summary of profiles with these frequencies (recency and monetary the same). */
    static Tuple3<String, Integer, byte[]> bucket(String tenant, int bucket, long... frequencies) {
        Map<Long, Long> counts = new HashMap<>();
        for (long f : frequencies) {
            counts.merge(f, 1L, Long::sum);
        }
        return Tuple3.of(
                tenant,
                bucket,
                RfmDistribution.exact(frequencies.length, counts, counts, counts).toByteArray());
    }

    /** The boundaries sent since the last call, as {@code tenant n frequency boundaries}. */
    List<String> sent() {
        return drain().stream()
                .map(
                        b -> {
                            RfmBoundaries r = RfmBoundaries.fromByteArray(b.f1);
                            return b.f0 + " " + r.n() + " " + Arrays.toString(r.frequency());
                        })
                .toList();
    }

    @Test
    void aTenantsFirstSummaryGivesItsFirstBoundariesAtOnce() throws Exception {
        send(bucket("acme", 3, 1, 2));

        assertThat(sent()).containsExactly("acme 2 [1, 1, 2, 2]");
    }

    @Test
    void laterSummariesAreMergedTogetherAfterAShortWait() throws Exception {
        send(bucket("acme", 3, 1, 2));
        sent();
        send(bucket("acme", 7, 5, 5, 5));
        send(bucket("acme", 9, 9, 9, 9, 9, 9));
        assertThat(sent()).isEmpty();

        h.setProcessingTime(DELAY);

        // one merge of all three buckets: 1 2 5 5 5 9 9 9 9 9 → ranks 2, 4, 6, 8
        assertThat(sent()).containsExactly("acme 10 [2, 5, 9, 9]");
    }

    @Test
    void aBucketsNewSummaryReplacesItsOldOneAndAnEmptyOneRemovesIt() throws Exception {
        send(bucket("acme", 3, 1, 2));
        send(bucket("acme", 7, 5));
        h.setProcessingTime(DELAY);
        sent();

        send(bucket("acme", 7, 6, 6));
        h.setProcessingTime(2 * DELAY);
        assertThat(sent()).containsExactly("acme 4 [1, 2, 6, 6]");

        send(bucket("acme", 3));
        h.setProcessingTime(3 * DELAY);
        assertThat(sent()).containsExactly("acme 2 [6, 6, 6, 6]");
    }

    @Test
    void boundariesThatDidNotMoveAreNotSentAgain() throws Exception {
        send(bucket("acme", 3, 1, 2));
        sent();
        // two more profiles, the same boundaries
        send(bucket("acme", 4, 1, 2));
        h.setProcessingTime(DELAY);

        assertThat(sent()).isEmpty();
    }

    @Test
    void theEndOfTheInputMergesWhatCameSinceTheLastMerge() throws Exception {
        send(bucket("acme", 3, 1, 2));
        send(bucket("beta", 1, 4));
        sent();
        send(bucket("acme", 4, 7, 7, 7));

        h.processWatermark(new Watermark(Long.MAX_VALUE));

        assertThat(sent()).containsExactly("acme 5 [1, 2, 7, 7]");
    }

    @Test
    void eachTenantHasItsOwnBoundaries() throws Exception {
        send(bucket("acme", 3, 1, 1));
        send(bucket("beta", 3, 4, 4));

        assertThat(sent()).containsExactly("acme 2 [1, 1, 1, 1]", "beta 2 [4, 4, 4, 4]");
    }

    @Test
    void theSummariesAndWhatWasSentSurviveARestore() throws Exception {
        send(bucket("acme", 3, 1, 2));
        send(bucket("acme", 4, 3));
        sent();
        restore(0);

        h.setProcessingTime(DELAY);
        assertThat(sent()).containsExactly("acme 3 [1, 2, 2, 3]");
        send(bucket("acme", 5, 9));
        h.setProcessingTime(2 * DELAY);
        // bucket 3's and 4's summaries are still counted: 1 2 3 9 → ranks 1, 2, 3, 4
        assertThat(sent()).containsExactly("acme 4 [1, 2, 3, 9]");
    }
}
