package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.KeyedOperatorTest;
import io.rtcdp.operators.profile.RfmObservation;
import io.rtcdp.udf.rfm.RfmBoundaries;
import io.rtcdp.udf.rfm.RfmDistribution;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;

/**
 * The bucket stage: a bucket's summary at once after its first change, then at most once per
 * refresh and only when it changed, and at the end of a bounded input; each summary holds the
 * bucket's current values exactly, every profile once.
 */
class RfmSummarizerTest extends KeyedOperatorTest<RfmObservation, Tuple3<String, Integer, byte[]>> {
    static final long DAY = 86_400_000L;
    static final long T = 1_700_000_000_000L;
    static final Duration REFRESH = Duration.ofMinutes(1);
    static final long R = REFRESH.toMillis();

    @Override
    protected RfmSummarizer function() {
        return new RfmSummarizer(REFRESH);
    }

    @Override
    protected KeySelector<RfmObservation, String> key() {
        return RfmSummarizer.KEY;
    }

    /** Two oneids of the same bucket, and one of another. */
    static final String A = "a";

    static final String A2 = sameBucketAs(A);
    static final String OTHER = otherBucketThan(A);

    static String sameBucketAs(String oneid) {
        for (int i = 0; ; i++) {
            String o = "p" + i;
            if (!o.equals(oneid) && RfmSummarizer.bucket(o) == RfmSummarizer.bucket(oneid)) {
                return o;
            }
        }
    }

    static String otherBucketThan(String oneid) {
        for (int i = 0; ; i++) {
            String o = "q" + i;
            if (RfmSummarizer.bucket(o) != RfmSummarizer.bucket(oneid)) {
                return o;
            }
        }
    }

    static RfmObservation obs(String oneid, long days, long orders, long revenue) {
        return new RfmObservation("acme", oneid, T + days * DAY, orders, revenue);
    }

    /** The summaries sent since the last call, as {@code tenant/bucket n boundaries}. */
    List<String> sent() {
        return drain().stream()
                .map(
                        s -> {
                            RfmDistribution d = RfmDistribution.fromByteArray(s.f2);
                            assertThat(d.isExact()).isTrue();
                            RfmBoundaries b = RfmDistribution.boundaries(List.of(d), 1 << 20);
                            return s.f0
                                    + "/"
                                    + s.f1
                                    + " n="
                                    + d.n()
                                    + (b == null
                                            ? ""
                                            : " f=" + java.util.Arrays.toString(b.frequency()));
                        })
                .toList();
    }

    static String summary(String oneid, long n, String frequencies) {
        return "acme/" + RfmSummarizer.bucket(oneid) + " n=" + n + frequencies;
    }

    @Test
    void aBucketsFirstChangeIsSentAtOnce() throws Exception {
        send(obs(A, 0, 1, 10));

        assertThat(sent()).containsExactly(summary(A, 1, " f=[1, 1, 1, 1]"));
    }

    @Test
    void laterChangesAreSentTogetherAtTheNextRefreshAndOnlyWhenTheyChangedSomething()
            throws Exception {
        send(obs(A, 0, 1, 10));
        sent();
        h.setProcessingTime(10);
        send(obs(A2, 1, 3, 30));
        send(obs(A, 0, 2, 20)); // A's values replace its old ones: still two profiles
        assertThat(sent()).as("nothing before the refresh").isEmpty();

        h.setProcessingTime(R - 1);
        assertThat(sent()).isEmpty();
        h.setProcessingTime(R);
        assertThat(sent()).containsExactly(summary(A, 2, " f=[2, 2, 3, 3]"));

        send(obs(A, 0, 2, 20)); // the same values again: no change
        h.setProcessingTime(3 * R);
        assertThat(sent()).as("nothing changed since").isEmpty();
    }

    @Test
    void eachBucketSendsItsOwnSummary() throws Exception {
        send(obs(A, 0, 1, 10));
        send(obs(OTHER, 0, 4, 10));

        assertThat(sent())
                .containsExactly(
                        summary(A, 1, " f=[1, 1, 1, 1]"), summary(OTHER, 1, " f=[4, 4, 4, 4]"));
    }

    @Test
    void aRemovedProfileLeavesTheSummaryAndAnEmptyBucketSaysSo() throws Exception {
        send(obs(A, 0, 1, 10));
        send(obs(A2, 0, 5, 10));
        h.setProcessingTime(R);
        sent();

        send(RfmObservation.removal("acme", A2));
        send(RfmObservation.removal("acme", "never-seen"));
        h.setProcessingTime(2 * R);
        assertThat(sent()).containsExactly(summary(A, 1, " f=[1, 1, 1, 1]"));

        send(RfmObservation.removal("acme", A));
        h.setProcessingTime(3 * R);
        assertThat(sent()).containsExactly(summary(A, 0, ""));
    }

    @Test
    void theEndOfABoundedInputSendsWhatChangedSinceTheLastSummary() throws Exception {
        send(obs(A, 0, 1, 10));
        send(obs(OTHER, 0, 4, 10));
        sent();
        send(obs(A2, 0, 3, 10));

        h.processWatermark(new Watermark(Long.MAX_VALUE));

        // OTHER's bucket did not change since its first summary
        assertThat(sent()).containsExactly(summary(A, 2, " f=[1, 1, 3, 3]"));
    }

    @Test
    void theValuesAndWhatWasSentSurviveARestore() throws Exception {
        send(obs(A, 0, 1, 10));
        sent();
        send(obs(A2, 0, 3, 10));
        restore(10);

        h.setProcessingTime(R);
        // the change before the restore is still to be sent, with both profiles
        assertThat(sent()).containsExactly(summary(A, 2, " f=[1, 1, 3, 3]"));
        send(obs(A2, 0, 3, 10));
        h.setProcessingTime(2 * R);
        assertThat(sent()).isEmpty();
    }

    @Test
    void bucketsAreStableAndInRange() {
        assertThat(RfmSummarizer.bucket("a")).isEqualTo(RfmSummarizer.bucket(new String("a")));
        for (int i = 0; i < 10_000; i++) {
            assertThat(RfmSummarizer.bucket("o" + i)).isBetween(0, RfmSummarizer.BUCKETS - 1);
        }
    }
}
