package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;

/**
 * The state of one tenant's identity graph, as {@link IdentityGraph} reads and writes it. The
 * identity operator backs it with keyed RocksDB state (one {@code MapState} per structure below,
 * scoped to the tenant by the key); tests use {@link InMemoryIdentityStore}.
 *
 * <p>The structures and their invariants, which {@link IdentityGraph} maintains:
 *
 * <ul>
 *   <li>links, id → oneid: every id of a live profile maps to that profile; no other id maps to
 *       anything;
 *   <li>profiles, oneid → {@link OneIdInfo}: the live profiles;
 *   <li>quarantine, a set of ids: ids that link nothing. A quarantined id has no link;
 *   <li>evidence, id → {@link UserEvidence}: only with the protection policy ({@link
 *       IdLimits#userIdEvidence()}), how many events carried the id with each {@code user_id};
 *   <li>aliases, merged-away oneid → the oneid it was merged into at the time (which may itself
 *       have been merged away later), and dropped oneid (a profile that lost its last id to
 *       quarantine) → the quarantine profile its events went to. Kept so that a new profile is
 *       never given a oneid that downstream stages still forward to a survivor.
 * </ul>
 *
 * <p>Methods do not throw checked exceptions: an implementation over Flink state wraps a state
 * backend failure in an unchecked exception, which fails the task like any other.
 */
public interface IdentityStore {

    /** The oneid of the live profile holding {@code id}, or null if it has none. */
    String oneidOf(Id id);

    void link(Id id, String oneid);

    void unlink(Id id);

    /** The live profile {@code oneid}, or null if there is none. */
    OneIdInfo info(String oneid);

    /** Inserts or replaces the live profile {@link OneIdInfo#oneid()}. */
    void put(OneIdInfo info);

    /** Forgets the live profile {@code oneid} (its ids' links are the caller's business). */
    void remove(String oneid);

    boolean quarantined(Id id);

    void quarantine(Id id);

    /**
     * {@code id} leaves quarantine: it has no link and is not quarantined any more, so its next
     * event links it like a new id.
     */
    void release(Id id);

    /** The evidence recorded for {@code id}; {@link UserEvidence#NONE} when none. */
    UserEvidence evidence(Id id);

    void evidence(Id id, UserEvidence evidence);

    /** The oneid that {@code mergedAway} was merged into, or null if it was never merged away. */
    String aliasOf(String mergedAway);

    void alias(String mergedAway, String survivor);
}
