package io.rtcdp.jobs;

/** Events (docs/contract.md §1) as the streaming ITCases send them. */
final class TestEvents {
    private TestEvents() {}

    /**
     * A {@code track} event of tenant {@code t1} identified by a {@code user_id}; {@code extra} is
     * appended to the object as it is (e.g. {@code ,"props":{...}}).
     */
    static String track(String eventId, String userId, String name, long ts, String extra) {
        return "{\"event_id\":\""
                + eventId
                + "\",\"tenant\":\"t1\",\"type\":\"track\",\"name\":\""
                + name
                + "\",\"ts\":"
                + ts
                + ",\"ids\":{\"user_id\":\""
                + userId
                + "\"}"
                + extra
                + "}";
    }
}
