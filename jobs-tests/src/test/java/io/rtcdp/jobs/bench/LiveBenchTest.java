package io.rtcdp.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.ParserConfig;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The live bench's bookkeeping without Flink, Kafka or Redis. */
class LiveBenchTest {
    @Test
    void percentilesAreNearestRankSamples() {
        Latencies l = new Latencies();
        assertThat(l.summary()).isNull();
        assertThat(l.percentile(50)).isEqualTo(-1);
        // 1..1000 in a random order (past the initial capacity)
        long[] v = LongStream.rangeClosed(1, 1000).toArray();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = v.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            long t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        for (long x : v) {
            l.add(x);
        }
        assertThat(l.percentile(50)).isEqualTo(500);
        assertThat(l.percentile(95)).isEqualTo(950);
        assertThat(l.percentile(99)).isEqualTo(990);
        assertThat(l.percentile(99.9)).isEqualTo(999);
        assertThat(l.max()).isEqualTo(1000);
        assertThat(l.percentile(0.01)).isEqualTo(1);
        assertThat(l.summary()).isEqualTo(new Latencies.Summary(1000, 500, 950, 990, 1000));

        Latencies one = new Latencies();
        one.add(7);
        assertThat(one.summary()).isEqualTo(new Latencies.Summary(1, 7, 7, 7, 7));
        Latencies two = new Latencies();
        two.add(10);
        two.add(20);
        assertThat(two.percentile(50)).isEqualTo(10);
        assertThat(two.percentile(51)).isEqualTo(20);
        assertThatThrownBy(() -> two.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> two.percentile(101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aProbeIsMeasuredFromItsAppendToTheFirstPollThatSawItsNumber() {
        Probes probes = new Probes(2);
        Latencies l = new Latencies();
        Probes.Probe a1 = probes.next(l); // profile 0, number 1
        Probes.Probe b1 = probes.next(l); // profile 1, number 1
        Probes.Probe a2 = probes.next(l); // profile 0, number 2
        assertThat(a1.profile()).isZero();
        assertThat(b1.profile()).isEqualTo(1);
        assertThat(a2.profile()).isZero();
        assertThat(a2.number()).isEqualTo(2);
        assertThat(probes.toPoll()).containsExactly(0, 1);

        probes.appended(a1, 1000);
        probes.appended(a2, 1010);
        // profile 0 counted its first probe only
        probes.observed(0, 1, 1150);
        assertThat(l.count()).isEqualTo(1);
        assertThat(l.max()).isEqualTo(150);
        // a later poll with the same count does not move a1's time, and a2 is still out
        probes.observed(0, 1, 1200);
        assertThat(l.count()).isEqualTo(1);
        assertThat(probes.toPoll()).containsExactly(1, 0);

        // seen before the producer's callback came: measured when the append time arrives
        probes.observed(1, 1, 1100);
        assertThat(probes.toPoll()).containsExactly(0);
        assertThat(l.count()).isEqualTo(1);
        probes.appended(b1, 1040);
        assertThat(l.count()).isEqualTo(2);

        // a count beyond the probe's number (another probe counted as well) sees it too
        probes.observed(0, 5, 1300);
        assertThat(l.summary()).isEqualTo(new Latencies.Summary(3, 150, 290, 290, 290));
        assertThat(probes.outstanding()).isZero();
        assertThat(probes.resolved()).isEqualTo(3);
        assertThat(probes.toPoll()).isEmpty();
    }

    @Test
    void aProbeGoesIntoTheLatenciesOfTheRateItWasSentIn() {
        Probes probes = new Probes(1);
        Latencies first = new Latencies();
        Latencies second = new Latencies();
        Probes.Probe p1 = probes.next(first);
        Probes.Probe p2 = probes.next(second);
        probes.appended(p1, 0);
        probes.appended(p2, 10);
        probes.observed(0, 2, 100);
        assertThat(first.summary().max()).isEqualTo(100);
        assertThat(second.summary().max()).isEqualTo(90);
    }

    @Test
    void aProbeNotSentTakesItsProfilesOutstandingProbesWithIt() {
        Probes probes = new Probes(1);
        Latencies l = new Latencies();
        Probes.Probe p1 = probes.next(l);
        Probes.Probe p2 = probes.next(l);
        probes.appended(p2, 5);
        probes.failed(p1);
        assertThat(probes.outstanding()).isZero();
        assertThat(probes.lost()).isEqualTo(2);
        // a count that cannot be told apart is never taken for a probe
        probes.observed(0, 1, 10);
        assertThat(l.count()).isZero();
    }

    @Test
    void aProbeIsAValidEventOfItsOwnProfile() throws Exception {
        String json = LiveBench.probeJson("run1", 3, 17, 1_700_000_000_000L);
        var parsed =
                new EventParser(ParserConfig.builder().build())
                        .parse(json.getBytes(StandardCharsets.UTF_8), "test");
        assertThat(parsed.isValid()).as(json).isTrue();
        assertThat(json)
                .contains("\"event_id\":\"probe-run1-3-17\"")
                .contains("\"user_id\":\"" + LiveBench.probeUser(3) + "\"")
                .contains("\"tenant\":\"bench\"");
    }

    @Test
    void keptUpRampAndBisection() {
        assertThat(LiveBench.keptUp(5000, 2500)).isTrue();
        assertThat(LiveBench.keptUp(5000, 2501)).isFalse();
        assertThat(LiveBench.keptUp(10, 100)).isTrue();
        assertThat(LiveBench.rampNext(2000)).isEqualTo(3000);
        assertThat(LiveBench.rampNext(3000)).isEqualTo(4500);
        assertThat(LiveBench.rampNext(4500)).isEqualTo(6800);
        assertThat(LiveBench.rampNext(10)).isEqualTo(100);
        assertThat(LiveBench.bisect(4500, 6800)).isEqualTo(5700);
        assertThat(LiveBench.bisect(6000, 6500)).isEqualTo(-1);
    }

    @Test
    void theWarmUpEndsWhenTheJitCompiledForLessThan5PercentOfAWindow() {
        assertThat(LiveBench.jitQuiet(499, 10_000)).isTrue();
        assertThat(LiveBench.jitQuiet(500, 10_000)).isFalse();
        assertThat(LiveBench.jitQuiet(0, 10_000)).isTrue();
        // the C2 compiler busy with one core of two
        assertThat(LiveBench.jitQuiet(9_000, 10_000)).isFalse();
    }

    @Test
    void aStageIsNamedByItsFirstOperator() {
        assertThat(CheckpointStats.stageName("profile")).isEqualTo("profile");
        assertThat(
                        CheckpointStats.stageName(
                                "identity -> conflicts: Writer -> conflicts: Committer"))
                .isEqualTo("identity");
        assertThat(CheckpointStats.stageName("decide -> (redis: Writer, triggers: Writer)"))
                .isEqualTo("decide");
        assertThat(CheckpointStats.stageName("Source: events -> route dead letters -> dedup"))
                .isEqualTo("source events");
    }
}
