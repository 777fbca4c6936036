package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.profile.Strings;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The identity graph's record of one live profile: what {@link IdentityGraph} needs to decide
 * merges (first-seen time, ids per type) and what {@code rtcdp profile} needs to explain them (the
 * merge history). One value of the identity operator's oneid → info state.
 *
 * @param oneid the profile's oneid
 * @param firstSeen the earliest event time, epoch ms, of the events that went to this profile or to
 *     a profile merged into it
 * @param ids the profile's ids, sorted with {@link Id#compareTo} (strongest type first), distinct,
 *     never empty
 * @param merges the merge history, oldest first; at most {@link #MAX_MERGES}, the oldest entries
 *     dropped first
 */
public record OneIdInfo(String oneid, long firstSeen, List<Id> ids, List<MergeRecord> merges) {

    /**
     * Bounds the state of a profile that keeps absorbing small profiles whose ids are later
     * quarantined (the only way the merge count is not bounded by the id limits).
     */
    public static final int MAX_MERGES = 64;

    private static final byte FORMAT = 1;

    /**
     * A profile merged into this one (or into one merged into this one).
     *
     * @param mergedAway the oneid of the absorbed profile, now an alias
     * @param ts event time of the event that merged it
     * @param via the id of that event that was in the absorbed profile: the link that merged it
     */
    public record MergeRecord(String mergedAway, long ts, Id via) {
        public MergeRecord {
            Objects.requireNonNull(mergedAway, "mergedAway");
            Objects.requireNonNull(via, "via");
        }
    }

    public OneIdInfo {
        Objects.requireNonNull(oneid, "oneid");
        ids = List.copyOf(ids);
        merges = List.copyOf(merges);
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("profile " + oneid + " without ids");
        }
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i - 1).compareTo(ids.get(i)) >= 0) {
                throw new IllegalArgumentException(
                        "ids of " + oneid + " not sorted and distinct: " + ids);
            }
        }
        if (merges.size() > MAX_MERGES) {
            throw new IllegalArgumentException(
                    "more than " + MAX_MERGES + " merges in the history of " + oneid);
        }
    }

    /** A new profile, without history. */
    public static OneIdInfo founded(String oneid, long ts, List<Id> ids) {
        return new OneIdInfo(oneid, ts, ids, List.of());
    }

    /** This profile with first-seen time {@code ts}. */
    public OneIdInfo withFirstSeen(long ts) {
        return new OneIdInfo(oneid, ts, ids, merges);
    }

    /** The number of ids of {@code type}. */
    public int count(String type) {
        int n = 0;
        for (Id id : ids) {
            if (id.type().equals(type)) {
                n++;
            }
        }
        return n;
    }

    /** Versioned binary form: format byte, then the fields; strings as {@link Strings}. */
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        Strings.write(out, oneid);
        out.writeLong(firstSeen);
        // ids are sorted by type: written as runs, so each type name is written once
        int runs = 0;
        for (int i = 0; i < ids.size(); i++) {
            if (i == 0 || !ids.get(i).type().equals(ids.get(i - 1).type())) {
                runs++;
            }
        }
        Strings.writeVarInt(out, runs);
        int i = 0;
        while (i < ids.size()) {
            String type = ids.get(i).type();
            int end = i + 1;
            while (end < ids.size() && ids.get(end).type().equals(type)) {
                end++;
            }
            Strings.write(out, type);
            Strings.writeVarInt(out, end - i);
            for (; i < end; i++) {
                Strings.write(out, ids.get(i).value());
            }
        }
        Strings.writeVarInt(out, merges.size());
        for (MergeRecord m : merges) {
            Strings.write(out, m.mergedAway());
            out.writeLong(m.ts());
            Strings.write(out, m.via().type());
            Strings.write(out, m.via().value());
        }
    }

    public static OneIdInfo read(DataInput in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown OneIdInfo format " + format);
        }
        String oneid = Strings.read(in);
        long firstSeen = in.readLong();
        int runs = Strings.readVarInt(in);
        List<Id> ids = new ArrayList<>(runs + 2);
        for (int r = 0; r < runs; r++) {
            String type = Strings.read(in);
            int n = Strings.readVarInt(in);
            for (int i = 0; i < n; i++) {
                ids.add(new Id(type, Strings.read(in)));
            }
        }
        int nMerges = Strings.readVarInt(in);
        List<MergeRecord> merges = new ArrayList<>(nMerges);
        for (int i = 0; i < nMerges; i++) {
            String away = Strings.read(in);
            long ts = in.readLong();
            String type = Strings.read(in);
            merges.add(new MergeRecord(away, ts, new Id(type, Strings.read(in))));
        }
        try {
            return new OneIdInfo(oneid, firstSeen, ids, merges);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("corrupt OneIdInfo: " + e.getMessage(), e);
        }
    }
}
