package io.rtcdp.udf.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A parsed event as event JSON again (docs/contract.md §1), for the dead letters of records that a
 * stage of the job failed to process. The ids are the normalised ones, so PII ids are their HMACs,
 * not the plain text the producer sent; {@code props} is the event's own compact JSON.
 */
public final class EventJson {
    private static final JsonFactory JSON = new JsonFactory();

    private EventJson() {}

    public static String toJson(Event e) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("event_id", e.eventId());
            g.writeStringField("tenant", e.tenant());
            g.writeStringField("type", e.type().name().toLowerCase(java.util.Locale.ROOT));
            if (e.name() != null) {
                g.writeStringField("name", e.name());
            }
            g.writeNumberField("ts", e.ts());
            if (e.channel() != null) {
                g.writeStringField("channel", e.channel());
            }
            g.writeObjectFieldStart("ids");
            for (Id id : e.ids()) {
                g.writeStringField(id.type(), id.value());
            }
            g.writeEndObject();
            if (e.propsJson() != null) {
                g.writeFieldName("props");
                g.writeRawValue(e.propsJson());
            }
            if (!e.traits().isEmpty()) {
                g.writeObjectFieldStart("traits");
                for (Map.Entry<String, String> t : e.traits().entrySet()) {
                    g.writeStringField(t.getKey(), t.getValue());
                }
                g.writeEndObject();
            }
            if (e.consentMarketing() != null || e.consentPersonalization() != null) {
                g.writeObjectFieldStart("consent");
                if (e.consentMarketing() != null) {
                    g.writeBooleanField("marketing", e.consentMarketing());
                }
                if (e.consentPersonalization() != null) {
                    g.writeBooleanField("personalization", e.consentPersonalization());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return w.toString();
    }
}
