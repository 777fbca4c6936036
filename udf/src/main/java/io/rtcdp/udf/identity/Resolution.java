package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import java.util.List;

/**
 * What {@link IdentityGraph#resolve} decided for one event, and every change it made to the graph,
 * so the identity operator can address the event, drive merges downstream and report conflicts.
 *
 * @param oneid the profile the event goes to: a live profile, or the quarantine profile of its
 *     strongest id when all its ids are quarantined
 * @param founded whether that profile was founded by this event
 * @param merges profiles merged by this event, oldest loser first; all into {@code oneid}
 * @param linked ids seen for the first time that joined {@code oneid}, strongest first
 * @param quarantined ids quarantined by this event
 * @param dropped profiles that lost their last id to quarantine and no longer exist
 * @param conflicts the links refused, and the releases ({@link Conflict#RELEASED})
 * @param released ids that left quarantine by this event (the protection policy) and joined {@code
 *     oneid}; they are in {@code linked} too
 */
public record Resolution(
        String oneid,
        boolean founded,
        List<Merge> merges,
        List<Id> linked,
        List<Quarantine> quarantined,
        List<String> dropped,
        List<Conflict> conflicts,
        List<Id> released) {

    /**
     * Profile {@code loser} merged into {@code survivor}; {@code loser} is now an alias.
     *
     * @param via the id of the event that was in {@code loser}
     */
    public record Merge(String loser, String survivor, Id via) {}

    /**
     * {@code id} was quarantined.
     *
     * @param from the profile it left, null when it was a new id
     * @param singleton the oneid of its own profile from now on ({@link OneIds#quarantined})
     */
    public record Quarantine(Id id, String from, String singleton) {}

    public Resolution {
        merges = List.copyOf(merges);
        linked = List.copyOf(linked);
        quarantined = List.copyOf(quarantined);
        dropped = List.copyOf(dropped);
        conflicts = List.copyOf(conflicts);
        released = List.copyOf(released);
    }

    /** A resolution that released no id from quarantine. */
    public Resolution(
            String oneid,
            boolean founded,
            List<Merge> merges,
            List<Id> linked,
            List<Quarantine> quarantined,
            List<String> dropped,
            List<Conflict> conflicts) {
        this(oneid, founded, merges, linked, quarantined, dropped, conflicts, List.of());
    }

    /** The event goes to existing profile {@code oneid}, and nothing changed. */
    static Resolution to(String oneid) {
        return new Resolution(oneid, false, List.of(), List.of(), List.of(), List.of(), List.of());
    }
}
