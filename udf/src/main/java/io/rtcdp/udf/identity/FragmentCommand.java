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
 *
 * <p>{@code eventBody}: where the identity stage made the command, the event's fields past its head
 * (name, channel, props, traits, order lines, text signal) as bytes the stage passed on without
 * reading them, and {@code event} holds only the head; the serializer writes the two as the whole
 * event, which the fragment stage reads back whole (then {@code eventBody} is null). Null whenever
 * {@code event} is whole.
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
        List<String> merged,
        byte[] eventBody) {

    public FragmentCommand {
        merged = merged == null ? List.of() : List.copyOf(merged);
    }

    /** A command whose event (if any) is whole. */
    public FragmentCommand(
            Kind kind,
            String tenant,
            String fragment,
            String target,
            Event event,
            List<Id> linked,
            List<Id> removed,
            String history,
            List<String> merged) {
        this(kind, tenant, fragment, target, event, linked, removed, history, merged, null);
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
        return route(oneid, e, null, linked, history, merged);
    }

    /**
     * @param head the event's head, or the whole event when {@code body} is null
     * @param body the event's body as bytes, or null
     */
    public static FragmentCommand route(
            String oneid,
            Event head,
            byte[] body,
            List<Id> linked,
            String history,
            List<String> merged) {
        return new FragmentCommand(
                Kind.ROUTE,
                head.tenant(),
                oneid,
                oneid,
                head,
                linked,
                List.of(),
                history,
                merged,
                body);
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
        return forget(tenant, fragment, e, null);
    }

    /** A forget whose event is {@code head} and {@code body} (null: {@code head} is whole). */
    public static FragmentCommand forget(String tenant, String fragment, Event head, byte[] body) {
        return new FragmentCommand(
                Kind.FORGET,
                tenant,
                fragment,
                fragment,
                head,
                List.of(),
                List.of(),
                null,
                List.of(),
                body);
    }

    /** The fragment store's key: tenant and fragment. */
    public String key() {
        return tenant + '\u0001' + fragment;
    }
}
