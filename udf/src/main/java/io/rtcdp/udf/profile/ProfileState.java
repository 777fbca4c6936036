package io.rtcdp.udf.profile;

import io.rtcdp.udf.event.Id;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Everything the profile operator keeps for one profile, as one state value: the features, the
 * profile's ids, and the bookkeeping of its Redis writes and its refresh timer.
 */
public final class ProfileState {
    /** {@link #timerAt()} when no refresh timer is pending. */
    public static final long NO_TIMER = Long.MIN_VALUE;

    /**
     * Format 4 prefixes the ids with their length in bytes, so they are decoded only when used (an
     * event that brings no new id leaves them as read). Format 3 writes the id count as a varint
     * (format 2 wrote it in 16 bits, so a profile with more than 65,535 ids could be written but
     * not read back) and the deferral of its refresh; both are still read.
     */
    private static final byte FORMAT = 4;

    private static final byte FORMAT_INLINE_IDS = 3;

    private static final byte FORMAT_SHORT_COUNT = 2;

    /** Upper bound on the ids' encoding read back, so a corrupt length cannot allocate much. */
    private static final int MAX_ID_BYTES = 64 << 20;

    private final ProfileFeatures features;

    /** Sorted with {@link Id#compareTo}: strongest type first; null until {@link #idList}. */
    private ArrayList<Id> ids;

    /** The ids' encoding as read, while {@link #ids} is not decoded. */
    private byte[] idBytes;

    private long ver;
    private long timerAt = NO_TIMER;
    private long writtenEpoch;

    /** Times the refresh at {@link #timerAt} was put off; 0 when it is not. */
    private int deferrals;

    /** Processing time at which a put-off refresh is looked at again. */
    private long deferredUntil;

    public ProfileState() {
        this(new ProfileFeatures(), new ArrayList<>(4), 0, NO_TIMER, 0);
    }

    private ProfileState(
            ProfileFeatures features, ArrayList<Id> ids, long ver, long timerAt, long epoch) {
        this.features = features;
        this.ids = ids;
        this.ver = ver;
        this.timerAt = timerAt;
        this.writtenEpoch = epoch;
    }

    public ProfileFeatures features() {
        return features;
    }

    public List<Id> ids() {
        return Collections.unmodifiableList(idList());
    }

    /** The ids, decoded from the encoding read on first use. */
    private ArrayList<Id> idList() {
        if (ids == null) {
            try {
                ids = readIds(new ByteArrayInput(idBytes), FORMAT);
            } catch (IOException e) {
                throw new IllegalStateException("corrupt ids in ProfileState", e);
            }
            idBytes = null;
        }
        return ids;
    }

    /**
     * Adds the ids not yet known and returns those added (empty list when none, without
     * allocating). The identity stage has already applied the limits.
     */
    public List<Id> addIds(List<Id> candidates) {
        List<Id> added = List.of();
        if (candidates.isEmpty()) {
            return added;
        }
        ArrayList<Id> ids = idList();
        for (Id id : candidates) {
            int pos = Collections.binarySearch(ids, id);
            if (pos >= 0) {
                continue;
            }
            ids.add(-pos - 1, id);
            if (added.isEmpty()) {
                added = new ArrayList<>(2);
            }
            added.add(id);
        }
        return added;
    }

    /** Removes these ids where present; returns whether any was. */
    public boolean removeIds(List<Id> gone) {
        boolean any = false;
        if (gone.isEmpty()) {
            return false;
        }
        ArrayList<Id> ids = idList();
        for (Id id : gone) {
            int pos = Collections.binarySearch(ids, id);
            if (pos >= 0) {
                ids.remove(pos);
                any = true;
            }
        }
        return any;
    }

    /**
     * The {@code ids} field: count per type, strongest type first, e.g. {@code
     * user_id:1,cookie_id:3}.
     */
    public String renderIdCounts() {
        ArrayList<Id> ids = idList();
        if (ids.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder(32);
        String type = null;
        int n = 0;
        for (Id id : ids) {
            if (!id.type().equals(type)) {
                if (type != null) {
                    sb.append(type).append(':').append(n).append(',');
                }
                type = id.type();
                n = 0;
            }
            n++;
        }
        sb.append(type).append(':').append(n);
        return sb.toString();
    }

    public long ver() {
        return ver;
    }

    /** Advances the write sequence and returns the new value. */
    public long nextVer() {
        return ++ver;
    }

    public long timerAt() {
        return timerAt;
    }

    public void setTimerAt(long timerAt) {
        this.timerAt = timerAt;
    }

    /**
     * The epoch of the operator instance that last wrote this profile to Redis. A different epoch
     * means Redis may hold writes this state never saw (made after the checkpoint it was restored
     * from), so the next write must be a full one.
     */
    public long writtenEpoch() {
        return writtenEpoch;
    }

    public void setWrittenEpoch(long epoch) {
        this.writtenEpoch = epoch;
    }

    /**
     * How many times in a row the pending refresh was put off because its tenant's own event time
     * had not reached it yet; 0 when it is not put off.
     */
    public int deferrals() {
        return deferrals;
    }

    /** The processing time at which a put-off refresh is looked at again. */
    public long deferredUntil() {
        return deferredUntil;
    }

    /** Puts the pending refresh off until processing time {@code until}. */
    public void defer(long until) {
        deferrals = Math.min(deferrals + 1, 127);
        deferredUntil = until;
    }

    /** The pending refresh is no longer put off. */
    public void clearDeferral() {
        deferrals = 0;
        deferredUntil = 0;
    }

    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeLong(ver);
        out.writeLong(timerAt);
        out.writeLong(writtenEpoch);
        out.writeByte(deferrals);
        if (deferrals > 0) {
            out.writeLong(deferredUntil);
        }
        byte[] encoded = idBytes;
        if (encoded == null) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(96);
            writeIds(new java.io.DataOutputStream(b), ids);
            encoded = b.toByteArray();
        }
        Strings.writeVarInt(out, encoded.length);
        out.write(encoded);
        features.write(out);
    }

    private static void writeIds(DataOutput out, List<Id> ids) throws IOException {
        Strings.writeVarInt(out, ids.size());
        String type = null;
        for (Id id : ids) {
            // ids are sorted by type, so a type name is written once per run of equal types
            boolean sameType = id.type().equals(type);
            out.writeBoolean(sameType);
            if (!sameType) {
                Strings.write(out, id.type());
                type = id.type();
            }
            Strings.write(out, id.value());
        }
    }

    private static ArrayList<Id> readIds(DataInput in, byte format) throws IOException {
        int n = format >= FORMAT_INLINE_IDS ? Strings.readVarInt(in) : in.readUnsignedShort();
        if (n < 0) {
            throw new IOException("corrupt ProfileState: " + n + " ids");
        }
        ArrayList<Id> ids = new ArrayList<>(Math.min(n, 1024) + 1);
        String type = null;
        for (int i = 0; i < n; i++) {
            if (!in.readBoolean()) {
                type = Strings.read(in);
            }
            ids.add(new Id(type, Strings.read(in)));
        }
        return ids;
    }

    public static ProfileState read(DataInput in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT && format != FORMAT_INLINE_IDS && format != FORMAT_SHORT_COUNT) {
            throw new IOException("unknown ProfileState format " + format);
        }
        long ver = in.readLong();
        long timerAt = in.readLong();
        long epoch = in.readLong();
        int deferrals = 0;
        long deferredUntil = 0;
        if (format >= FORMAT_INLINE_IDS) {
            deferrals = in.readByte();
            if (deferrals < 0) {
                throw new IOException("corrupt ProfileState: deferrals " + deferrals);
            }
            if (deferrals > 0) {
                deferredUntil = in.readLong();
            }
        }
        ArrayList<Id> ids = null;
        byte[] idBytes = null;
        if (format == FORMAT) {
            int length = Strings.readVarInt(in);
            if (length < 0 || length > MAX_ID_BYTES) {
                throw new IOException("corrupt ProfileState: ids of " + length + " bytes");
            }
            idBytes = new byte[length];
            in.readFully(idBytes);
        } else {
            ids = readIds(in, format);
        }
        ProfileState s = new ProfileState(ProfileFeatures.read(in), ids, ver, timerAt, epoch);
        s.idBytes = idBytes;
        s.deferrals = deferrals;
        s.deferredUntil = deferredUntil;
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProfileState s
                && ver == s.ver
                && timerAt == s.timerAt
                && writtenEpoch == s.writtenEpoch
                && deferrals == s.deferrals
                && deferredUntil == s.deferredUntil
                && idList().equals(s.idList())
                && features.equals(s.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(features, idList(), ver, timerAt, writtenEpoch);
    }

    @Override
    public String toString() {
        return "ProfileState{ver="
                + ver
                + ", timerAt="
                + timerAt
                + ", ids="
                + idList()
                + ", "
                + features
                + "}";
    }
}
