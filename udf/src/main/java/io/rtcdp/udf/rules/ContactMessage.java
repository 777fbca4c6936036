package io.rtcdp.udf.rules;

import io.rtcdp.udf.profile.Strings;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the decision stage sends the contact stage ({@link ContactBook}), keyed by tenant, in the
 * order it decided: a trigger it decided alone, the candidates of a profile whose contact history
 * is kept with the contact stage, or the two halves of a merge's hand-over of contact history.
 *
 * @param kind what this is
 * @param tenant tenant (the key)
 * @param oneid the profile: the trigger's, the candidates', the survivor that absorbed a fragment
 *     ({@link Kind#ABSORBING}), or the fragment that merged away ({@link Kind#HAND_OVER})
 * @param other the fragment absorbed ({@link Kind#ABSORBING}), the survivor named by the merge
 *     ({@link Kind#HAND_OVER}); null otherwise
 * @param trigger the trigger ({@link Kind#TRIGGER}); null otherwise
 * @param candidates the rules that may fire, best first ({@link Kind#CANDIDATES}); empty otherwise
 * @param states contact history per trigger rule: the merged-away profile's ({@link
 *     Kind#HAND_OVER}), or the survivor's own when its history moves to the contact stage with this
 *     absorb ({@link Kind#ABSORBING}, else null)
 */
public record ContactMessage(
        Kind kind,
        String tenant,
        String oneid,
        String other,
        Trigger trigger,
        List<Candidate> candidates,
        Map<String, TriggerState> states) {

    /** What a message is. */
    public enum Kind {
        /** A trigger (or retraction, or nothing else) decided by the decision stage alone. */
        TRIGGER,
        /** Rules that may fire for a profile whose cooldowns and caps the contact stage judges. */
        CANDIDATES,
        /** {@code oneid} absorbed the features of fragment {@code other} (a merge). */
        ABSORBING,
        /** Fragment {@code oneid} merged into {@code other}: its contact history. */
        HAND_OVER
    }

    /**
     * A rule that may fire, with the trigger it would send and its cooldown and cap.
     *
     * @param cooldownMs 0 for none
     * @param maxPerPeriod 0 for no cap
     */
    public record Candidate(Trigger trigger, long cooldownMs, int maxPerPeriod, long periodMs) {
        public Candidate {
            Objects.requireNonNull(trigger, "trigger");
        }

        /** The candidate of a rule's trigger. */
        public static Candidate of(Trigger trigger, RuleSet.TriggerRule rule) {
            return new Candidate(trigger, rule.cooldownMs(), rule.maxPerPeriod(), rule.periodMs());
        }
    }

    public ContactMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(oneid, "oneid");
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
    }

    public static ContactMessage of(Trigger t) {
        return new ContactMessage(Kind.TRIGGER, t.tenant(), t.oneid(), null, t, null, null);
    }

    public static ContactMessage candidates(
            String tenant, String oneid, List<Candidate> bestFirst) {
        return new ContactMessage(Kind.CANDIDATES, tenant, oneid, null, null, bestFirst, null);
    }

    /**
     * @param own the survivor's contact history when it moves with this absorb (its first), else
     *     null
     */
    public static ContactMessage absorbing(
            String tenant, String survivor, String fragment, Map<String, TriggerState> own) {
        return new ContactMessage(Kind.ABSORBING, tenant, survivor, fragment, null, null, own);
    }

    public static ContactMessage handOver(
            String tenant, String fragment, String survivor, Map<String, TriggerState> states) {
        return new ContactMessage(
                Kind.HAND_OVER, tenant, fragment, survivor, null, null, Map.copyOf(states));
    }

    /** The contact stage's key. */
    public String key() {
        return tenant;
    }

    private static final byte FORMAT = 1;

    /** Writes this message: a format byte, the kind, then the fields it has. */
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeByte(kind.ordinal());
        Strings.write(out, tenant);
        Strings.write(out, oneid);
        out.writeBoolean(other != null);
        if (other != null) {
            Strings.write(out, other);
        }
        out.writeBoolean(trigger != null);
        if (trigger != null) {
            trigger.write(out);
        }
        Strings.writeVarInt(out, candidates.size());
        for (Candidate c : candidates) {
            c.trigger().write(out);
            Strings.writeVarLong(out, c.cooldownMs());
            Strings.writeVarInt(out, c.maxPerPeriod());
            Strings.writeVarLong(out, c.periodMs());
        }
        writeStates(out, states);
    }

    /** Reads what {@link #write} wrote. */
    public static ContactMessage read(DataInput in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown contact message format " + format);
        }
        int k = in.readUnsignedByte();
        if (k >= Kind.values().length) {
            throw new IOException("unknown contact message kind " + k);
        }
        String tenant = Strings.read(in);
        String oneid = Strings.read(in);
        String other = in.readBoolean() ? Strings.read(in) : null;
        Trigger trigger = in.readBoolean() ? Trigger.read(in) : null;
        int n = Strings.readVarInt(in);
        List<Candidate> candidates = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            candidates.add(
                    new Candidate(
                            Trigger.read(in),
                            Strings.readVarLong(in),
                            Strings.readVarInt(in),
                            Strings.readVarLong(in)));
        }
        Map<String, TriggerState> states = readStates(in);
        return new ContactMessage(
                Kind.values()[k], tenant, oneid, other, trigger, candidates, states);
    }

    /** A nullable map of contact history per rule name. */
    static void writeStates(DataOutput out, Map<String, TriggerState> states) throws IOException {
        if (states == null) {
            Strings.writeVarInt(out, 0);
            return;
        }
        Strings.writeVarInt(out, states.size() + 1);
        for (Map.Entry<String, TriggerState> e : new TreeMap<>(states).entrySet()) {
            Strings.write(out, e.getKey());
            e.getValue().write(out);
        }
    }

    static TreeMap<String, TriggerState> readStates(DataInput in) throws IOException {
        int n = Strings.readVarInt(in);
        if (n == 0) {
            return null;
        }
        TreeMap<String, TriggerState> states = new TreeMap<>();
        for (int i = 0; i < n - 1; i++) {
            states.put(Strings.read(in), TriggerState.read(in));
        }
        return states;
    }
}
