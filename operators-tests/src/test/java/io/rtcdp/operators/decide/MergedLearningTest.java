package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.udf.ml.LearningMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A merged-away profile's pending learning snapshots, from the decision stage through {@link
 * MergedLearningStage}: labelled by the person's orders (the survivor's before the merge and
 * after), whatever the order in which the hand-over and the survivor's messages arrive; and an
 * absorbed fragment's orders counted for the survivor's own snapshots.
 */
class MergedLearningTest {
    private static final long T0 = ProfileDeciderTest.T0;
    private static final long DAY = 86_400_000L;

    private record Labelled(String model, long ts, int label) {}

    private static final Comparator<Labelled> ORDER =
            Comparator.comparing(Labelled::model).thenComparing(Labelled::ts);

    private static KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate>
            decide() throws Exception {
        var h = ProfileDeciderTest.harness();
        h.open();
        h.processBroadcastElement(ProfileDeciderTest.model("purchase"), 0);
        h.processBroadcastElement(ProfileDeciderTest.model("churn"), 0);
        return h;
    }

    private static ProfileChange change(String oneid, String name, long ts) {
        return ProfileDeciderTest.change(oneid, name, ts, 0);
    }

    private static ProfileChange withParts(
            ProfileChange c, List<String> merged, long last, long previous) {
        return new ProfileChange(
                c.tenant(),
                c.oneid(),
                c.update(),
                c.values(),
                c.cause(),
                c.rfm(),
                c.pending(),
                c.rec(),
                c.traits(),
                merged,
                last,
                previous);
    }

    /** The labels a person's orders give snapshots at {@code taken} (contract §7.3). */
    private static List<Labelled> oracle(List<Long> taken, TreeSet<Long> orders) {
        List<Labelled> expected = new ArrayList<>();
        for (String name : ProfileDecider.MODEL_NAMES) {
            long horizon = (name.equals("purchase") ? 30 : 90) * DAY;
            for (long t : taken) {
                Long next = orders.higher(t);
                boolean ordered = next != null && next <= t + horizon;
                expected.add(new Labelled(name, t, name.equals("purchase") == ordered ? 1 : 0));
            }
        }
        expected.sort(ORDER);
        return expected;
    }

    private static List<Labelled> stage(List<LearningMessage> messages) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new MergedLearningStage()),
                        MergedLearningStage.KEY,
                        Types.STRING);
        h.open();
        for (LearningMessage m : messages) {
            h.processElement(m, 0);
        }
        List<Labelled> out = new ArrayList<>();
        for (LabelledExample e : h.extractOutputValues()) {
            assertThat(e.servedProbability()).isNaN(); // learned from, not judged by
            out.add(new Labelled(e.model(), e.ts(), e.label()));
        }
        h.close();
        out.sort(ORDER);
        return out;
    }

    @Test
    void aMergedAwayProfilesSnapshotsAreLabelledByThePersonsOrdersInAnyArrivalOrder()
            throws Exception {
        var h = decide();
        // L, a cookie profile, browses on days 0, 7 and 14: three snapshots, none due
        for (int d : new int[] {0, 7, 14}) {
            h.processElement(change("L", "product_viewed", T0 + d * DAY), T0);
        }
        assertThat(h.getSideOutput(ProfileDecider.LABELLED)).isNull();
        // S, the user, orders on day 2, then logs in on day 15: L merges into S
        h.processElement(change("S", "order_completed", T0 + 2 * DAY), T0);
        h.processElement(
                withParts(
                        change("S", "login", T0 + 15 * DAY),
                        List.of("L"),
                        T0 + 2 * DAY,
                        Long.MIN_VALUE),
                T0);
        ProfileUpdate drop =
                new ProfileUpdate("t", "L", 0, true, Map.of(), List.of(), List.of(), "S");
        h.processElement(new ProfileChange("t", "L", drop, null, null, null), T0);
        // the person orders again on day 40; S is active every 3 days until day 150
        for (int d = 16; d <= 150; d += 3) {
            h.processElement(
                    change("S", d == 40 ? "order_completed" : "product_viewed", T0 + d * DAY), T0);
        }
        List<LearningMessage> messages =
                h.getSideOutput(ProfileDecider.MERGED_LEARNING).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        h.close();

        List<Labelled> expected =
                oracle(
                        List.of(T0, T0 + 7 * DAY, T0 + 14 * DAY),
                        new TreeSet<>(List.of(T0 + 2 * DAY, T0 + 40 * DAY)));
        // both labels of each kind occur, so a stage that ignored an order would be caught
        assertThat(expected).extracting(Labelled::label).contains(0, 1);
        assertThat(messages.get(0).kind()).isEqualTo(LearningMessage.Kind.MERGED);
        LearningMessage handOver =
                messages.stream()
                        .filter(m -> m.kind() == LearningMessage.Kind.HAND_OVER)
                        .findFirst()
                        .orElseThrow();
        assertThat(handOver.handed())
                .extracting(LearningMessage.Handed::model)
                .containsExactly("purchase", "churn");
        // the watch ends a horizon (90 days) after the merge: no clock after it
        assertThat(messages)
                .filteredOn(m -> m.kind() == LearningMessage.Kind.CLOCK)
                .allMatch(m -> m.asOf() <= T0 + 106 * DAY);

        assertThat(stage(messages)).isEqualTo(expected);
        List<LearningMessage> first = new ArrayList<>(messages);
        first.remove(handOver);
        first.add(0, handOver);
        assertThat(stage(first)).isEqualTo(expected);
        List<LearningMessage> last = new ArrayList<>(messages);
        last.remove(handOver);
        last.add(handOver);
        assertThat(stage(last)).isEqualTo(expected);
    }

    @Test
    void anAbsorbedFragmentsOrdersCountForTheSurvivorsOwnSnapshots() throws Exception {
        var h = decide();
        for (int d = 0; d <= 120; d += 7) {
            h.processElement(change("S", "product_viewed", T0 + d * DAY), T0);
            if (d == 14) {
                // the features of a fragment merged in: it ordered on day 10
                h.processElement(
                        withParts(
                                change("S", "product_viewed", T0 + 14 * DAY),
                                List.of(),
                                T0 + 10 * DAY,
                                Long.MIN_VALUE),
                        T0);
            }
        }
        List<Labelled> got =
                h.getSideOutput(ProfileDecider.LABELLED).stream()
                        .map(StreamRecord::getValue)
                        .filter(l -> l.ts() <= T0 + 14 * DAY)
                        .map(l -> new Labelled(l.model(), l.ts(), l.label()))
                        .sorted(ORDER)
                        .toList();
        h.close();
        assertThat(got)
                .isEqualTo(
                        oracle(
                                List.of(T0, T0 + 7 * DAY, T0 + 14 * DAY),
                                new TreeSet<>(List.of(T0 + 10 * DAY))));
        assertThat(got).contains(new Labelled("purchase", T0, 1));
    }
}
