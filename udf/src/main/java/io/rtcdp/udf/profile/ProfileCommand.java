package io.rtcdp.udf.profile;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Id;
import java.util.List;
import java.util.Set;

/**
 * What the profile operator receives for one profile ({@code tenant}, {@code oneid}).
 *
 * <ul>
 *   <li>{@code EVENT}: count {@code event}; {@code linked} ids joined the profile with it; {@code
 *       history}, when not null, is the profile's new merge history; {@code merged} the fragments
 *       the event's merges moved into it; {@code declaredTraits}, when not null, the trait names
 *       the tenant's rule set in force declares (the event carries no others): the profile keeps no
 *       other trait from then on.
 *   <li>{@code ABSORB}: merge {@code features}, the state of a fragment of a profile that merged
 *       into this one.
 *   <li>{@code DROP}: this profile merged into {@code aliasTo}: its live state ends.
 *   <li>{@code IDS}: {@code linked} ids joined the profile, {@code removed} ids left it.
 *   <li>{@code FORGET}: remove the profile, its ids and its alias.
 * </ul>
 */
public record ProfileCommand(
        Kind kind,
        String tenant,
        String oneid,
        Event event,
        List<Id> linked,
        List<Id> removed,
        ProfileFeatures features,
        String aliasTo,
        String history,
        List<String> merged,
        Set<String> declaredTraits) {

    /**
     * Takes null {@code merged} as none; keeps null {@code declaredTraits} (not known), and an
     * unmodifiable set as it is (the fragment store sends one set per tenant, not one per event).
     */
    public ProfileCommand {
        merged = merged == null ? List.of() : List.copyOf(merged);
        declaredTraits = declaredTraits == null ? null : Set.copyOf(declaredTraits);
    }

    /** A command that does not say which traits the tenant's rule set declares. */
    public ProfileCommand(
            Kind kind,
            String tenant,
            String oneid,
            Event event,
            List<Id> linked,
            List<Id> removed,
            ProfileFeatures features,
            String aliasTo,
            String history,
            List<String> merged) {
        this(kind, tenant, oneid, event, linked, removed, features, aliasTo, history, merged, null);
    }

    /** A command that moves no fragment into its profile. */
    public ProfileCommand(
            Kind kind,
            String tenant,
            String oneid,
            Event event,
            List<Id> linked,
            List<Id> removed,
            ProfileFeatures features,
            String aliasTo,
            String history) {
        this(kind, tenant, oneid, event, linked, removed, features, aliasTo, history, List.of());
    }

    /** What a command does. */
    public enum Kind {
        EVENT,
        ABSORB,
        DROP,
        IDS,
        FORGET
    }

    public static ProfileCommand event(String oneid, Event e, List<Id> linked) {
        return event(oneid, e, linked, null);
    }

    public static ProfileCommand event(String oneid, Event e, List<Id> linked, String history) {
        return event(oneid, e, linked, history, List.of());
    }

    /**
     * @param merged the fragments the event's merges moved into this profile (their features come
     *     as {@code ABSORB}s), for the decision stage to wait for their contact history
     */
    public static ProfileCommand event(
            String oneid, Event e, List<Id> linked, String history, List<String> merged) {
        return event(oneid, e, linked, history, merged, null);
    }

    /**
     * @param declaredTraits the trait names the tenant's rule set in force declares (the event's
     *     other traits were dropped before): the profile's other traits go before the event is
     *     counted; null when not known (nothing goes)
     */
    public static ProfileCommand event(
            String oneid,
            Event e,
            List<Id> linked,
            String history,
            List<String> merged,
            Set<String> declaredTraits) {
        return new ProfileCommand(
                Kind.EVENT,
                e.tenant(),
                oneid,
                e,
                linked,
                List.of(),
                null,
                null,
                history,
                merged,
                declaredTraits);
    }

    public static ProfileCommand absorb(String tenant, String oneid, ProfileFeatures features) {
        return new ProfileCommand(
                Kind.ABSORB, tenant, oneid, null, List.of(), List.of(), features, null, null);
    }

    public static ProfileCommand drop(String tenant, String oneid, String survivor) {
        return new ProfileCommand(
                Kind.DROP, tenant, oneid, null, List.of(), List.of(), null, survivor, null);
    }

    public static ProfileCommand ids(
            String tenant, String oneid, List<Id> linked, List<Id> removed) {
        return new ProfileCommand(Kind.IDS, tenant, oneid, null, linked, removed, null, null, null);
    }

    public static ProfileCommand forget(String tenant, String oneid, Event e) {
        return new ProfileCommand(
                Kind.FORGET, tenant, oneid, e, List.of(), List.of(), null, null, null);
    }

    /** The profile operator's key: tenant and oneid. */
    public String key() {
        return tenant + '\u0001' + oneid;
    }
}
