package io.rtcdp.udf.profile;

import io.rtcdp.udf.lifecycle.LifecycleStage;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A profile's rendered fields as typed values: what the profile stage hands to the decision stage
 * and the decision stage keeps, so neither renders text for the other to parse back. Text is made
 * once, for Redis ({@link ProfileFeatures#render}); {@link #text} makes the same text from these
 * values, and {@link #number} the same double that parsing that text gives, bit for bit.
 *
 * <p>Slots are the fields of {@link ProfileFields#FEATURE_FIELDS} in that order, each a decimal
 * {@code unscaled × 10^-scale} with the field's fixed {@link #scale} (except {@code
 * f.top_category_30d}, a string), plus the lifecycle stage. Mutable, reused by its owner; a value
 * handed to another stage is not changed afterwards.
 */
public final class ProfileValues {
    /** The feature slots, {@link ProfileFields#FEATURE_FIELDS} order. */
    public static final int SLOTS = ProfileFields.FEATURE_FIELDS.size();

    public static final int AS_OF = slot(ProfileFields.AS_OF);
    public static final int FIRST_SEEN = slot(ProfileFields.FIRST_SEEN);
    public static final int LAST_SEEN = slot(ProfileFields.LAST_SEEN);
    public static final int ORDERS_TOTAL = slot(ProfileFields.ORDERS_TOTAL);
    public static final int TOP_CATEGORY = slot(ProfileFields.TOP_CATEGORY_30D);
    public static final int CONSENT_MARKETING = slot(ProfileFields.CONSENT_MARKETING);
    public static final int CONSENT_PERSONALIZATION = slot(ProfileFields.CONSENT_PERSONALIZATION);

    static {
        // presence and change sets are long bit masks, and a profile change's pending fields are
        // these slots and the lifecycle in one long (operators: ProfileChange)
        // (every field of them as one mask is (1L << (SLOTS + 1)) - 1: at most 63 bits)
        if (SLOTS > 62) {
            throw new ExceptionInInitializerError(
                    SLOTS + " feature slots: the long masks hold 62 and the lifecycle");
        }
    }

    private static final int[] SCALE = scales();
    private static final LifecycleStage[] STAGES = LifecycleStage.values();

    /** Largest magnitude a double holds exactly: up to it, {@code unscaled / 10^scale} is exact. */
    private static final long EXACT = 1L << 53;

    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};

    private final long[] unscaled = new long[SLOTS];

    /** Bit i set: slot i present. */
    private long present;

    private String topCategory;
    private LifecycleStage lifecycle;

    private static int slot(String field) {
        int i = ProfileFields.FEATURE_FIELDS.indexOf(field);
        if (i < 0) {
            throw new IllegalStateException("not a feature field: " + field);
        }
        return i;
    }

    private static int[] scales() {
        int[] s = new int[SLOTS];
        s[slot(ProfileFields.REVENUE_TOTAL)] = 6;
        s[slot(ProfileFields.REVENUE_30D)] = 6;
        s[slot(ProfileFields.REVENUE_90D)] = 6;
        s[slot(ProfileFields.REVENUE_180D)] = 6;
        s[slot(ProfileFields.REVENUE_365D)] = 6;
        s[slot(ProfileFields.AVG_ORDER_VALUE)] = 2;
        s[slot(ProfileFields.ORDER_GAP_DAYS)] = 2;
        s[slot(ProfileFields.LAST_ORDER_GAP_DAYS)] = 2;
        s[slot(ProfileFields.ORDER_GAP_RATIO)] = 2;
        s[slot(ProfileFields.REFUNDED_TOTAL)] = 6;
        s[slot(ProfileFields.AVG_BASKET_ITEMS)] = 2;
        return s;
    }

    /** The decimal scale of a numeric slot: its value is {@code unscaled × 10^-scale}. */
    public static int scale(int slot) {
        return SCALE[slot];
    }

    /** Empties every slot. */
    public void clear() {
        present = 0;
        topCategory = null;
        lifecycle = null;
    }

    /** Sets a numeric slot. */
    public void set(int slot, long value) {
        if (slot == TOP_CATEGORY) {
            throw new IllegalArgumentException("f.top_category_30d is text");
        }
        unscaled[slot] = value;
        present |= 1L << slot;
    }

    /** Sets or (with null) clears {@code f.top_category_30d}. */
    public void setTopCategory(String category) {
        topCategory = category;
        if (category == null) {
            present &= ~(1L << TOP_CATEGORY);
        } else {
            present |= 1L << TOP_CATEGORY;
        }
    }

    public void setLifecycle(LifecycleStage stage) {
        lifecycle = stage;
    }

    public boolean has(int slot) {
        return (present & (1L << slot)) != 0;
    }

    /** Whether no slot is present and no stage is set. */
    public boolean isEmpty() {
        return present == 0 && lifecycle == null;
    }

    /** A numeric slot's unscaled value; for a slot of scale 0, the value itself. */
    public long unscaled(int slot) {
        return unscaled[slot];
    }

    /** {@code as_of}, or 0 when absent. */
    public long asOf() {
        return has(AS_OF) ? unscaled[AS_OF] : 0;
    }

    public String topCategory() {
        return topCategory;
    }

    /** The lifecycle stage, or null (a profile without events). */
    public LifecycleStage lifecycle() {
        return lifecycle;
    }

    /**
     * A present numeric slot's value as {@code Double.parseDouble(text(slot))} gives it, bit for
     * bit: up to 2^53 the unscaled value and 10^scale are exact doubles and their quotient is
     * correctly rounded, as parsing is; beyond, the text is parsed.
     */
    public double number(int slot) {
        long u = unscaled[slot];
        int s = SCALE[slot];
        if (s == 0 && u > -EXACT && u < EXACT) {
            return u;
        }
        if (u > -EXACT && u < EXACT) {
            return u / POW10[s];
        }
        return Double.parseDouble(Decimals.text(u, s));
    }

    /** A present slot's text as the profile stage writes it to Redis; null when absent. */
    public String text(int slot) {
        if (!has(slot)) {
            return null;
        }
        if (slot == TOP_CATEGORY) {
            return topCategory;
        }
        String shared = Decimals.shared(unscaled[slot], SCALE[slot]);
        return shared != null ? shared : Decimals.text(unscaled[slot], SCALE[slot]);
    }

    /**
     * The values of a rendering: {@code fields} in {@link ProfileFields#FEATURE_FIELDS} order,
     * optionally followed by the lifecycle label (the decision stage's state before format 6 kept
     * this text). Null slots are absent.
     *
     * @throws IllegalArgumentException for text that no rendering makes
     */
    public static ProfileValues parse(String[] fields) {
        if (fields.length < SLOTS || fields.length > SLOTS + 1) {
            throw new IllegalArgumentException(
                    "expected " + SLOTS + " or " + (SLOTS + 1) + " fields, got " + fields.length);
        }
        ProfileValues v = new ProfileValues();
        for (int i = 0; i < SLOTS; i++) {
            String t = fields[i];
            if (t == null) {
                continue;
            }
            if (i == TOP_CATEGORY) {
                v.setTopCategory(t);
            } else {
                v.set(i, new java.math.BigDecimal(t).movePointRight(SCALE[i]).longValueExact());
            }
        }
        if (fields.length > SLOTS && fields[SLOTS] != null) {
            v.lifecycle = stage(fields[SLOTS]);
        }
        return v;
    }

    private static LifecycleStage stage(String label) {
        for (LifecycleStage s : STAGES) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown lifecycle stage " + label);
    }

    /** The rendering {@link #parse} reads: the slots' text, then the lifecycle label. */
    public String[] render() {
        String[] out = new String[SLOTS + 1];
        for (int i = 0; i < SLOTS; i++) {
            out[i] = text(i);
        }
        out[SLOTS] = lifecycle == null ? null : lifecycle.label();
        return out;
    }

    /**
     * The slots whose value differs between {@code this} and {@code other}: bit i for slot i
     * (present in one and not the other, or another value).
     */
    public long changedSlots(ProfileValues other) {
        long changed = present ^ other.present;
        long both = present & other.present;
        for (int i = 0; i < SLOTS; i++) {
            if ((both & (1L << i)) != 0
                    && (i == TOP_CATEGORY
                            ? !topCategory.equals(other.topCategory)
                            : unscaled[i] != other.unscaled[i])) {
                changed |= 1L << i;
            }
        }
        return changed;
    }

    public ProfileValues copy() {
        ProfileValues c = new ProfileValues();
        System.arraycopy(unscaled, 0, c.unscaled, 0, SLOTS);
        c.present = present;
        c.topCategory = topCategory;
        c.lifecycle = lifecycle;
        return c;
    }

    /** Compact encoding: the presence bits, each present slot's value as a varint, the stage. */
    public void write(DataOutput out) throws IOException {
        Strings.writeVarLong(out, present);
        for (int i = 0; i < SLOTS; i++) {
            if (has(i)) {
                if (i == TOP_CATEGORY) {
                    Strings.write(out, topCategory);
                } else {
                    Strings.writeVarLong(out, zigZag(unscaled[i]));
                }
            }
        }
        out.writeByte(lifecycle == null ? -1 : lifecycle.ordinal());
    }

    public static ProfileValues read(DataInput in) throws IOException {
        ProfileValues v = new ProfileValues();
        long bits = Strings.readVarLong(in);
        if (bits < 0 || bits >= 1L << SLOTS) {
            throw new IOException("corrupt profile values: presence bits " + bits);
        }
        v.present = bits;
        for (int i = 0; i < SLOTS; i++) {
            if (v.has(i)) {
                if (i == TOP_CATEGORY) {
                    v.topCategory = Strings.read(in);
                } else {
                    v.unscaled[i] = unZigZag(Strings.readVarLong(in));
                }
            }
        }
        int stage = in.readByte();
        if (stage >= STAGES.length || stage < -1) {
            throw new IOException("corrupt profile values: lifecycle stage " + stage);
        }
        v.lifecycle = stage < 0 ? null : STAGES[stage];
        return v;
    }

    private static long zigZag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unZigZag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ProfileValues v)) {
            return false;
        }
        if (present != v.present
                || lifecycle != v.lifecycle
                || !Objects.equals(topCategory, v.topCategory)) {
            return false;
        }
        for (int i = 0; i < SLOTS; i++) {
            if (has(i) && i != TOP_CATEGORY && unscaled[i] != v.unscaled[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(present) * 31 + Objects.hashCode(topCategory);
        for (int i = 0; i < SLOTS; i++) {
            if (has(i)) {
                h = h * 31 + Long.hashCode(unscaled[i]);
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return Arrays.toString(render());
    }
}
