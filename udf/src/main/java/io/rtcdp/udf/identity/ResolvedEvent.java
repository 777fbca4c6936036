package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Event;

/** An event with the oneid of the profile it belongs to: the identity stage's output. */
public record ResolvedEvent(String oneid, Event event) {

    /** The profile operator's key: tenant and oneid. */
    public String profileKey() {
        return event.tenant() + '\u0001' + oneid;
    }
}
