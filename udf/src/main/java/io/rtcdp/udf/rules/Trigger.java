package io.rtcdp.udf.rules;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.rtcdp.udf.profile.Strings;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * A trigger (docs/contract.md §5): a trigger rule fired for a profile and its contact policy
 * allowed it. {@code score} and {@code eventId} may be null.
 */
public record Trigger(
        String triggerId,
        String tenant,
        String oneid,
        String rule,
        String action,
        String channel,
        Double score,
        String reason,
        String eventId,
        long ts,
        long emittedAt) {

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * The trigger for a fired rule, with its deterministic id and the rule's condition as reason.
     *
     * @param cause see {@link TriggerIds#of}; for an event-caused trigger, its event id
     */
    public static Trigger of(
            String tenant,
            String oneid,
            RuleSet.TriggerRule rule,
            Double score,
            String eventId,
            String cause,
            long ts,
            long emittedAt) {
        return new Trigger(
                TriggerIds.of(tenant, rule.name(), oneid, cause),
                tenant,
                oneid,
                rule.name(),
                rule.action(),
                rule.channel(),
                score,
                reason(rule),
                eventId,
                ts,
                emittedAt);
    }

    /**
     * The withdrawal of every trigger of a forgotten profile (docs/contract.md §3.6): an empty rule
     * name and id (rule names are never empty). The Redis stream sink deletes the profile's entries
     * written before it, the triggers topic gets the oneid's tombstone (a null value), files skip
     * it.
     */
    public static Trigger retraction(String tenant, String oneid, long ts, long emittedAt) {
        return new Trigger("", tenant, oneid, "", null, null, null, null, null, ts, emittedAt);
    }

    /** Whether this is a {@link #retraction} rather than a trigger. */
    public boolean isRetraction() {
        return rule.isEmpty() && action == null;
    }

    /**
     * Not a trigger: the audit record of a forget (docs/contract.md §3.6), for the Redis stream
     * sink's committer to complete and write once the forget's Redis deletes are done. {@code
     * partialJson} is the record without its completion fields and closing brace; {@code
     * appendedAt} the time the forget entered the job.
     */
    public static Trigger forgetAudit(
            String tenant, String forgetId, String partialJson, long appendedAt) {
        return new Trigger(
                "", tenant, forgetId, "", "audit", null, null, partialJson, null, appendedAt, 0);
    }

    /** Whether this is a {@link #forgetAudit}. */
    public boolean isAudit() {
        return rule.isEmpty() && "audit".equals(action);
    }

    /**
     * Writes this trigger field by field in the order of docs/contract.md §5.1 (the bytes of the
     * {@code TriggerSerializer}): strings as {@link Strings#write}, nullable ones after a presence
     * byte.
     */
    public void write(DataOutput out) throws IOException {
        Strings.write(out, triggerId);
        Strings.write(out, tenant);
        Strings.write(out, oneid);
        Strings.write(out, rule);
        writeNullable(out, action);
        writeNullable(out, channel);
        out.writeBoolean(score != null);
        if (score != null) {
            out.writeDouble(score);
        }
        writeNullable(out, reason);
        writeNullable(out, eventId);
        out.writeLong(ts);
        out.writeLong(emittedAt);
    }

    /** Reads what {@link #write} wrote. */
    public static Trigger read(DataInput in) throws IOException {
        String id = Strings.read(in);
        String tenant = Strings.read(in);
        String oneid = Strings.read(in);
        String rule = Strings.read(in);
        String action = readNullable(in);
        String channel = readNullable(in);
        Double score = in.readBoolean() ? in.readDouble() : null;
        String reason = readNullable(in);
        String eventId = readNullable(in);
        long ts = in.readLong();
        long emittedAt = in.readLong();
        return new Trigger(
                id, tenant, oneid, rule, action, channel, score, reason, eventId, ts, emittedAt);
    }

    private static void writeNullable(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            Strings.write(out, s);
        }
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? Strings.read(in) : null;
    }

    /** A short human text: the rule's condition, cut to 200 characters. */
    public static String reason(RuleSet.TriggerRule rule) {
        String w = collapseWhitespace(rule.when());
        return w.length() <= 200 ? w : w.substring(0, 197) + "...";
    }

    /**
     * {@code s.strip().replaceAll("\\s+", " ")} for the ASCII whitespace {@code \s} matches,
     * without a regular expression: this runs for every trigger emitted.
     */
    static String collapseWhitespace(String text) {
        String s = text.strip();
        StringBuilder sb = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r') {
                pendingSpace = sb.length() > 0;
                continue;
            }
            if (pendingSpace) {
                sb.append(' ');
                pendingSpace = false;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * One JSON object, fields in the order of docs/contract.md §5.1, absent values as null; null
     * for a {@link #retraction} (a tombstone on the topic, nothing in a file).
     */
    public String toJson() {
        if (rule.isEmpty()) {
            return null; // a retraction or an audit marker: no trigger
        }
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("trigger_id", triggerId);
            g.writeStringField("tenant", tenant);
            g.writeStringField("oneid", oneid);
            g.writeStringField("rule", rule);
            g.writeStringField("action", action);
            g.writeStringField("channel", channel);
            if (score == null) {
                g.writeNullField("score");
            } else {
                g.writeNumberField("score", score);
            }
            g.writeStringField("reason", reason);
            g.writeStringField("event_id", eventId);
            g.writeNumberField("ts", ts);
            g.writeNumberField("emitted_at", emittedAt);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
