package io.rtcdp.operators.profile;

import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.profile.ProfileValues;

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
 */
public record ProfileChange(
        String tenant,
        String oneid,
        ProfileUpdate update,
        ProfileValues values,
        Event cause,
        String[] rfm) {

    /** Key of the decision stage: the same as the profile stage's. */
    public String key() {
        return tenant + '\u0001' + oneid;
    }

    public boolean isRfm() {
        return update == null;
    }

    public static ProfileChange ofRfm(String tenant, String oneid, String[] rfm) {
        return new ProfileChange(tenant, oneid, null, null, null, rfm);
    }
}
