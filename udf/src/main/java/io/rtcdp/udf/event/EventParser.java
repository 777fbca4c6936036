package io.rtcdp.udf.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.rtcdp.udf.text.TextClassifier;
import io.rtcdp.udf.text.TextSignal;
import io.rtcdp.udf.time.Times;
import java.io.IOException;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses, validates and normalises input records into {@link Event}s (docs/contract.md §1 and §2).
 *
 * <p>Works on Jackson's streaming parser straight from the record bytes: no tree is built, values
 * that are not needed are skipped without decoding, and {@code props} is copied as a byte slice of
 * the input. Ids are normalised and hashed only once the whole record is known to be valid (the
 * tenant, which picks the secret and country code, may come after them).
 *
 * <p>Messages of {@link InvalidEventException}s and dead letters name fields and JSON types but
 * never quote a value of the record, so plain PII cannot leak through them; the dead letter's
 * payload carries the record's beginning for diagnosis.
 *
 * <p><b>Input limits.</b> Nothing a producer sends may stop the job or grow its state without
 * bound, so every size is bounded where it enters (docs/limits.md lists them all):
 *
 * <ul>
 *   <li>the record: {@link ParserConfig#maxRecordBytes()} (64 KiB by default), else {@code
 *       oversize};
 *   <li>{@code event_id} 1-{@value #MAX_EVENT_ID_LENGTH} characters, {@code name} at most {@value
 *       #MAX_NAME_LENGTH}, {@code channel} at most {@value #MAX_CHANNEL_LENGTH}, {@code
 *       props.category} at most {@value #MAX_CATEGORY_LENGTH} (after trimming), {@code
 *       props.order_id} at most {@value #MAX_ORDER_ID_LENGTH};
 *   <li>at most {@value #MAX_IDS} ids of known types per event, each value at most {@value
 *       IdNormalizer#MAX_VALUE_LENGTH} characters;
 *   <li>at most {@value #MAX_TRAITS} traits per event, keys at most {@value #MAX_TRAIT_KEY_LENGTH}
 *       characters, values at most {@value #MAX_TRAIT_VALUE_LENGTH};
 *   <li>{@code |props.amount|} at most {@value #MAX_ABS_AMOUNT} currency units (10^18 micros), so
 *       that an amount in micros and the sum of a few of the largest fit a long;
 *   <li>{@code props.items} of an {@code order_completed} or {@code order_refunded} event: at most
 *       {@value #MAX_ITEMS} order lines, each with a {@code sku} of 1-{@value #MAX_SKU_LENGTH}
 *       characters and a {@code category} of at most {@value #MAX_CATEGORY_LENGTH} (both after
 *       trimming), a {@code quantity} of 1-{@value #MAX_ITEM_QUANTITY} and a {@code price} of 0 to
 *       {@value #MAX_ABS_AMOUNT};
 *   <li>the text fields above (skus and categories of order lines too) and id values (after
 *       trimming) and trait keys contain no control characters (U+0000-U+001F, U+007F-U+009F,
 *       U+2028, U+2029), and no text kept from the record contains an unpaired surrogate (from a
 *       JSON escape of a lone surrogate), which UTF-8 cannot carry; id values contain no {@code
 *       '{'} or {@code '}'}, which would be Redis Cluster hash tags inside id keys.
 * </ul>
 *
 * <p>A violation of any of these is {@code invalid_field} ({@code invalid_item} within {@code
 * props.items}), with a message that names the field and the limit. Jackson's own limits (a number
 * literal longer than 1000 characters, nesting deeper than 1000 levels) make a record {@code
 * bad_json}.
 *
 * <p>Serializable, for use inside Flink functions. Not thread-safe: an instance reuses its scratch
 * state and its {@link PiiHasher} and is meant for one thread; its caches are transient and created
 * lazily.
 */
public final class EventParser implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Characters of {@code event_id}, at least 1. */
    public static final int MAX_EVENT_ID_LENGTH = 128;

    /** Characters of {@code name}. */
    public static final int MAX_NAME_LENGTH = 128;

    /** Characters of {@code tenant}. */
    public static final int MAX_TENANT_LENGTH = 64;

    /** Characters of {@code channel}. */
    public static final int MAX_CHANNEL_LENGTH = 64;

    /** Characters of {@code props.category}, after trimming. */
    public static final int MAX_CATEGORY_LENGTH = 64;

    /** Characters of {@code props.order_id}. */
    public static final int MAX_ORDER_ID_LENGTH = 128;

    /** Ids of known types (with a value) per event. */
    public static final int MAX_IDS = 32;

    /** Traits kept per event (scalar, non-null values). */
    public static final int MAX_TRAITS = 64;

    /** Characters of a trait key. */
    public static final int MAX_TRAIT_KEY_LENGTH = 64;

    /** Characters of a trait value (the JSON text of a number or boolean). */
    public static final int MAX_TRAIT_VALUE_LENGTH = 256;

    /** Order lines in {@code props.items}. */
    public static final int MAX_ITEMS = 2000;

    /** Characters of an order line's {@code sku}, at least 1, after trimming. */
    public static final int MAX_SKU_LENGTH = 64;

    /** The largest {@code quantity} of an order line; the smallest is 1. */
    public static final long MAX_ITEM_QUANTITY = 1_000_000_000L;

    /** The largest {@code |props.amount|}, in currency units: 10^12. */
    public static final long MAX_ABS_AMOUNT = 1_000_000_000_000L;

    private static final BigDecimal MAX_ABS_AMOUNT_DECIMAL = BigDecimal.valueOf(MAX_ABS_AMOUNT);

    /** Digits before the point of {@link #MAX_ABS_AMOUNT}. */
    private static final int MAX_AMOUNT_INTEGER_DIGITS = 13;

    /**
     * Numeric strings for {@code props.amount} are at most this long (BigDecimal is superlinear).
     */
    private static final int MAX_AMOUNT_TEXT_LENGTH = 64;

    private static final int MICROS_SCALE = 6;

    private static final String TS_FORMS =
            "epoch milliseconds (an integer >= 0) or an ISO-8601 date-time with offset,"
                    + " e.g. 2011-01-02T10:00:00Z";

    // Bits of top-level fields, to find repeated fields and tell "null" from "missing".
    private static final int F_EVENT_ID = 1;
    private static final int F_TENANT = 1 << 1;
    private static final int F_TYPE = 1 << 2;
    private static final int F_NAME = 1 << 3;
    private static final int F_TS = 1 << 4;
    private static final int F_CHANNEL = 1 << 5;
    private static final int F_IDS = 1 << 6;
    private static final int F_PROPS = 1 << 7;
    private static final int F_TRAITS = 1 << 8;
    private static final int F_CONSENT = 1 << 9;

    // Bits of the known fields of an order line, to find repeated ones.
    private static final int I_SKU = 1;
    private static final int I_CATEGORY = 1 << 1;
    private static final int I_QUANTITY = 1 << 2;
    private static final int I_PRICE = 1 << 3;

    private final ParserConfig config;
    private final PiiHasher hasher;
    private final PayloadMask mask;

    private transient JsonFactory jsonFactory;
    private transient Draft draft;

    public EventParser(ParserConfig config) {
        this.config = config;
        this.hasher = new PiiHasher(config);
        this.mask = PayloadMask.of(config);
    }

    public ParserConfig config() {
        return config;
    }

    /**
     * Parses one record that never fails: the event, or a dead letter with the error code, a
     * message, the payload as UTF-8 text (its beginning only when long, see {@link DeadLetter}) and
     * {@code source}. The code is one of {@link ErrorCode#INPUT}, or {@link ErrorCode#INTERNAL} for
     * a record that revealed a defect of the parser.
     *
     * @param source where the record came from, e.g. {@code topic/partition/offset} or {@code
     *     file:line}
     */
    public Parsed parse(byte[] payload, String source) {
        try {
            return Parsed.ok(parse(payload));
        } catch (InvalidEventException e) {
            return Parsed.bad(DeadLetter.of(e.code(), e.getMessage(), payload, source, mask));
        } catch (RuntimeException e) {
            // Every input the parser knows to be invalid is an InvalidEventException; this is a
            // parser defect on some odd input. It must not become a poison record that restarts the
            // job forever (docs/contract.md §1.2), and it is not the producer's fault: an
            // internal dead letter keeps the record for a bug report.
            return Parsed.bad(
                    DeadLetter.of(
                            ErrorCode.INTERNAL,
                            "stage 'parse': internal parser failure ("
                                    + e.getClass().getName()
                                    + "), a defect of rtcdp; please report it with this dead"
                                    + " letter",
                            payload,
                            source,
                            mask));
        }
    }

    /**
     * The dead letter of a record longer than {@link ParserConfig#maxRecordBytes()} of which only
     * the beginning was read, {@code head[0, headLength)} of {@code recordBytes} bytes (a line of a
     * file too long to be held in memory); the same as {@link #parse(byte[], String)} gives for the
     * whole record.
     */
    public Parsed oversize(byte[] head, int headLength, long recordBytes, String source) {
        return Parsed.bad(
                DeadLetter.of(
                        ErrorCode.OVERSIZE,
                        oversizeMessage(recordBytes),
                        head,
                        headLength,
                        recordBytes,
                        source,
                        mask));
    }

    private String oversizeMessage(long recordBytes) {
        return "record is "
                + recordBytes
                + " bytes, more than the limit of "
                + config.maxRecordBytes()
                + " bytes";
    }

    /**
     * Parses one record: a UTF-8 JSON object.
     *
     * @throws InvalidEventException when the record is not a valid event
     */
    public Event parse(byte[] utf8) throws InvalidEventException {
        if (utf8 == null) {
            throw new InvalidEventException(ErrorCode.BAD_JSON, "record has no value (null)");
        }
        if (utf8.length > config.maxRecordBytes()) {
            throw new InvalidEventException(ErrorCode.OVERSIZE, oversizeMessage(utf8.length));
        }
        long utf8Check = Utf8.check(utf8);
        int bad = (int) utf8Check;
        if (bad >= 0) {
            throw new InvalidEventException(
                    ErrorCode.BAD_JSON,
                    utf8[bad] == 0
                            ? "record is not UTF-8 JSON: NUL byte at offset " + bad
                            : "record is not valid UTF-8: bad byte sequence at offset " + bad);
        }
        Draft d = draft();
        d.reset();
        d.mayHoldControls = (utf8Check & Utf8.MAY_HOLD_CONTROLS) != 0;
        try (JsonParser p = factory().createParser(utf8)) {
            JsonToken root = p.nextToken();
            if (root == null) {
                throw new InvalidEventException(ErrorCode.BAD_JSON, "record is empty");
            }
            if (root != JsonToken.START_OBJECT) {
                p.skipChildren();
                requireEnd(p);
                throw new InvalidEventException(
                        ErrorCode.NOT_AN_OBJECT,
                        "record is " + describe(root) + ", not a JSON object");
            }
            InvalidEventException fieldError = null;
            try {
                readObject(p, utf8, d);
            } catch (InvalidEventException e) {
                // A record that is not even JSON is BAD_JSON, wherever the first bad field is.
                fieldError = e;
                skipToRootEnd(p);
            }
            requireEnd(p);
            if (fieldError != null) {
                throw fieldError;
            }
        } catch (JsonProcessingException e) {
            throw badJson(e, factory().streamReadConstraints());
        } catch (IOException e) {
            // Reading from a byte array does no I/O; kept as BAD_JSON for completeness.
            throw new InvalidEventException(ErrorCode.BAD_JSON, "record could not be read");
        }
        return toEvent(d, utf8);
    }

    private void readObject(JsonParser p, byte[] bytes, Draft d)
            throws IOException, InvalidEventException {
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "event_id":
                    seen(d, F_EVENT_ID, t, field);
                    d.eventId = optionalString(p, t, field);
                    if (d.eventId != null) {
                        if (d.eventId.isEmpty() || d.eventId.length() > MAX_EVENT_ID_LENGTH) {
                            throw invalid(
                                    "field 'event_id' must have 1-"
                                            + MAX_EVENT_ID_LENGTH
                                            + " characters, has "
                                            + d.eventId.length());
                        }
                        requireText(d, d.eventId, field);
                    }
                    break;
                case "tenant":
                    seen(d, F_TENANT, t, field);
                    d.tenant = optionalString(p, t, field);
                    if (d.tenant != null && !isTenant(d.tenant)) {
                        throw invalid(
                                "field 'tenant' must match [a-z0-9_-]{1,"
                                        + MAX_TENANT_LENGTH
                                        + "}");
                    }
                    break;
                case "type":
                    seen(d, F_TYPE, t, field);
                    String type = optionalString(p, t, field);
                    if (type != null) {
                        d.type = eventType(type);
                        if (d.type == null) {
                            throw new InvalidEventException(
                                    ErrorCode.UNKNOWN_TYPE,
                                    "field 'type' must be one of track, page, identify, consent,"
                                            + " forget");
                        }
                    }
                    break;
                case "name":
                    seen(d, F_NAME, t, field);
                    d.name = optionalString(p, t, field);
                    if (d.name != null) {
                        requireAtMost(d.name, MAX_NAME_LENGTH, field);
                        requireText(d, d.name, field);
                    }
                    break;
                case "ts":
                    seen(d, F_TS, t, field);
                    readTs(p, t, d);
                    break;
                case "channel":
                    seen(d, F_CHANNEL, t, field);
                    String channel = optionalString(p, t, field);
                    if (channel != null) {
                        requireAtMost(channel, MAX_CHANNEL_LENGTH, field);
                        requireText(d, channel, field);
                    }
                    d.channel = emptyToNull(channel);
                    break;
                case "ids":
                    seen(d, F_IDS, t, field);
                    readIds(p, t, d);
                    break;
                case "props":
                    seen(d, F_PROPS, t, field);
                    readProps(p, t, bytes, d);
                    break;
                case "traits":
                    seen(d, F_TRAITS, t, field);
                    readTraits(p, t, d);
                    break;
                case "consent":
                    seen(d, F_CONSENT, t, field);
                    readConsent(p, t, d);
                    break;
                default:
                    p.skipChildren();
            }
        }
    }

    private void readTs(JsonParser p, JsonToken t, Draft d)
            throws IOException, InvalidEventException {
        long ts;
        if (t == JsonToken.VALUE_NULL) {
            return;
        } else if (t == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType nt = p.getNumberType();
            if (nt == JsonParser.NumberType.BIG_INTEGER) {
                throw badTs("is out of range");
            }
            ts = p.getLongValue();
        } else if (t == JsonToken.VALUE_STRING) {
            try {
                ts = Times.parseEventTs(p.getText());
            } catch (DateTimeException e) {
                throw badTs("is not a valid date-time");
            }
        } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            // Also 1E+2147483647 and the like: never converted, whatever the exponent.
            throw badTs("is a number with a fraction or an exponent");
        } else {
            throw badTs("is " + describe(t));
        }
        if (ts < 0) {
            throw badTs("is before 1970");
        }
        long now = config.clock().getAsLong();
        long skew = config.maxFutureSkewMillis();
        long limit = now > Long.MAX_VALUE - skew ? Long.MAX_VALUE : now + skew;
        if (ts > limit) {
            throw new InvalidEventException(
                    ErrorCode.TS_IN_FUTURE,
                    "field 'ts' is "
                            + human(ts - now)
                            + " ahead of the clock, more than the allowed "
                            + human(skew));
        }
        d.ts = ts;
        d.tsPresent = true;
    }

    private static String human(long millis) {
        if (millis >= 3_600_000L) {
            return String.format(Locale.ROOT, "%.1f h", millis / 3_600_000.0);
        }
        if (millis >= 1000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        return millis + " ms";
    }

    private static InvalidEventException badTs(String problem) {
        return new InvalidEventException(
                ErrorCode.BAD_TS, "field 'ts' " + problem + "; use " + TS_FORMS);
    }

    private void readIds(JsonParser p, JsonToken t, Draft d)
            throws IOException, InvalidEventException {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        if (t != JsonToken.START_OBJECT) {
            throw invalid("field 'ids' must be an object of id type to value, is " + describe(t));
        }
        d.idsPresent = true;
        String idType;
        while ((idType = p.nextFieldName()) != null) {
            JsonToken vt = p.nextToken();
            if (!IdTypes.isKnown(idType)) {
                p.skipChildren();
                continue;
            }
            String raw;
            if (vt == JsonToken.VALUE_STRING || vt == JsonToken.VALUE_NUMBER_INT) {
                // A numeric member id written as a JSON integer keeps its decimal text.
                raw = p.getText();
            } else if (vt == JsonToken.VALUE_NULL) {
                // SDKs send "user_id": null for anonymous visitors; it is simply no id.
                continue;
            } else {
                throw invalid("field 'ids." + idType + "' must be a string, is " + describe(vt));
            }
            if (raw.length() > IdNormalizer.MAX_VALUE_LENGTH) {
                throw invalid(
                        "field 'ids."
                                + idType
                                + "' must have at most "
                                + IdNormalizer.MAX_VALUE_LENGTH
                                + " characters, has "
                                + raw.length());
            }
            for (int i = 0; i < d.idCount; i++) {
                if (d.idTypes[i].equals(idType)) {
                    throw invalid("field 'ids' has id type '" + idType + "' more than once");
                }
            }
            if (d.idCount == MAX_IDS) {
                throw invalid("field 'ids' has more than " + MAX_IDS + " ids");
            }
            d.addRawId(idType, raw);
        }
    }

    private void readProps(JsonParser p, JsonToken t, byte[] bytes, Draft d)
            throws IOException, InvalidEventException {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        if (t != JsonToken.START_OBJECT) {
            throw invalid("field 'props' must be an object, is " + describe(t));
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        boolean amountSeen = false;
        boolean categorySeen = false;
        boolean orderIdSeen = false;
        boolean textSeen = false;
        String key;
        while ((key = p.nextFieldName()) != null) {
            int keyAt = "text".equals(key) ? (int) p.currentTokenLocation().getByteOffset() : 0;
            JsonToken vt = p.nextToken();
            switch (key) {
                case "text":
                    // read, and left out of the props that are kept: only its signals go on
                    textSeen = once(textSeen, "props.text");
                    d.text = optionalString(p, vt, "props.text");
                    d.textStart = keyAt;
                    d.textEnd = (int) p.currentLocation().getByteOffset();
                    break;
                case "amount":
                    amountSeen = once(amountSeen, "props.amount");
                    d.amountMicros = amountMicros(p, vt);
                    break;
                case "category":
                    categorySeen = once(categorySeen, "props.category");
                    String category = optionalString(p, vt, "props.category");
                    if (category != null) {
                        category = category.strip();
                        requireAtMost(category, MAX_CATEGORY_LENGTH, "props.category");
                        requireText(d, category, "props.category");
                    }
                    d.category = emptyToNull(category);
                    break;
                case "order_id":
                    orderIdSeen = once(orderIdSeen, "props.order_id");
                    String orderId;
                    if (vt == JsonToken.VALUE_NUMBER_INT) {
                        orderId = p.getText();
                        requireAtMost(orderId, MAX_ORDER_ID_LENGTH, "props.order_id");
                    } else {
                        orderId = optionalString(p, vt, "props.order_id");
                        if (orderId != null) {
                            requireAtMost(orderId, MAX_ORDER_ID_LENGTH, "props.order_id");
                            requireText(d, orderId, "props.order_id");
                        }
                    }
                    d.orderId = emptyToNull(orderId);
                    break;
                case "items":
                    // Read only once the record is known to be an order (the name may come after
                    // props): here its place is noted, and the array skipped.
                    d.itemsSeen++;
                    d.itemsToken = vt;
                    if (vt == JsonToken.START_ARRAY) {
                        d.itemsStart = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        d.itemsEnd = (int) p.currentTokenLocation().getByteOffset() + 1;
                    } else {
                        p.skipChildren();
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        int end = (int) p.currentTokenLocation().getByteOffset() + 1;
        d.propsJson =
                textSeen
                        ? withoutMember(bytes, start, d.textStart, d.textEnd, end)
                        : compactJson(bytes, start, end);
    }

    /**
     * The compact JSON text of the object {@code bytes[from, to)} without its member {@code
     * bytes[memberFrom, memberTo)} (from its key's opening quote to the end of its value), and
     * without the comma that separated it from a neighbour.
     */
    static String withoutMember(byte[] bytes, int from, int memberFrom, int memberTo, int to) {
        String left = compactJson(bytes, from, memberFrom);
        String right = compactJson(bytes, memberTo, to);
        // left ends with '{' or ','; right starts with ',' or '}'
        if (right.charAt(0) == ',') {
            right = right.substring(1);
        } else if (left.charAt(left.length() - 1) == ',') {
            left = left.substring(0, left.length() - 1);
        }
        return left + right;
    }

    /**
     * The signals of {@code props.text} (the classifier reads its first {@link
     * TextClassifier#MAX_CHARS} characters); null without one.
     */
    private TextSignal textSignal(String text) {
        if (text == null) {
            return null;
        }
        return config.textClassifier().classify(text);
    }

    private static Long amountMicros(JsonParser p, JsonToken t)
            throws IOException, InvalidEventException {
        BigDecimal amount;
        if (t == JsonToken.VALUE_NULL) {
            return null;
        } else if (t == JsonToken.VALUE_NUMBER_INT
                && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            long v = p.getLongValue();
            if (v > MAX_ABS_AMOUNT || v < -MAX_ABS_AMOUNT) {
                throw amountOutOfRange();
            }
            return v * 1_000_000L;
        } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            try {
                amount = p.getDecimalValue();
            } catch (JsonProcessingException | NumberFormatException | ArithmeticException e) {
                // an exponent beyond the int range, which BigDecimal cannot hold
                throw amountOutOfRange();
            }
        } else if (t == JsonToken.VALUE_STRING) {
            String s = p.getText().strip();
            if (s.isEmpty() || s.length() > MAX_AMOUNT_TEXT_LENGTH) {
                throw invalid("field 'props.amount' must be a number or a numeric string");
            }
            try {
                amount = new BigDecimal(s);
            } catch (NumberFormatException e) {
                throw invalid("field 'props.amount' must be a number or a numeric string");
            }
        } else {
            throw invalid("field 'props.amount' must be a number, is " + describe(t));
        }
        return toMicros(amount);
    }

    /**
     * {@code amount × 10^6}, rounded half-even, exactly; out of range when {@code |amount| >}
     * {@value #MAX_ABS_AMOUNT}. The magnitude is checked before anything rescales the number:
     * {@code setScale} or {@code movePointRight} on 1e999999999 would compute a power of ten with a
     * billion digits, and on 1E+2147483647 overflow the scale.
     */
    static Long toMicros(BigDecimal amount) throws InvalidEventException {
        if (amount.signum() == 0) {
            return 0L;
        }
        // digits before the point; 0 or less when |amount| < 1
        long integerDigits = (long) amount.precision() - amount.scale();
        if (integerDigits > MAX_AMOUNT_INTEGER_DIGITS
                || (integerDigits == MAX_AMOUNT_INTEGER_DIGITS
                        && amount.abs().compareTo(MAX_ABS_AMOUNT_DECIMAL) > 0)) {
            throw amountOutOfRange();
        }
        if (integerDigits < -MICROS_SCALE) {
            // |amount| < 10^-7: |micros| < 0.1 rounds to zero.
            return 0L;
        }
        // |amount| <= 10^12 and a scale within [-12, precision + 6]: exact and cheap from here
        return amount.scaleByPowerOfTen(MICROS_SCALE)
                .setScale(0, RoundingMode.HALF_EVEN)
                .longValueExact();
    }

    private static InvalidEventException amountOutOfRange() {
        return invalid(
                "field 'props.amount' is out of range: |amount| must be at most " + MAX_ABS_AMOUNT);
    }

    private static void readTraits(JsonParser p, JsonToken t, Draft d)
            throws IOException, InvalidEventException {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        if (t != JsonToken.START_OBJECT) {
            throw invalid("field 'traits' must be an object, is " + describe(t));
        }
        Map<String, String> traits = null;
        String key;
        while ((key = p.nextFieldName()) != null) {
            JsonToken vt = p.nextToken();
            switch (vt) {
                case VALUE_STRING:
                case VALUE_NUMBER_INT:
                case VALUE_NUMBER_FLOAT:
                case VALUE_TRUE:
                case VALUE_FALSE:
                    break;
                case VALUE_NULL:
                    continue;
                default:
                    // Nested structures are not traits; they are skipped, not rejected.
                    p.skipChildren();
                    continue;
            }
            // Keys and values may be PII (an email as a key): messages never quote them.
            if (key.length() > MAX_TRAIT_KEY_LENGTH) {
                throw invalid(
                        "field 'traits' must have keys of at most "
                                + MAX_TRAIT_KEY_LENGTH
                                + " characters, has one of "
                                + key.length());
            }
            int keyProblems = d.mayHoldControls ? scan(key) & (CONTROL | LONE_SURROGATE) : 0;
            if (keyProblems != 0) {
                throw invalid("field 'traits' has a key that " + textProblem(keyProblems));
            }
            String value = p.getText();
            if (value.length() > MAX_TRAIT_VALUE_LENGTH) {
                throw invalid(
                        "field 'traits' must have values of at most "
                                + MAX_TRAIT_VALUE_LENGTH
                                + " characters, has one of "
                                + value.length());
            }
            if (d.mayHoldControls
                    && vt == JsonToken.VALUE_STRING
                    && (scan(value) & LONE_SURROGATE) != 0) {
                throw invalid("field 'traits' has a value that " + textProblem(LONE_SURROGATE));
            }
            if (traits == null) {
                traits = new LinkedHashMap<>();
            }
            if (traits.put(key, value) != null) {
                throw invalid("field 'traits' has a key more than once");
            }
            if (traits.size() > MAX_TRAITS) {
                throw invalid("field 'traits' has more than " + MAX_TRAITS + " traits");
            }
        }
        d.traits = traits == null ? Map.of() : Collections.unmodifiableMap(traits);
    }

    private static void readConsent(JsonParser p, JsonToken t, Draft d)
            throws IOException, InvalidEventException {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        if (t != JsonToken.START_OBJECT) {
            throw invalid("field 'consent' must be an object, is " + describe(t));
        }
        boolean marketingSeen = false;
        boolean personalizationSeen = false;
        String key;
        while ((key = p.nextFieldName()) != null) {
            JsonToken vt = p.nextToken();
            switch (key) {
                case "marketing":
                    marketingSeen = once(marketingSeen, "consent.marketing");
                    d.consentMarketing = optionalBoolean(vt, "consent.marketing");
                    break;
                case "personalization":
                    personalizationSeen = once(personalizationSeen, "consent.personalization");
                    d.consentPersonalization = optionalBoolean(vt, "consent.personalization");
                    break;
                default:
                    p.skipChildren();
            }
        }
    }

    private Event toEvent(Draft d, byte[] bytes) throws InvalidEventException {
        requirePresent(d, F_EVENT_ID, d.eventId, "event_id");
        requirePresent(d, F_TENANT, d.tenant, "tenant");
        requirePresent(d, F_TYPE, d.type, "type");
        requirePresent(d, F_TS, d.tsPresent ? d : null, "ts");
        requirePresent(d, F_IDS, d.idsPresent ? d : null, "ids");
        String name = d.name;
        if (d.type == EventType.TRACK) {
            requirePresent(d, F_NAME, name, "name");
            if (name.isBlank()) {
                throw invalid("field 'name' must not be blank for a track event");
            }
        } else {
            name = emptyToNull(name);
        }
        List<OrderItem> items =
                d.itemsSeen > 0
                                && d.type == EventType.TRACK
                                && (Event.ORDER_COMPLETED.equals(name)
                                        || Event.ORDER_REFUNDED.equals(name))
                        ? readItems(d, bytes)
                        : List.of();
        return new Event(
                d.tenant,
                d.eventId,
                d.type,
                name,
                d.ts,
                d.channel,
                ids(d),
                d.amountMicros,
                d.category,
                d.orderId,
                items,
                d.consentMarketing,
                d.consentPersonalization,
                traits(d),
                d.propsJson,
                0L,
                textSignal(d.text));
    }

    /**
     * The order lines of an order's {@code props.items}, read from the slice of the record that
     * {@code readProps} noted: an array of at most {@value #MAX_ITEMS} objects, each with a {@code
     * sku}, a {@code quantity} and a {@code price}, maybe a {@code category}; other keys of a line
     * are ignored. Anything else is {@code invalid_item}, with a message that names the line's
     * index, the field and its limit (never a value).
     */
    private List<OrderItem> readItems(Draft d, byte[] bytes) throws InvalidEventException {
        if (d.itemsSeen > 1) {
            throw invalidItem("props.items: appears more than once");
        }
        if (d.itemsToken == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (d.itemsToken != JsonToken.START_ARRAY) {
            throw invalidItem(
                    "props.items: must be an array of objects, is " + describe(d.itemsToken));
        }
        try (JsonParser p =
                factory().createParser(bytes, d.itemsStart, d.itemsEnd - d.itemsStart)) {
            p.nextToken(); // the array itself
            List<OrderItem> items = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                int index = items.size();
                if (index == MAX_ITEMS) {
                    throw invalidItem("props.items: must have at most " + MAX_ITEMS + " items");
                }
                if (t != JsonToken.START_OBJECT) {
                    throw invalidItem(
                            "props.items[" + index + "]: must be an object, is " + describe(t));
                }
                items.add(readItem(p, d, index));
            }
            return Collections.unmodifiableList(items);
        } catch (IOException e) {
            // The slice was read as valid JSON a moment ago; reading it again cannot fail.
            throw new IllegalStateException("props.items could not be read again", e);
        }
    }

    /** One order line, the parser on its opening brace. */
    private static OrderItem readItem(JsonParser p, Draft d, int index)
            throws IOException, InvalidEventException {
        String at = "props.items[" + index + "]";
        int seen = 0;
        Set<String> otherKeys = null;
        String sku = null;
        String category = null;
        long quantity = 0;
        Long priceMicros = null;
        String key;
        while ((key = p.nextFieldName()) != null) {
            JsonToken vt = p.nextToken();
            switch (key) {
                case "sku":
                    seen = itemFieldOnce(seen, I_SKU, at, key);
                    sku = itemText(p, vt, d, at + ".sku", 1, MAX_SKU_LENGTH);
                    break;
                case "category":
                    seen = itemFieldOnce(seen, I_CATEGORY, at, key);
                    category =
                            emptyToNull(
                                    itemText(p, vt, d, at + ".category", 0, MAX_CATEGORY_LENGTH));
                    break;
                case "quantity":
                    seen = itemFieldOnce(seen, I_QUANTITY, at, key);
                    quantity = quantity(p, vt, at + ".quantity");
                    break;
                case "price":
                    seen = itemFieldOnce(seen, I_PRICE, at, key);
                    priceMicros = priceMicros(p, vt, at + ".price");
                    break;
                default:
                    // Keys may be PII, like trait keys: the message does not name this one.
                    if (otherKeys == null) {
                        otherKeys = new HashSet<>();
                    }
                    if (!otherKeys.add(key)) {
                        throw invalidItem(at + ": has a key more than once");
                    }
                    p.skipChildren();
            }
        }
        if (sku == null) {
            throw invalidItem(
                    at + ".sku: is required, a string of 1-" + MAX_SKU_LENGTH + " characters");
        }
        if (quantity == 0) {
            throw invalidItem(at + ".quantity: is required, " + QUANTITY_RULE);
        }
        if (priceMicros == null) {
            throw invalidItem(at + ".price: is required, " + PRICE_RULE);
        }
        return new OrderItem(sku, category, quantity, priceMicros);
    }

    private static final String QUANTITY_RULE = "an integer 1.." + MAX_ITEM_QUANTITY;

    private static final String PRICE_RULE = "a number 0.." + MAX_ABS_AMOUNT;

    private static int itemFieldOnce(int seen, int bit, String at, String key)
            throws InvalidEventException {
        if ((seen & bit) != 0) {
            throw invalidItem(at + "." + key + ": appears more than once");
        }
        return seen | bit;
    }

    /**
     * A string field of an order line, trimmed, as {@code props.category} is: {@code min}-{@code
     * max} characters after trimming, no control characters or unpaired surrogates; null when
     * absent or null.
     */
    private static String itemText(
            JsonParser p, JsonToken t, Draft d, String field, int min, int max)
            throws IOException, InvalidEventException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        String rule = (min > 0 ? min + "-" + max : "at most " + max) + " characters";
        if (t != JsonToken.VALUE_STRING) {
            throw invalidItem(field + ": must be a string of " + rule + ", is " + describe(t));
        }
        String s = p.getText().strip();
        if (s.length() < min || s.length() > max) {
            throw invalidItem(field + ": must have " + rule + " after trimming, has " + s.length());
        }
        if (d.mayHoldControls) {
            int problems = scan(s) & (CONTROL | LONE_SURROGATE);
            if (problems != 0) {
                throw invalidItem(field + ": " + textProblem(problems));
            }
        }
        return s;
    }

    /**
     * An order line's quantity: a JSON integer or a string of decimal digits (trimmed, at most as
     * long as a numeric {@code props.amount} string), 1-{@value #MAX_ITEM_QUANTITY}; 0 when null.
     */
    private static long quantity(JsonParser p, JsonToken t, String field)
            throws IOException, InvalidEventException {
        long q = -1;
        if (t == JsonToken.VALUE_NULL) {
            return 0;
        } else if (t == JsonToken.VALUE_NUMBER_INT
                && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            q = p.getLongValue();
        } else if (t == JsonToken.VALUE_STRING) {
            String s = p.getText().strip();
            if (!s.isEmpty() && s.length() <= MAX_AMOUNT_TEXT_LENGTH && isDigits(s)) {
                int first = 0;
                while (first < s.length() - 1 && s.charAt(first) == '0') {
                    first++;
                }
                // more than 18 digits is out of range anyway, and would not fit a long
                q = s.length() - first > 18 ? -1 : Long.parseLong(s, first, s.length(), 10);
            }
        }
        if (q < 1 || q > MAX_ITEM_QUANTITY) {
            throw invalidItem(field + ": must be " + QUANTITY_RULE);
        }
        return q;
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * An order line's unit price in micros, read exactly as {@code props.amount} (a number or a
     * numeric string, rounded half-even to 10^-6), 0 to {@value #MAX_ABS_AMOUNT}; null when null.
     */
    private static Long priceMicros(JsonParser p, JsonToken t, String field)
            throws IOException, InvalidEventException {
        Long micros;
        try {
            micros = amountMicros(p, t);
        } catch (InvalidEventException e) {
            throw invalidItem(field + ": must be " + PRICE_RULE);
        }
        // -0.0000001 rounds to 0 micros, but is not >= 0 (-0 is)
        if (micros != null && (micros < 0 || (micros == 0 && isNegative(p, t)))) {
            throw invalidItem(field + ": must be " + PRICE_RULE);
        }
        return micros;
    }

    /** Whether the number that {@link #amountMicros} just read (as 0 micros) is below zero. */
    private static boolean isNegative(JsonParser p, JsonToken t) throws IOException {
        BigDecimal v =
                t == JsonToken.VALUE_STRING
                        ? new BigDecimal(p.getText().strip())
                        : p.getDecimalValue();
        return v.signum() < 0;
    }

    private static InvalidEventException invalidItem(String message) {
        return new InvalidEventException(ErrorCode.INVALID_ITEM, message);
    }

    /** The traits, the values of the tenant's PII traits replaced by their HMAC (§2.2). */
    private Map<String, String> traits(Draft d) {
        if (d.traits.isEmpty() || !config.hasPiiTraits()) {
            return d.traits;
        }
        Map<String, String> protectedTraits = null;
        for (Map.Entry<String, String> e : d.traits.entrySet()) {
            if (config.isPiiTrait(d.tenant, e.getKey())) {
                if (protectedTraits == null) {
                    protectedTraits = new LinkedHashMap<>(d.traits);
                }
                protectedTraits.put(
                        e.getKey(), hasher.protectTrait(d.tenant, e.getKey(), e.getValue()));
            }
        }
        return protectedTraits == null ? d.traits : Collections.unmodifiableMap(protectedTraits);
    }

    private List<Id> ids(Draft d) throws InvalidEventException {
        String countryCode = config.countryCodeFor(d.tenant);
        Id[] ids = new Id[d.idCount];
        int n = 0;
        for (int i = 0; i < d.idCount; i++) {
            String type = d.idTypes[i];
            String value = IdNormalizer.normalize(type, d.idValues[i], countryCode);
            if (value != null) {
                // What is left after trimming becomes Redis key bytes (or an HMAC input).
                int problems =
                        d.mayHoldControls
                                ? scan(value)
                                : value.indexOf('{') >= 0 || value.indexOf('}') >= 0 ? BRACE : 0;
                if (problems != 0) {
                    throw invalid(
                            "field 'ids."
                                    + type
                                    + "' "
                                    + ((problems & (CONTROL | LONE_SURROGATE)) != 0
                                            ? textProblem(problems)
                                            : "must not contain '{' or '}' (Redis Cluster hash"
                                                    + " tags in id keys)"));
                }
                ids[n++] = new Id(type, hasher.protect(d.tenant, type, value));
            }
        }
        if (n == 0) {
            throw new InvalidEventException(ErrorCode.NO_ID, noIdMessage(d));
        }
        if (n < ids.length) {
            ids = Arrays.copyOf(ids, n);
        }
        Arrays.sort(ids);
        return List.of(ids);
    }

    private static String noIdMessage(Draft d) {
        if (d.idCount == 0) {
            return "field 'ids' has no id of a known type ("
                    + String.join(", ", IdTypes.BUILT_IN)
                    + " or x_<name>)";
        }
        StringBuilder sb = new StringBuilder("field 'ids' has no usable id; unusable values for ");
        for (int i = 0; i < d.idCount; i++) {
            sb.append(i == 0 ? "" : ", ").append(d.idTypes[i]);
        }
        return sb.toString();
    }

    private static void seen(Draft d, int bit, JsonToken t, String field)
            throws InvalidEventException {
        if ((d.fieldsSeen & bit) != 0) {
            throw invalid("field '" + field + "' appears more than once");
        }
        d.fieldsSeen |= bit;
        if (t == JsonToken.VALUE_NULL) {
            d.fieldsNull |= bit;
        }
    }

    private static boolean once(boolean seenBefore, String field) throws InvalidEventException {
        if (seenBefore) {
            throw invalid("field '" + field + "' appears more than once");
        }
        return true;
    }

    private static void requirePresent(Draft d, int bit, Object value, String field)
            throws InvalidEventException {
        if (value == null) {
            throw new InvalidEventException(
                    ErrorCode.MISSING_FIELD,
                    (d.fieldsSeen & bit) == 0
                            ? "required field '" + field + "' is missing"
                            : "required field '" + field + "' is null");
        }
    }

    private static String optionalString(JsonParser p, JsonToken t, String field)
            throws IOException, InvalidEventException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw invalid("field '" + field + "' must be a string, is " + describe(t));
    }

    private static Boolean optionalBoolean(JsonToken t, String field) throws InvalidEventException {
        switch (t) {
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw invalid("field '" + field + "' must be true or false, is " + describe(t));
        }
    }

    private static EventType eventType(String s) {
        switch (s) {
            case "track":
                return EventType.TRACK;
            case "page":
                return EventType.PAGE;
            case "identify":
                return EventType.IDENTIFY;
            case "consent":
                return EventType.CONSENT;
            case "forget":
                return EventType.FORGET;
            default:
                return null;
        }
    }

    static boolean isTenant(String s) {
        int n = s.length();
        if (n == 0 || n > MAX_TENANT_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    // What scan() finds in a text, as bits.
    static final int CONTROL = 1;
    static final int LONE_SURROGATE = 1 << 1;
    static final int BRACE = 1 << 2;

    /**
     * One pass over {@code s}: whether it has control characters (C0 U+0000-U+001F, DEL and C1
     * U+007F-U+009F, the separators U+2028 and U+2029), unpaired surrogates (which only a JSON
     * escape of a lone surrogate can produce: the bytes are valid UTF-8) or curly braces, as bits.
     */
    static int scan(String s) {
        int found = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < '{') {
                continue; // printable ASCII up to 'z': nearly every char of every field
            }
            if (c < 0x20) {
                found |= CONTROL;
            } else if (c < 0x7f) {
                if (c == '{' || c == '}') {
                    found |= BRACE;
                }
            } else if (c <= 0x9f || c == 0x2028 || c == 0x2029) {
                found |= CONTROL;
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c)
                        && i + 1 < n
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    found |= LONE_SURROGATE;
                }
            }
        }
        return found;
    }

    private static String textProblem(int problems) {
        return (problems & CONTROL) != 0
                ? "must not contain control characters"
                : "is not valid Unicode (an unpaired surrogate escape)";
    }

    /** Rejects control characters and unpaired surrogates in a text field. */
    private static void requireText(Draft d, String s, String field) throws InvalidEventException {
        if (!d.mayHoldControls) {
            return;
        }
        int problems = scan(s) & (CONTROL | LONE_SURROGATE);
        if (problems != 0) {
            throw invalid("field '" + field + "' " + textProblem(problems));
        }
    }

    private static void requireAtMost(String s, int max, String field)
            throws InvalidEventException {
        if (s.length() > max) {
            throw invalid(
                    "field '"
                            + field
                            + "' must have at most "
                            + max
                            + " characters, has "
                            + s.length());
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static InvalidEventException invalid(String message) {
        return new InvalidEventException(ErrorCode.INVALID_FIELD, message);
    }

    private static String describe(JsonToken t) {
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.name();
        }
    }

    /** After a field error: reads on to the end of the root object, so bad JSON still wins. */
    private static void skipToRootEnd(JsonParser p) throws IOException {
        while (!p.getParsingContext().inRoot()) {
            if (p.nextToken() == null) {
                return;
            }
        }
    }

    private static void requireEnd(JsonParser p) throws IOException, InvalidEventException {
        if (p.nextToken() != null) {
            throw new InvalidEventException(
                    ErrorCode.BAD_JSON,
                    "record is not valid JSON: content after the end of the value at "
                            + where(p.currentTokenLocation()));
        }
    }

    /**
     * Jackson's own messages quote the offending text, which may be PII, so only the kind of error
     * and its location are reported.
     */
    private static InvalidEventException badJson(
            JsonProcessingException e, StreamReadConstraints limits) {
        String what;
        if (e instanceof JsonEOFException) {
            what = "unexpected end of input";
        } else if (e instanceof StreamConstraintsException) {
            // Jackson's messages name the limit and the size only, but their wording may change.
            String m = String.valueOf(e.getOriginalMessage());
            if (m.startsWith("Number value length")) {
                what =
                        "a number longer than "
                                + limits.getMaxNumberLength()
                                + " characters, over the parser's limits";
            } else if (m.contains("nesting depth")) {
                what =
                        "nesting deeper than "
                                + limits.getMaxNestingDepth()
                                + " levels, over the parser's limits";
            } else {
                what = "a value over the parser's limits";
            }
        } else {
            what = "syntax error";
        }
        JsonLocation at = e.getLocation();
        return new InvalidEventException(
                ErrorCode.BAD_JSON,
                "record is not valid JSON: " + what + (at == null ? "" : " at " + where(at)));
    }

    private static String where(JsonLocation at) {
        return "line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /**
     * The JSON text of {@code bytes[from, to)} (a valid JSON value) without insignificant
     * whitespace. Slicing the input keeps numbers exactly as written and costs far less than
     * re-generating the JSON.
     */
    static String compactJson(byte[] bytes, int from, int to) {
        int i = from;
        boolean inString = false;
        for (; i < to; i++) {
            byte c = bytes[i];
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                break;
            }
        }
        if (i == to) {
            return new String(bytes, from, to - from, StandardCharsets.UTF_8);
        }
        byte[] out = new byte[to - from];
        int n = i - from;
        System.arraycopy(bytes, from, out, 0, n);
        for (; i < to; i++) {
            byte c = bytes[i];
            if (inString) {
                out[n++] = c;
                if (c == '\\') {
                    out[n++] = bytes[++i];
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                out[n++] = c;
                inString = c == '"';
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private JsonFactory factory() {
        JsonFactory f = jsonFactory;
        if (f == null) {
            f =
                    JsonFactory.builder()
                            // Field names come from the input; interning them would let a stream
                            // of random names fill the JVM string table.
                            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                            .build();
            jsonFactory = f;
        }
        return f;
    }

    private Draft draft() {
        Draft d = draft;
        if (d == null) {
            d = draft = new Draft();
        }
        return d;
    }

    /** The fields of the record being parsed; reused from record to record. */
    private static final class Draft {
        int fieldsSeen;
        int fieldsNull;
        String eventId;
        String tenant;
        EventType type;
        String name;
        long ts;
        boolean tsPresent;
        String channel;
        boolean idsPresent;
        String[] idTypes = new String[8];
        String[] idValues = new String[8];
        int idCount;
        Long amountMicros;
        String category;
        String orderId;

        /** How often {@code props.items} came, its first token and, for an array, its bytes. */
        int itemsSeen;

        JsonToken itemsToken;
        int itemsStart;
        int itemsEnd;

        Boolean consentMarketing;
        Boolean consentPersonalization;
        Map<String, String> traits;
        String propsJson;

        /** {@code props.text}, and where its member is in the record; null when absent. */
        String text;

        int textStart;
        int textEnd;

        /** Whether a string of the record may hold a control character or unpaired surrogate. */
        boolean mayHoldControls;

        void reset() {
            fieldsSeen = 0;
            fieldsNull = 0;
            eventId = null;
            tenant = null;
            type = null;
            name = null;
            ts = 0;
            tsPresent = false;
            channel = null;
            idsPresent = false;
            Arrays.fill(idTypes, 0, idCount, null);
            Arrays.fill(idValues, 0, idCount, null);
            idCount = 0;
            amountMicros = null;
            category = null;
            orderId = null;
            itemsSeen = 0;
            itemsToken = null;
            itemsStart = 0;
            itemsEnd = 0;
            consentMarketing = null;
            consentPersonalization = null;
            traits = Map.of();
            propsJson = null;
            text = null;
            textStart = 0;
            textEnd = 0;
        }

        void addRawId(String type, String value) {
            if (idCount == idTypes.length) {
                idTypes = Arrays.copyOf(idTypes, idCount * 2);
                idValues = Arrays.copyOf(idValues, idCount * 2);
            }
            idTypes[idCount] = type;
            idValues[idCount] = value;
            idCount++;
        }
    }

    /**
     * Strict UTF-8 validation (RFC 3629: no overlongs, surrogates or code points > U+10FFFF), which
     * also tells whether a JSON string of the record may hold a control character or an unpaired
     * surrogate at all: only through a backslash escape (Jackson rejects raw C0 characters in
     * strings, and unpaired surrogates are not valid UTF-8) or as raw DEL, C1, U+2028 or U+2029.
     * Most records have none of these, and then no field needs a scan.
     */
    static final class Utf8 {
        /** {@link #check}: the record may hold control characters or unpaired surrogates. */
        static final long MAY_HOLD_CONTROLS = 1L << 32;

        private static final VarHandle LONGS =
                MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
        private static final long ONES = 0x0101010101010101L;
        private static final long HIGHS = 0x8080808080808080L;
        private static final long BACKSLASHES = ONES * '\\';
        private static final long DELS = ONES * 0x7f;

        private Utf8() {}

        /**
         * The offset of the first byte that starts an invalid sequence, or of a NUL byte, or -1.
         * NUL never occurs in JSON text; rejecting it here also stops Jackson from taking a record
         * for UTF-16 or UTF-32, which it detects by zero bytes.
         */
        static int firstInvalid(byte[] b) {
            return (int) check(b);
        }

        /** Whether one of the eight bytes of {@code w} is zero. */
        private static boolean hasZeroByte(long w) {
            return ((w - ONES) & ~w & HIGHS) != 0;
        }

        /**
         * {@link #firstInvalid} in the low 32 bits, and {@link #MAY_HOLD_CONTROLS}. ASCII is
         * checked eight bytes at a time.
         */
        static long check(byte[] b) {
            int n = b.length;
            int i = 0;
            long flags = 0;
            while (i < n) {
                if (i + 8 <= n) {
                    long w = (long) LONGS.get(b, i);
                    if ((w & HIGHS) == 0 && !hasZeroByte(w)) {
                        if (hasZeroByte(w ^ BACKSLASHES) || hasZeroByte(w ^ DELS)) {
                            flags = MAY_HOLD_CONTROLS;
                        }
                        i += 8;
                        continue;
                    }
                }
                int c = b[i];
                if (c > 0) {
                    if (c == '\\' || c == 0x7f) {
                        flags = MAY_HOLD_CONTROLS;
                    }
                    i++;
                    continue;
                }
                if (c == 0) {
                    return flags | i;
                }
                c &= 0xff;
                int len;
                int lo = 0x80;
                int hi = 0xbf;
                if (c >= 0xc2 && c <= 0xdf) {
                    len = 2;
                } else if (c >= 0xe0 && c <= 0xef) {
                    len = 3;
                    if (c == 0xe0) {
                        lo = 0xa0;
                    } else if (c == 0xed) {
                        hi = 0x9f;
                    }
                } else if (c >= 0xf0 && c <= 0xf4) {
                    len = 4;
                    if (c == 0xf0) {
                        lo = 0x90;
                    } else if (c == 0xf4) {
                        hi = 0x8f;
                    }
                } else {
                    return flags | i;
                }
                if (i + len > n) {
                    return flags | i;
                }
                int second = b[i + 1] & 0xff;
                if (second < lo || second > hi) {
                    return flags | i;
                }
                for (int k = 2; k < len; k++) {
                    if ((b[i + k] & 0xc0) != 0x80) {
                        return flags | i;
                    }
                }
                if ((c == 0xc2 && second <= 0x9f) // C1: U+0080-U+009F
                        || (c == 0xe2 && second == 0x80 && (b[i + 2] & 0xfe) == 0xa8)) {
                    // U+2028, U+2029
                    flags = MAY_HOLD_CONTROLS;
                }
                i += len;
            }
            return flags | 0xffffffffL;
        }
    }
}
