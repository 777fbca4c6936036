package io.rtcdp.udf.gen;

import io.rtcdp.udf.event.IdTypes;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The valid events of the population, in non-decreasing event time.
 *
 * <p>Time is driven by {@link DiurnalClock}: event k of n gets the time at progress k/n, so the
 * count and the range are exact. Who acts is a small pool of concurrent sessions, each a planned
 * funnel (open, browse, maybe log in, maybe buy); every event goes to a random session of the pool,
 * which spaces a session's events about a minute apart. A finished session sends its person back to
 * the idle queue with a wanted return time hours to weeks later (shorter for more active persons),
 * and the idle person who wanted to return earliest takes the free slot. A person is never in two
 * sessions at once.
 *
 * <p>State is O(persons) primitives plus O(pool) sessions; nothing per event is kept.
 */
final class Behaviour {
    // Steps of a session plan.
    private static final byte APP_OPENED = 0;
    private static final byte HOME = 1;
    private static final byte STORE_VISIT = 2;
    private static final byte REFUND = 3;
    private static final byte CONSENT = 4;
    private static final byte VIEW = 5;
    private static final byte SEARCH = 6;
    private static final byte PAGE = 7;
    private static final byte IDENTIFY = 8;
    private static final byte ADD = 9;
    private static final byte CHECKOUT = 10;
    private static final byte ORDER = 11;

    private static final int MAX_STEPS = 48;
    private static final int MAX_BROWSE = 30;

    // Person flags.
    private static final byte LOGGED_IN_BEFORE = 1;
    private static final byte CONSENTED = 2;

    /** Average events per session of the plan below, measured; calibrates the return gaps. */
    static final double MEAN_SESSION_EVENTS = 5.4;

    private static final long TARGET_EVENT_GAP_IN_SESSION_MS = 60_000;
    private static final int MAX_POOL = 10_000;
    private static final long MIN_RETURN_GAP_MS = 20 * 60_000;
    private static final double ISO_TS_FRACTION = 0.1;

    /** The parser's default, which every written phone number normalises with. */
    private static final String DEFAULT_COUNTRY_CODE = "+86";

    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT);

    private final long seed;
    private final IdentityPlan plan;
    private final boolean alwaysUserId;
    private final ZoneOffset zone;
    private final String eventIdPrefix;
    private final String orderIdPrefix;
    private final long total;
    private final SplittableRandom rnd;
    private final DiurnalClock clock;
    private final PersonQueue idle;
    private final Session[] pool;
    private final double meanReturnGapMs;

    /** Event number of the person's last order not yet refunded, or -1. */
    private final long[] lastOrder;

    private final long[] lastOrderCents;
    private final byte[] flags;

    /**
     * Without alwaysUserId: per person, the anonymous ids (bits of {@link Session#anonBit}) on
     * which they have logged in, so that a later session there may start logged in. Null otherwise.
     */
    private final byte[] loggedInOn;

    private final JsonLine out = new JsonLine();

    /** Told every id of every generated event, when set; for the ground truth. */
    IdSink idSink;

    private long generated;

    // The last generated event.
    String json;
    long ts;
    int person;

    Behaviour(PopulationGenerator cfg, SplittableRandom rnd) {
        this.seed = cfg.seed();
        this.plan = cfg.identityPlan();
        this.alwaysUserId = cfg.alwaysUserId();
        this.zone = cfg.zone();
        this.eventIdPrefix = "g-" + seed + "-";
        this.orderIdPrefix = "o-" + seed + "-";
        this.total = cfg.validCount();
        this.rnd = rnd;
        this.clock = new DiurnalClock(cfg.startMillis(), cfg.endMillis(), zone);
        this.ts = cfg.startMillis();
        int persons = cfg.persons();
        long duration = cfg.endMillis() - cfg.startMillis();

        long poolSize = Math.round((double) total * TARGET_EVENT_GAP_IN_SESSION_MS / duration);
        pool = new Session[(int) Math.max(1, Math.min(Math.min(persons, MAX_POOL), poolSize))];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = new Session();
        }

        // A person of average activity comes back every meanReturnGapMs, so that the population
        // produces about `total` events over the duration.
        double sessionsPerPerson = Math.max(1e-9, total / MEAN_SESSION_EVENTS / persons);
        meanReturnGapMs = duration / sessionsPerPerson;
        idle = new PersonQueue(persons);
        for (int p = 0; p < persons; p++) {
            idle.add(cfg.startMillis() + returnGap(p) - MIN_RETURN_GAP_MS, p);
        }
        lastOrder = new long[persons];
        Arrays.fill(lastOrder, -1);
        lastOrderCents = new long[persons];
        flags = new byte[persons];
        loggedInOn = alwaysUserId ? null : new byte[persons];
    }

    /** Receives the ids of the generated events, normalised as the parser does (plain PII). */
    @FunctionalInterface
    interface IdSink {
        void id(String type, String normalisedValue, int person);
    }

    /** The time of the latest generated event, or the start before any. */
    long now() {
        return ts;
    }

    /** Generates the next valid event into {@link #json}, {@link #ts}, {@link #person}. */
    boolean next() {
        if (generated == total) {
            return false;
        }
        long k = generated++;
        ts = clock.at((k + rnd.nextDouble()) / total);
        Session s = pool[rnd.nextInt(pool.length)];
        if (s.person == null) {
            start(s);
        }
        person = s.person.index;
        json = emit(s, k);
        if (s.pos == s.len) {
            idle.add(ts + returnGap(person), person);
            s.person = null;
        }
        return true;
    }

    private long returnGap(int p) {
        double mean = meanReturnGapMs / Person.activity(seed, p);
        double exp = -StrictMath.log(1.0 - rnd.nextDouble()) * mean;
        return MIN_RETURN_GAP_MS + (long) Math.min(exp, 1e15);
    }

    // ---------------------------------------------------------------- sessions

    /** One person's visit: a planned sequence of steps and what it has put in the cart. */
    private static final class Session {
        Person person;
        int channel;
        String anonType;
        String anonValue;

        /** Which anonymous id of the person the session is on: one bit, 0 in a store. */
        int anonBit;

        /** Whether the anonymous id is a household's shared device. */
        boolean anonShared;

        boolean loggedIn;
        final byte[] steps = new byte[MAX_STEPS];
        int len;
        int pos;
        int category;
        String sku;
        long priceCents;
        int cartItems;
        long cartCents;
        int cartCategory;

        void add(byte step) {
            steps[len++] = step;
        }
    }

    private void start(Session s) {
        int p = idle.poll();
        Person person = Person.of(plan, p);
        s.person = person;
        s.len = 0;
        s.pos = 0;
        s.sku = null;
        s.cartItems = 0;
        s.cartCents = 0;
        s.cartCategory = -1;
        s.channel = person.chooseChannel(rnd);
        boolean known = (flags[p] & LOGGED_IN_BEFORE) != 0;
        if (!alwaysUserId
                && !known
                && (s.channel == Person.CHANNEL_STORE
                        || (s.channel == Person.CHANNEL_APP && person.deviceShared))) {
            // Before their first login a person has no member card to show in a store, and a
            // family's device is used only logged in to one's own account, so that a shared
            // device never appears without the user_id that tells its users apart.
            s.channel = Person.CHANNEL_WEB;
        }
        s.anonShared = false;
        switch (s.channel) {
            case Person.CHANNEL_WEB -> {
                s.anonType = "cookie_id";
                // Mostly the main browser; the other cookies are other browsers or cleared ones.
                int c = rnd.nextDouble() < 0.75 ? 0 : rnd.nextInt(person.cookies.length);
                s.anonValue = person.cookies[c];
                s.anonBit = 1 << c;
            }
            case Person.CHANNEL_APP -> {
                s.anonType = "device_id";
                int d = rnd.nextInt(person.devices.length);
                s.anonValue = person.devices[d];
                s.anonBit = 1 << (3 + d);
                s.anonShared = person.deviceShared;
            }
            case Person.CHANNEL_MINIPROGRAM -> {
                s.anonType = "union_id";
                s.anonValue = person.unionId;
                s.anonBit = 1 << 5;
            }
            default -> {
                s.anonType = null;
                s.anonValue = null;
                s.anonBit = 0;
            }
        }
        double stayLoggedIn = s.channel == Person.CHANNEL_APP ? 0.8 : 0.4;
        if (alwaysUserId) {
            s.loggedIn =
                    s.channel == Person.CHANNEL_STORE || (known && rnd.nextDouble() < stayLoggedIn);
        } else {
            // A session starts logged in only where the person logged in before: the first
            // event on a new cookie, device or union id is always anonymous.
            s.loggedIn =
                    s.channel == Person.CHANNEL_STORE
                            || s.anonShared
                            || ((loggedInOn[p] & s.anonBit) != 0
                                    && rnd.nextDouble() < stayLoggedIn);
        }
        plan(s, p);
    }

    private void plan(Session s, int p) {
        s.add(
                switch (s.channel) {
                    case Person.CHANNEL_APP -> APP_OPENED;
                    case Person.CHANNEL_STORE -> STORE_VISIT;
                    default -> HOME;
                });
        if (lastOrder[p] >= 0 && rnd.nextDouble() < 0.06) {
            s.add(REFUND);
        }
        if (((flags[p] & CONSENTED) == 0 && rnd.nextDouble() < 0.5) || rnd.nextDouble() < 0.02) {
            s.add(CONSENT);
        }
        if (s.channel == Person.CHANNEL_STORE) {
            if (rnd.nextDouble() < 0.6) {
                s.add(ORDER);
            }
            return;
        }
        Person person = s.person;
        boolean loggedIn = s.loggedIn;
        int browse = 1;
        while (browse < MAX_BROWSE && rnd.nextDouble() > 0.28) {
            browse++;
        }
        int loginAt =
                !loggedIn && rnd.nextDouble() < person.loginPropensity ? rnd.nextInt(browse) : -1;
        for (int i = 0; i < browse; i++) {
            if (i == loginAt) {
                s.add(IDENTIFY);
                loggedIn = true;
            }
            double u = rnd.nextDouble();
            s.add(u < 0.65 ? VIEW : u < 0.8 ? SEARCH : PAGE);
        }
        if (loggedIn && loginAt < 0 && rnd.nextDouble() < 0.03) {
            s.add(IDENTIFY); // a profile edit
        }
        if (rnd.nextDouble() < 0.25 * person.buyer) {
            s.add(ADD);
            if (rnd.nextDouble() < 0.3) {
                s.add(ADD);
            }
            if (rnd.nextDouble() < 0.5) {
                if (!loggedIn) {
                    s.add(IDENTIFY); // checkout needs an account
                }
                s.add(CHECKOUT);
                if (rnd.nextDouble() < 0.7) {
                    s.add(ORDER);
                }
            }
        }
    }

    // ---------------------------------------------------------------- events

    private String emit(Session s, long k) {
        byte step = s.steps[s.pos++];
        Person p = s.person;
        String channel = Person.CHANNELS[s.channel];
        JsonLine j = out.begin().str("event_id", eventIdPrefix + k).str("tenant", p.tenant);
        switch (step) {
            case APP_OPENED -> {
                track(j, "app_opened", channel, s, false);
                j.open("props").str("app_version", p.appVersion).close();
            }
            case HOME -> {
                page(j, channel, s);
                j.open("props")
                        .str("path", s.channel == Person.CHANNEL_WEB ? "/" : "pages/index/index")
                        .close();
            }
            case STORE_VISIT -> {
                track(j, "store_visit", channel, s, false);
                j.open("props").str("store_id", p.storeId).close();
            }
            case REFUND -> {
                track(j, "order_refunded", channel, s, false);
                j.open("props")
                        .str("order_id", orderIdPrefix + lastOrder[p.index])
                        .cents("amount", lastOrderCents[p.index])
                        .str("currency", "CNY")
                        .close();
                lastOrder[p.index] = -1;
            }
            case CONSENT -> {
                j.str("type", "consent");
                common(j, channel, s, false);
                // People mostly keep their stance, sometimes change their mind.
                j.open("consent")
                        .bool("marketing", p.marketing ^ rnd.nextDouble() < 0.1)
                        .bool("personalization", p.personalization ^ rnd.nextDouble() < 0.05)
                        .close();
                flags[p.index] |= CONSENTED;
            }
            case VIEW -> {
                chooseProduct(s);
                track(j, "product_viewed", channel, s, false);
                j.open("props")
                        .str("category", Catalog.CATEGORIES.get(s.category))
                        .str("sku", s.sku)
                        .cents("price", s.priceCents)
                        .close();
            }
            case SEARCH -> {
                List<String> terms = Catalog.SEARCH_TERMS.get(p.chooseCategory(rnd));
                track(j, "search", channel, s, false);
                j.open("props").str("query", terms.get(rnd.nextInt(terms.size()))).close();
            }
            case PAGE -> {
                String category = Catalog.CATEGORIES.get(p.chooseCategory(rnd));
                page(j, channel, s);
                j.open("props")
                        .str("path", "/category/" + category)
                        .str("category", category)
                        .close();
            }
            case IDENTIFY -> {
                j.str("type", "identify");
                common(j, channel, s, true);
                j.open("traits")
                        .str("city", p.city)
                        .str("gender", p.gender)
                        .str("age_band", p.ageBand)
                        .str("member_level", p.memberLevel)
                        .close();
                s.loggedIn = true;
                flags[p.index] |= LOGGED_IN_BEFORE;
                if (loggedInOn != null) {
                    loggedInOn[p.index] |= (byte) s.anonBit;
                }
            }
            case ADD -> {
                if (s.sku == null || rnd.nextDouble() < 0.2) {
                    chooseProduct(s);
                }
                int quantity = rnd.nextDouble() < 0.2 ? 2 + rnd.nextInt(2) : 1;
                s.cartItems += quantity;
                s.cartCents += quantity * s.priceCents;
                if (s.cartCategory < 0) {
                    s.cartCategory = s.category;
                }
                track(j, "product_added", channel, s, false);
                j.open("props")
                        .str("category", Catalog.CATEGORIES.get(s.category))
                        .str("sku", s.sku)
                        .cents("price", s.priceCents)
                        .num("quantity", quantity)
                        .close();
            }
            case CHECKOUT -> {
                track(j, "checkout_started", channel, s, false);
                j.open("props")
                        .num("item_count", s.cartItems)
                        .cents("amount", s.cartCents)
                        .str("currency", "CNY")
                        .close();
            }
            case ORDER -> {
                if (s.cartItems == 0) {
                    // A store purchase: no cart, a basket around the person's usual spend.
                    s.cartItems = 1 + rnd.nextInt(4);
                    s.cartCents =
                            Math.max(
                                    100,
                                    Math.round(p.storeBasketCents * Person.lognormal(rnd, 0.5)));
                    s.cartCategory = p.chooseCategory(rnd);
                }
                track(j, "order_completed", channel, s, false);
                j.open("props")
                        .str("order_id", orderIdPrefix + k)
                        .cents("amount", s.cartCents)
                        .str("currency", "CNY")
                        .num("item_count", s.cartItems)
                        .str("category", Catalog.CATEGORIES.get(s.cartCategory))
                        .close();
                lastOrder[p.index] = k;
                lastOrderCents[p.index] = s.cartCents;
                s.cartItems = 0;
                s.cartCents = 0;
                s.cartCategory = -1;
            }
            default -> throw new IllegalStateException("unknown step " + step);
        }
        return j.end();
    }

    private void track(JsonLine j, String name, String channel, Session s, boolean identify) {
        j.str("type", "track").str("name", name);
        common(j, channel, s, identify);
    }

    private void page(JsonLine j, String channel, Session s) {
        j.str("type", "page");
        common(j, channel, s, false);
    }

    /** ts, channel and the session's ids. */
    private void common(JsonLine j, String channel, Session s, boolean identify) {
        if (rnd.nextDouble() < ISO_TS_FRACTION) {
            ZoneOffset offset = rnd.nextBoolean() ? ZoneOffset.UTC : zone;
            j.str("ts", ISO.format(OffsetDateTime.ofInstant(Instant.ofEpochMilli(ts), offset)));
        } else {
            j.num("ts", ts);
        }
        j.str("channel", channel);
        ids(j, s, identify);
    }

    private void ids(JsonLine j, Session s, boolean identify) {
        Person p = s.person;
        boolean known = s.loggedIn || identify;
        j.open("ids");
        if (known || alwaysUserId) {
            j.str("user_id", p.userId);
            tell(IdTypes.USER_ID, p.userId, p);
        }
        if (known) {
            boolean store = s.channel == Person.CHANNEL_STORE;
            String phone = p.phoneAt(ts);
            // At most one id of an event is used by several persons, so that every refused link
            // of identity resolution is about exactly one id.
            if (phone != null
                    && !(s.anonShared && p.phoneShared)
                    && (identify || store || rnd.nextDouble() < 0.2)) {
                j.str("phone", IdFormats.phone(phone, rnd));
                tell(IdTypes.PHONE, DEFAULT_COUNTRY_CODE + phone, p);
            }
            if (p.email != null && (identify || rnd.nextDouble() < 0.15)) {
                j.str("email", IdFormats.email(p.email, rnd));
                tell(IdTypes.EMAIL, p.email, p);
            }
        }
        if (s.anonType != null) {
            j.str(s.anonType, s.anonValue);
            tell(s.anonType, s.anonValue, p);
        }
        j.close();
    }

    private void tell(String type, String normalisedValue, Person p) {
        if (idSink != null) {
            idSink.id(type, normalisedValue, p.index);
        }
    }

    private void chooseProduct(Session s) {
        int category = s.person.chooseCategory(rnd);
        int item = rnd.nextInt(400);
        s.category = category;
        s.sku = "SKU-" + Person.pad(category, 2) + "-" + Person.pad(item, 4);
        s.priceCents = price(category, item);
    }

    /** A fixed price per SKU around its category's median, ending in .90. */
    private static long price(int category, int item) {
        double z = Person.hashGaussian(Person.mix64(category * 100_003L + item));
        double yuan = Catalog.MEDIAN_PRICE_CENTS[category] / 100.0 * StrictMath.exp(0.6 * z);
        return Math.max(1, Math.round(yuan)) * 100 - 10;
    }
}
