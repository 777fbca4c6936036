package io.rtcdp.udf.gen;

import io.rtcdp.udf.event.Id;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A synthetic customer population and the input stream it produces (docs/contract.md §1), with
 * ground truth for every record: which person it belongs to, whether it is a valid event, a re-sent
 * duplicate or a bad record, and for a bad record the dead-letter code it must get.
 *
 * <p>Deterministic: the same configuration gives the same stream, line for line, on every run and
 * every call of {@link #iterator()}. The stream is produced lazily; memory is proportional to the
 * number of persons (about 30 bytes each), not to the number of events. A million records take a
 * few seconds.
 *
 * <h2>The population</h2>
 *
 * Each person has a {@code user_id} (a member number), 1–3 {@code cookie_id}s, 0–2 {@code
 * device_id}s, and maybe a {@code phone} (written in varied human formats), an {@code email}
 * (varied case and surrounding spaces) and a WeChat {@code union_id}; these ids belong to that
 * person only, unless an identity scenario below shares them. Persons visit in sessions on {@code
 * web}, {@code app}, {@code miniprogram} or in a {@code store}, at times that follow the day, with
 * gaps of hours to weeks (shorter for the more active). A session browses ({@code page}, {@code
 * product_viewed} with a category and SKU, {@code search}), may log in ({@code identify} with
 * traits), add to the cart, check out and order; persons sometimes give or change {@code consent}
 * and sometimes get a refund of their last order. The event count and time range are exact; a
 * session's events are about a minute apart when there is at least about one event per minute
 * overall, and spread further in sparser streams.
 *
 * <p>An event carries the ids of its session: its cookie, device or union id, plus {@code user_id}
 * and sometimes phone and email once the person has logged in. With {@link
 * Builder#alwaysUserId(boolean) alwaysUserId} (the default) every valid event also carries the
 * person's {@code user_id}, so keying by the strongest id gives exactly one profile per person.
 *
 * <h2>Identity scenarios</h2>
 *
 * For identity resolution (OneID) the generator can make persons browse anonymously and share ids,
 * keeping the conditions under which the resolved partition does not depend on arrival order: an id
 * used by several persons appears only in events that also carry the user's {@code user_id}, and no
 * event carries two such ids. {@link #idOwners()} and {@link #isShared} give the ground truth,
 * {@link #shuffled} other arrival orders. With any scenario on, persons have the identity
 * population's smaller id sets: 1–2 cookies, at most one device, and at most 6 ids in all (fewer
 * cookies for those who would have more).
 *
 * <ul>
 *   <li>Anonymous browsing ({@link Builder#alwaysUserId(boolean) alwaysUserId(false)}): a person's
 *       first sessions carry only their cookie, device or union id; the first login (an {@code
 *       identify}) and everything after it in the session carry the {@code user_id} as well, which
 *       links the anonymous id to the person. A later session starts logged in only on an id the
 *       person has logged in on before, so every cookie, own device and union id is seen
 *       anonymously before it is seen with the {@code user_id}. Store visits, which show a member
 *       card, come only after the first login.
 *   <li>{@link Builder#sharedDevices(double, int) Shared devices}: households of 2 to {@code
 *       maxPersons} persons of a tenant whose only app device is a common one, used only logged in
 *       to one's own account (and so only after one's first login).
 *   <li>{@link Builder#reusedPhones(double) Recycled phone numbers}: a person uses their number
 *       until a handover time, from which a second person of the tenant uses it. A phone always
 *       comes with the {@code user_id}.
 * </ul>
 *
 * <h2>Imperfections</h2>
 *
 * <ul>
 *   <li>Duplicates: exact copies of one of the last few hundred valid lines, re-sent.
 *   <li>Out-of-order: a share of valid events is emitted late, by up to {@link
 *       Builder#outOfOrder(double, Duration) the bound} of event time; a smaller {@link
 *       Builder#beyondBound(double) beyond-bound} share by more than the bound (up to 4 ×). An
 *       event's lateness is the largest event time emitted before it minus its own.
 *   <li>Bad records of every {@link io.rtcdp.udf.event.ErrorCode}. For {@code ts_in_future} records
 *       to be recognised as such, the parser's clock must be in [{@link #suggestedNow()}, {@link
 *       #suggestedNow()} + 1 day): they are dated 3 days after the end, while every valid event
 *       lies before the end.
 * </ul>
 */
public final class PopulationGenerator implements Iterable<GeneratedRecord> {

    private static final Pattern TENANT = Pattern.compile("[a-z0-9_-]{1,64}");

    /** Largest household sharing a device. */
    private static final int MAX_HOUSEHOLD = 100;

    private final long seed;
    private final List<String> tenants;
    private final int persons;
    private final long events;
    private final long startMillis;
    private final long durationMillis;
    private final double duplicateFraction;
    private final double outOfOrderFraction;
    private final long outOfOrderBoundMillis;
    private final double beyondBoundFraction;
    private final double badFraction;
    private final boolean alwaysUserId;
    private final double sharedDeviceFraction;
    private final int sharedDeviceMaxPersons;
    private final double reusedPhoneFraction;
    private final ZoneOffset zone;
    private final long duplicateCount;
    private final long badCount;
    private final IdentityPlan identityPlan;

    /** Computed on first use: it takes a pass over the valid events. */
    private volatile Map<Id, List<Integer>> idOwners;

    private PopulationGenerator(Builder b) {
        this.seed = b.seed;
        this.tenants = List.copyOf(b.tenants);
        this.persons = b.persons;
        this.events = b.events;
        this.startMillis = b.startMillis;
        this.durationMillis = b.duration.toMillis();
        this.duplicateFraction = b.duplicateFraction;
        this.outOfOrderFraction = b.outOfOrderFraction;
        this.outOfOrderBoundMillis = b.outOfOrderBound.toMillis();
        this.beyondBoundFraction = b.beyondBoundFraction;
        this.badFraction = b.badFraction;
        this.alwaysUserId = b.alwaysUserId;
        this.sharedDeviceFraction = b.sharedDeviceFraction;
        this.sharedDeviceMaxPersons = b.sharedDeviceMaxPersons;
        this.reusedPhoneFraction = b.reusedPhoneFraction;
        this.zone = b.zone;
        this.duplicateCount = Math.round(events * duplicateFraction);
        this.badCount = Math.round(events * badFraction);
        this.identityPlan = IdentityPlan.of(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A fresh pass over the stream, from its first record. */
    @Override
    public Iterator<GeneratedRecord> iterator() {
        return new Simulation(this);
    }

    /**
     * Writes the records' lines to {@code out}, one per line, UTF-8; gzip-compressed when the file
     * name ends in {@code .gz}.
     */
    public static void writeJsonl(Iterator<GeneratedRecord> records, Path out) throws IOException {
        OutputStream os = Files.newOutputStream(out);
        try {
            if (out.getFileName().toString().endsWith(".gz")) {
                os = fastGzip(os);
            }
        } catch (IOException | RuntimeException e) {
            os.close();
            throw e;
        }
        try (Writer w =
                new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16)) {
            while (records.hasNext()) {
                w.write(records.next().json());
                w.write('\n');
            }
        }
    }

    /**
     * Deflate's fastest level: generated test data is written far more often than it is kept, and
     * the default level triples the time for a third smaller file.
     */
    private static GZIPOutputStream fastGzip(OutputStream os) throws IOException {
        return new GZIPOutputStream(os, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        };
    }

    /**
     * A processing time at which a parser classifies exactly the BAD records as the generator
     * expects: the end of the generated time range. Any clock in [suggestedNow, suggestedNow + 1
     * day) works.
     */
    public long suggestedNow() {
        return endMillis();
    }

    /** The tenant of a person. */
    public String tenantOf(int person) {
        checkPerson(person);
        return tenants.get(person % tenants.size());
    }

    /** The {@code user_id} of a person. */
    public String userIdOf(int person) {
        checkPerson(person);
        return Person.userId(seed, person);
    }

    /**
     * Ground truth of identity: every id that the valid events carry, as the parser normalises it,
     * and the persons whose events carry it (ascending). The key is the id's type and normalised
     * plain value: a phone is {@code +86} and 11 digits, an email trimmed and lower-cased, other
     * ids as written. PII types are not hashed here; a caller comparing with parser output hashes
     * them itself.
     *
     * <p>An id has one person, except a household's shared device and a recycled phone number (see
     * {@link Builder#sharedDevices}, {@link Builder#reusedPhones}) when more than one of its users
     * has an event in the stream. Ids of bad records, which a parser rejects, are not included;
     * duplicates repeat valid events and add nothing.
     *
     * <p>The key has no tenant because it needs none: ids are distinct across tenants, and the
     * shared ones are shared within one tenant.
     *
     * <p>The first call takes a pass over the valid events (about as long as a pass over the
     * stream) and keeps the map, about 200 bytes per distinct id; later calls return it.
     *
     * @return an unmodifiable map
     */
    public Map<Id, List<Integer>> idOwners() {
        Map<Id, List<Integer>> m = idOwners;
        if (m == null) {
            synchronized (this) {
                m = idOwners;
                if (m == null) {
                    m = collectIdOwners();
                    idOwners = m;
                }
            }
        }
        return m;
    }

    /**
     * Whether the valid events of more than one person carry this id: the ids that identity
     * resolution must refuse to link, whatever the arrival order.
     *
     * @param normalisedValue as in {@link #idOwners()}: plain, not hashed
     */
    public boolean isShared(String type, String normalisedValue) {
        List<Integer> owners = idOwners().get(new Id(type, normalisedValue));
        return owners != null && owners.size() > 1;
    }

    private Map<Id, List<Integer>> collectIdOwners() {
        Map<Id, Integer> first = new HashMap<>();
        Map<Id, TreeSet<Integer>> more = new HashMap<>();
        Behaviour valid = Simulation.validEvents(this);
        valid.idSink =
                (type, value, person) -> {
                    Id id = new Id(type, value);
                    Integer owner = first.putIfAbsent(id, person);
                    if (owner != null && owner != person) {
                        more.computeIfAbsent(id, k -> new TreeSet<>(List.of(owner))).add(person);
                    }
                };
        while (valid.next()) {
            // The sink sees every id of the event.
        }
        Map<Id, List<Integer>> out = new HashMap<>(first.size() * 4 / 3 + 1);
        for (Map.Entry<Id, Integer> e : first.entrySet()) {
            TreeSet<Integer> all = more.get(e.getKey());
            out.put(e.getKey(), all == null ? List.of(e.getValue()) : List.copyOf(all));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The same records in a random order, as another arrival order of the same events: for tests
     * that replay two orders and expect the same identities. Deterministic in {@code seed}.
     *
     * @return a new unmodifiable list
     */
    public static List<GeneratedRecord> shuffled(List<GeneratedRecord> records, long seed) {
        GeneratedRecord[] a = records.toArray(new GeneratedRecord[0]);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            GeneratedRecord t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return Collections.unmodifiableList(Arrays.asList(a));
    }

    private void checkPerson(int person) {
        if (person < 0 || person >= persons) {
            throw new IndexOutOfBoundsException("person " + person + " of " + persons);
        }
    }

    public long seed() {
        return seed;
    }

    public List<String> tenants() {
        return tenants;
    }

    public int persons() {
        return persons;
    }

    /** Records of all kinds in the stream. */
    public long events() {
        return events;
    }

    public long validCount() {
        return events - duplicateCount - badCount;
    }

    public long duplicateCount() {
        return duplicateCount;
    }

    public long badCount() {
        return badCount;
    }

    /** Every valid event's time is in [startMillis, endMillis). */
    public long startMillis() {
        return startMillis;
    }

    public long endMillis() {
        return startMillis + durationMillis;
    }

    public double duplicateFraction() {
        return duplicateFraction;
    }

    public double outOfOrderFraction() {
        return outOfOrderFraction;
    }

    public long outOfOrderBoundMillis() {
        return outOfOrderBoundMillis;
    }

    public double beyondBoundFraction() {
        return beyondBoundFraction;
    }

    /** The largest lateness of a beyond-bound event. */
    public long maxLatenessMillis() {
        return Simulation.BEYOND_FACTOR * outOfOrderBoundMillis;
    }

    public double badFraction() {
        return badFraction;
    }

    public boolean alwaysUserId() {
        return alwaysUserId;
    }

    public double sharedDeviceFraction() {
        return sharedDeviceFraction;
    }

    public int sharedDeviceMaxPersons() {
        return sharedDeviceMaxPersons;
    }

    public double reusedPhoneFraction() {
        return reusedPhoneFraction;
    }

    IdentityPlan identityPlan() {
        return identityPlan;
    }

    /** The population's local time zone: daily rhythm and the offset of some ISO timestamps. */
    public ZoneOffset zone() {
        return zone;
    }

    /** Configuration of a {@link PopulationGenerator}; every setting has a default. */
    public static final class Builder {
        private long seed = 42;
        private List<String> tenants = List.of("demo");
        private int persons = 10_000;
        private long events = 1_000_000;
        private long startMillis = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
        private Duration duration = Duration.ofDays(90);
        private double duplicateFraction = 0.005;
        private double outOfOrderFraction = 0.05;
        private Duration outOfOrderBound = Duration.ofHours(1);
        private double beyondBoundFraction = 0.001;
        private double badFraction = 0.002;
        private boolean alwaysUserId = true;
        private double sharedDeviceFraction = 0;
        private int sharedDeviceMaxPersons = 2;
        private double reusedPhoneFraction = 0;
        private ZoneOffset zone = ZoneOffset.ofHours(8);

        private Builder() {}

        /** Default 42. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Persons are spread over the tenants round-robin. Default {@code demo}. */
        public Builder tenants(String... tenants) {
            this.tenants = List.of(tenants);
            return this;
        }

        public Builder tenant(String tenant) {
            return tenants(tenant);
        }

        /** Default 10,000. */
        public Builder persons(int persons) {
            this.persons = persons;
            return this;
        }

        /** Records of all kinds (valid, duplicate, bad). Default 1,000,000. */
        public Builder events(long events) {
            this.events = events;
            return this;
        }

        /** First possible event time, epoch ms. Default 2025-01-01T00:00Z. */
        public Builder startMillis(long startMillis) {
            this.startMillis = startMillis;
            return this;
        }

        /** Time range of the valid events. Default 90 days. */
        public Builder duration(Duration duration) {
            this.duration = Objects.requireNonNull(duration, "duration");
            return this;
        }

        /** Share of records that are re-sent copies of earlier valid lines. Default 0.5 %. */
        public Builder duplicateFraction(double fraction) {
            this.duplicateFraction = fraction;
            return this;
        }

        /**
         * Share of valid events emitted late by up to {@code bound} of event time. Default 5 %
         * within 1 hour.
         */
        public Builder outOfOrder(double fraction, Duration bound) {
            this.outOfOrderFraction = fraction;
            this.outOfOrderBound = Objects.requireNonNull(bound, "bound");
            return this;
        }

        /** Share of valid events emitted later than the bound (up to 4 ×). Default 0.1 %. */
        public Builder beyondBound(double fraction) {
            this.beyondBoundFraction = fraction;
            return this;
        }

        /** Share of records that are bad. Default 0.2 %. */
        public Builder badFraction(double fraction) {
            this.badFraction = fraction;
            return this;
        }

        /**
         * Whether every valid event carries the person's {@code user_id} (default true). When
         * false, persons browse anonymously before they log in (see the class comment): events
         * before a login carry only the session's cookie, device or union id, and the ones after it
         * the {@code user_id} too, which links the anonymous ids to the person.
         */
        public Builder alwaysUserId(boolean alwaysUserId) {
            this.alwaysUserId = alwaysUserId;
            return this;
        }

        /**
         * Households that share a device: about {@code fraction} of the distinct device ids are
         * each used by 2 to {@code maxPersons} persons of one tenant, and only ever in events that
         * carry the user's {@code user_id}. Default none. The largest reachable fraction is {@code
         * 1 / (1 + 0.325 (maxPersons - 2))}: 1 for pairs, 0.61 for up to 4 persons.
         */
        public Builder sharedDevices(double fraction, int maxPersons) {
            this.sharedDeviceFraction = fraction;
            this.sharedDeviceMaxPersons = maxPersons;
            return this;
        }

        /**
         * Recycled phone numbers: about {@code fraction} of the distinct numbers pass, at a time in
         * the middle of the range, from one person to a second of the same tenant, who uses it from
         * then on; each uses it only in events that carry their {@code user_id}. Default none.
         */
        public Builder reusedPhones(double fraction) {
            this.reusedPhoneFraction = fraction;
            return this;
        }

        /** Local time of the population. Default +08:00. */
        public Builder zone(ZoneOffset zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid setting
         */
        public PopulationGenerator build() {
            if (tenants.isEmpty() || new HashSet<>(tenants).size() != tenants.size()) {
                throw new IllegalArgumentException("tenants must be non-empty and distinct");
            }
            for (String t : tenants) {
                if (!TENANT.matcher(t).matches()) {
                    throw new IllegalArgumentException(
                            "tenant must match [a-z0-9_-]{1,64}, got: " + t);
                }
            }
            if (persons < 1 || persons > Person.MAX_PERSONS) {
                throw new IllegalArgumentException(
                        "persons must be in [1, " + Person.MAX_PERSONS + "], got " + persons);
            }
            if (events < 0) {
                throw new IllegalArgumentException("events must be >= 0, got " + events);
            }
            if (duration.toMillis() < 1) {
                throw new IllegalArgumentException("duration must be at least 1 ms");
            }
            if (startMillis > Long.MAX_VALUE / 2 - duration.toMillis()) {
                throw new IllegalArgumentException("start + duration is too far in the future");
            }
            if (outOfOrderBound.toMillis() < 1) {
                throw new IllegalArgumentException("out-of-order bound must be at least 1 ms");
            }
            fraction("duplicate", duplicateFraction);
            fraction("out-of-order", outOfOrderFraction);
            fraction("beyond-bound", beyondBoundFraction);
            fraction("bad", badFraction);
            fraction("shared-device", sharedDeviceFraction);
            fraction("reused-phone", reusedPhoneFraction);
            if (sharedDeviceMaxPersons < 2 || sharedDeviceMaxPersons > MAX_HOUSEHOLD) {
                throw new IllegalArgumentException(
                        "shared-device maxPersons must be in [2, "
                                + MAX_HOUSEHOLD
                                + "], got "
                                + sharedDeviceMaxPersons);
            }
            double reachable = IdentityPlan.maxSharedDeviceFraction(sharedDeviceMaxPersons);
            if (IdentityPlan.householdChance(sharedDeviceFraction, sharedDeviceMaxPersons)
                    > 1 + 1e-9) {
                throw new IllegalArgumentException(
                        String.format(
                                Locale.ROOT,
                                "shared-device fraction %s is more than households of up to %d"
                                        + " persons can share (%.3f)",
                                sharedDeviceFraction,
                                sharedDeviceMaxPersons,
                                reachable));
            }
            if (duplicateFraction + badFraction > 1) {
                throw new IllegalArgumentException("duplicate + bad fractions exceed 1");
            }
            if (outOfOrderFraction + beyondBoundFraction > 1) {
                throw new IllegalArgumentException(
                        "out-of-order + beyond-bound fractions exceed 1");
            }
            PopulationGenerator g = new PopulationGenerator(this);
            if (g.validCount() < 0 || (g.validCount() == 0 && g.duplicateCount() > 0)) {
                throw new IllegalArgumentException("duplicates need at least one valid event");
            }
            return g;
        }

        private static void fraction(String what, double f) {
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException(what + " fraction must be in [0, 1], got " + f);
            }
        }
    }
}
