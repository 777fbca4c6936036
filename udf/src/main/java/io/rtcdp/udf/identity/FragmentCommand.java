package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Id;
import java.util.List;

/**
 * What the identity resolver sends to one fragment ({@code tenant}, {@code fragment}): the oneid
 * that events resolved to when they arrived. See docs/oneid.md.
 *
 * <ul>
 *   <li>{@code ROUTE}: {@code event} belongs to the live profile {@code fragment}; {@code linked}
 *       ids joined it; {@code history} is its merge history when it changed, else null; {@code
 *       merged} the fragments this event's merges moved into it (the decision stage waits for their
 *       contact history, docs/oneid.md "Merges and the contact history").
 *   <li>{@code RESEND}: the fragment's profile merged into {@code target}: send the fragment's
 *       features there.
 *   <li>{@code DROP}: the live profile {@code fragment} merged into {@code target}.
 *   <li>{@code IDS}: ids joined ({@code linked}) or left ({@code removed}) the live profile.
 *   <li>{@code FORGET}: forget the fragment ({@code event} is the forget event, for the live one).
 * </ul>
 */
public record FragmentCommand(
        Kind kind,
        String tenant,
        String fragment,
        String target,
        Event event,
        List<Id> linked,
        List<Id> removed,
        String history,
        List<String> merged) {

    public FragmentCommand {
        merged = merged == null ? List.of() : List.copyOf(merged);
    }

    /** A command that moves no fragment into its profile. */
    public FragmentCommand(
            Kind kind,
            String tenant,
            String fragment,
            String target,
            Event event,
            List<Id> linked,
            List<Id> removed,
            String history) {
        this(kind, tenant, fragment, target, event, linked, removed, history, List.of());
    }

    /** What a command does. */
    public enum Kind {
        ROUTE,
        RESEND,
        DROP,
        IDS,
        FORGET
    }

    public static FragmentCommand route(String oneid, Event e, List<Id> linked, String history) {
        return route(oneid, e, linked, history, List.of());
    }

    /**
     * @param merged the fragments this event's merges moved into {@code oneid} (each merged-away
     *     oneid and the oneids merged into it before), in the order they were handed over
     */
    public static FragmentCommand route(
            String oneid, Event e, List<Id> linked, String history, List<String> merged) {
        return new FragmentCommand(
                Kind.ROUTE, e.tenant(), oneid, oneid, e, linked, List.of(), history, merged);
    }

    public static FragmentCommand resend(String tenant, String fragment, String target) {
        return new FragmentCommand(
                Kind.RESEND, tenant, fragment, target, null, List.of(), List.of(), null);
    }

    public static FragmentCommand drop(String tenant, String fragment, String target) {
        return new FragmentCommand(
                Kind.DROP, tenant, fragment, target, null, List.of(), List.of(), null);
    }

    public static FragmentCommand ids(
            String tenant, String oneid, List<Id> linked, List<Id> removed) {
        return new FragmentCommand(Kind.IDS, tenant, oneid, oneid, null, linked, removed, null);
    }

    public static FragmentCommand forget(String tenant, String fragment, Event e) {
        return new FragmentCommand(
                Kind.FORGET, tenant, fragment, fragment, e, List.of(), List.of(), null);
    }

    /** The fragment store's key: tenant and fragment. */
    public String key() {
        return tenant + '\u0001' + fragment;
    }
}
