package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;

/**
 * A link that the identity graph refused (docs/contract.md §2.3): the conflicts output (§4.2).
 *
 * @param tenant the tenant
 * @param eventId the event that carried the link
 * @param ts its event time
 * @param refused the id whose link was refused; it is quarantined (or already was)
 * @param oneid the profile the event went to: the side the link was refused into
 * @param otherOneid the profile {@code refused} was in before the event: the profile that was not
 *     merged, or the quarantine profile of an id quarantined earlier; null when {@code refused} was
 *     a new id
 * @param reason {@code <type>_conflict} when a second id of a single-valued type was refused (e.g.
 *     {@code user_id_conflict}), {@code limit:<type>} when a count limit was reached (e.g. {@code
 *     limit:device_id}), {@link #QUARANTINED} for an id quarantined earlier, {@link
 *     #USER_ID_PROTECTED} for a link refused to keep a protected id with its {@code user_id}, or
 *     {@link #RELEASED} for an id that left quarantine (not a refused link: the record documents
 *     the release)
 */
public record Conflict(
        String tenant,
        String eventId,
        long ts,
        Id refused,
        String oneid,
        String otherOneid,
        String reason) {

    /**
     * The withdrawal of every conflict record under {@code oneid}'s key, for a forgotten profile
     * (docs/contract.md §3.6): the conflicts topic gets the key's tombstone, files skip it. No
     * event, id or reason (a reason is never empty).
     */
    public static Conflict retraction(String tenant, String oneid) {
        return new Conflict(tenant, "", 0, new Id("", ""), oneid, null, "");
    }

    /**
     * The record's key on the conflicts topic (docs/contract.md §4.2): the profile it was written
     * for, {@code oneid}; a release has none and is keyed by the quarantine profile it names,
     * {@code otherOneid}, so a forget of that profile retracts it too.
     */
    public String key() {
        return oneid != null ? oneid : otherOneid;
    }

    /** Whether this is a {@link #retraction} rather than a conflict. */
    public boolean isRetraction() {
        return reason.isEmpty();
    }

    /** The reason of a link to an id that was quarantined by an earlier event. */
    public static final String QUARANTINED = "quarantined";

    /**
     * The reason of a link refused because the id is protected for the {@code user_id} of the
     * profile it stays in (the protection policy, {@link IdLimits#userIdEvidence()}).
     */
    public static final String USER_ID_PROTECTED = "user_id_protected";

    /**
     * The reason of the record of a release: the id left quarantine, by an operator's command
     * ({@code rtcdp ids release}) or by the protection policy.
     */
    public static final String RELEASED = "released";

    /** The reason for exceeding the limit of {@code type}. */
    public static String overLimit(String type, int limit) {
        return limit == 1 ? type + "_conflict" : "limit:" + type;
    }
}
