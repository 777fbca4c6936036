package io.rtcdp.udf.gen;

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
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A synthetic customer population and the input stream it produces (contract section 1), with
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
 * person only. Persons visit in sessions on {@code web}, {@code app}, {@code miniprogram} or in a
 * {@code store}, at times that follow the day, with gaps of hours to weeks (shorter for the more
 * active). A session browses ({@code page}, {@code product_viewed} with a category and SKU, {@code
 * search}), may log in ({@code identify} with traits), add to the cart, check out and order;
 * persons sometimes give or change {@code consent} and sometimes get a refund of their last order.
 * The event count and time range are exact; a session's events are about a minute apart when there
 * is at least about one event per minute overall, and spread further in sparser streams.
 *
 * <p>An event carries the ids of its session: its cookie, device or union id, plus {@code user_id}
 * and sometimes phone and email once the person has logged in. With {@link
 * Builder#alwaysUserId(boolean) alwaysUserId} (the default) every valid event also carries the
 * person's {@code user_id}, so keying by the strongest id gives exactly one profile per person.
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
    private final ZoneOffset zone;
    private final long duplicateCount;
    private final long badCount;

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
        this.zone = b.zone;
        this.duplicateCount = Math.round(events * duplicateFraction);
        this.badCount = Math.round(events * badFraction);
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
         * false, events before a login carry only the session's cookie, device or union id.
         */
        public Builder alwaysUserId(boolean alwaysUserId) {
            this.alwaysUserId = alwaysUserId;
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
