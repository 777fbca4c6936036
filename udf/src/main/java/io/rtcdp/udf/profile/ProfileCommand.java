package io.rtcdp.udf.profile;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Id;
import java.util.List;

/**
 * What the profile operator receives for one profile ({@code tenant}, {@code oneid}).
 *
 * <ul>
 *   <li>{@code EVENT}: count {@code event}; {@code linked} ids joined the profile with it; {@code
 *       history}, when not null, is the profile's new merge history.
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
        String history) {

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
        return new ProfileCommand(
                Kind.EVENT, e.tenant(), oneid, e, linked, List.of(), null, null, history);
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
