package io.rtcdp.udf.ml;

import java.util.Locale;

/**
 * What a model predicts (docs/contract.md §7.3): {@code purchase} is 1 when an {@code
 * order_completed} falls in {@code (t, t + horizon]} after the scoring time t; {@code churn} is 1
 * when none does.
 *
 * @param kind purchase or churn
 * @param horizonDays the horizon in whole days, ≥ 1
 */
public record LabelSpec(Kind kind, int horizonDays) {
    public static final long DAY_MILLIS = 86_400_000L;

    /** The label kinds; {@link #id()} is the name used in model files and on the command line. */
    public enum Kind {
        PURCHASE,
        CHURN;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The kind named {@code id}, or an IllegalArgumentException naming the known kinds. */
        public static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id().equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException(
                    "unknown label kind '" + id + "': use purchase or churn");
        }
    }

    public LabelSpec {
        if (kind == null) {
            throw new IllegalArgumentException("label kind is required");
        }
        if (horizonDays < 1 || horizonDays > 3660) {
            throw new IllegalArgumentException(
                    "label horizon must be 1..3660 days, got " + horizonDays);
        }
    }

    /** The default (docs/contract.md §7.3): {@code purchase} within 30 days. */
    public static LabelSpec purchase() {
        return new LabelSpec(Kind.PURCHASE, 30);
    }

    /** The default (docs/contract.md §7.3): {@code churn} = no order within 90 days. */
    public static LabelSpec churn() {
        return new LabelSpec(Kind.CHURN, 90);
    }

    /** The default label of a model name ({@code purchase} or {@code churn}). */
    public static LabelSpec defaultFor(String modelName) {
        return Kind.of(modelName) == Kind.PURCHASE ? purchase() : churn();
    }

    public long horizonMillis() {
        return horizonDays * DAY_MILLIS;
    }

    /** Writes the kind's id and the horizon (for records and state that carry a label). */
    public void write(java.io.DataOutput out) throws java.io.IOException {
        io.rtcdp.udf.profile.Strings.write(out, kind.id());
        io.rtcdp.udf.profile.Strings.writeVarInt(out, horizonDays);
    }

    /** Reads what {@link #write} wrote; an unknown kind or horizon is an IOException. */
    public static LabelSpec read(java.io.DataInput in) throws java.io.IOException {
        try {
            return new LabelSpec(
                    Kind.of(io.rtcdp.udf.profile.Strings.read(in)),
                    io.rtcdp.udf.profile.Strings.readVarInt(in));
        } catch (IllegalArgumentException e) {
            throw new java.io.IOException("label: " + e.getMessage(), e);
        }
    }

    /** The label given whether an order fell within the horizon after the scoring time. */
    public int label(boolean orderedWithinHorizon) {
        return (kind == Kind.PURCHASE) == orderedWithinHorizon ? 1 : 0;
    }
}
