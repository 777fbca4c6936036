package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Hostile input for the parser, and what every parse result must satisfy whatever the input. The
 * records are events built field by field from plain and hostile values (control characters,
 * unpaired surrogate escapes, braces, strings around and far over the limits, extreme numbers and
 * exponents, deep nesting, many ids and traits, repeated fields, wrong JSON types), such events
 * after byte-level edits (flips, invalid UTF-8, insertions of hostile snippets, duplicated slices,
 * truncation), and random bytes. Shared with the serializer fuzz tests of the operators module.
 */
public final class EventFuzz {

    /** 2023-11-15T00:00:00Z, the parser's "now". */
    public static final long NOW = 1_700_006_400_000L;

    public static final ParserConfig CONFIG =
            ParserConfig.builder()
                    .tenantSecret("acme", "acme-secret-0123456789abcdef-0123")
                    .countryCode("uk_shop", "+44")
                    .piiIdTypes("x_passport")
                    .tenantPiiIdTypes("acme", List.of("user_id", "x_crm"))
                    .piiTraits("name")
                    .tenantPiiTraits("acme", List.of("mobile", "name"))
                    .clock(() -> NOW)
                    .build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TENANT = Pattern.compile("[a-z0-9_-]{1,64}");
    private static final long MAX_MICROS = EventParser.MAX_ABS_AMOUNT * 1_000_000L;

    private EventFuzz() {}

    // ---- records -------------------------------------------------------------------------------

    /** Every kind of record: built events, edited events, random bytes. */
    public static Arbitrary<byte[]> records() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, events()), Tuple.of(4, mutatedEvents()), Tuple.of(1, randomBytes()));
    }

    /** Fully random bytes, and random text of JSON's characters. */
    public static Arbitrary<byte[]> randomBytes() {
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<byte[]> jsonish =
                Arbitraries.strings()
                        .withChars("{}[]\":,0123456789.-+eE \\ntrufalsidympce_@\u0000é")
                        .ofMaxLength(200)
                        .map(s -> ("{\"" + s).getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(bytes, jsonish);
    }

    /** Valid events and events with hostile values, half and half. */
    public static Arbitrary<byte[]> events() {
        return Arbitraries.oneOf(validEvents(), hostileEvents());
    }

    /**
     * Events with hostile values (and wrong types, repeated fields, missing fields) in any field;
     * mostly invalid.
     */
    public static Arbitrary<byte[]> hostileEvents() {
        Arbitrary<List<String>> core =
                Combinators.combine(
                                eventId(), tenant(), type(), name(), ts(false), channel(), ids(),
                                props())
                        .as((a, b, c, d, e, f, g, h) -> List.of(a, b, c, d, e, f, g, h));
        Arbitrary<List<String>> rest =
                Combinators.combine(traits(), consent(), unknownField()).as(List::of);
        return Combinators.combine(core, rest)
                .as(EventFuzz::concat)
                .flatMap(fields -> assemble(fields, true));
    }

    /**
     * Valid events, many of them at the edges: every limit reached exactly, the largest amounts,
     * escapes of every kind (surrogate pairs as two escapes too), control characters where they are
     * allowed (trait values, padding of ids), ignored nulls, unknown id types and fields.
     */
    public static Arbitrary<byte[]> validEvents() {
        Arbitrary<String> name =
                field(
                        "name",
                        string(
                                cleanText(1, EventParser.MAX_NAME_LENGTH)
                                        .filter(n -> !n.isBlank())));
        Arbitrary<String> channel =
                optional(field("channel", string(cleanText(0, EventParser.MAX_CHANNEL_LENGTH))), 4);
        // an order's props.items are order lines; any other event's are not read
        Arbitrary<List<String>> nameAndProps =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                1,
                                Combinators.combine(name, optional(validProps(), 3)).as(List::of)),
                        Tuple.of(
                                3,
                                Combinators.combine(
                                                Arbitraries.of(
                                                                Event.ORDER_COMPLETED,
                                                                Event.ORDER_REFUNDED)
                                                        .map(n -> "\"name\":\"" + n + "\""),
                                                optional(validOrderProps(), 1))
                                        .as(List::of)));
        Arbitrary<List<String>> core =
                Combinators.combine(
                                field(
                                        "event_id",
                                        string(cleanText(1, EventParser.MAX_EVENT_ID_LENGTH))),
                                tenant(true),
                                Arbitraries.of(EventType.INPUT),
                                nameAndProps,
                                ts(true),
                                channel,
                                validIds())
                        .as(
                                (id, tenant, type, np, ts, ch, ids) ->
                                        List.of(
                                                id,
                                                tenant,
                                                "\"type\":\""
                                                        + type.name().toLowerCase(Locale.ROOT)
                                                        + "\"",
                                                type == EventType.TRACK ? np.get(0) : "",
                                                ts,
                                                ch,
                                                ids,
                                                np.get(1)));
        Arbitrary<String> bool = Arbitraries.of("true", "false", "null");
        Arbitrary<String> consent =
                Combinators.combine(bool, bool)
                        .as(
                                (m, p) ->
                                        "\"consent\":{\"marketing\":"
                                                + m
                                                + ",\"personalization\":"
                                                + p
                                                + "}");
        Arbitrary<List<String>> rest =
                Combinators.combine(
                                optional(validTraits(), 5), optional(consent, 7), unknownField())
                        .as(List::of);
        return Combinators.combine(core, rest)
                .as(EventFuzz::concat)
                .flatMap(fields -> assemble(fields, false));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> fields = new ArrayList<>(a);
        fields.addAll(b);
        fields.removeIf(String::isEmpty);
        return fields;
    }

    /** The fields in a random order, compact or pretty, maybe one of them twice. */
    private static Arbitrary<byte[]> assemble(List<String> fields, boolean mayRepeat) {
        return Combinators.combine(
                        Arbitraries.longs(),
                        Arbitraries.integers().between(0, 19),
                        Arbitraries.of(false, false, false, true))
                .as(
                        (seed, duplicate, pretty) -> {
                            List<String> f = new ArrayList<>(fields);
                            java.util.Collections.shuffle(f, new java.util.Random(seed));
                            if (mayRepeat && duplicate < f.size() && duplicate % 4 == 0) {
                                f.add(f.get(duplicate)); // a repeated field
                            }
                            String sep = pretty ? ",\n  " : ",";
                            String json =
                                    (pretty ? "{\n  " : "{")
                                            + String.join(sep, f)
                                            + (pretty ? "\n}" : "}");
                            return json.getBytes(StandardCharsets.UTF_8);
                        });
    }

    /** Built events after 1-4 byte-level edits. */
    public static Arbitrary<byte[]> mutatedEvents() {
        Arbitrary<int[]> edit =
                Combinators.combine(
                                Arbitraries.integers().between(0, 5),
                                Arbitraries.integers().between(0, 100_000),
                                Arbitraries.integers().between(0, 255),
                                Arbitraries.integers().between(0, SNIPPETS.size() - 1))
                        .as((kind, pos, value, snippet) -> new int[] {kind, pos, value, snippet});
        return Combinators.combine(events(), edit.list().ofMinSize(1).ofMaxSize(4))
                .as(
                        (bytes, edits) -> {
                            byte[] b = bytes;
                            for (int[] e : edits) {
                                b = edit(b, e[0], e[1], e[2], e[3]);
                            }
                            return b;
                        });
    }

    /** Trait keys that are PII for some tenant of {@link #CONFIG}, and one that is not. */
    private static final Arbitrary<String> PII_TRAIT_KEYS =
            Arbitraries.of("name", "mobile", "nickname");

    /** Pieces of hostile JSON spliced into records. */
    static final List<String> SNIPPETS =
            List.of(
                    "\"ts\":1E+2147483647,",
                    "\"props\":{\"amount\":1E+2147483647},",
                    "\"props\":{\"amount\":-1e-2147483648},",
                    "{\"amount\":" + "9".repeat(1001) + "}",
                    "\"ids\":{\"x_a\":\"\\u0000\",\"user_id\":\"{u}\"},",
                    "\"event_id\":\"\\ud800\",",
                    "\"traits\":{\"\\u0001\":\"\\udfff\"},",
                    "\"channel\":\"\\u2028\",",
                    "[".repeat(1100),
                    "\\ud83d",
                    "\\u0000",
                    "\u0085\u2029",
                    "\"\\",
                    "\uD83D\uDE00",
                    ",\"x\":null",
                    "1e999999999",
                    "{}[]");

    private static byte[] edit(byte[] b, int kind, int pos, int value, int snippet) {
        if (b.length == 0) {
            return new byte[] {(byte) value};
        }
        int at = pos % b.length;
        byte[] token = "\"{}[],:0-.e \\".getBytes(StandardCharsets.US_ASCII);
        switch (kind) {
            case 0: // truncation
                return Arrays.copyOf(b, at);
            case 1: // one byte changed: JSON punctuation, or any byte (invalid UTF-8 too)
                byte[] changed = b.clone();
                changed[at] = value < 128 ? token[value % token.length] : (byte) value;
                return changed;
            case 2: // one byte removed
                byte[] removed = new byte[b.length - 1];
                System.arraycopy(b, 0, removed, 0, at);
                System.arraycopy(b, at + 1, removed, at, b.length - at - 1);
                return removed;
            case 3: // a slice repeated
                int len = Math.min(1 + value, b.length - at);
                return splice(b, at, Arrays.copyOfRange(b, at, at + len));
            default: // a hostile snippet inserted, often right after the opening brace
                byte[] s = SNIPPETS.get(snippet).getBytes(StandardCharsets.UTF_8);
                return splice(b, kind == 4 ? Math.min(1, b.length) : at, s);
        }
    }

    private static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }

    // ---- field values, as JSON text ------------------------------------------------------------

    private static Arbitrary<String> field(String key, Arbitrary<String> value) {
        return value.map(v -> quote(key, false) + ":" + v);
    }

    /** The field, or nothing (an empty string) with the given frequency in 10. */
    private static Arbitrary<String> optional(Arbitrary<String> field, int absentIn10) {
        return Arbitraries.frequencyOf(
                Tuple.of(10 - absentIn10, field), Tuple.of(absentIn10, Arbitraries.just("")));
    }

    private static Arbitrary<String> plain(int min, int max) {
        return Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars("-_:.")
                .ofMinLength(min)
                .ofMaxLength(max);
    }

    /**
     * Text without control characters or unpaired surrogates: any other character of the BMP, and
     * supplementary characters as surrogate pairs; lengths up to the limit.
     */
    static Arbitrary<String> cleanText(int min, int max) {
        Arbitrary<String> any =
                Arbitraries.strings()
                        .withCharRange('\u0020', '\u007e')
                        .withCharRange('\u00a0', '\u2027')
                        .withCharRange('\u202a', '\ud7ff')
                        .withCharRange('\ue000', '\ufffd')
                        .ofMinLength(min)
                        .ofMaxLength(max);
        Arbitrary<String> withPairs =
                Arbitraries.of("a", "é", "中", "😀", " ", "\"", "\\", "{", "}")
                        .list()
                        .ofMinSize(min)
                        .ofMaxSize(max / 2)
                        .map(l -> String.join("", l));
        return Arbitraries.frequencyOf(
                Tuple.of(8, plain(Math.max(min, 1), Math.min(max, 30))),
                Tuple.of(3, any),
                Tuple.of(2, withPairs),
                Tuple.of(1, Arbitraries.just("m".repeat(max))));
    }

    /** Characters that every check of the parser is about. */
    private static final String HOSTILE_CHARS =
            "\u0000\u0001\t\n\r\u001b\u001f\u007f\u0080\u0085\u009f\u00a0\u2028\u2029\ufeff\ufffd"
                    + "{}\"\\/ é中\ud83d\ude00\ud800\udfff";

    /** Mostly plain text, some hostile, some around or far over the length limits. */
    private static Arbitrary<String> text(int min, int max) {
        Arbitrary<String> hostile =
                Arbitraries.strings()
                        .withChars(HOSTILE_CHARS)
                        .alpha()
                        .ofMinLength(Math.max(min, 1))
                        .ofMaxLength(12);
        Arbitrary<String> unicode =
                Arbitraries.strings().all().ofMinLength(Math.max(min, 1)).ofMaxLength(12);
        Arbitrary<String> aroundLimits =
                Arbitraries.of(63, 64, 65, 127, 128, 129, 255, 256, 257, 300)
                        .map(n -> "L".repeat(n));
        Arbitrary<String> overTheRecordLimit = Arbitraries.just("H".repeat(70_000));
        return Arbitraries.frequencyOf(
                Tuple.of(400, plain(min, max)),
                Tuple.of(60, hostile),
                Tuple.of(30, unicode),
                Tuple.of(30, aroundLimits),
                Tuple.of(10, Arbitraries.just("  pad  ")),
                Tuple.of(1, overTheRecordLimit));
    }

    /** A JSON string of the text; ASCII-only (Python's default) or with raw non-ASCII. */
    private static Arbitrary<String> string(Arbitrary<String> text) {
        return Combinators.combine(text, Arbitraries.of(false, false, true)).as(EventFuzz::quote);
    }

    /** JSON string escaping that can also express unpaired surrogates, as {@code \\u} escapes. */
    static String quote(String s, boolean asciiOnly) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) || (asciiOnly && c > 0x7e)) {
                boolean pair =
                        Character.isHighSurrogate(c)
                                && i + 1 < s.length()
                                && Character.isLowSurrogate(s.charAt(i + 1));
                if (pair && !asciiOnly) {
                    sb.append(c).append(s.charAt(++i));
                } else {
                    sb.append(String.format("\\u%04x", (int) c));
                }
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static final List<String> HOSTILE_NUMBERS =
            List.of(
                    "1E+2147483647",
                    "-1E+2147483647",
                    "1e-2147483648",
                    "1E+2147483648",
                    "0E+2147483647",
                    "-0",
                    "-0.0",
                    "1e12",
                    "-1e12",
                    "1000000000000",
                    "1000000000000.0000001",
                    "999999999999.9999995",
                    "9223372036854",
                    "9223372036854775807",
                    "-9223372036854775808",
                    "9223372036854775808",
                    "99999999999999999999999",
                    "9".repeat(999),
                    "9".repeat(1001),
                    "0." + "0".repeat(900) + "1",
                    "1.7976931348623157E308",
                    "4.9E-324",
                    "0.0000005",
                    "0.0000015",
                    "123.456",
                    "1.0");

    private static Arbitrary<String> number() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().map(String::valueOf)),
                Tuple.of(
                        3,
                        Arbitraries.longs()
                                .between(-2_000_000_000_000L, 2_000_000_000_000L)
                                .map(String::valueOf)),
                Tuple.of(
                        3,
                        Combinators.combine(
                                        Arbitraries.longs()
                                                .between(-10_000_000_000L, 10_000_000_000L),
                                        Arbitraries.integers().between(0, 12))
                                .as((v, scale) -> new java.math.BigDecimal(v).movePointLeft(scale))
                                .map(java.math.BigDecimal::toString)),
                Tuple.of(3, Arbitraries.of(HOSTILE_NUMBERS)));
    }

    /** A value of the wrong JSON type, or null. */
    private static Arbitrary<String> wrongType() {
        return Arbitraries.of("null", "true", "[]", "{}", "[\"x\"]", "{\"a\":1}", "3", "2.5");
    }

    private static Arbitrary<String> eventId() {
        return optional(
                field(
                        "event_id",
                        Arbitraries.frequencyOf(
                                Tuple.of(12, string(plain(1, 40))),
                                Tuple.of(3, string(text(0, 140))),
                                Tuple.of(1, wrongType()))),
                1);
    }

    private static Arbitrary<String> tenant(boolean valid) {
        return valid
                ? field("tenant", Arbitraries.of("\"acme\"", "\"uk_shop\"", "\"t-1\""))
                : tenant();
    }

    private static Arbitrary<String> tenant() {
        return optional(
                field(
                        "tenant",
                        Arbitraries.frequencyOf(
                                Tuple.of(12, Arbitraries.of("\"acme\"", "\"uk_shop\"", "\"t-1\"")),
                                Tuple.of(1, string(text(0, 70))),
                                Tuple.of(1, wrongType()))),
                1);
    }

    private static Arbitrary<String> type() {
        return optional(
                field(
                        "type",
                        Arbitraries.frequencyOf(
                                Tuple.of(
                                        15,
                                        Arbitraries.of(
                                                "\"track\"",
                                                "\"page\"",
                                                "\"identify\"",
                                                "\"consent\"",
                                                "\"forget\"")),
                                Tuple.of(1, Arbitraries.of("\"Track\"", "\"purchase\"", "1")))),
                1);
    }

    private static Arbitrary<String> name() {
        return optional(
                field(
                        "name",
                        Arbitraries.frequencyOf(
                                Tuple.of(
                                        12,
                                        Arbitraries.of(
                                                "\"order_completed\"",
                                                "\"product_viewed\"",
                                                "\"product_added\"",
                                                "\"search\"")),
                                Tuple.of(4, string(text(0, 140))),
                                Tuple.of(1, wrongType()))),
                2);
    }

    private static Arbitrary<String> ts(boolean valid) {
        Arbitrary<Long> times =
                Arbitraries.longs()
                        .between(0, NOW + 86_400_000L)
                        .edgeCases(c -> c.includeOnly(0L, NOW + 86_400_000L));
        Arbitrary<String> iso =
                Combinators.combine(times, Arbitraries.integers().between(-18 * 60, 18 * 60))
                        .as(
                                (t, m) ->
                                        "\""
                                                + Instant.ofEpochMilli(t)
                                                        .atOffset(ZoneOffset.ofTotalSeconds(m * 60))
                                                + "\"");
        return valid
                ? field("ts", Arbitraries.oneOf(times.map(String::valueOf), iso))
                : hostileTs(times, iso);
    }

    private static Arbitrary<String> hostileTs(Arbitrary<Long> times, Arbitrary<String> iso) {
        return optional(
                field(
                        "ts",
                        Arbitraries.frequencyOf(
                                Tuple.of(8, times.map(Object::toString)),
                                Tuple.of(4, iso),
                                Tuple.of(2, number()),
                                Tuple.of(1, string(text(0, 40))),
                                Tuple.of(
                                        1,
                                        Arbitraries.of(
                                                "\"+999999999-12-31T23:59:59Z\"",
                                                "\"2023-02-29T10:00:00Z\"",
                                                "\"2023-11-14T10:00:00.1234567890Z\"")),
                                Tuple.of(1, wrongType()))),
                1);
    }

    private static Arbitrary<String> channel() {
        return optional(
                field(
                        "channel",
                        Arbitraries.frequencyOf(
                                Tuple.of(8, Arbitraries.of("\"web\"", "\"app\"", "\"\"")),
                                Tuple.of(4, string(text(0, 70))),
                                Tuple.of(1, wrongType()))),
                4);
    }

    private static final List<String> ID_TYPES =
            List.of(
                    "user_id",
                    "phone",
                    "email",
                    "union_id",
                    "device_id",
                    "cookie_id",
                    "x_crm",
                    "x_passport",
                    "wechat_openid",
                    "X_bad");

    private static Arbitrary<String> idEntry() {
        Arbitrary<String> type =
                Arbitraries.frequencyOf(
                        Tuple.of(10, Arbitraries.of(ID_TYPES)),
                        Tuple.of(2, plain(1, 10).map(s -> "x_" + s.toLowerCase())));
        Arbitrary<String> value =
                Arbitraries.frequencyOf(
                        Tuple.of(10, string(plain(1, 30))),
                        Tuple.of(
                                3,
                                string(
                                        Arbitraries.of(
                                                " Jane.Doe@Example.com ",
                                                "a@b",
                                                "138-0013-8000",
                                                "+44 (20) 7946 0958",
                                                "  ",
                                                "{slot}",
                                                "}",
                                                "a\u0000b",
                                                "\tc-1\n",
                                                "\ud800"))),
                        Tuple.of(3, string(text(0, 260))),
                        Tuple.of(2, Arbitraries.longs().map(Object::toString)),
                        Tuple.of(1, wrongType()));
        return Combinators.combine(type, value).as((t, v) -> quote(t, false) + ":" + v);
    }

    private static Arbitrary<String> ids() {
        Arbitrary<Integer> counts =
                Arbitraries.frequencyOf(
                        Tuple.of(12, Arbitraries.integers().between(1, 4)),
                        Tuple.of(1, Arbitraries.just(0)),
                        Tuple.of(2, Arbitraries.integers().between(28, 40)));
        Arbitrary<String> object =
                counts.flatMap(
                        n -> idEntry().list().ofSize(n).map(l -> "{" + String.join(",", l) + "}"));
        return optional(
                field(
                        "ids",
                        Arbitraries.frequencyOf(Tuple.of(20, object), Tuple.of(1, wrongType()))),
                1);
    }

    /** Built-in types and more custom types than an event may have. */
    private static final List<String> KNOWN_TYPES;

    static {
        List<String> types = new ArrayList<>(IdTypes.BUILT_IN);
        types.add("x_passport");
        for (int i = 0; types.size() < 40; i++) {
            types.add("x_t" + i);
        }
        KNOWN_TYPES = List.copyOf(types);
    }

    /** 1 to 32 ids of distinct known types with usable values, and ignored entries. */
    private static Arbitrary<String> validIds() {
        Arbitrary<String> other =
                Arbitraries.frequencyOf(
                                Tuple.of(10, plain(1, 30)),
                                Tuple.of(
                                        2,
                                        cleanText(1, 40)
                                                .filter(
                                                        v ->
                                                                !v.isBlank()
                                                                        && v.indexOf('{') < 0
                                                                        && v.indexOf('}') < 0)),
                                Tuple.of(
                                        1,
                                        Arbitraries.just(
                                                "m".repeat(IdNormalizer.MAX_VALUE_LENGTH))),
                                Tuple.of(1, plain(1, 20).map(v -> "\t " + v + "\n")))
                        .map(v -> quote(v, false));
        Arbitrary<String> email =
                Combinators.combine(plain(1, 12), plain(1, 12))
                        .as(
                                (a, b) ->
                                        quote(
                                                " " + a + "@" + b.toUpperCase(Locale.ROOT) + " ",
                                                false));
        Arbitrary<String> phone =
                Arbitraries.strings()
                        .numeric()
                        .ofMinLength(5)
                        .ofMaxLength(16)
                        .map(d -> quote(d.substring(0, 3) + "-" + d.substring(3), false));
        Arbitrary<Integer> counts =
                Arbitraries.integers()
                        .between(1, EventParser.MAX_IDS)
                        .edgeCases(c -> c.includeOnly(1, EventParser.MAX_IDS));
        Arbitrary<String> extra =
                Arbitraries.of("", ",\"wechat_openid\":\"o\"", ",\"X_bad\":\"v\"");
        return counts.flatMap(
                n ->
                        Combinators.combine(
                                        Arbitraries.shuffle(KNOWN_TYPES),
                                        other.list().ofSize(n),
                                        email,
                                        phone,
                                        extra)
                                .as(
                                        (types, values, e, ph, ignored) -> {
                                            StringBuilder sb = new StringBuilder("\"ids\":{");
                                            for (int i = 0; i < n; i++) {
                                                String t = types.get(i);
                                                String v =
                                                        t.equals(IdTypes.EMAIL)
                                                                ? e
                                                                : t.equals(IdTypes.PHONE)
                                                                        ? ph
                                                                        : values.get(i);
                                                sb.append(i == 0 ? "" : ",")
                                                        .append(quote(t, false))
                                                        .append(':')
                                                        .append(v);
                                            }
                                            return sb.append(ignored).append('}').toString();
                                        }));
    }

    private static final List<String> VALID_AMOUNTS =
            List.of(
                    "1E-2147483647",
                    "0E+2147483647",
                    "-0",
                    "-0.0",
                    "1e12",
                    "-1e12",
                    "1000000000000",
                    "-1000000000000",
                    "999999999999.9999995",
                    "0.0000005",
                    "0.0000015",
                    "0." + "0".repeat(900) + "1",
                    "\"1E+12\"",
                    "\" 12.50 \"");

    private static Arbitrary<String> validProps() {
        Arbitrary<String> amount =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                6,
                                Combinators.combine(
                                                Arbitraries.longs()
                                                        .between(
                                                                -EventParser.MAX_ABS_AMOUNT,
                                                                EventParser.MAX_ABS_AMOUNT),
                                                Arbitraries.integers().between(0, 8))
                                        .as(
                                                (v, scale) ->
                                                        new java.math.BigDecimal(v)
                                                                .movePointLeft(scale)
                                                                .toString())),
                        Tuple.of(2, Arbitraries.of(VALID_AMOUNTS)),
                        Tuple.of(1, Arbitraries.just("null")));
        Arbitrary<String> category =
                Combinators.combine(
                                Arbitraries.of("", " ", "\t", "\u3000"),
                                cleanText(0, EventParser.MAX_CATEGORY_LENGTH))
                        .as((pad, c) -> quote(pad + c + pad, false));
        Arbitrary<String> orderId =
                Arbitraries.oneOf(
                        string(cleanText(0, EventParser.MAX_ORDER_ID_LENGTH)),
                        Arbitraries.longs().map(String::valueOf),
                        Arbitraries.just("1".repeat(EventParser.MAX_ORDER_ID_LENGTH)));
        Arbitrary<String> items =
                Arbitraries.integers()
                        .between(1, 990)
                        .map(d -> "\"items\":" + "[".repeat(d) + "]".repeat(d));
        Arbitrary<String> price =
                number().filter(n -> n.length() <= 1000).map(v -> "\"price\":" + v);
        return Combinators.combine(
                        optional(amount.map(v -> "\"amount\":" + v), 3),
                        optional(category.map(v -> "\"category\":" + v), 4),
                        optional(orderId.map(v -> "\"order_id\":" + v), 5),
                        optional(items, 8),
                        optional(price, 6))
                .as(
                        (a, b, c, d, e) -> {
                            List<String> l = new ArrayList<>(List.of(a, b, c, d, e));
                            l.removeIf(String::isEmpty);
                            return "\"props\":{" + String.join(",", l) + "}";
                        });
    }

    /** Prices at the edges that are valid: from 0 (-0 too) to 10^12, as numbers or strings. */
    private static final List<String> VALID_PRICES =
            List.of(
                    "0",
                    "-0",
                    "-0.0",
                    "0E+2147483647",
                    "1E-2147483647",
                    "1e12",
                    "1000000000000",
                    "999999999999.9999995",
                    "0.0000005",
                    "0.0000015",
                    "\"1E+12\"",
                    "\" 12.50 \"");

    /** An order's props: an amount, an order id, and 0 to 6 valid order lines (or null). */
    private static Arbitrary<String> validOrderProps() {
        Arbitrary<String> pad = Arbitraries.of("", " ", "\t", "\u3000");
        Arbitrary<String> sku =
                Combinators.combine(
                                pad,
                                cleanText(1, EventParser.MAX_SKU_LENGTH).filter(t -> !t.isBlank()))
                        .as((p, t) -> quote(p + t + p, false));
        Arbitrary<String> category =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                4,
                                Combinators.combine(
                                                pad, cleanText(0, EventParser.MAX_CATEGORY_LENGTH))
                                        .as((p, t) -> quote(p + t + p, false))),
                        Tuple.of(1, Arbitraries.just("null")));
        Arbitrary<String> quantity =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                6,
                                Arbitraries.longs()
                                        .between(1, EventParser.MAX_ITEM_QUANTITY)
                                        .map(String::valueOf)),
                        Tuple.of(
                                2,
                                Arbitraries.longs()
                                        .between(1, EventParser.MAX_ITEM_QUANTITY)
                                        .map(q -> "\" 0" + q + " \"")),
                        Tuple.of(1, Arbitraries.of("1", "1000000000", "\"1000000000\"")));
        Arbitrary<String> price =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                6,
                                Combinators.combine(
                                                Arbitraries.longs()
                                                        .between(0, EventParser.MAX_ABS_AMOUNT),
                                                Arbitraries.integers().between(0, 8))
                                        .as(
                                                (v, scale) ->
                                                        new java.math.BigDecimal(v)
                                                                .movePointLeft(scale)
                                                                .toString())),
                        Tuple.of(2, Arbitraries.of(VALID_PRICES)));
        Arbitrary<String> line =
                Combinators.combine(
                                sku,
                                optional(category.map(v -> ",\"category\":" + v), 4),
                                quantity,
                                price,
                                optional(
                                        Arbitraries.of(
                                                ",\"note\":{\"sku\":1,\"price\":-1}",
                                                ",\"qty\":null",
                                                ",\"tags\":[\"a\",{\"quantity\":0}]"),
                                        6))
                        .as(
                                (sk, c, q, pr, other) ->
                                        "{\"sku\":"
                                                + sk
                                                + c
                                                + ",\"quantity\":"
                                                + q
                                                + other
                                                + ",\"price\":"
                                                + pr
                                                + "}");
        Arbitrary<String> items =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                8,
                                line.list()
                                        .ofMinSize(1)
                                        .ofMaxSize(6)
                                        .map(l -> "[" + String.join(",", l) + "]")),
                        Tuple.of(2, Arbitraries.just("[]")),
                        Tuple.of(1, Arbitraries.just("null")));
        return Combinators.combine(
                        optional(
                                Arbitraries.of(VALID_AMOUNTS).map(v -> "\"amount\":" + v + ","), 3),
                        optional(
                                string(cleanText(0, EventParser.MAX_ORDER_ID_LENGTH))
                                        .map(v -> "\"order_id\":" + v + ","),
                                3),
                        items)
                .as((a, o, i) -> "\"props\":{" + a + o + "\"items\":" + i + "}");
    }

    /**
     * Order lines for the hostile events: mostly well formed, with hostile texts and numbers, wrong
     * types, missing and repeated keys, elements that are no objects.
     */
    private static Arbitrary<String> hostileItems() {
        Arbitrary<String> sku =
                Arbitraries.frequencyOf(
                        Tuple.of(6, string(plain(1, 20))),
                        Tuple.of(3, string(text(0, 70))),
                        Tuple.of(1, wrongType()));
        Arbitrary<String> category =
                Arbitraries.frequencyOf(
                        Tuple.of(4, string(plain(0, 20))),
                        Tuple.of(2, string(text(0, 70))),
                        Tuple.of(1, wrongType()));
        Arbitrary<String> quantity =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                6,
                                Arbitraries.longs()
                                        .between(-2, EventParser.MAX_ITEM_QUANTITY + 2)
                                        .edgeCases(
                                                c ->
                                                        c.includeOnly(
                                                                0L,
                                                                1L,
                                                                EventParser.MAX_ITEM_QUANTITY,
                                                                EventParser.MAX_ITEM_QUANTITY + 1))
                                        .map(String::valueOf)),
                        Tuple.of(2, number()),
                        Tuple.of(2, number().map(n -> "\" " + n + " \"")),
                        Tuple.of(1, wrongType()));
        Arbitrary<String> price =
                Arbitraries.frequencyOf(
                        Tuple.of(6, number()),
                        Tuple.of(2, number().map(n -> "\" " + n + " \"")),
                        Tuple.of(1, string(text(0, 70))),
                        Tuple.of(1, wrongType()));
        Arbitrary<String> line =
                Combinators.combine(
                                optional(sku.map(v -> "\"sku\":" + v), 1),
                                optional(category.map(v -> "\"category\":" + v), 5),
                                optional(quantity.map(v -> "\"quantity\":" + v), 1),
                                optional(price.map(v -> "\"price\":" + v), 1),
                                optional(
                                        Arbitraries.of(
                                                "\"note\":{\"sku\":1}",
                                                "\"sku\":\"again\"",
                                                "\"x\":1,\"x\":2",
                                                "\"price\":1"),
                                        8))
                        .as(
                                (a, b, c, d, e) -> {
                                    List<String> l = new ArrayList<>(List.of(a, b, c, d, e));
                                    l.removeIf(String::isEmpty);
                                    return "{" + String.join(",", l) + "}";
                                });
        Arbitrary<String> element =
                Arbitraries.frequencyOf(Tuple.of(20, line), Tuple.of(1, wrongType()));
        return Arbitraries.frequencyOf(
                Tuple.of(10, element.list().ofMaxSize(5).map(l -> "[" + String.join(",", l) + "]")),
                Tuple.of(1, wrongType()));
    }

    /** 0 to 64 traits with distinct keys, and an ignored null or nested value. */
    private static Arbitrary<String> validTraits() {
        Arbitrary<String> value =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                6,
                                string(
                                        Arbitraries.strings()
                                                .all()
                                                .ofMaxLength(EventParser.MAX_TRAIT_VALUE_LENGTH)
                                                .map(DeadLetter.Json::wellFormed))),
                        Tuple.of(3, Arbitraries.longs().map(String::valueOf)),
                        Tuple.of(1, Arbitraries.of("true", "false", "1.5e300")));
        Arbitrary<List<String>> keys =
                Arbitraries.frequencyOf(
                                Tuple.of(3, cleanText(0, EventParser.MAX_TRAIT_KEY_LENGTH)),
                                Tuple.of(1, PII_TRAIT_KEYS))
                        .list()
                        .uniqueElements()
                        .ofMaxSize(EventParser.MAX_TRAITS);
        Arbitrary<String> ignored = Arbitraries.of("null", "{\"a\":1}", "[1,2]");
        return keys.flatMap(
                k ->
                        Combinators.combine(value.list().ofSize(k.size()), ignored)
                                .as(
                                        (v, skipped) -> {
                                            StringBuilder sb = new StringBuilder("\"traits\":{");
                                            for (int i = 0; i < k.size(); i++) {
                                                sb.append(quote(k.get(i), false))
                                                        .append(':')
                                                        .append(v.get(i))
                                                        .append(',');
                                            }
                                            // null and nested values are ignored, not counted
                                            sb.append("\"ignored\":").append(skipped);
                                            return sb.append('}').toString();
                                        }));
    }

    private static Arbitrary<String> nested() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.just("[{\"sku\":\"A\",\"amount\":5,\"category\":\"x\"}]")),
                Tuple.of(
                        1,
                        Arbitraries.integers()
                                .between(1, 1100)
                                .map(d -> "[".repeat(d) + "]".repeat(d))),
                Tuple.of(1, string(text(0, 3000))));
    }

    private static Arbitrary<String> props() {
        Arbitrary<String> amount =
                Arbitraries.frequencyOf(
                        Tuple.of(6, number()),
                        Tuple.of(2, number().map(n -> "\" " + n + " \"")),
                        Tuple.of(1, wrongType()),
                        Tuple.of(1, string(text(0, 70))));
        Arbitrary<String> category =
                Arbitraries.frequencyOf(
                        Tuple.of(6, Arbitraries.of("\"shoes\"", "\" bags \"", "\"\"", "\"  \"")),
                        Tuple.of(4, string(text(0, 70))),
                        Tuple.of(1, wrongType()));
        Arbitrary<String> orderId =
                Arbitraries.frequencyOf(
                        Tuple.of(6, string(plain(0, 20))),
                        Tuple.of(2, number()),
                        Tuple.of(3, string(text(0, 140))),
                        Tuple.of(1, wrongType()));
        Arbitrary<String> object =
                Combinators.combine(
                                optional(amount.map(v -> "\"amount\":" + v), 4),
                                optional(category.map(v -> "\"category\":" + v), 4),
                                optional(orderId.map(v -> "\"order_id\":" + v), 5),
                                optional(
                                        Arbitraries.oneOf(nested(), hostileItems())
                                                .map(v -> "\"items\":" + v),
                                        6),
                                optional(number().map(v -> "\"price\":" + v), 7),
                                // a customer's text: read, classified, left out of the kept props
                                optional(
                                        Arbitraries.frequencyOf(
                                                        Tuple.of(8, string(text(0, 300))),
                                                        Tuple.of(1, wrongType()))
                                                .map(v -> "\"text\":" + v),
                                        3))
                        .as(
                                (a, b, c, d, e, t) -> {
                                    List<String> l = new ArrayList<>(List.of(a, b, c, d, e, t));
                                    l.removeIf(String::isEmpty);
                                    java.util.Collections.rotate(l, t.length() % 3);
                                    return "{" + String.join(",", l) + "}";
                                });
        return optional(
                field(
                        "props",
                        Arbitraries.frequencyOf(Tuple.of(20, object), Tuple.of(1, wrongType()))),
                3);
    }

    private static Arbitrary<String> traits() {
        Arbitrary<String> value =
                Arbitraries.frequencyOf(
                        Tuple.of(6, string(text(0, 260))),
                        Tuple.of(3, number()),
                        Tuple.of(1, Arbitraries.of("true", "false", "null", "{\"a\":1}", "[1]")));
        Arbitrary<String> key =
                Arbitraries.frequencyOf(
                        Tuple.of(3, string(text(0, 70))), Tuple.of(2, string(PII_TRAIT_KEYS)));
        Arbitrary<String> entry = Combinators.combine(key, value).as((k, v) -> k + ":" + v);
        Arbitrary<Integer> counts =
                Arbitraries.frequencyOf(
                        Tuple.of(12, Arbitraries.integers().between(0, 5)),
                        Tuple.of(2, Arbitraries.integers().between(60, 70)));
        Arbitrary<String> object =
                counts.flatMap(
                        n -> entry.list().ofSize(n).map(l -> "{" + String.join(",", l) + "}"));
        return optional(
                field(
                        "traits",
                        Arbitraries.frequencyOf(Tuple.of(20, object), Tuple.of(1, wrongType()))),
                5);
    }

    private static Arbitrary<String> consent() {
        Arbitrary<String> bool = Arbitraries.of("true", "false", "null", "\"yes\"", "1");
        return optional(
                field(
                        "consent",
                        Combinators.combine(bool, bool)
                                .as(
                                        (m, p) ->
                                                "{\"marketing\":"
                                                        + m
                                                        + ",\"personalization\":"
                                                        + p
                                                        + "}")),
                7);
    }

    private static Arbitrary<String> unknownField() {
        return optional(
                Arbitraries.of(
                        "\"context\":{\"ip\":\"10.0.0.1\",\"tenant\":\"x\"}",
                        "\"sent_at\":1E+2147483647",
                        "\"extra\":[" + "1,".repeat(100) + "1]"),
                7);
    }

    // ---- invariants ----------------------------------------------------------------------------

    /**
     * What every parse result satisfies: a valid event within every limit, or a dead letter of an
     * input code whose JSON is valid, bounded and faithful to the record.
     */
    public static void check(Parsed parsed, byte[] input, String source) throws Exception {
        assertThat(parsed.event() == null).isNotEqualTo(parsed.deadLetter() == null);
        if (parsed.isValid()) {
            checkEvent(parsed.event());
        } else {
            checkDeadLetter(parsed.deadLetter(), input, source);
        }
    }

    public static void checkEvent(Event e) throws Exception {
        assertThat(e.tenant()).matches(TENANT);
        assertThat(e.type()).isNotNull();
        checkText(e.eventId(), 1, EventParser.MAX_EVENT_ID_LENGTH, true);
        if (e.type() == EventType.TRACK) {
            assertThat(e.name()).isNotBlank();
        }
        if (e.name() != null) {
            checkText(e.name(), 1, EventParser.MAX_NAME_LENGTH, true);
        }
        assertThat(e.ts()).isBetween(0L, NOW + CONFIG.maxFutureSkewMillis());
        if (e.channel() != null) {
            checkText(e.channel(), 1, EventParser.MAX_CHANNEL_LENGTH, true);
        }
        assertThat(e.ids()).isNotEmpty().hasSizeLessThanOrEqualTo(EventParser.MAX_IDS);
        for (int i = 0; i < e.ids().size(); i++) {
            Id id = e.ids().get(i);
            assertThat(IdTypes.isKnown(id.type())).as(id.type()).isTrue();
            checkText(id.value(), 1, IdNormalizer.MAX_VALUE_LENGTH, true);
            assertThat(id.value()).doesNotContain("{", "}").isEqualTo(id.value().strip());
            if (CONFIG.isPii(e.tenant(), id.type())) {
                assertThat(id.value()).matches("[0-9a-f]{64}");
            }
            if (i > 0) {
                assertThat(e.ids().get(i - 1).compareTo(id)).as("ids sorted").isNegative();
            }
        }
        if (e.amountMicros() != null) {
            assertThat(Math.abs(e.amountMicros())).isLessThanOrEqualTo(MAX_MICROS);
        }
        if (e.category() != null) {
            checkText(e.category(), 1, EventParser.MAX_CATEGORY_LENGTH, true);
            assertThat(e.category()).isEqualTo(e.category().strip());
        }
        if (e.orderId() != null) {
            checkText(e.orderId(), 1, EventParser.MAX_ORDER_ID_LENGTH, true);
        }
        assertThat(e.items()).isNotNull().hasSizeLessThanOrEqualTo(EventParser.MAX_ITEMS);
        if (!e.items().isEmpty()) {
            assertThat(e.isTrack(Event.ORDER_COMPLETED) || e.isTrack(Event.ORDER_REFUNDED))
                    .as("order lines of a %s %s", e.type(), e.name())
                    .isTrue();
        }
        for (OrderItem item : e.items()) {
            checkText(item.sku(), 1, EventParser.MAX_SKU_LENGTH, true);
            assertThat(item.sku()).isEqualTo(item.sku().strip());
            if (item.category() != null) {
                checkText(item.category(), 1, EventParser.MAX_CATEGORY_LENGTH, true);
                assertThat(item.category()).isEqualTo(item.category().strip());
            }
            assertThat(item.quantity()).isBetween(1L, EventParser.MAX_ITEM_QUANTITY);
            assertThat(item.priceMicros()).isBetween(0L, MAX_MICROS);
        }
        assertThat(e.traits()).hasSizeLessThanOrEqualTo(EventParser.MAX_TRAITS);
        for (Map.Entry<String, String> t : e.traits().entrySet()) {
            checkText(t.getKey(), 0, EventParser.MAX_TRAIT_KEY_LENGTH, true);
            if (CONFIG.isPiiTrait(e.tenant(), t.getKey())) {
                assertThat(t.getValue()).matches("[0-9a-f]{64}");
            }
            checkText(t.getValue(), 0, EventParser.MAX_TRAIT_VALUE_LENGTH, false);
        }
        if (e.propsJson() != null) {
            // what the decision stage does with it (EventFacts) must work
            assertThat(JSON.readTree(e.propsJson()).isObject()).isTrue();
            // the customer's text is never kept (contract §1)
            assertThat(JSON.readTree(e.propsJson()).has("text")).isFalse();
            checkText(e.propsJson(), 2, Integer.MAX_VALUE, false);
        }
    }

    /** Length within bounds, no unpaired surrogate, and no control character if asked. */
    private static void checkText(String s, int min, int max, boolean noControl) {
        assertThat(s).isNotNull();
        assertThat(s.length()).isBetween(min, max);
        int found = EventParser.scan(s);
        assertThat(found & EventParser.LONE_SURROGATE).as("unpaired surrogate").isZero();
        if (noControl) {
            assertThat(found & EventParser.CONTROL).as("control character").isZero();
        }
        // the same text after a UTF-8 round trip: what every serializer needs
        assertThat(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo(s);
    }

    public static void checkDeadLetter(DeadLetter d, byte[] input, String source) throws Exception {
        assertThat(ErrorCode.INPUT.stream().map(ErrorCode::code))
                .as("code of %s", d)
                .contains(d.error());
        assertThat(d.message()).isNotBlank().doesNotContain("\n");
        assertThat(d.source()).isEqualTo(source);
        assertThat(d.payloadBytes()).isEqualTo(input == null ? 0 : input.length);
        if (input != null) {
            checkMaskedPayload(d, new String(input, StandardCharsets.UTF_8));
        }
        byte[] json = d.toJson().getBytes(StandardCharsets.UTF_8);
        assertThat(json.length).isLessThanOrEqualTo(DeadLetter.MAX_JSON_BYTES);
        JsonNode n = JSON.readTree(json);
        assertThat(n.get("error").asText()).isEqualTo(d.error());
        assertThat(n.get("message").asText()).isEqualTo(d.message());
        assertThat(n.get("source").asText()).isEqualTo(d.source());
        assertThat(n.get("payload_bytes").asLong()).isEqualTo(d.payloadBytes());
        if (d.payload() == null) {
            assertThat(n.get("payload").isNull()).isTrue();
        } else {
            assertThat(n.get("payload").asText()).isEqualTo(d.payload());
        }
    }

    /**
     * The payload is a beginning of the masked record: for a record that is JSON, of what {@link
     * #maskedJson} (the oracle, which reads the record as JSON) makes of it, and the whole of it
     * when the payload was not cut; for any record, of what the lenient scan makes of the whole
     * record (so that masking only the head agrees with masking the whole), and every unmasked
     * piece of the payload is text of the record, in its order.
     */
    static void checkMaskedPayload(DeadLetter d, String record) throws Exception {
        String payload = d.payload();
        assertThat(PayloadMask.of(CONFIG).mask(record, false)).startsWith(payload);
        String[] pieces = payload.split(Pattern.quote(PayloadMask.MASK), -1);
        int from = 0;
        for (int i = 0; i < pieces.length; i++) {
            String piece = pieces[i];
            if (i == pieces.length - 1) {
                // the payload may end inside a mask that its cut shortened
                for (int k = Math.min(piece.length(), PayloadMask.MASK.length() - 1); k > 0; k--) {
                    if (PayloadMask.MASK.startsWith(piece.substring(piece.length() - k))
                            && record.indexOf(piece.substring(0, piece.length() - k), from) >= 0
                            && record.indexOf(piece, from) < 0) {
                        piece = piece.substring(0, piece.length() - k);
                        break;
                    }
                }
            }
            int at = record.indexOf(piece, from);
            assertThat(at).as("unmasked text of the record in %s", payload).isNotNegative();
            from = at + piece.length();
        }
        String oracle = maskedJson(record);
        if (oracle != null) {
            assertThat(oracle).startsWith(payload);
            if (!d.message().contains("(payload truncated;")) {
                assertThat(payload).isEqualTo(oracle);
            }
        }
    }

    /**
     * The oracle of dead-letter masking for a record that is one JSON value (repeated keys
     * allowed): with Jackson's tokens, every scalar and key under a top-level-or-nested {@code ids}
     * key (but keys naming id types) and every value of a PII trait of any tenant under a {@code
     * traits} object, and the value of {@code text} (every scalar and key under it) in a {@code
     * props} object becomes {@code "***"} ({@code null}, {@code true}, {@code false} stay); null
     * when the record is not JSON.
     */
    static String maskedJson(String record) {
        StringBuilder out = new StringBuilder();
        // per open container: its mode (0 plain, 1 ids, 2 traits, 3 all, 4 props) and whether an
        // object
        java.util.Deque<int[]> modes = new java.util.ArrayDeque<>();
        java.util.Deque<String> keys = new java.util.ArrayDeque<>();
        int copied = 0;
        int roots = 0;
        try (com.fasterxml.jackson.core.JsonParser p =
                new com.fasterxml.jackson.core.JsonFactory().createParser(record)) {
            com.fasterxml.jackson.core.JsonToken t;
            while ((t = p.nextToken()) != null) {
                int start = (int) p.getTokenLocation().getCharOffset();
                int[] top = modes.peek();
                if (top == null && ++roots > 1) {
                    return null; // values after the root: no JSON record
                }
                int mode = top == null ? 0 : top[0];
                boolean inObject = top != null && top[1] == 1;
                String key = inObject ? keys.peek() : null;
                switch (t) {
                    case FIELD_NAME:
                        {
                            String name = p.getCurrentName();
                            keys.pop();
                            keys.push(name);
                            boolean masked = mode == 3 || (mode == 1 && !IdTypes.isKnown(name));
                            int end = stringEnd(record, start);
                            out.append(record, copied, start)
                                    .append(
                                            masked
                                                    ? PayloadMask.MASK
                                                    : record.substring(start, end));
                            copied = end;
                            break;
                        }
                    case START_OBJECT:
                    case START_ARRAY:
                        {
                            boolean object = t == com.fasterxml.jackson.core.JsonToken.START_OBJECT;
                            int child;
                            if (mode == 3 || mode == 1) {
                                child = 3;
                            } else if (mode == 2) {
                                child = inObject && CONFIG.isPiiTraitOfAnyTenant(key) ? 3 : 0;
                            } else if (inObject && "ids".equals(key)) {
                                child = object ? 1 : 3;
                            } else if (mode == 4 && inObject && "text".equals(key)) {
                                child = 3;
                            } else if (inObject && object && "props".equals(key)) {
                                child = 4;
                            } else {
                                child = inObject && object && "traits".equals(key) ? 2 : 0;
                            }
                            modes.push(new int[] {child, object ? 1 : 0});
                            keys.push("");
                            break;
                        }
                    case END_OBJECT:
                    case END_ARRAY:
                        modes.pop();
                        keys.pop();
                        break;
                    default:
                        {
                            p.getText();
                            boolean literal =
                                    t == com.fasterxml.jackson.core.JsonToken.VALUE_NULL
                                            || t == com.fasterxml.jackson.core.JsonToken.VALUE_TRUE
                                            || t
                                                    == com.fasterxml.jackson.core.JsonToken
                                                            .VALUE_FALSE;
                            boolean masked;
                            if (!inObject) {
                                masked = mode == 3;
                            } else if (mode == 3 || mode == 1) {
                                masked = true;
                            } else if (mode == 2) {
                                masked = CONFIG.isPiiTraitOfAnyTenant(key);
                            } else if (mode == 4) {
                                masked = "ids".equals(key) || "text".equals(key);
                            } else {
                                masked = "ids".equals(key);
                            }
                            int end = (int) p.getCurrentLocation().getCharOffset();
                            out.append(record, copied, start)
                                    .append(
                                            masked && !literal
                                                    ? PayloadMask.MASK
                                                    : record.substring(start, end));
                            copied = end;
                            break;
                        }
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
        return out.append(record, copied, record.length()).toString();
    }

    private static int stringEnd(String s, int start) {
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("unterminated string");
    }
}
