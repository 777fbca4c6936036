package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class MergedSnapshotsTest {
    private static final long DAY = LabelSpec.DAY_MILLIS;
    private static final long SPACING = 5 * DAY;
    private static final LabelSpec PURCHASE = new LabelSpec(LabelSpec.Kind.PURCHASE, 10);
    private static final LabelSpec CHURN = new LabelSpec(LabelSpec.Kind.CHURN, 10);

    /** What the labelling gave: label by snapshot time, and the count dropped. */
    private static final class Out implements MergedSnapshots.Sink {
        final Map<Long, Integer> labels = new TreeMap<>();

        /** Per labelled snapshot, the person's orders known when it was labelled. */
        final Map<Long, TreeSet<Long>> knownThen = new TreeMap<>();

        /** The orders known so far, kept by the caller. */
        final TreeSet<Long> known = new TreeSet<>();

        int dropped;

        @Override
        public void labelled(String model, LabelledSnapshot s) {
            assertThat(labels.put(s.ts(), s.label())).as("labelled twice at %s", s.ts()).isNull();
            knownThen.put(s.ts(), new TreeSet<>(known));
        }

        @Override
        public void dropped(String model, int count) {
            dropped += count;
        }
    }

    private static byte[] snapshots(LabelSpec label, long... times) throws IOException {
        SnapshotLabeler l =
                new SnapshotLabeler(label, SPACING, MergedSnapshots.maxPending(label, SPACING));
        for (long t : times) {
            assertThat(l.offer(t, new double[] {t / (double) DAY, 1})).isTrue();
        }
        return encode(l);
    }

    private static byte[] encode(SnapshotLabeler l) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        l.write(new DataOutputStream(b));
        return b.toByteArray();
    }

    private static LearningMessage handOver(String fragment, long asOf, byte[] purchase) {
        return LearningMessage.handOver(
                "t",
                fragment,
                "S",
                asOf,
                List.of(new LearningMessage.Handed("purchase", PURCHASE, purchase)));
    }

    private static final long NONE = Long.MIN_VALUE;

    @Test
    void aMergedAwayProfilesSnapshotsAreLabelledByTheSurvivorsOrdersAfterTheMerge()
            throws IOException {
        MergedSnapshots s = new MergedSnapshots(SPACING);
        Out out = new Out();
        s.apply(LearningMessage.merged("t", "S", List.of("L"), 20 * DAY, NONE, NONE), out);
        s.apply(handOver("L", 19 * DAY, snapshots(PURCHASE, 12 * DAY, 18 * DAY)), out);
        assertThat(s.pending()).isEqualTo(2);
        s.apply(LearningMessage.clock("t", "S", 21 * DAY), out); // no horizon ended yet
        assertThat(out.labels).isEmpty();
        s.apply(LearningMessage.order("t", "S", 25 * DAY, 25 * DAY), out);
        assertThat(out.labels).containsExactly(Map.entry(12 * DAY, 0)); // 25 > 12 + 10
        s.apply(LearningMessage.clock("t", "S", 28 * DAY), out);
        assertThat(out.labels).containsEntry(18 * DAY, 1);
        assertThat(s.isEmpty()).isTrue();
        assertThat(out.dropped).isZero();
    }

    @Test
    void aHandOverBeforeTheMergeWaitsForItAndTheSurvivorsOrdersBeforeTheMergeCount()
            throws IOException {
        MergedSnapshots s = new MergedSnapshots(SPACING);
        Out out = new Out();
        s.apply(handOver("L", 10 * DAY, snapshots(PURCHASE, 2 * DAY, 8 * DAY)), out);
        s.apply(LearningMessage.clock("t", "S", 30 * DAY), out); // not merged: no clock yet
        assertThat(out.labels).isEmpty();
        // the survivor ordered on day 5 and day 9 before the merge on day 15: both snapshots
        // ordered (the one of day 2 is due and labelled at once)
        s.apply(LearningMessage.merged("t", "S", List.of("L"), 15 * DAY, 9 * DAY, 5 * DAY), out);
        assertThat(out.labels).containsExactly(Map.entry(2 * DAY, 1));
        s.apply(LearningMessage.clock("t", "S", 18 * DAY), out);
        assertThat(out.labels).containsEntry(8 * DAY, 1);
        assertThat(s.isEmpty()).isTrue();
    }

    @Test
    void aSnapshotWhoseLabelTheKnownOrdersLeaveOpenIsDroppedNotGuessed() throws IOException {
        MergedSnapshots s = new MergedSnapshots(SPACING);
        Out out = new Out();
        // the survivor's latest two orders, days 30 and 40, came after the day-1 snapshot's
        // horizon: an earlier order of the survivor may have fallen in it
        s.apply(LearningMessage.merged("t", "S", List.of("L"), 45 * DAY, 40 * DAY, 30 * DAY), out);
        s.apply(handOver("L", 5 * DAY, snapshots(PURCHASE, 1 * DAY)), out);
        assertThat(out.labels).isEmpty();
        assertThat(out.dropped).isEqualTo(1);
        assertThat(s.isEmpty()).isTrue();
    }

    @Test
    void anEmptyHandOverEndsTheWaitAndTheSurvivorsLaterMessagesAreIgnored() throws IOException {
        MergedSnapshots s = new MergedSnapshots(SPACING);
        Out out = new Out();
        s.apply(LearningMessage.merged("t", "S", List.of("L", "K"), DAY, NONE, NONE), out);
        s.apply(LearningMessage.order("t", "S", 2 * DAY, 2 * DAY), out);
        s.apply(LearningMessage.handOver("t", "L", "S", DAY, List.of()), out);
        assertThat(s.isEmpty()).isFalse(); // K's is still to come
        s.apply(LearningMessage.handOver("t", "K", "S", DAY, List.of()), out);
        assertThat(s.isEmpty()).isTrue();
        s.apply(LearningMessage.order("t", "S", 3 * DAY, 3 * DAY), out);
        s.apply(LearningMessage.clock("t", "S", 4 * DAY), out);
        assertThat(s.isEmpty()).isTrue();
    }

    @Test
    void theSurvivorGoingDropsWhatWaits() throws IOException {
        MergedSnapshots s = new MergedSnapshots(SPACING);
        Out out = new Out();
        s.apply(LearningMessage.merged("t", "S", List.of("L"), 10 * DAY, NONE, NONE), out);
        s.apply(handOver("L", 9 * DAY, snapshots(PURCHASE, 3 * DAY, 9 * DAY)), out);
        s.apply(LearningMessage.dropped("t", "S"), out);
        assertThat(out.dropped).isEqualTo(2);
        assertThat(out.labels).isEmpty();
        assertThat(s.isEmpty()).isTrue();
    }

    @Test
    void aHandOverBeyondTheBoundIsDropped() throws IOException {
        MergedSnapshots s = new MergedSnapshots(SPACING);
        Out out = new Out();
        List<String> fragments = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            fragments.add("L" + i);
        }
        s.apply(LearningMessage.merged("t", "S", fragments, 0, NONE, NONE), out);
        for (int i = 0; i < 200; i++) {
            s.apply(handOver("L" + i, 0, snapshots(PURCHASE, 0, 5 * DAY, 10 * DAY)), out);
        }
        assertThat(s.pending()).isLessThanOrEqualTo(MergedSnapshots.MAX_PENDING);
        assertThat(s.pending() + out.dropped).isEqualTo(600);
    }

    /**
     * A person split over a survivor S, a merged-away profile L and a fragment K absorbed with the
     * merge, with random orders; L takes snapshots until it is last active, then merges into S. The
     * messages come in S's order with L's hand-over anywhere among them, and the state goes through
     * its encoding at a random point. Every snapshot L handed over is labelled as a brute force
     * over the person's orders known when it was labelled says (L's, S's before the merge once the
     * merge came, K's once its absorb came, each later order of S once it came: an order that
     * becomes known after a snapshot was labelled does not change it, as for any late event), or
     * dropped; only snapshots whose horizon had ended when their orders arrived are ever dropped,
     * and the state ends empty.
     */
    @Property(tries = 500)
    void labelsEqualABruteForceOverThePersonsOrders(@ForAll long seed, @ForAll boolean churn)
            throws IOException {
        Random r = new Random(seed);
        LabelSpec label = churn ? CHURN : PURCHASE;
        long merge = (10 + r.nextInt(50)) * DAY;
        long lastActive = merge - r.nextInt(10) * DAY;
        TreeSet<Long> ofL = orders(r, 0, lastActive);
        TreeSet<Long> ofK = orders(r, 0, merge);
        TreeSet<Long> ofS = orders(r, 0, 80 * DAY);

        // L alone until its last activity: what it labels itself is not handed over
        SnapshotLabeler l =
                new SnapshotLabeler(label, SPACING, MergedSnapshots.maxPending(label, SPACING));
        for (long t = 0; t <= lastActive; t += DAY / 2) {
            for (long o : ofL.subSet(t - DAY / 2, false, t, true)) {
                l.onOrder(o);
            }
            if (r.nextInt(3) == 0) {
                l.offer(t, new double[] {t});
            }
            l.advanceTo(t);
        }
        List<Long> handed = new ArrayList<>();
        SnapshotLabeler copy =
                SnapshotLabeler.read(
                        new DataInputStream(new ByteArrayInputStream(encode(l))),
                        label,
                        SPACING,
                        MergedSnapshots.maxPending(label, SPACING));
        for (LabelledSnapshot s : copy.advanceTo(Long.MAX_VALUE)) {
            handed.add(s.ts());
        }
        LearningMessage handOver =
                LearningMessage.handOver(
                        "t",
                        "L",
                        "S",
                        lastActive,
                        List.of(new LearningMessage.Handed("m", label, encode(l))));

        // S's messages: the merge (with S's latest two orders then), the absorb of K, another
        // fragment of the merge, before S's clock moves on (an order that becomes known after a
        // snapshot was labelled is not counted, as for any late event), every order after the
        // merge and a daily clock; L's hand-over anywhere
        List<LearningMessage> messages = new ArrayList<>();
        messages.add(
                LearningMessage.merged(
                        "t", "S", List.of("L"), merge, last(ofS, merge), previous(ofS, merge)));
        messages.add(
                LearningMessage.coverage("t", "S", merge, last(ofK, merge), previous(ofK, merge)));
        for (long t = merge + DAY; t <= 90 * DAY; t += DAY) {
            for (long o : ofS.subSet(t - DAY, false, t, true)) {
                messages.add(LearningMessage.order("t", "S", o, o));
            }
            messages.add(LearningMessage.clock("t", "S", t));
        }
        messages.add(r.nextInt(messages.size() + 1), handOver);
        int encodeAt = r.nextInt(messages.size());

        MergedSnapshots s = new MergedSnapshots(SPACING);
        Out out = new Out();
        long clock = Long.MIN_VALUE;
        long allKnownAt = Long.MIN_VALUE; // S's clock when the hand-over and K's orders were in
        boolean handedIn = false;
        for (int i = 0; i < messages.size(); i++) {
            LearningMessage m = messages.get(i);
            if (m.kind() != LearningMessage.Kind.HAND_OVER) {
                clock = Math.max(clock, m.asOf());
            }
            // the orders this message makes known (the parts' earlier orders are known only as
            // far as the drop rule needs: a label is exact over all of the part's orders, or none)
            switch (m.kind()) {
                case MERGED -> out.known.addAll(ofS.headSet(merge, true));
                case COVERAGE -> out.known.addAll(ofK);
                case ORDER -> out.known.add(m.lastOrder());
                case HAND_OVER -> out.known.addAll(ofL);
                default -> {}
            }
            int droppedBefore = out.dropped;
            s.apply(m, out);
            if (m.kind() == LearningMessage.Kind.HAND_OVER) {
                handedIn = true;
            }
            if (out.dropped > droppedBefore) {
                allKnownAt = Math.max(allKnownAt, clock);
            }
            if (i == encodeAt) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                s.write(new DataOutputStream(b));
                s =
                        MergedSnapshots.read(
                                new DataInputStream(new ByteArrayInputStream(b.toByteArray())),
                                SPACING);
            }
        }
        assertThat(handedIn).isTrue();
        assertThat(s.isEmpty()).isTrue();
        assertThat(out.labels.size() + out.dropped).isEqualTo(handed.size());
        for (Map.Entry<Long, Integer> e : out.labels.entrySet()) {
            long t = e.getKey();
            TreeSet<Long> knownThen = out.knownThen.get(t);
            boolean ordered =
                    !knownThen.subSet(t, false, t + label.horizonMillis(), true).isEmpty();

            assertThat(e.getValue())
                    .as(
                            "label of the snapshot at %s: L %s K %s S %s, merge %s, last active %s",
                            t / (double) DAY,
                            days(ofL),
                            days(ofK),
                            days(ofS),
                            merge / DAY,
                            lastActive / DAY)
                    .isEqualTo(label.label(ordered));
        }
        long known = allKnownAt;
        long droppable = handed.stream().filter(t -> t + label.horizonMillis() <= known).count();
        assertThat(out.dropped).isLessThanOrEqualTo((int) droppable);
    }

    private static List<Double> days(TreeSet<Long> orders) {
        return orders.stream().map(o -> o / (double) DAY).toList();
    }

    private static TreeSet<Long> orders(Random r, long from, long to) {
        TreeSet<Long> o = new TreeSet<>();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            o.add(from + (long) (r.nextDouble() * (to - from)));
        }
        return o;
    }

    private static long last(TreeSet<Long> orders, long upTo) {
        Long o = orders.floor(upTo);
        return o == null ? Long.MIN_VALUE : o;
    }

    private static long previous(TreeSet<Long> orders, long upTo) {
        Long o = orders.floor(upTo);
        Long p = o == null ? null : orders.lower(o);
        return p == null ? Long.MIN_VALUE : p;
    }

    @Test
    void aLearningMessageReadsBackAsWritten() throws IOException {
        for (LearningMessage m :
                List.of(
                        LearningMessage.merged("t", "S", List.of("L", "K"), 5, 4, 3),
                        LearningMessage.coverage("t", "S", 5, 4, Long.MIN_VALUE),
                        LearningMessage.order("t", "S", 7, 8),
                        LearningMessage.clock("t", "S", 9),
                        handOver("L", 3, snapshots(CHURN, DAY)),
                        LearningMessage.dropped("t", "S"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            m.write(new DataOutputStream(b));
            assertThat(
                            LearningMessage.read(
                                    new DataInputStream(new ByteArrayInputStream(b.toByteArray()))))
                    .isEqualTo(m);
        }
    }
}
