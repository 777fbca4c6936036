package io.rtcdp.jobs.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The app of {@code rtcdp bench --live}'s app reads, in a process of its own as a real app is: it
 * reads random profiles with HGETALL, one at a time on one connection, at a set rate, and times
 * each read. Inside the bench's JVM the reads would also time the job's garbage collections (a
 * pause stops every thread of that JVM), which an app on its own does not see.
 *
 * <p>Driven by lines on its standard input, each answered by one line on its standard output:
 * {@code keys PATTERN} (SCANs up to 20,000 keys: {@code keys N}), {@code start} (times reads from
 * now: {@code started}), {@code stop} ({@code reads N µs µs ...}: the reads since {@code start});
 * it exits at the end of its input.
 */
public final class AppReaderProcess {
    /** At most this many keys are read from, picked at random. */
    static final int MAX_KEYS = 20_000;

    private final String url;
    private final int rate;
    private final SplittableRandom random = new SplittableRandom(7);
    private volatile List<String> keys = List.of();

    /** Where the reads are timed into; null between {@code stop} and {@code start}. */
    private volatile Latencies into;

    private volatile boolean done;

    AppReaderProcess(String url, int rate) {
        this.url = url;
        this.rate = rate;
    }

    /**
     * Arguments: the Redis URL and the reads per second. Started by the bench only, so wrong
     * arguments are a bug: an exception.
     */
    // its standard output is its answer to the bench that started it (the protocol above)
    @SuppressWarnings("checkstyle:standardStreams")
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException(
                    "usage: AppReaderProcess REDIS_URL READS_PER_SECOND, not " + List.of(args));
        }
        new AppReaderProcess(args[0], Integer.parseInt(args[1])).serve(System.out);
    }

    private void serve(PrintStream out) throws Exception {
        Thread reads = new Thread(this::readLoop, "app-reads");
        reads.setDaemon(true);
        reads.start();
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("keys ")) {
                keys = scan(line.substring(5));
                out.println("keys " + keys.size());
            } else if (line.equals("start")) {
                into = new Latencies();
                out.println("started");
            } else if (line.equals("stop")) {
                Latencies l = into;
                into = null;
                long[] v = l == null ? new long[0] : l.values();
                StringBuilder sb = new StringBuilder("reads ").append(v.length);
                for (long us : v) {
                    sb.append(' ').append(us);
                }
                out.println(sb);
            } else {
                out.println("error unknown command: " + line);
            }
            out.flush();
        }
        done = true;
    }

    private List<String> scan(String pattern) throws IOException {
        List<String> k = new ArrayList<>();
        try (Jedis j = new Jedis(URI.create(url))) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams params = new ScanParams().match(pattern).count(1000);
            do {
                ScanResult<String> page = j.scan(cursor, params);
                k.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START) && k.size() < MAX_KEYS);
        }
        return k;
    }

    private void readLoop() {
        try (Jedis j = new Jedis(URI.create(url))) {
            long every = 1_000_000_000L / Math.max(1, rate);
            long next = System.nanoTime();
            while (!done) {
                List<String> k = keys;
                Latencies l = into;
                if (l == null || k.isEmpty()) {
                    // keep the connection and the code warm between timed phases
                    if (!k.isEmpty()) {
                        j.hgetAll(k.get(random.nextInt(k.size())));
                    }
                    LockSupport.parkNanos(every);
                    next = System.nanoTime();
                    continue;
                }
                String key = k.get(random.nextInt(k.size()));
                long t = System.nanoTime();
                j.hgetAll(key);
                l.add((System.nanoTime() - t) / 1000);
                next += every;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        }
    }
}
