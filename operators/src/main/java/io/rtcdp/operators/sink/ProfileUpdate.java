package io.rtcdp.operators.sink;

import java.util.List;
import java.util.Map;

/**
 * One change of one profile, as the profile operator emits it and the Redis sink applies it.
 *
 * <p>Changes of the same profile are applied in the order they were emitted. A non-delete update
 * sets {@code set} fields, removes {@code unset} fields, sets {@code ver} to {@code max(ver in
 * Redis + 1, ver)} and {@code updated_at} to the write's wall-clock time, all in one atomic step,
 * and points each id of {@code ids} at {@code oneid}. A delete update ({@code forget}) removes the
 * profile hash and the id keys of {@code ids}.
 *
 * @param tenant tenant
 * @param oneid profile id
 * @param ver the profile's write sequence number as kept in state
 * @param delete whether the profile is deleted (forget)
 * @param set fields to set, name → value
 * @param unset fields to remove
 * @param ids ids ({@code type:value}, value already hashed for PII) whose id key must point to
 *     {@code oneid} (or be deleted when {@code delete})
 * @param aliasTo the surviving oneid when this profile was merged away, else null
 * @param segments segment memberships to change: name → {@code true} to add {@code oneid} to the
 *     set {@code segment:{name}} (SADD), {@code false} to remove it (SREM); empty when none. Set
 *     writes are separate commands from the hash write (the keys may live on different cluster
 *     nodes); per segment, the last change wins.
 * @param eventTime event time (epoch ms) of the event that caused the update, for the freshness
 *     metrics; 0 when not caused by an event (or unknown)
 * @param ingestedAt wall-clock time (epoch ms) that event entered the job; 0 when unknown
 */
public record ProfileUpdate(
        String tenant,
        String oneid,
        long ver,
        boolean delete,
        Map<String, String> set,
        List<String> unset,
        List<String> ids,
        String aliasTo,
        Map<String, Boolean> segments,
        long eventTime,
        long ingestedAt) {

    /** An update not caused by an event, or whose event's times are not measured. */
    public ProfileUpdate(
            String tenant,
            String oneid,
            long ver,
            boolean delete,
            Map<String, String> set,
            List<String> unset,
            List<String> ids,
            String aliasTo,
            Map<String, Boolean> segments) {
        this(tenant, oneid, ver, delete, set, unset, ids, aliasTo, segments, 0L, 0L);
    }

    /** An update that changes no segment membership. */
    public ProfileUpdate(
            String tenant,
            String oneid,
            long ver,
            boolean delete,
            Map<String, String> set,
            List<String> unset,
            List<String> ids,
            String aliasTo) {
        this(tenant, oneid, ver, delete, set, unset, ids, aliasTo, Map.of());
    }

    /** The same update with these segment changes. */
    public ProfileUpdate withSegments(Map<String, Boolean> segmentChanges) {
        return new ProfileUpdate(
                tenant,
                oneid,
                ver,
                delete,
                set,
                unset,
                ids,
                aliasTo,
                segmentChanges,
                eventTime,
                ingestedAt);
    }

    /** The same update with these fields set and removed instead. */
    public ProfileUpdate withFields(Map<String, String> newSet, List<String> newUnset) {
        return new ProfileUpdate(
                tenant,
                oneid,
                ver,
                delete,
                newSet,
                newUnset,
                ids,
                aliasTo,
                segments,
                eventTime,
                ingestedAt);
    }

    /**
     * The same update, marked as caused by an event of this event time that entered the job at
     * {@code eventIngestedAt} (0 when unknown): the Redis sink measures freshness from them.
     */
    public ProfileUpdate causedAt(long eventTs, long eventIngestedAt) {
        return new ProfileUpdate(
                tenant,
                oneid,
                ver,
                delete,
                set,
                unset,
                ids,
                aliasTo,
                segments,
                eventTs,
                eventIngestedAt);
    }

    /**
     * Points the id key of {@code id} at {@code oneid}, or deletes it: the identity stage's writes,
     * which leave the profile hash alone.
     */
    public static ProfileUpdate ofIds(String tenant, String oneid, String id, boolean delete) {
        return new ProfileUpdate(
                tenant, oneid, 0, delete, delete ? null : Map.of(), List.of(), List.of(id), null);
    }

    /** An update that sets no alias. */
    public ProfileUpdate(
            String tenant,
            String oneid,
            long ver,
            boolean delete,
            Map<String, String> set,
            List<String> unset,
            List<String> ids) {
        this(tenant, oneid, ver, delete, set, unset, ids, null);
    }
}
