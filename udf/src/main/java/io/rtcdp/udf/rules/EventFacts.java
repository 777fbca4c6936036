package io.rtcdp.udf.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.udf.text.TextSignal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The event a trigger condition sees as {@code event}: {@code event.name}, {@code event.channel}
 * (absent when the event has none), {@code event.props} (JSON numbers become int or double, JSON
 * nulls are left out) and {@code event.text} (the signals of {@code props.text}; absent when the
 * event had none).
 */
public final class EventFacts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String eventId;
    private final Map<String, Object> value;

    private EventFacts(String eventId, Map<String, Object> value) {
        this.eventId = eventId;
        this.value = value;
    }

    /**
     * @param eventId the event's id, for the trigger it may cause (may be null)
     * @param name track name, or the event type for other events (may be null)
     * @param channel may be null
     * @param props may be null or empty
     */
    public static EventFacts of(
            String eventId, String name, String channel, Map<String, Object> props) {
        return of(eventId, name, channel, props, null);
    }

    /**
     * @param eventId the event's id, for the trigger it may cause (may be null)
     * @param name track name, or the event type for other events (may be null)
     * @param channel may be null
     * @param props may be null or empty
     * @param text the signals of the event's {@code props.text}, null when it had none
     */
    public static EventFacts of(
            String eventId,
            String name,
            String channel,
            Map<String, Object> props,
            TextSignal text) {
        Map<String, Object> v = new HashMap<>(8);
        if (text != null) {
            v.put("text", textValue(text));
        }
        if (name != null) {
            v.put("name", name);
        }
        if (channel != null) {
            v.put("channel", channel);
        }
        v.put("props", props == null ? Map.of() : props);
        return new EventFacts(eventId, Collections.unmodifiableMap(v));
    }

    /**
     * As {@link #of} with the props given as the JSON text of an object ({@code
     * Event#propsJson()}); null or blank means no props.
     *
     * @throws IllegalArgumentException if the text is not a JSON object
     */
    public static EventFacts ofJson(String eventId, String name, String channel, String propsJson) {
        return ofJson(eventId, name, channel, propsJson, null);
    }

    /** As {@link #ofJson(String, String, String, String)}, with the event's text signal. */
    public static EventFacts ofJson(
            String eventId, String name, String channel, String propsJson, TextSignal text) {
        if (propsJson == null || propsJson.isBlank()) {
            return of(eventId, name, channel, null, text);
        }
        JsonNode n;
        try {
            n = JSON.readTree(propsJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("props are not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("props must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> props = (Map<String, Object>) toCel(n);
        return of(eventId, name, channel, props, text);
    }

    /**
     * {@code event.text}: {@code intent} and {@code sentiment} (labels), {@code intent_score} and
     * {@code sentiment_score} (doubles).
     */
    private static Map<String, Object> textValue(TextSignal t) {
        return Map.of(
                "intent", t.intent().label(),
                "intent_score", t.intentScore(),
                "sentiment", t.sentiment().label(),
                "sentiment_score", t.sentimentScore());
    }

    public String eventId() {
        return eventId;
    }

    /** The CEL value of {@code event}. */
    Map<String, Object> value() {
        return value;
    }

    /** A JSON value as CEL's Java runtime takes it: Long, Double, String, Boolean, List, Map. */
    private static Object toCel(JsonNode n) {
        switch (n.getNodeType()) {
            case OBJECT:
                Map<String, Object> m = new HashMap<>(Math.max(4, n.size() * 2));
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    Object v = toCel(e.getValue());
                    if (v != null) {
                        m.put(e.getKey(), v);
                    }
                }
                return Collections.unmodifiableMap(m);
            case ARRAY:
                List<Object> l = new ArrayList<>(n.size());
                for (JsonNode x : n) {
                    Object v = toCel(x);
                    if (v != null) {
                        l.add(v);
                    }
                }
                return Collections.unmodifiableList(l);
            case NUMBER:
                return n.canConvertToLong() && n.isIntegralNumber() ? n.asLong() : n.asDouble();
            case STRING:
                return n.asText();
            case BOOLEAN:
                return n.asBoolean();
            default:
                return null;
        }
    }

    @Override
    public String toString() {
        return "EventFacts{" + eventId + ", " + value + "}";
    }
}
