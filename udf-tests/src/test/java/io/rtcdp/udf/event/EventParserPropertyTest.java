package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.rtcdp.udf.testing.Events;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class EventParserPropertyTest {

    private static final long NOW = EventParserTest.NOW;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A parser defect would be {@code internal}: never expected. */
    private static final Set<String> CODES =
            ErrorCode.INPUT.stream().map(ErrorCode::code).collect(Collectors.toSet());

    private final EventParser parser = new EventParser(EventParserTest.CONFIG);

    // ---- parse(byte[], String) never throws ---------------------------------------------------

    /**
     * Exactly one of event and dead letter; the dead letter is complete and agrees with the
     * throwing variant; a valid record parses to the same event both ways.
     */
    private void assertTotal(byte[] bytes) {
        Parsed parsed = parser.parse(bytes, "topic/0/17");
        assertThat(parsed.event() == null).isNotEqualTo(parsed.deadLetter() == null);
        assertThat(parsed.isValid()).isEqualTo(parsed.event() != null);
        if (parsed.isValid()) {
            try {
                assertThat(parser.parse(bytes)).isEqualTo(parsed.event());
            } catch (InvalidEventException e) {
                throw new AssertionError("valid once, invalid then: " + e.getMessage(), e);
            }
            return;
        }
        DeadLetter dl = parsed.deadLetter();
        assertThat(dl.error()).isIn(CODES);
        assertThat(dl.message()).isNotBlank().doesNotContain("\n");
        assertThat(dl.source()).isEqualTo("topic/0/17");
        String text = new String(bytes, StandardCharsets.UTF_8);
        // the payload begins the record with its id values masked (EventFuzz has the oracle)
        assertThat(PayloadMask.of(parser.config()).mask(text, false)).startsWith(dl.payload());
        assertThat(dl.payloadBytes()).isEqualTo(bytes.length);
        InvalidEventException e =
                catchThrowableOfType(InvalidEventException.class, () -> parser.parse(bytes));
        assertThat(e).isNotNull();
        assertThat(e.code().code()).isEqualTo(dl.error());
        if (dl.payload().equals(PayloadMask.of(parser.config()).mask(text, false))) {
            assertThat(e.getMessage()).isEqualTo(dl.message());
        } else {
            assertThat(dl.message())
                    .endsWith(" (payload truncated; the record has " + bytes.length + " bytes)");
        }
    }

    @Property(tries = 2000)
    void totalOnArbitraryStrings(@ForAll String text) {
        assertTotal(text.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 2000)
    void totalOnArbitraryBytes(@ForAll @Size(max = 300) byte[] bytes) {
        assertTotal(bytes);
    }

    @Provide
    Arbitrary<String> jsonish() {
        return Arbitraries.strings()
                .withChars("{}[]\":,0123456789.-+eE \\ntrufalsidympce_@")
                .ofMaxLength(80)
                .map(s -> "{\"" + s);
    }

    @Property(tries = 2000)
    void totalOnJsonLikeText(@ForAll("jsonish") String text) {
        assertTotal(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Valid records with random edits: truncation, byte changes, insertions, deletions. */
    @Provide
    Arbitrary<byte[]> mutatedRecords() {
        Arbitrary<byte[]> base = validEvents().map(c -> c.bytes);
        Arbitrary<List<int[]>> edits =
                Combinators.combine(
                                Arbitraries.integers().between(0, 3),
                                Arbitraries.integers().between(0, 10_000),
                                Arbitraries.integers().between(0, 255))
                        .as((kind, pos, value) -> new int[] {kind, pos, value})
                        .list()
                        .ofMinSize(1)
                        .ofMaxSize(4);
        return Combinators.combine(base, edits)
                .as(
                        (bytes, list) -> {
                            byte[] b = bytes;
                            for (int[] edit : list) {
                                b = edit(b, edit[0], edit[1], edit[2]);
                            }
                            return b;
                        });
    }

    private static byte[] edit(byte[] b, int kind, int pos, int value) {
        if (b.length == 0) {
            return new byte[] {(byte) value};
        }
        int at = pos % b.length;
        byte[] token = "\"{}[],:0-.e ".getBytes(StandardCharsets.US_ASCII);
        switch (kind) {
            case 0:
                return Arrays.copyOf(b, at);
            case 1:
                byte[] changed = b.clone();
                changed[at] = value < 128 ? token[value % token.length] : (byte) value;
                return changed;
            case 2:
                byte[] inserted = new byte[b.length + 1];
                System.arraycopy(b, 0, inserted, 0, at);
                inserted[at] = value < 128 ? token[value % token.length] : (byte) value;
                System.arraycopy(b, at, inserted, at + 1, b.length - at);
                return inserted;
            default:
                byte[] removed = new byte[b.length - 1];
                System.arraycopy(b, 0, removed, 0, at);
                System.arraycopy(b, at + 1, removed, at, b.length - at - 1);
                return removed;
        }
    }

    @Property(tries = 3000)
    void totalOnMutatedRecords(@ForAll("mutatedRecords") byte[] bytes) {
        assertTotal(bytes);
    }

    // ---- round trip ----------------------------------------------------------------------------

    /** A generated record and the event docs/contract.md §1 says it parses to. */
    static final class Case {
        final byte[] bytes;
        final Event expected;

        Case(byte[] bytes, Event expected) {
            this.bytes = bytes;
            this.expected = expected;
        }

        @Override
        public String toString() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** A raw id, and its normalised value; national phones get the tenant's country code. */
    record IdCase(String type, JsonNode raw, String normalized, boolean nationalPhone) {}

    record PropsCase(ObjectNode node, Long micros, String category, String orderId) {}

    record Core(
            String eventId,
            String tenant,
            EventType type,
            String name,
            long ts,
            ZoneOffset isoOffset,
            String channel) {}

    record Extras(
            List<IdCase> ids,
            PropsCase props,
            Map<String, JsonNode> traits,
            Boolean marketing,
            Boolean personalization,
            long fieldOrderSeed,
            boolean pretty) {}

    /** Strings without lone surrogates, which UTF-8 cannot carry. */
    private static Arbitrary<String> text(int min, int max) {
        return Arbitraries.strings()
                .withCharRange('\u0000', '\ud7ff')
                .withCharRange('\ue000', '\ufffd')
                .ofMinLength(min)
                .ofMaxLength(max);
    }

    /** Text without control characters (C0, DEL, C1, U+2028, U+2029) or lone surrogates. */
    static Arbitrary<String> cleanText(int min, int max) {
        return Arbitraries.strings()
                .withCharRange('\u0020', '\u007e')
                .withCharRange('\u00a0', '\u2027')
                .withCharRange('\u202a', '\ud7ff')
                .withCharRange('\ue000', '\ufffd')
                .ofMinLength(min)
                .ofMaxLength(max);
    }

    private static Arbitrary<String> pad() {
        return Arbitraries.of("", "", " ", "\t", "  ", "\u3000");
    }

    private static Arbitrary<String> token(int min, int max) {
        return Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars("-_:")
                .ofMinLength(min)
                .ofMaxLength(max);
    }

    private static Arbitrary<IdCase> plainId(String type) {
        return Combinators.combine(pad(), token(1, 40), pad())
                .as((l, v, r) -> new IdCase(type, TextNode.valueOf(l + v + r), v, false));
    }

    private static Arbitrary<IdCase> userId() {
        return Arbitraries.oneOf(
                plainId(IdTypes.USER_ID),
                Arbitraries.longs()
                        .between(0, Long.MAX_VALUE)
                        .map(
                                n ->
                                        new IdCase(
                                                IdTypes.USER_ID,
                                                LongNode.valueOf(n),
                                                Long.toString(n),
                                                false)));
    }

    private static Arbitrary<IdCase> phone() {
        Arbitrary<List<String>> seps =
                Arbitraries.of("", "", "", "-", " ", ".", "(", ")", "[", "]", "\u3000", "\u2013")
                        .list()
                        .ofSize(18);
        Arbitrary<IdCase> national =
                Combinators.combine(
                                Arbitraries.strings().numeric().ofMinLength(3).ofMaxLength(16),
                                seps)
                        .as(
                                (digits, s) ->
                                        new IdCase(
                                                IdTypes.PHONE,
                                                TextNode.valueOf(interleave("", digits, s)),
                                                digits,
                                                true));
        Arbitrary<IdCase> international =
                Combinators.combine(
                                Arbitraries.strings().numeric().ofMinLength(5).ofMaxLength(18),
                                seps)
                        .as(
                                (digits, s) ->
                                        new IdCase(
                                                IdTypes.PHONE,
                                                TextNode.valueOf(interleave("+", digits, s)),
                                                "+" + digits,
                                                false));
        return Arbitraries.oneOf(national, international);
    }

    private static String interleave(String prefix, String digits, List<String> seps) {
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; i < digits.length(); i++) {
            sb.append(seps.get(i)).append(digits.charAt(i));
        }
        return sb.toString();
    }

    private static Arbitrary<IdCase> email() {
        Arbitrary<String> part =
                Arbitraries.strings()
                        .alpha()
                        .numeric()
                        .withChars("._+-")
                        .ofMinLength(1)
                        .ofMaxLength(12);
        return Combinators.combine(pad(), part, part, Arbitraries.of("com", "CN", "Org"), pad())
                .as(
                        (l, local, domain, tld, r) ->
                                new IdCase(
                                        IdTypes.EMAIL,
                                        TextNode.valueOf(l + local + "@" + domain + "." + tld + r),
                                        (local + "@" + domain + "." + tld).toLowerCase(Locale.ROOT),
                                        false));
    }

    private static Arbitrary<IdCase> customId() {
        return Combinators.combine(
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .numeric()
                                .withChars('_')
                                .ofMinLength(1)
                                .ofMaxLength(10),
                        token(1, 20))
                .as((name, v) -> new IdCase("x_" + name, TextNode.valueOf(v), v, false));
    }

    private static Arbitrary<List<IdCase>> ids() {
        return Combinators.combine(
                        userId().injectNull(0.5),
                        phone().injectNull(0.5),
                        email().injectNull(0.5),
                        plainId(IdTypes.UNION_ID).injectNull(0.6),
                        plainId(IdTypes.DEVICE_ID).injectNull(0.5),
                        plainId(IdTypes.COOKIE_ID).injectNull(0.4),
                        customId().injectNull(0.7))
                .as(
                        (a, b, c, d, e, f, g) ->
                                Arrays.stream(new IdCase[] {a, b, c, d, e, f, g})
                                        .filter(Objects::nonNull)
                                        .collect(Collectors.toList()))
                .filter(list -> !list.isEmpty());
    }

    private static Arbitrary<PropsCase> props() {
        Arbitrary<BigDecimal> amounts =
                Combinators.combine(
                                Arbitraries.longs()
                                        .between(-1_000_000_000_000L, 1_000_000_000_000L),
                                Arbitraries.integers().between(0, 9))
                        .as(BigDecimal::valueOf);
        return Combinators.combine(
                        amounts.injectNull(0.3),
                        Arbitraries.of(true, false),
                        cleanText(0, 20).injectNull(0.4),
                        Arbitraries.oneOf(
                                        token(0, 20).map(s -> (Object) s),
                                        Arbitraries.longs().map(n -> (Object) n))
                                .injectNull(0.5),
                        token(0, 10).injectNull(0.5))
                .as(
                        (amount, amountAsText, category, orderId, sku) -> {
                            ObjectNode node = NODES.objectNode();
                            if (sku != null) {
                                node.put("sku", sku);
                            }
                            Long micros = null;
                            if (amount != null) {
                                node.set(
                                        "amount",
                                        amountAsText
                                                ? TextNode.valueOf(amount.toPlainString())
                                                : DecimalNode.valueOf(amount));
                                micros =
                                        amount.multiply(BigDecimal.valueOf(1_000_000))
                                                .setScale(0, RoundingMode.HALF_EVEN)
                                                .longValueExact();
                            }
                            node.putArray("items")
                                    .addObject()
                                    .put("amount", 1)
                                    .put("category", "x");
                            String expectedCategory = null;
                            if (category != null) {
                                node.put("category", category);
                                expectedCategory =
                                        category.strip().isEmpty() ? null : category.strip();
                            }
                            String expectedOrderId = null;
                            if (orderId instanceof Long) {
                                node.put("order_id", (Long) orderId);
                                expectedOrderId = orderId.toString();
                            } else if (orderId != null) {
                                node.put("order_id", (String) orderId);
                                expectedOrderId =
                                        ((String) orderId).isEmpty() ? null : (String) orderId;
                            }
                            return new PropsCase(node, micros, expectedCategory, expectedOrderId);
                        });
    }

    private static Arbitrary<Map<String, JsonNode>> traits() {
        Arbitrary<JsonNode> values =
                Arbitraries.oneOf(
                        text(0, 12).map(TextNode::valueOf),
                        Arbitraries.integers().map(IntNode::valueOf),
                        Arbitraries.of(BooleanNode.TRUE, BooleanNode.FALSE, NullNode.instance),
                        Arbitraries.just(NODES.objectNode().put("nested", 1)),
                        Arbitraries.just(NODES.arrayNode().add("a")));
        return Arbitraries.maps(cleanText(0, 10), values).ofMaxSize(5);
    }

    private static Arbitrary<Core> core() {
        Arbitrary<String> tenants =
                Arbitraries.oneOf(
                        Arbitraries.of("acme", "uk_shop"),
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .numeric()
                                .withChars("_-")
                                .ofMinLength(1)
                                .ofMaxLength(64));
        Arbitrary<ZoneOffset> offsets =
                Arbitraries.integers()
                        .between(-18 * 60, 18 * 60)
                        .map(m -> ZoneOffset.ofTotalSeconds(m * 60))
                        .injectNull(0.5);
        return Combinators.combine(
                        cleanText(1, 128),
                        tenants,
                        Arbitraries.of(EventType.INPUT),
                        cleanText(0, 128).injectNull(0.2),
                        Arbitraries.longs().between(0, NOW + 86_400_000L),
                        offsets,
                        cleanText(0, 12).injectNull(0.5))
                .as(Core::new)
                .filter(c -> c.type != EventType.TRACK || (c.name != null && !c.name.isBlank()));
    }

    @Provide
    Arbitrary<Case> validEvents() {
        Arbitrary<Extras> extras =
                Combinators.combine(
                                ids(),
                                props().injectNull(0.3),
                                traits().injectNull(0.4),
                                Arbitraries.of(Boolean.TRUE, Boolean.FALSE).injectNull(0.5),
                                Arbitraries.of(Boolean.TRUE, Boolean.FALSE).injectNull(0.5),
                                Arbitraries.longs(),
                                Arbitraries.of(false, false, true))
                        .as(Extras::new);
        return Combinators.combine(core(), extras).as(EventParserPropertyTest::toCase);
    }

    private static Case toCase(Core c, Extras x) {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        fields.put("event_id", TextNode.valueOf(c.eventId));
        fields.put("tenant", TextNode.valueOf(c.tenant));
        fields.put("type", TextNode.valueOf(c.type.name().toLowerCase(Locale.ROOT)));
        if (c.name != null) {
            fields.put("name", TextNode.valueOf(c.name));
        }
        fields.put(
                "ts",
                c.isoOffset == null
                        ? LongNode.valueOf(c.ts)
                        : TextNode.valueOf(
                                Instant.ofEpochMilli(c.ts).atOffset(c.isoOffset).toString()));
        if (c.channel != null) {
            fields.put("channel", TextNode.valueOf(c.channel));
        }
        ObjectNode ids = NODES.objectNode();
        ids.put("wechat_openid", "unknown types are ignored");
        for (IdCase id : x.ids) {
            ids.set(id.type, id.raw);
        }
        fields.put("ids", ids);
        if (x.props != null) {
            fields.put("props", x.props.node);
        }
        Map<String, String> expectedTraits = new HashMap<>();
        if (x.traits != null) {
            ObjectNode traits = NODES.objectNode();
            x.traits.forEach(
                    (k, v) -> {
                        traits.set(k, v);
                        if (v.isValueNode() && !v.isNull()) {
                            expectedTraits.put(k, v.asText());
                        }
                    });
            fields.put("traits", traits);
        }
        if (x.marketing != null || x.personalization != null) {
            ObjectNode consent = NODES.objectNode();
            if (x.marketing != null) {
                consent.put("marketing", x.marketing);
            }
            if (x.personalization != null) {
                consent.put("personalization", x.personalization);
            }
            consent.put("email", true);
            fields.put("consent", consent);
        }
        fields.put("context", NODES.objectNode().put("ip", "10.0.0.1").put("tenant", "ignored"));

        List<String> order = new ArrayList<>(fields.keySet());
        Collections.shuffle(order, new Random(x.fieldOrderSeed));
        ObjectNode record = NODES.objectNode();
        for (String key : order) {
            record.set(key, fields.get(key));
        }
        byte[] bytes;
        String propsJson;
        try {
            bytes =
                    x.pretty
                            ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(record)
                            : MAPPER.writeValueAsBytes(record);
            propsJson = x.props == null ? null : MAPPER.writeValueAsString(x.props.node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }

        String countryCode = c.tenant.equals("uk_shop") ? "+44" : "+86";
        byte[] key =
                c.tenant.equals("acme")
                        ? EventParserTest.ACME_SECRET.getBytes(
                                java.nio.charset.StandardCharsets.UTF_8)
                        : HmacOracle.tenantKey(ParserConfig.DEV_SECRET, c.tenant);
        List<Id> expectedIds = new ArrayList<>();
        for (IdCase id : x.ids) {
            String value = id.nationalPhone ? countryCode + id.normalized : id.normalized;
            boolean pii = id.type.equals(IdTypes.PHONE) || id.type.equals(IdTypes.EMAIL);
            expectedIds.add(new Id(id.type, pii ? HmacOracle.hex(key, id.type, value) : value));
        }
        expectedIds.sort(
                Comparator.comparingInt(
                                (Id id) -> {
                                    int i = IdTypes.BUILT_IN.indexOf(id.type());
                                    return i < 0 ? 99 : i;
                                })
                        .thenComparing(Id::type)
                        .thenComparing(Id::value));
        String name =
                c.type == EventType.TRACK || c.name == null || !c.name.isEmpty() ? c.name : null;
        Event expected =
                Events.of(c.type)
                        .name(name)
                        .tenant(c.tenant)
                        .eventId(c.eventId)
                        .at(c.ts)
                        .channel(c.channel == null || c.channel.isEmpty() ? null : c.channel)
                        .ids(expectedIds)
                        .amountMicros(x.props == null ? null : x.props.micros)
                        .category(x.props == null ? null : x.props.category)
                        .orderId(x.props == null ? null : x.props.orderId)
                        .consent(x.marketing, x.personalization)
                        .traits(expectedTraits)
                        .propsJson(propsJson)
                        .build();
        return new Case(bytes, expected);
    }

    @Property(tries = 2000)
    void roundTrip(@ForAll("validEvents") Case c) throws Exception {
        assertThat(parser.parse(c.bytes)).isEqualTo(c.expected);
    }
}
