package io.rtcdp.udf.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdTypes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An operator's command to the identity stage, a record of the commands topic (docs/contract.md
 * §4.5): today one type, {@link #RELEASE}, which takes an id out of quarantine ({@code rtcdp ids
 * release}). The value is one JSON object, {@code {"command_id", "type", "tenant", "id",
 * "issued_at"}}; the Kafka key is the tenant.
 *
 * <p>The command id is derived from the rest ({@link #commandIdOf}), so the same command sent twice
 * has the same id, and the identity stage applies it once ({@code identityCommandsIgnored} counts
 * the repeats).
 *
 * @param commandId {@link #commandIdOf} of the other fields
 * @param type {@link #RELEASE}
 * @param tenant the tenant
 * @param id the id, normalised, PII types hashed as the job hashes them
 * @param issuedAt when the command was issued, epoch ms
 */
public record IdCommand(String commandId, String type, String tenant, Id id, long issuedAt) {

    /** Release an id from quarantine. */
    public static final String RELEASE = "release";

    /**
     * The event id a command carries through the identity stage: a control character no input event
     * id may hold, then the command id, so a command never meets an input event's id there.
     */
    public static final String EVENT_ID_PREFIX = "\u0000command:";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern TENANT = Pattern.compile("[a-z0-9_-]{1,64}");
    private static final Pattern COMMAND_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Set<String> FIELDS =
            Set.of("command_id", "type", "tenant", "id", "issued_at");
    private static final int MAX_VALUE_LENGTH = io.rtcdp.udf.event.IdNormalizer.MAX_VALUE_LENGTH;

    /** A release of {@code id}, issued at {@code issuedAt}. */
    public static IdCommand release(String tenant, Id id, long issuedAt) {
        return new IdCommand(
                commandIdOf(RELEASE, tenant, id, issuedAt), RELEASE, tenant, id, issuedAt);
    }

    /** The first 128 bits of SHA-256 over the fields, hex. */
    public static String commandIdOf(String type, String tenant, Id id, long issuedAt) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            String text = type + '\u0001' + tenant + '\u0001' + id + '\u0001' + issuedAt;
            byte[] h = md.digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String toJson() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("command_id", commandId);
        n.put("type", type);
        n.put("tenant", tenant);
        n.put("id", id.toString());
        n.put("issued_at", issuedAt);
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses and checks a command record's value.
     *
     * @throws IllegalArgumentException saying what is wrong, in one line
     */
    public static IdCommand parse(String json) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException("unknown field " + shown(f));
            }
        }
        String type = text(n, "type");
        if (!RELEASE.equals(type)) {
            throw new IllegalArgumentException("unknown command type " + shown(type));
        }
        String tenant = text(n, "tenant");
        if (!TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("field 'tenant' must match [a-z0-9_-]{1,64}");
        }
        Id id = parseId(text(n, "id"));
        JsonNode at = n.get("issued_at");
        if (at == null || !at.canConvertToLong() || !at.isIntegralNumber() || at.asLong() < 0) {
            throw new IllegalArgumentException("field 'issued_at' must be epoch milliseconds");
        }
        String commandId = text(n, "command_id");
        if (!COMMAND_ID.matcher(commandId).matches()
                || !commandId.equals(commandIdOf(type, tenant, id, at.asLong()))) {
            throw new IllegalArgumentException("field 'command_id' does not match the command");
        }
        return new IdCommand(commandId, type, tenant, id, at.asLong());
    }

    /**
     * {@code TYPE:VALUE} of a known type, the value 1-256 characters without control characters.
     */
    public static Id parseId(String s) {
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("the id must be TYPE:VALUE");
        }
        String type = s.substring(0, colon);
        String value = s.substring(colon + 1);
        if (!IdTypes.isKnown(type)) {
            throw new IllegalArgumentException("unknown id type " + shown(type));
        }
        if (value.length() > MAX_VALUE_LENGTH || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "the id's value must be 1-" + MAX_VALUE_LENGTH + " characters, no controls");
        }
        return new Id(type, value);
    }

    /**
     * Text of a record as a message may show it: quoted, at most 40 characters, control characters
     * replaced (the messages are logged).
     */
    private static String shown(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return "'" + t.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        return v.asText();
    }

    /**
     * The command as it travels with the tenant's events into the identity stage: an event of the
     * internal type {@link EventType#COMMAND} that no input can have, named by the command type.
     */
    public Event toEvent() {
        return new Event(
                tenant,
                EVENT_ID_PREFIX + commandId,
                EventType.COMMAND,
                type,
                issuedAt,
                null,
                List.of(id),
                null,
                null,
                null,
                null,
                null,
                Map.of(),
                null);
    }

    /**
     * The command an event of type {@link EventType#COMMAND} carries.
     *
     * @throws IllegalArgumentException if it does not carry one
     */
    public static IdCommand fromEvent(Event e) {
        if (e.type() != EventType.COMMAND
                || !e.eventId().startsWith(EVENT_ID_PREFIX)
                || e.ids().size() != 1
                || e.name() == null) {
            throw new IllegalArgumentException("not a command: " + e.eventId());
        }
        return new IdCommand(
                e.eventId().substring(EVENT_ID_PREFIX.length()),
                e.name(),
                e.tenant(),
                e.ids().get(0),
                e.ts());
    }
}
