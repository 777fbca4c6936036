package io.rtcdp.udf.gen;

import io.rtcdp.udf.event.ErrorCode;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Invalid records with a known dead-letter code. Each one is a plausible event of a real person
 * with exactly one defect, so the expected code does not depend on the order in which a parser
 * checks things.
 */
final class BadRecords {
    /** Limit on a record's size (docs/contract.md §1.2). */
    static final int MAX_RECORD_BYTES = 64 * 1024;

    private static final long DAY = 86_400_000L;

    /** Relative frequency per code, indexed by ErrorCode ordinal; oversize records are big. */
    private static final double[] WEIGHTS = new double[ErrorCode.INPUT.size()];

    static {
        WEIGHTS[ErrorCode.BAD_JSON.ordinal()] = 3;
        WEIGHTS[ErrorCode.NOT_AN_OBJECT.ordinal()] = 1;
        WEIGHTS[ErrorCode.OVERSIZE.ordinal()] = 0.5;
        WEIGHTS[ErrorCode.MISSING_FIELD.ordinal()] = 3;
        WEIGHTS[ErrorCode.INVALID_FIELD.ordinal()] = 2;
        WEIGHTS[ErrorCode.UNKNOWN_TYPE.ordinal()] = 1;
        WEIGHTS[ErrorCode.BAD_TS.ordinal()] = 2;
        WEIGHTS[ErrorCode.TS_IN_FUTURE.ordinal()] = 1;
        WEIGHTS[ErrorCode.NO_ID.ordinal()] = 2;
        WEIGHTS[ErrorCode.INVALID_ITEM.ordinal()] = 1;
    }

    private static final ErrorCode[] CODES = ErrorCode.INPUT.toArray(new ErrorCode[0]);

    private final long seed;
    private final List<String> tenants;
    private final int persons;
    private final long futureTs;
    private final SplittableRandom rnd;
    private final JsonLine out = new JsonLine();
    private long count;

    BadRecords(PopulationGenerator cfg, SplittableRandom rnd) {
        this.seed = cfg.seed();
        this.tenants = cfg.tenants();
        this.persons = cfg.persons();
        // Two days beyond the allowed skew (docs/contract.md §1.2), even for a clock up to a day
        // past the end.
        this.futureTs = cfg.endMillis() + 3 * DAY;
        this.rnd = rnd;
    }

    /**
     * The next bad record, about an event at {@code now}. The first few cover every code once, so
     * that even a short stream exercises them all.
     */
    GeneratedRecord next(long now) {
        long n = count++;
        ErrorCode code = n < CODES.length ? CODES[(int) n] : CODES[Person.pick(rnd, WEIGHTS)];
        int p = rnd.nextInt(persons);
        Person person = Person.of(seed, p, tenants);
        Fields f = new Fields(person, "g-" + seed + "-bad-" + n, now);
        String json =
                switch (code) {
                    case BAD_JSON -> badJson(f);
                    case NOT_AN_OBJECT ->
                            rnd.nextBoolean() ? "[" + f.json() + "]" : JsonLine.quoted(f.json());
                    case OVERSIZE -> oversize(f);
                    case MISSING_FIELD -> {
                        switch (rnd.nextInt(4)) {
                            case 0 -> f.eventId = null;
                            case 1 -> f.tenant = null;
                            case 2 -> f.ts = null;
                            default -> f.ts = "null";
                        }
                        yield f.json();
                    }
                    case INVALID_FIELD -> {
                        switch (rnd.nextInt(4)) {
                            case 0 -> f.tenant = JsonLine.quoted(upper(person.tenant));
                            case 1 -> f.tenant = "42";
                            case 2 -> f.eventId = Long.toString(n);
                            default -> f.eventId = JsonLine.quoted("g-" + "x".repeat(127));
                        }
                        yield f.json();
                    }
                    case UNKNOWN_TYPE -> {
                        f.type = "\"bogus\"";
                        yield f.json();
                    }
                    case BAD_TS -> {
                        f.ts = "\"yesterday\"";
                        yield f.json();
                    }
                    case TS_IN_FUTURE -> {
                        f.ts =
                                rnd.nextBoolean()
                                        ? Long.toString(futureTs)
                                        : JsonLine.quoted(
                                                Instant.ofEpochMilli(futureTs).toString());
                        yield f.json();
                    }
                    case NO_ID -> {
                        f.ids =
                                rnd.nextBoolean()
                                        ? "{}"
                                        : "{\"visitor_id\":" + JsonLine.quoted("v" + n) + "}";
                        yield f.json();
                    }
                    case INVALID_ITEM -> {
                        f.name = "\"order_completed\"";
                        String line =
                                switch (rnd.nextInt(4)) {
                                    // quantity out of range
                                    case 0 -> "{\"sku\":\"p1\",\"quantity\":0,\"price\":9.9}";
                                    // no sku
                                    case 1 -> "{\"quantity\":1,\"price\":9.9}";
                                    // a negative unit price
                                    case 2 -> "{\"sku\":\"p1\",\"quantity\":1,\"price\":-9.9}";
                                    // not an object
                                    default -> "\"p1\"";
                                };
                        f.props =
                                "{\"order_id\":"
                                        + JsonLine.quoted("g-" + seed + "-o-" + n)
                                        + ",\"amount\":9.9,\"items\":["
                                        + line
                                        + "]}";
                        yield f.json();
                    }
                    default -> throw new IllegalStateException("not an input code: " + code);
                };
        return new GeneratedRecord(json, GeneratedRecord.Kind.BAD, code.code(), p);
    }

    private String badJson(Fields f) {
        String valid = f.json();
        return switch (rnd.nextInt(4)) {
            // Every proper prefix of an object lacks at least its closing brace.
            case 0 -> valid.substring(0, 1 + rnd.nextInt(valid.length() - 1));
            case 1 -> valid.substring(0, valid.length() - 1) + ",}";
            case 2 -> valid.replace('"', '\'');
            default -> "event_id=g-" + seed + "&tenant=" + f.person.tenant + "&type=track";
        };
    }

    /** A feedback event whose text alone exceeds the limit; otherwise valid. */
    private String oversize(Fields f) {
        StringBuilder text = new StringBuilder(MAX_RECORD_BYTES + 2048);
        while (text.length() <= MAX_RECORD_BYTES) {
            text.append(Catalog.FEEDBACK_PHRASES.get(rnd.nextInt(Catalog.FEEDBACK_PHRASES.size())));
        }
        f.name = "\"feedback\"";
        f.props = "{\"text\":" + JsonLine.quoted(text.toString()) + "}";
        return f.json();
    }

    private static String upper(String tenant) {
        String u = tenant.toUpperCase(java.util.Locale.ROOT);
        return u.equals(tenant) ? "X" + tenant : u;
    }

    /** The raw JSON values of a valid product view; a null value leaves the field out. */
    private final class Fields {
        final Person person;
        String eventId;
        String tenant;
        String type = "\"track\"";
        String name = "\"product_viewed\"";
        String ts;
        String ids;
        String props;

        Fields(Person person, String eventId, long now) {
            this.person = person;
            this.eventId = JsonLine.quoted(eventId);
            this.tenant = JsonLine.quoted(person.tenant);
            this.ts = Long.toString(now);
            this.ids =
                    "{\"user_id\":"
                            + JsonLine.quoted(person.userId)
                            + ",\"cookie_id\":"
                            + JsonLine.quoted(person.cookies[0])
                            + "}";
            int category = person.chooseCategory(rnd);
            this.props = "{\"category\":" + JsonLine.quoted(Catalog.CATEGORIES.get(category)) + "}";
        }

        String json() {
            JsonLine j = out.begin();
            field(j, "event_id", eventId);
            field(j, "tenant", tenant);
            field(j, "type", type);
            field(j, "name", name);
            field(j, "ts", ts);
            j.str("channel", "web");
            field(j, "ids", ids);
            field(j, "props", props);
            return j.end();
        }

        private void field(JsonLine j, String key, String raw) {
            if (raw != null) {
                j.raw(key, raw);
            }
        }
    }
}
