package io.rtcdp.udf.ml;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.Parsed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Event history for offline training and evaluation: valid events sorted by time, each assigned to
 * a person. Offline there is no identity graph: the person key is the event's strongest id ({@code
 * type:value}, e.g. {@code user_id:12346} for Online Retail II, where every event carries just a
 * user_id). Data whose people appear under several ids should be resolved first (replay), or the
 * numbers are per id rather than per person.
 */
public final class History {
    private final List<Event> events;
    private final int[] person;
    private final List<String> keys;
    private final long[][] orderTimes;
    private final int invalid;

    private History(List<Event> events, int invalid) {
        List<Event> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(Event::ts));
        this.events = List.copyOf(sorted);
        this.invalid = invalid;
        this.person = new int[sorted.size()];
        Map<String, Integer> index = new HashMap<>();
        List<String> keys = new ArrayList<>();
        List<List<Long>> orders = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            Event e = sorted.get(i);
            String key = e.strongestId().type() + ":" + e.strongestId().value();
            Integer p = index.get(key);
            if (p == null) {
                p = keys.size();
                index.put(key, p);
                keys.add(key);
                orders.add(new ArrayList<>());
            }
            person[i] = p;
            if (e.isTrack(Event.ORDER_COMPLETED)) {
                orders.get(p).add(e.ts());
            }
        }
        this.keys = List.copyOf(keys);
        this.orderTimes = new long[keys.size()][];
        for (int p = 0; p < keys.size(); p++) {
            orderTimes[p] = orders.get(p).stream().mapToLong(Long::longValue).toArray();
        }
    }

    /** A history of these events (any order). */
    public static History of(List<Event> events) {
        return new History(events, 0);
    }

    /**
     * Reads {@code .jsonl} / {@code .jsonl.gz} event files with {@code parser}; invalid lines are
     * counted ({@link #invalid()}) and left out, as the pipeline's dead-letter output would.
     */
    public static History read(List<Path> files, EventParser parser) throws IOException {
        List<Event> events = new ArrayList<>();
        int invalid = 0;
        for (Path f : files) {
            InputStream in = Files.newInputStream(f);
            if (f.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            }
            try (BufferedReader r =
                    new BufferedReader(
                            new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
                String line;
                int n = 0;
                while ((line = r.readLine()) != null) {
                    n++;
                    if (line.isBlank()) {
                        continue;
                    }
                    Parsed p = parser.parse(line.getBytes(StandardCharsets.UTF_8), f + ":" + n);
                    if (p.isValid()) {
                        events.add(p.event());
                    } else {
                        invalid++;
                    }
                }
            }
        }
        return new History(events, invalid);
    }

    /** Events in ascending time. */
    public List<Event> events() {
        return events;
    }

    /** The person index of {@code events().get(i)}. */
    public int person(int i) {
        return person[i];
    }

    public int persons() {
        return keys.size();
    }

    /** The key ({@code type:value} of the strongest id) of a person. */
    public String key(int p) {
        return keys.get(p);
    }

    /** Invalid lines skipped by {@link #read}. */
    public int invalid() {
        return invalid;
    }

    /** Whether person {@code p} has an {@code order_completed} in {@code (t, t + horizon]}. */
    public boolean orderedWithin(int p, long t, long horizon) {
        long[] o = orderTimes[p];
        int i = Arrays.binarySearch(o, t);
        // First index with time > t.
        if (i >= 0) {
            while (i < o.length && o[i] == t) {
                i++;
            }
        } else {
            i = -i - 1;
        }
        return i < o.length && o[i] - t <= horizon;
    }

    /** The time of the last event, {@link Long#MIN_VALUE} when empty. */
    /**
     * Person {@code p}'s purchases up to {@code t} (orders at or before it) as BG/NBD sees them, in
     * days: repeat orders, the time from the first order to the last, the time from the first to
     * {@code t}; null without an order by then.
     */
    public BgNbd.Customer purchasesUpTo(int p, long t) {
        long[] o = orderTimes[p];
        int n = 0;
        while (n < o.length && o[n] <= t) {
            n++;
        }
        if (n == 0) {
            return null;
        }
        double day = 86_400_000.0;
        double tx = (o[n - 1] - o[0]) / day;
        // orders at the same millisecond are one purchase occasion in continuous time
        int repeats = 0;
        for (int i = 1; i < n; i++) {
            repeats += o[i] > o[i - 1] ? 1 : 0;
        }
        return new BgNbd.Customer(repeats, repeats == 0 ? 0 : tx, (t - o[0]) / day);
    }

    /**
     * The tenant's orders per day up to {@code t} (inclusive), for the seasonal calibration; null
     * without an order by then.
     */
    public OrderCalendar calendar(long t) {
        int n = 0;
        for (long[] o : orderTimes) {
            n += o.length;
        }
        long[] all = new long[n];
        int i = 0;
        for (long[] o : orderTimes) {
            System.arraycopy(o, 0, all, i, o.length);
            i += o.length;
        }
        return OrderCalendar.of(all, t);
    }

    public long lastTs() {
        return events.isEmpty() ? Long.MIN_VALUE : events.get(events.size() - 1).ts();
    }
}
