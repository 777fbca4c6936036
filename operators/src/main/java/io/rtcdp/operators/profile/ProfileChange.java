package io.rtcdp.operators.profile;

import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.profile.ProfileValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the decision stage learns about one profile: either a change from the profile stage (the
 * Redis write it wants, the profile's whole rendering after it, and the event that caused it), or a
 * new RFM score from the tenant's RFM stage. Immutable by convention: values and arrays are not
 * modified once handed over.
 *
 * @param tenant tenant
 * @param oneid profile
 * @param update the profile stage's write (fields that changed), or null for an RFM score
 * @param values the profile's field values after the change, typed (its text is the update's to
 *     write, never parsed back here), null when the update deletes the profile (merge or forget) or
 *     for an RFM score
 * @param cause the event that caused the change, null for refreshes, merges and RFM scores
 * @param rfm {@code r, f, m, segment} as written to Redis, for an RFM score; null otherwise
 * @param pending the profile fields ({@link ProfileUpdater#FIELDS}, bit i for field i) whose text
 *     the update is still to get from {@code values}: set where the value is present, unset where
 *     absent. The profile stage finds them by comparing typed values and leaves the text to be made
 *     once, where it is written ({@link #redisUpdate}), instead of sending it on.
 * @param rec {@code rec.next} as written to Redis, for a new next-purchase recommendation from the
 *     next-purchase stage ({@code RecScorer}, the empty string for none); null otherwise
 * @param traits the profile's traits after the change, all of them ({@code ProfileFeatures#traits}:
 *     per name the value of the latest event, both profiles' on a merge), when the change changed
 *     them or the update is a full write; null otherwise
 * @param merged for a change caused by an event that merged profiles into this one, the fragments
 *     the merges moved in (each merged-away oneid and those merged into it before; their features
 *     come as absorbs): the decision stage waits for their contact history (docs/oneid.md, "Merges
 *     and the contact history"); empty otherwise
 * @param partLastOrder with {@code partPreviousOrder}, the latest two order times ({@link
 *     Long#MIN_VALUE} for none) of a part of the person the decision stage's learning snapshots did
 *     not see: on a change with {@code merged}, the survivor's own (for the merged-away profiles'
 *     snapshots, {@code io.rtcdp.udf.ml.MergedSnapshots}); on an absorb's change, the absorbed
 *     fragment's (for the survivor's snapshots); else none
 * @param partPreviousOrder see {@code partLastOrder}
 */
public record ProfileChange(
        String tenant,
        String oneid,
        ProfileUpdate update,
        ProfileValues values,
        Event cause,
        String[] rfm,
        long pending,
        String rec,
        Map<String, String> traits,
        List<String> merged,
        long partLastOrder,
        long partPreviousOrder) {

    public ProfileChange {
        merged = merged == null ? List.of() : merged;
    }

    /** A change that names no part's order times. */
    public ProfileChange(
            String tenant,
            String oneid,
            ProfileUpdate update,
            ProfileValues values,
            Event cause,
            String[] rfm,
            long pending,
            String rec,
            Map<String, String> traits,
            List<String> merged) {
        this(
                tenant,
                oneid,
                update,
                values,
                cause,
                rfm,
                pending,
                rec,
                traits,
                merged,
                Long.MIN_VALUE,
                Long.MIN_VALUE);
    }

    /** This change with a part's latest two order times ({@link #partLastOrder}). */
    public ProfileChange withPartOrders(long last, long previous) {
        return new ProfileChange(
                tenant, oneid, update, values, cause, rfm, pending, rec, traits, merged, last,
                previous);
    }

    /** A change without traits nor absorbed fragment. */
    public ProfileChange(
            String tenant,
            String oneid,
            ProfileUpdate update,
            ProfileValues values,
            Event cause,
            String[] rfm,
            long pending,
            String rec) {
        this(tenant, oneid, update, values, cause, rfm, pending, rec, null, null);
    }

    /** A change of the profile stage, or an RFM score. */
    public ProfileChange(
            String tenant,
            String oneid,
            ProfileUpdate update,
            ProfileValues values,
            Event cause,
            String[] rfm,
            long pending) {
        this(tenant, oneid, update, values, cause, rfm, pending, null);
    }

    /** A change whose update carries all of its text. */
    public ProfileChange(
            String tenant,
            String oneid,
            ProfileUpdate update,
            ProfileValues values,
            Event cause,
            String[] rfm) {
        this(tenant, oneid, update, values, cause, rfm, 0);
    }

    /**
     * The Redis write: the update with the {@link #pending} fields' text (a field's text is {@link
     * ProfileValues#text}, the lifecycle's its label).
     */
    public ProfileUpdate redisUpdate() {
        if (pending == 0 || update == null) {
            return update;
        }
        Map<String, String> set =
                new HashMap<>(update.set() == null ? 16 : update.set().size() + 16);
        if (update.set() != null) {
            set.putAll(update.set());
        }
        List<String> unset = null;
        for (long bits = pending; bits != 0; bits &= bits - 1) {
            int i = Long.numberOfTrailingZeros(bits);
            String text =
                    i < ProfileValues.SLOTS
                            ? values.text(i)
                            : values.lifecycle() == null ? null : values.lifecycle().label();
            String field = ProfileUpdater.FIELDS.get(i);
            if (text != null) {
                set.put(field, text);
            } else {
                if (unset == null) {
                    unset = new ArrayList<>(update.unset() == null ? 4 : update.unset().size() + 4);
                    if (update.unset() != null) {
                        unset.addAll(update.unset());
                    }
                }
                unset.add(field);
            }
        }
        return new ProfileUpdate(
                update.tenant(),
                update.oneid(),
                update.ver(),
                update.delete(),
                set,
                unset == null ? update.unset() : unset,
                update.ids(),
                update.aliasTo(),
                update.segments(),
                update.eventTime(),
                update.ingestedAt());
    }

    /** Key of the decision stage: the same as the profile stage's. */
    public String key() {
        return tenant + '\u0001' + oneid;
    }

    public boolean isRfm() {
        return update == null && rec == null;
    }

    /** Whether this is a new next-purchase recommendation ({@link #rec}). */
    public boolean isRec() {
        return rec != null;
    }

    public static ProfileChange ofRfm(String tenant, String oneid, String[] rfm) {
        return new ProfileChange(tenant, oneid, null, null, null, rfm, 0);
    }

    /** A new {@code rec.next} of the profile, the empty string for none. */
    public static ProfileChange ofRec(String tenant, String oneid, String rec) {
        return new ProfileChange(
                tenant, oneid, null, null, null, null, 0, java.util.Objects.requireNonNull(rec));
    }
}
