package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.RfmObservation;
import io.rtcdp.udf.rfm.RfmBoundaries;
import io.rtcdp.udf.rfm.RfmScore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The three RFM stages together (buckets → boundaries → scores), driven by hand with every
 * interleaving a run can have: observations reach the bucket and the scoring stage at different
 * times, summaries and boundaries come late, processing-time refreshes fire anywhere. At the end of
 * the input every profile's last sent score is its score against the exact boundaries of all final
 * values ({@link RfmBoundaries#exact}), in every interleaving; and one tenant's records spread over
 * the subtasks of the bucket and the scoring stage.
 */
class RfmPipelineTest {
    static final long DAY = 86_400_000L;
    static final long T = 1_700_000_000_000L;
    static final Duration REFRESH = Duration.ofSeconds(10);

    /** Observations of two tenants: new profiles, later orders, removals and returns. */
    static List<RfmObservation> input(long seed, int profiles) {
        Random rnd = new Random(seed);
        List<RfmObservation> in = new ArrayList<>();
        Map<String, long[]> now = new HashMap<>();
        for (int i = 0; i < profiles * 3; i++) {
            String tenant = rnd.nextInt(5) == 0 ? "beta" : "acme";
            String oneid = "o" + rnd.nextInt(profiles);
            String key = tenant + "/" + oneid;
            long[] v = now.get(key);
            if (v != null && rnd.nextInt(8) == 0) {
                in.add(RfmObservation.removal(tenant, oneid));
                now.remove(key);
                continue;
            }
            long ts = T + rnd.nextInt(400) * DAY;
            long orders = v == null ? 1 : v[1] + 1;
            long revenue = (v == null ? 0 : v[2]) + rnd.nextInt(50) * 1_000_000L;
            now.put(key, new long[] {ts, orders, revenue});
            in.add(new RfmObservation(tenant, oneid, ts, orders, revenue));
        }
        return in;
    }

    /** What the stages send at the end: each profile's last score and each tenant's boundaries. */
    record Result(Map<String, String> scores, Map<String, RfmBoundaries> boundaries) {}

    /**
     * Runs the input through the three stages, interleaving at random (by {@code seed}) what each
     * stage receives next, as the network and the timers may.
     */
    static Result run(List<RfmObservation> in, long seed) throws Exception {
        Random rnd = new Random(seed);
        try (var buckets =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(new RfmSummarizer(REFRESH)),
                                RfmSummarizer.KEY,
                                Types.STRING);
                var merger =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(new RfmBoundaryMerger(REFRESH)),
                                RfmBoundaryMerger.KEY,
                                Types.STRING);
                var scorer =
                        new KeyedBroadcastOperatorTestHarness<>(
                                new CoBroadcastWithKeyedOperator<>(
                                        new RfmScorer(), List.of(RfmScorer.BOUNDARIES)),
                                RfmScorer.KEY,
                                Types.STRING,
                                1,
                                1,
                                0)) {
            buckets.open();
            merger.open();
            scorer.open();
            Deque<RfmObservation> toBuckets = new ArrayDeque<>(in);
            Deque<RfmObservation> toScorer = new ArrayDeque<>(in);
            Deque<Tuple3<String, Integer, byte[]>> toMerger = new ArrayDeque<>();
            Deque<Tuple2<String, byte[]>> toScorerBroadcast = new ArrayDeque<>();
            Map<String, String> scores = new HashMap<>();
            Map<String, RfmBoundaries> boundaries = new TreeMap<>();
            long[] now = {0};
            Runnable collect =
                    () -> {
                        toMerger.addAll(buckets.extractOutputValues());
                        buckets.getOutput().clear();
                        for (Tuple2<String, byte[]> b : merger.extractOutputValues()) {
                            toScorerBroadcast.add(b);
                            boundaries.put(b.f0, RfmBoundaries.fromByteArray(b.f1));
                        }
                        merger.getOutput().clear();
                        for (ProfileChange c : scorer.extractOutputValues()) {
                            scores.put(c.tenant() + "/" + c.oneid(), String.join(" ", c.rfm()));
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
                        case 4, 5, 6, 7 -> {
                            if (!toScorer.isEmpty()) {
                                scorer.processElement(toScorer.poll(), 0);
                            }
                        }
                        case 8, 9 -> {
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
            return new Result(scores, boundaries);
        }
    }

    /** Each tenant's final profiles and their scores against the exact boundaries of all. */
    static Result expected(List<RfmObservation> in) {
        Map<String, RfmObservation> last = new LinkedHashMap<>();
        for (RfmObservation o : in) {
            if (o.isRemoval()) {
                last.remove(o.tenant() + "/" + o.oneid());
            } else {
                last.put(o.tenant() + "/" + o.oneid(), o);
            }
        }
        Map<String, RfmBoundaries> boundaries = new TreeMap<>();
        for (String tenant : List.of("acme", "beta")) {
            List<RfmObservation> ps =
                    last.values().stream().filter(o -> o.tenant().equals(tenant)).toList();
            int n = ps.size();
            long[][] cols = new long[3][n];
            for (int i = 0; i < n; i++) {
                cols[0][i] = ps.get(i).lastOrderTs();
                cols[1][i] = ps.get(i).orders();
                cols[2][i] = ps.get(i).revenueMicros();
            }
            boundaries.put(tenant, RfmBoundaries.exact(cols[0], cols[1], cols[2], n));
        }
        Map<String, String> scores = new HashMap<>();
        for (Map.Entry<String, RfmObservation> e : last.entrySet()) {
            RfmObservation o = e.getValue();
            RfmScore s =
                    boundaries
                            .get(o.tenant())
                            .score(o.lastOrderTs(), o.orders(), o.revenueMicros());
            scores.put(e.getKey(), s.r() + " " + s.f() + " " + s.m() + " " + s.segment());
        }
        return new Result(scores, boundaries);
    }

    static Map<String, String> withoutN(Map<String, RfmBoundaries> boundaries) {
        Map<String, String> m = new TreeMap<>();
        boundaries.forEach((t, b) -> m.put(t, b.toString().replaceFirst("n=\\d+, ", "")));
        return m;
    }

    @Test
    void everyInterleavingEndsWithTheScoresOfTheExactBoundariesOfAllFinalValues() throws Exception {
        for (long seed = 1; seed <= 8; seed++) {
            List<RfmObservation> in = input(seed, 1500);
            Result want = expected(in);

            Result got = run(in, seed * 7919);

            // the last sent boundaries: the number of profiles may have moved since without them
            assertThat(withoutN(got.boundaries()))
                    .as("seed %d", seed)
                    .isEqualTo(withoutN(want.boundaries()));
            Map<String, String> finalScores = new HashMap<>(got.scores());
            finalScores.keySet().retainAll(want.scores().keySet());
            assertThat(finalScores).as("seed %d", seed).isEqualTo(want.scores());
        }
    }

    @Test
    void theSameInputInDifferentInterleavingsEndsTheSame() throws Exception {
        List<RfmObservation> in = input(99, 2000);
        Map<String, String> first = null;
        for (long seed = 1; seed <= 4; seed++) {
            Map<String, String> scores = new HashMap<>(run(in, seed).scores());
            scores.keySet().retainAll(expected(in).scores().keySet());
            if (first == null) {
                first = scores;
            } else {
                assertThat(scores).as("interleaving %d", seed).isEqualTo(first);
            }
        }
    }

    /** The share of records of the busiest of {@code p} subtasks, by Flink's key groups. */
    static double busiestShare(List<String> keys, int p) {
        int maxParallelism = KeyGroupRangeAssignment.computeDefaultMaxParallelism(p);
        long[] counts = new long[p];
        for (String k : keys) {
            counts[KeyGroupRangeAssignment.assignKeyToParallelOperator(k, maxParallelism, p)]++;
        }
        long max = 0;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        return max / (double) keys.size();
    }

    static <T> List<String> keys(List<T> records, KeySelector<T, String> key) throws Exception {
        List<String> keys = new ArrayList<>();
        for (T r : records) {
            keys.add(key.getKey(r));
        }
        return keys;
    }

    @Test
    void oneTenantSpreadsOverTheSubtasksOfTheBucketAndScoringStages() throws Exception {
        Random rnd = new Random(5);
        for (String tenant : List.of("bench", "acme", "retail", "t1")) {
            List<RfmObservation> obs = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) {
                String oneid =
                        rnd.nextBoolean()
                                ? java.util.UUID.nameUUIDFromBytes(("" + i).getBytes()).toString()
                                : Long.toHexString(rnd.nextLong());
                obs.add(new RfmObservation(tenant, oneid, T, 1, 1));
            }
            for (int p : new int[] {2, 4, 8}) {
                double fair = 1.0 / p;
                assertThat(busiestShare(keys(obs, RfmSummarizer.KEY), p))
                        .as("%s: rfm summary at parallelism %d", tenant, p)
                        .isLessThan(fair + 0.1 * (p == 2 ? 1 : 0.9));
                assertThat(busiestShare(keys(obs, RfmScorer.KEY), p))
                        .as("%s: rfm at parallelism %d", tenant, p)
                        .isLessThan(fair * 1.1);
            }
            assertThat(busiestShare(keys(obs, RfmSummarizer.KEY), 4))
                    .as("%s: issue 12's bound at parallelism 4", tenant)
                    .isLessThanOrEqualTo(0.35);
        }
    }
}
