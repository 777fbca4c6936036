package io.rtcdp.udf.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A record of the dead-letter output (contract section 4): error code, human message, the original
 * payload and where it came from ({@code topic/partition/offset} or {@code file:line}).
 */
public record DeadLetter(String error, String message, String payload, String source) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static DeadLetter of(InvalidEventException e, String payload, String source) {
        return new DeadLetter(e.code().code(), e.getMessage(), payload, source);
    }

    public String toJson() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("error", error);
        n.put("message", message);
        n.put("payload", payload);
        n.put("source", source);
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
