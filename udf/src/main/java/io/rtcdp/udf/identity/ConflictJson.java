package io.rtcdp.udf.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A conflict as one JSON object: {@code tenant}, {@code event_id}, {@code ts}, {@code refused}
 * ({@code type:value}, the value already hashed for PII types), {@code oneid}, {@code other_oneid},
 * {@code reason}.
 */
public final class ConflictJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ConflictJson() {}

    /** The conflict as one JSON object; null for a {@link Conflict#retraction}. */
    public static String toJson(Conflict c) {
        if (c.isRetraction()) {
            return null;
        }
        ObjectNode n = MAPPER.createObjectNode();
        n.put("tenant", c.tenant());
        n.put("event_id", c.eventId());
        n.put("ts", c.ts());
        n.put("refused", c.refused().toString());
        n.put("oneid", c.oneid());
        n.put("other_oneid", c.otherOneid());
        n.put("reason", c.reason());
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
