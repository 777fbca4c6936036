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
import java.util.TreeSet;

/**
 * The contact stage's record of one person whose profile absorbed another ({@link ContactBook}),
 * under the oneid of the live profile: the contact history of every profile merged into it, the
 * hand-overs it still waits for, the candidates held until they are in, and the merged-away oneids
 * it stands for. Mutable.
 */
public final class ContactRecord {
    private static final byte FORMAT = 1;

    /** Contact history per trigger rule name (the rising edge is not kept here). */
    public final TreeMap<String, TriggerState> states = new TreeMap<>();

    /** Hand-overs waited for, as {@code fragment U+0001 survivor}. */
    public final TreeSet<String> waits = new TreeSet<>();

    /** Candidates ({@link ContactMessage.Kind#CANDIDATES}) held while waiting, in arrival order. */
    public final List<ContactMessage> held = new ArrayList<>();

    /** Every merged-away oneid whose history is in this record. */
    public final TreeSet<String> fragments = new TreeSet<>();

    /** Wall-clock time the record began waiting, -1 while it waits for nothing. */
    public long waitingSince = -1;

    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        ContactMessage.writeStates(out, states);
        Strings.writeVarInt(out, waits.size());
        for (String w : waits) {
            Strings.write(out, w);
        }
        Strings.writeVarInt(out, held.size());
        for (ContactMessage m : held) {
            m.write(out);
        }
        Strings.writeVarInt(out, fragments.size());
        for (String f : fragments) {
            Strings.write(out, f);
        }
        out.writeLong(waitingSince);
    }

    public static ContactRecord read(DataInput in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown contact record format " + format);
        }
        ContactRecord r = new ContactRecord();
        Map<String, TriggerState> states = ContactMessage.readStates(in);
        if (states != null) {
            r.states.putAll(states);
        }
        int n = Strings.readVarInt(in);
        for (int i = 0; i < n; i++) {
            r.waits.add(Strings.read(in));
        }
        n = Strings.readVarInt(in);
        for (int i = 0; i < n; i++) {
            r.held.add(ContactMessage.read(in));
        }
        n = Strings.readVarInt(in);
        for (int i = 0; i < n; i++) {
            r.fragments.add(Strings.read(in));
        }
        r.waitingSince = in.readLong();
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContactRecord r
                && states.equals(r.states)
                && waits.equals(r.waits)
                && held.equals(r.held)
                && fragments.equals(r.fragments)
                && waitingSince == r.waitingSince;
    }

    @Override
    public int hashCode() {
        return Objects.hash(states, waits, fragments);
    }
}
