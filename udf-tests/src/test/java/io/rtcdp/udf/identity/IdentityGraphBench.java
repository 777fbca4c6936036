package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdTypes;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Per-event cost of {@link IdentityGraph}, without the state backend's own costs.
 *
 * <p>{@code knownProfile}: the common event, whose ids are all in one profile. {@code story}: a
 * whole tenant's history from an empty graph, {@value #PERSONS} persons interleaved, each browsing
 * anonymously on two cookies, logging in on both (founding, joining, one merge), then coming back;
 * about a tenth of the events change the graph. {@code bytes} stores profiles encoded, as RocksDB
 * does, so each {@link IdentityStore#info} decodes and each {@link IdentityStore#put} encodes.
 *
 * <p>Run: {@code java -cp <udf test classpath> io.rtcdp.udf.identity.IdentityGraphBench [JMH
 * options]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IdentityGraphBench {
    static final int PERSONS = 20_000;
    static final int STORY_EVENTS_PER_PERSON = 16;

    @Param({"objects", "bytes"})
    public String store;

    private static final OneIds ONEIDS =
            new OneIds(io.rtcdp.udf.event.ParserConfig.defaults().tenantKeys());

    private IdentityGraph warm;
    private List<Id>[] known;
    private int next;
    private List<List<Id>> story;

    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() {
        story = story(new Random(42));
        warm = new IdentityGraph(newStore(), IdLimits.defaults(), ONEIDS);
        for (int i = 0; i < story.size(); i++) {
            warm.resolve("acme", "w" + i, i, story.get(i));
        }
        known = new List[PERSONS];
        for (int p = 0; p < PERSONS; p++) {
            known[p] = List.of(user(p), device(p), cookie(p, 0));
        }
    }

    private IdentityStore newStore() {
        return store.equals("bytes") ? new EncodingStore() : new InMemoryIdentityStore();
    }

    @Benchmark
    public Resolution knownProfile() {
        int p = next++ % PERSONS;
        return warm.resolve("acme", "k", 1_000_000L, known[p]);
    }

    @Benchmark
    @OperationsPerInvocation(PERSONS * STORY_EVENTS_PER_PERSON)
    public int story() {
        IdentityGraph graph = new IdentityGraph(newStore(), IdLimits.defaults(), ONEIDS);
        int merges = 0;
        for (int i = 0; i < story.size(); i++) {
            merges += graph.resolve("acme", "e", i, story.get(i)).merges().size();
        }
        return merges;
    }

    static List<List<Id>> story(Random r) {
        List<List<List<Id>>> byPerson = new ArrayList<>();
        for (int p = 0; p < PERSONS; p++) {
            Id u = user(p);
            Id d = device(p);
            Id c0 = cookie(p, 0);
            Id c1 = cookie(p, 1);
            List<List<Id>> s = new ArrayList<>();
            s.add(List.of(c0));
            s.add(List.of(c0));
            s.add(List.of(c1));
            s.add(List.of(u, d, c0));
            s.add(List.of(u, c1));
            while (s.size() < STORY_EVENTS_PER_PERSON) {
                s.add(r.nextBoolean() ? List.of(u, d, c0) : List.of(c1));
            }
            byPerson.add(s);
        }
        // interleave persons, keeping each person's order
        List<Integer> slots = new ArrayList<>();
        for (int p = 0; p < PERSONS; p++) {
            for (int k = 0; k < STORY_EVENTS_PER_PERSON; k++) {
                slots.add(p);
            }
        }
        Collections.shuffle(slots, r);
        int[] at = new int[PERSONS];
        List<List<Id>> out = new ArrayList<>(slots.size());
        for (int p : slots) {
            out.add(byPerson.get(p).get(at[p]++));
        }
        return out;
    }

    private static Id user(int p) {
        return new Id(IdTypes.USER_ID, "member-" + p);
    }

    private static Id device(int p) {
        return new Id(IdTypes.DEVICE_ID, "6f1ed002-ab5d-42d3-8e0a-" + (100_000_000_000L + p));
    }

    private static Id cookie(int p, int k) {
        return new Id(IdTypes.COOKIE_ID, "ck." + k + "." + (1_700_000_000L + p));
    }

    /**
     * Profiles kept encoded, like RocksDB values, through unsynchronised streams like Flink's
     * {@code DataInputDeserializer} and {@code DataOutputSerializer}.
     */
    static final class EncodingStore implements IdentityStore {
        /** Links, quarantine and aliases as the in-memory store keeps them. */
        private final InMemoryIdentityStore graph = new InMemoryIdentityStore();

        private final Map<String, byte[]> profiles = new HashMap<>();
        private final BytesOut buffer = new BytesOut();
        private final DataOutputStream out = new DataOutputStream(buffer);
        private final BytesIn source = new BytesIn();
        private final DataInputStream in = new DataInputStream(source);

        @Override
        public String oneidOf(Id id) {
            return graph.oneidOf(id);
        }

        @Override
        public void link(Id id, String oneid) {
            graph.link(id, oneid);
        }

        @Override
        public void unlink(Id id) {
            graph.unlink(id);
        }

        @Override
        public OneIdInfo info(String oneid) {
            byte[] b = profiles.get(oneid);
            if (b == null) {
                return null;
            }
            source.reset(b);
            try {
                return OneIdInfo.read(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void put(OneIdInfo info) {
            buffer.size = 0;
            try {
                info.write(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            profiles.put(info.oneid(), Arrays.copyOf(buffer.buf, buffer.size));
        }

        @Override
        public void remove(String oneid) {
            profiles.remove(oneid);
        }

        @Override
        public boolean quarantined(Id id) {
            return graph.quarantined(id);
        }

        @Override
        public void quarantine(Id id) {
            graph.quarantine(id);
        }

        @Override
        public void release(Id id) {
            graph.release(id);
        }

        @Override
        public UserEvidence evidence(Id id) {
            return graph.evidence(id);
        }

        @Override
        public void evidence(Id id, UserEvidence e) {
            graph.evidence(id, e);
        }

        @Override
        public String aliasOf(String mergedAway) {
            return graph.aliasOf(mergedAway);
        }

        @Override
        public void alias(String mergedAway, String survivor) {
            graph.alias(mergedAway, survivor);
        }
    }

    private static final class BytesOut extends OutputStream {
        byte[] buf = new byte[256];
        int size;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (size + len > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(size * 2, size + len));
            }
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }
    }

    private static final class BytesIn extends InputStream {
        private byte[] buf;
        private int pos;

        void reset(byte[] bytes) {
            buf = bytes;
            pos = 0;
        }

        @Override
        public int read() {
            return pos < buf.length ? buf[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= buf.length) {
                return len == 0 ? 0 : -1;
            }
            int k = Math.min(len, buf.length - pos);
            System.arraycopy(buf, pos, b, off, k);
            pos += k;
            return k;
        }
    }

    public static void main(String[] args) throws Exception {
        new Runner(
                        new OptionsBuilder()
                                .parent(new CommandLineOptions(args))
                                .include(IdentityGraphBench.class.getName() + ".*")
                                .build())
                .run();
    }
}
