package io.rtcdp.udf.ml;

import io.rtcdp.udf.profile.Strings;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the decision stage sends the stage that labels a merged-away profile's learning snapshots
 * ({@link MergedSnapshots}), keyed by tenant and survivor: the merged-away profile's pending
 * snapshots, and the survivor's merges, orders and event-time clock for a label horizon after a
 * merge.
 *
 * @param kind what this is
 * @param tenant tenant
 * @param survivor the profile the snapshots are labelled for (the key with {@code tenant})
 * @param fragments the fragments a merge moved into the survivor ({@link Kind#MERGED}), the
 *     fragment that merged away ({@link Kind#HAND_OVER}); empty otherwise
 * @param asOf the survivor's {@code as_of} after the change that sent this; the merged-away
 *     profile's for {@link Kind#HAND_OVER}; {@link Long#MIN_VALUE} for {@link Kind#DROPPED}
 * @param lastOrder the order's time ({@link Kind#ORDER}); the latest order time of the survivor
 *     ({@link Kind#MERGED}) or of an absorbed fragment ({@link Kind#COVERAGE}); else, or without
 *     orders, {@link Long#MIN_VALUE}
 * @param previousOrder the order time before {@code lastOrder} for {@link Kind#MERGED} and {@link
 *     Kind#COVERAGE}, {@link Long#MIN_VALUE} for none or otherwise
 * @param handed the merged-away profile's pending snapshots per model ({@link Kind#HAND_OVER},
 *     possibly none); empty otherwise
 */
public record LearningMessage(
        Kind kind,
        String tenant,
        String survivor,
        List<String> fragments,
        long asOf,
        long lastOrder,
        long previousOrder,
        List<Handed> handed) {
    private static final int FORMAT = 1;

    /** What a message is. */
    public enum Kind {
        /** The survivor absorbed {@code fragments}: their hand-overs are coming. */
        MERGED,
        /** The survivor received an absorbed fragment's features: its latest two order times. */
        COVERAGE,
        /** The survivor's {@code order_completed} at {@code lastOrder}. */
        ORDER,
        /** The survivor's event time moved to {@code asOf}. */
        CLOCK,
        /** A fragment merged into the survivor: its pending snapshots. */
        HAND_OVER,
        /** The survivor itself merged away or was forgotten. */
        DROPPED
    }

    /**
     * One model's pending snapshots of a merged-away profile.
     *
     * @param model model name
     * @param label the label they are taken for
     * @param snapshots {@link SnapshotLabeler#write}'s encoding
     */
    public record Handed(String model, LabelSpec label, byte[] snapshots) {
        public Handed {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(snapshots, "snapshots");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Handed h
                    && model.equals(h.model)
                    && label.equals(h.label)
                    && Arrays.equals(snapshots, h.snapshots);
        }

        @Override
        public int hashCode() {
            return Objects.hash(model, label, Arrays.hashCode(snapshots));
        }
    }

    public LearningMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(survivor, "survivor");
        fragments = List.copyOf(fragments);
        handed = List.copyOf(handed);
    }

    public static LearningMessage merged(
            String tenant,
            String survivor,
            List<String> fragments,
            long asOf,
            long lastOrder,
            long previousOrder) {
        return new LearningMessage(
                Kind.MERGED,
                tenant,
                survivor,
                fragments,
                asOf,
                lastOrder,
                previousOrder,
                List.of());
    }

    public static LearningMessage coverage(
            String tenant, String survivor, long asOf, long lastOrder, long previousOrder) {
        return new LearningMessage(
                Kind.COVERAGE,
                tenant,
                survivor,
                List.of(),
                asOf,
                lastOrder,
                previousOrder,
                List.of());
    }

    public static LearningMessage order(String tenant, String survivor, long orderTs, long asOf) {
        return new LearningMessage(
                Kind.ORDER, tenant, survivor, List.of(), asOf, orderTs, Long.MIN_VALUE, List.of());
    }

    public static LearningMessage clock(String tenant, String survivor, long asOf) {
        return new LearningMessage(
                Kind.CLOCK,
                tenant,
                survivor,
                List.of(),
                asOf,
                Long.MIN_VALUE,
                Long.MIN_VALUE,
                List.of());
    }

    public static LearningMessage handOver(
            String tenant, String fragment, String survivor, long asOf, List<Handed> handed) {
        return new LearningMessage(
                Kind.HAND_OVER,
                tenant,
                survivor,
                List.of(fragment),
                asOf,
                Long.MIN_VALUE,
                Long.MIN_VALUE,
                handed);
    }

    public static LearningMessage dropped(String tenant, String survivor) {
        return new LearningMessage(
                Kind.DROPPED,
                tenant,
                survivor,
                List.of(),
                Long.MIN_VALUE,
                Long.MIN_VALUE,
                Long.MIN_VALUE,
                List.of());
    }

    /** The stage's key: tenant and survivor. */
    public String key() {
        return tenant + '\u0001' + survivor;
    }

    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeByte(kind.ordinal());
        Strings.write(out, tenant);
        Strings.write(out, survivor);
        Strings.writeVarInt(out, fragments.size());
        for (String f : fragments) {
            Strings.write(out, f);
        }
        out.writeLong(asOf);
        out.writeLong(lastOrder);
        out.writeLong(previousOrder);
        Strings.writeVarInt(out, handed.size());
        for (Handed h : handed) {
            Strings.write(out, h.model());
            h.label().write(out);
            Strings.writeVarInt(out, h.snapshots().length);
            out.write(h.snapshots());
        }
    }

    public static LearningMessage read(DataInput in) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("unknown learning message format " + format);
        }
        int k = in.readUnsignedByte();
        if (k >= Kind.values().length) {
            throw new IOException("unknown learning message kind " + k);
        }
        String tenant = Strings.read(in);
        String survivor = Strings.read(in);
        int n = Strings.readVarInt(in);
        List<String> fragments = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fragments.add(Strings.read(in));
        }
        long asOf = in.readLong();
        long last = in.readLong();
        long previous = in.readLong();
        int h = Strings.readVarInt(in);
        List<Handed> handed = new ArrayList<>(h);
        for (int i = 0; i < h; i++) {
            String model = Strings.read(in);
            LabelSpec label = LabelSpec.read(in);
            byte[] b = new byte[Strings.readVarInt(in)];
            in.readFully(b);
            handed.add(new Handed(model, label, b));
        }
        return new LearningMessage(
                Kind.values()[k], tenant, survivor, fragments, asOf, last, previous, handed);
    }
}
