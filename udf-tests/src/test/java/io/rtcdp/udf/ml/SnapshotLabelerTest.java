package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class SnapshotLabelerTest {
    private static final long DAY = LabelSpec.DAY_MILLIS;

    /**
     * Random orders (shuffled, so out of order) and snapshots every 5 days; each labelled snapshot
     * equals a brute force over the order list, and every snapshot whose horizon ended is labelled.
     */
    @Property(tries = 200)
    void labelsEqualABruteForceOverTheEvents(@ForAll long seed, @ForAll boolean churn) {
        Random r = new Random(seed);
        LabelSpec label =
                churn
                        ? new LabelSpec(LabelSpec.Kind.CHURN, 20)
                        : new LabelSpec(LabelSpec.Kind.PURCHASE, 10);
        SnapshotLabeler l = new SnapshotLabeler(label, 5 * DAY, 10);
        List<Long> orders = new ArrayList<>();
        for (int i = 0; i < r.nextInt(15); i++) {
            orders.add((long) r.nextInt(100) * DAY / 2);
        }
        List<LabelledSnapshot> out = new ArrayList<>();
        List<Long> taken = new ArrayList<>();
        for (long t = 0; t <= 60 * DAY; t += DAY) {
            // Orders become known up to 2 days late, in shuffled order.
            List<Long> now = new ArrayList<>();
            for (long o : orders) {
                if (o <= t && o > t - DAY) {
                    now.add(o);
                }
            }
            java.util.Collections.shuffle(now, r);
            now.forEach(l::onOrder);
            out.addAll(l.advanceTo(t - 2 * DAY));
            if (l.offer(t, new double[] {t})) {
                taken.add(t);
            }
            if (r.nextInt(10) == 0) {
                l = roundTrip(l, label);
            }
        }
        out.addAll(l.advanceTo(Long.MAX_VALUE / 2));
        assertThat(out).extracting(LabelledSnapshot::ts).containsExactlyElementsOf(taken);
        for (LabelledSnapshot s : out) {
            boolean ordered =
                    orders.stream()
                            .anyMatch(o -> o > s.ts() && o - s.ts() <= label.horizonMillis());
            assertThat(s.label()).as("snapshot at %d", s.ts()).isEqualTo(label.label(ordered));
            assertThat(s.x()[0]).isEqualTo((float) s.ts());
        }
    }

    @org.junit.jupiter.api.Test
    void toBytesIsWhatWriteWrites() throws java.io.IOException {
        LabelSpec label = new LabelSpec(LabelSpec.Kind.PURCHASE, 10);
        SnapshotLabeler l = new SnapshotLabeler(label, DAY, 10);
        assertThat(l.toBytes()).isEqualTo(written(l));
        l.offer(0, new double[] {1.5, -0.0, Double.NaN, 1e300, -3});
        l.offer(2 * DAY, new double[] {0, 7, Double.NEGATIVE_INFINITY, 1e-50, 2.25});
        l.onOrder(DAY);
        assertThat(l.toBytes()).isEqualTo(written(l));
    }

    private static byte[] written(SnapshotLabeler l) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        l.write(new DataOutputStream(b));
        return b.toByteArray();
    }

    private static SnapshotLabeler roundTrip(SnapshotLabeler l, LabelSpec label) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            l.write(new DataOutputStream(b));
            assertThat(l.toBytes()).isEqualTo(b.toByteArray());
            return SnapshotLabeler.read(
                    new DataInputStream(new ByteArrayInputStream(l.toBytes())), label, 5 * DAY, 10);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
