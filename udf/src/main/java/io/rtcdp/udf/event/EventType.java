package io.rtcdp.udf.event;

import java.util.Locale;

/** The `type` of an input event (docs/contract.md §1.1). */
public enum EventType {
    TRACK,
    PAGE,
    IDENTIFY,
    CONSENT,
    FORGET,
    /**
     * Internal: an operator's command (the commands topic, {@code IdCommand}) on its way through
     * the identity stage with the tenant's events. No input event has this type: {@link #fromWire}
     * does not know it.
     */
    COMMAND;

    private static final EventType[] VALUES = values();

    /** The five types an input event can have: every type but {@link #COMMAND}. */
    public static final java.util.List<EventType> INPUT =
            java.util.List.of(TRACK, PAGE, IDENTIFY, CONSENT, FORGET);

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Returns the type for its wire name, or null when it is not one of the five. */
    public static EventType fromWire(String s) {
        for (EventType t : INPUT) {
            if (t.wireName().equals(s)) {
                return t;
            }
        }
        return null;
    }

    public static EventType ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }
}
