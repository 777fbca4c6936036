package io.rtcdp.udf.ml;

import io.rtcdp.udf.profile.ByteArrayInput;
import io.rtcdp.udf.profile.Strings;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The learning snapshots of profiles merged into one survivor, labelled by the person's orders
 * (docs/oneid.md, "Merges and learning snapshots"). A merged-away profile's snapshots were taken
 * for its own horizon; after the merge the person's orders come to the survivor, whose decision
 * state is on another subtask. The survivor's decision stage sends its merges, its orders and its
 * clock for a horizon after a merge, the merged-away profile's sends its pending snapshots ({@link
 * LearningMessage}); they meet here, keyed by tenant and survivor, in any order.
 *
 * <p>Which orders are known: those each merged-away profile's labeler counted before the merge;
 * from each merge on, every order of the survivor ({@link LearningMessage.Kind#ORDER}); before it,
 * only the latest two order times of the survivor and of each fragment it absorbs ({@link
 * LearningMessage.Kind#MERGED}, {@link LearningMessage.Kind#COVERAGE}). So a snapshot is labelled
 * exactly, or dropped (counted) when an order of the person that is not known could fall in its
 * horizon: that needs two orders of one part after the horizon ended but before the merge, i.e. a
 * snapshot already due at the survivor's clock when it arrives and never seen to order. A snapshot
 * still open when it arrives is never dropped ({@link SnapshotLabeler#absorbOrders}).
 *
 * <p>Bounded: at most {@link #MAX_ORDERS} order times (the oldest go and the known part shrinks),
 * {@link #MAX_FRAGMENTS} awaited fragments and {@link #MAX_PENDING} snapshots (a hand-over beyond
 * is dropped, counted). Empty once every awaited hand-over came and every snapshot was labelled;
 * the stage then forgets the key. Not thread-safe.
 */
public final class MergedSnapshots {
    private static final int FORMAT = 1;

    public static final int MAX_ORDERS = 64;
    public static final int MAX_FRAGMENTS = 64;
    public static final int MAX_PENDING = 256;

    /** What the labelling gives: a labelled snapshot, or snapshots whose label is unknown. */
    public interface Sink {
        void labelled(String model, LabelledSnapshot s);

        void dropped(String model, int count);
    }

    private record Held(String model, LabelSpec label, SnapshotLabeler labeler) {}

    private final long spacingMillis;
    private final TreeSet<String> awaited = new TreeSet<>();
    private final TreeSet<String> early = new TreeSet<>();
    private final List<Held> held = new ArrayList<>();

    /** Whether a merge was seen: the orders after {@link #knownAfter} are known. */
    private boolean merged;

    private long knownAfter = Long.MAX_VALUE;
    private long clock = Long.MIN_VALUE;
    private long[] orders = new long[0];
    private int orderCount;

    /**
     * @param spacingMillis the decision stage's snapshot spacing (the labelers' configuration)
     */
    public MergedSnapshots(long spacingMillis) {
        this.spacingMillis = spacingMillis;
    }

    /** Nothing awaited and nothing pending: the state can go. */
    public boolean isEmpty() {
        return awaited.isEmpty() && early.isEmpty() && held.isEmpty();
    }

    /** Snapshots waiting for their label. */
    public int pending() {
        int n = 0;
        for (Held h : held) {
            n += h.labeler().pending();
        }
        return n;
    }

    /** Whether a message of this kind can change an empty state (the others are ignored). */
    public static boolean startsState(LearningMessage.Kind kind) {
        return kind == LearningMessage.Kind.MERGED || kind == LearningMessage.Kind.HAND_OVER;
    }

    /** Applies one message; labels and drops go to {@code sink}. */
    public void apply(LearningMessage m, Sink sink) throws IOException {
        if (isEmpty() && !startsState(m.kind())) {
            return;
        }
        switch (m.kind()) {
            case MERGED -> {
                for (String f : m.fragments()) {
                    if (!early.remove(f) && awaited.size() < MAX_FRAGMENTS) {
                        awaited.add(f);
                    }
                }
                knownAfter = merged ? Math.max(knownAfter, m.previousOrder()) : m.previousOrder();
                merged = true;
                absorb(m.lastOrder(), m.previousOrder(), sink);
                advance(m.asOf(), sink);
            }
            case COVERAGE -> {
                if (merged) {
                    knownAfter = Math.max(knownAfter, m.previousOrder());
                }
                absorb(m.lastOrder(), m.previousOrder(), sink);
                advance(m.asOf(), sink);
            }
            case ORDER -> {
                remember(m.lastOrder());
                for (Held h : held) {
                    h.labeler().onOrder(m.lastOrder());
                }
                advance(m.asOf(), sink);
            }
            case CLOCK -> advance(m.asOf(), sink);
            case HAND_OVER -> handOver(m, sink);
            case DROPPED -> {
                for (Held h : held) {
                    sink.dropped(h.model(), h.labeler().pending());
                }
                held.clear();
                awaited.clear();
                early.clear();
            }
        }
    }

    private void handOver(LearningMessage m, Sink sink) throws IOException {
        String fragment = m.fragments().isEmpty() ? null : m.fragments().get(0);
        if (fragment != null && !awaited.remove(fragment) && !merged) {
            // before the survivor's merge named it: that merge must not wait for it
            if (early.size() < MAX_FRAGMENTS) {
                early.add(fragment);
            }
        }
        for (LearningMessage.Handed h : m.handed()) {
            SnapshotLabeler l = labeler(h.label(), h.snapshots());
            if (l.pending() == 0) {
                continue;
            }
            if (pending() + l.pending() > MAX_PENDING) {
                sink.dropped(h.model(), l.pending());
                continue;
            }
            for (int i = 0; i < orderCount; i++) {
                l.onOrder(orders[i]);
            }
            held.add(new Held(h.model(), h.label(), l));
        }
        if (merged) {
            dropUnknown(sink);
            advance(clock, sink);
        }
    }

    /** The latest two order times of a part of the person that the labelers did not see. */
    private void absorb(long last, long previous, Sink sink) {
        remember(previous);
        remember(last);
        for (Held h : held) {
            int d = h.labeler().absorbOrders(last, previous);
            if (d > 0) {
                sink.dropped(h.model(), d);
            }
        }
        dropUnknown(sink);
    }

    private void dropUnknown(Sink sink) {
        for (Held h : held) {
            int d = h.labeler().dropUnknownBefore(knownAfter);
            if (d > 0) {
                sink.dropped(h.model(), d);
            }
        }
        held.removeIf(h -> h.labeler().pending() == 0);
    }

    private void advance(long asOf, Sink sink) {
        if (!merged) {
            return; // a clock of an earlier merge's: the merge brings the survivor's
        }
        clock = Math.max(clock, asOf);
        if (clock == Long.MIN_VALUE) {
            return;
        }
        for (Held h : held) {
            for (LabelledSnapshot s : h.labeler().advanceTo(clock)) {
                sink.labelled(h.model(), s);
            }
        }
        held.removeIf(h -> h.labeler().pending() == 0);
    }

    /** Keeps an order time, sorted; past {@link #MAX_ORDERS} the oldest goes. */
    private void remember(long ts) {
        if (ts == Long.MIN_VALUE || (merged && ts < knownAfter)) {
            return; // none, or before the known part (never needed: counted as unknown)
        }
        int at = Arrays.binarySearch(orders, 0, orderCount, ts);
        if (at >= 0) {
            return;
        }
        at = -at - 1;
        if (orderCount == MAX_ORDERS) {
            if (at == 0) {
                knownAfter = Math.max(knownAfter, ts);
                return;
            }
            // the oldest goes: orders at or before it are no longer all known
            knownAfter = Math.max(knownAfter, orders[0]);
            System.arraycopy(orders, 1, orders, 0, at - 1);
            orders[at - 1] = ts;
            return;
        }
        if (orderCount == orders.length) {
            orders = Arrays.copyOf(orders, Math.min(MAX_ORDERS, Math.max(4, 2 * orderCount)));
        }
        System.arraycopy(orders, at, orders, at + 1, orderCount - at);
        orders[at] = ts;
        orderCount++;
    }

    private SnapshotLabeler labeler(LabelSpec label, byte[] bytes) throws IOException {
        return SnapshotLabeler.read(
                new ByteArrayInput(bytes), label, spacingMillis, maxPending(label, spacingMillis));
    }

    /** The most snapshots a labeler of this label keeps (as the decision stage's). */
    public static int maxPending(LabelSpec label, long spacingMillis) {
        return (int) (label.horizonMillis() / spacingMillis) + 2;
    }

    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        writeSet(out, awaited);
        writeSet(out, early);
        out.writeBoolean(merged);
        out.writeLong(knownAfter);
        out.writeLong(clock);
        Strings.writeVarInt(out, orderCount);
        for (int i = 0; i < orderCount; i++) {
            out.writeLong(orders[i]);
        }
        Strings.writeVarInt(out, held.size());
        for (Held h : held) {
            Strings.write(out, h.model());
            h.label().write(out);
            h.labeler().write(out);
        }
    }

    /** Reads what {@link #write} wrote, with the same spacing. */
    public static MergedSnapshots read(DataInput in, long spacingMillis) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("unknown merged snapshots format " + format);
        }
        MergedSnapshots s = new MergedSnapshots(spacingMillis);
        readSet(in, s.awaited);
        readSet(in, s.early);
        s.merged = in.readBoolean();
        s.knownAfter = in.readLong();
        s.clock = in.readLong();
        int n = Strings.readVarInt(in);
        if (n > MAX_ORDERS) {
            throw new IOException("merged snapshots: " + n + " orders");
        }
        s.orders = new long[n];
        for (int i = 0; i < n; i++) {
            s.orders[i] = in.readLong();
        }
        s.orderCount = n;
        int h = Strings.readVarInt(in);
        for (int i = 0; i < h; i++) {
            String model = Strings.read(in);
            LabelSpec label = LabelSpec.read(in);
            s.held.add(
                    new Held(
                            model,
                            label,
                            SnapshotLabeler.read(
                                    in, label, spacingMillis, maxPending(label, spacingMillis))));
        }
        return s;
    }

    private static void writeSet(DataOutput out, TreeSet<String> set) throws IOException {
        Strings.writeVarInt(out, set.size());
        for (String s : set) {
            Strings.write(out, s);
        }
    }

    private static void readSet(DataInput in, TreeSet<String> set) throws IOException {
        int n = Strings.readVarInt(in);
        for (int i = 0; i < n; i++) {
            set.add(Strings.read(in));
        }
    }
}
