package io.rtcdp.udf.bench;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.testing.Events;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Per-event cost of {@link ProfileFeatures} on a typical profile (10 events over four days: views,
 * cart adds, two orders, three categories).
 *
 * <p>{@code eventCycle} is what the profile operator does per event: decode the state, render, add,
 * render again, find the next timer, encode. The byte streams are unsynchronised, like Flink's
 * {@code DataInputDeserializer} / {@code DataOutputSerializer}.
 *
 * <p>Run: {@code java -cp <udf test classpath> io.rtcdp.udf.bench.ProfileFeaturesBench [JMH
 * options]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProfileFeaturesBench {
    private static final long T0 = 1_709_287_200_000L; // 2024-03-01T10:00:00Z
    private static final long MINUTE = 60_000L;
    private static final int FIELDS = ProfileFields.FEATURE_FIELDS.size();

    private ProfileFeatures typical;
    private byte[] typicalBytes;
    private Event[] next;
    private int n;
    private final String[] before = new String[FIELDS];
    private final String[] after = new String[FIELDS];
    private final BytesOut bytesOut = new BytesOut();
    private final DataOutputStream out = new DataOutputStream(bytesOut);
    private final BytesIn bytesIn = new BytesIn();
    private final DataInputStream in = new DataInputStream(bytesIn);

    private static Event event(long ts, EventType type, String name, Long amount, String cat) {
        return Events.of(type)
                .name(name)
                .eventId("e" + ts)
                .at(ts)
                .channel("web")
                .amountMicros(amount)
                .category(cat)
                .build();
    }

    private static Event track(long ts, String name, Long amount, String cat) {
        return event(ts, EventType.TRACK, name, amount, cat);
    }

    @Setup
    public void setup() throws IOException {
        long day = 24 * 60 * MINUTE;
        typical = new ProfileFeatures();
        for (Event e :
                List.of(
                        track(T0, Event.PRODUCT_VIEWED, null, "shoes"),
                        track(T0 + 150_000, Event.PRODUCT_VIEWED, null, "shoes"),
                        track(T0 + 5 * MINUTE, Event.PRODUCT_ADDED, null, "shoes"),
                        track(T0 + 7 * MINUTE, Event.ORDER_COMPLETED, 59_900_000L, "shoes"),
                        event(T0 + day + 10 * 60 * MINUTE, EventType.PAGE, null, null, null),
                        track(T0 + 2 * day - 60 * MINUTE, Event.PRODUCT_VIEWED, null, "bags"),
                        track(T0 + 2 * day - 59 * MINUTE, Event.PRODUCT_VIEWED, null, "bags"),
                        track(T0 + 2 * day - 57 * MINUTE, Event.PRODUCT_ADDED, null, "bags"),
                        track(T0 + 3 * day - 120 * MINUTE, Event.PRODUCT_VIEWED, null, "socks"),
                        track(
                                T0 + 3 * day - 90 * MINUTE,
                                Event.ORDER_COMPLETED,
                                12_500_000L,
                                "socks"))) {
            typical.add(e);
        }
        typical.write(out);
        typicalBytes = Arrays.copyOf(bytesOut.buf, bytesOut.size);
        long t = typical.asOf();
        next =
                new Event[] {
                    track(t + MINUTE, Event.PRODUCT_VIEWED, null, "socks"),
                    track(t + 2 * MINUTE, Event.PRODUCT_ADDED, null, "socks"),
                    track(t + 3 * MINUTE, Event.ORDER_COMPLETED, 24_990_000L, "socks"),
                    event(t + 30_000, EventType.PAGE, null, null, null),
                    track(t - 10 * MINUTE, Event.PRODUCT_VIEWED, null, "hats"),
                    track(t + 40 * MINUTE, "search", null, null),
                    track(t + 90 * MINUTE, Event.PRODUCT_VIEWED, null, "bags"),
                    track(t + day, Event.PRODUCT_VIEWED, null, "shoes"),
                };
    }

    /** The typical profile, once {@link #setup} has run. */
    ProfileFeatures typical() {
        return typical;
    }

    private Event nextEvent() {
        return next[n++ & 7];
    }

    private ProfileFeatures decode(byte[] bytes) throws IOException {
        bytesIn.reset(bytes);
        return ProfileFeatures.read(in);
    }

    @Benchmark
    public String[] render() {
        typical.render(before);
        return before;
    }

    /** Baseline for {@link #addAndRender}, which works on a copy so the profile stays typical. */
    @Benchmark
    public ProfileFeatures copy() {
        return typical.copy();
    }

    @Benchmark
    public ProfileFeatures addAndRender() {
        ProfileFeatures f = typical.copy();
        f.render(before);
        f.add(nextEvent());
        f.render(after);
        return f;
    }

    @Benchmark
    public ProfileFeatures writeRead() throws IOException {
        bytesOut.size = 0;
        typical.write(out);
        bytesIn.reset(bytesOut.buf, bytesOut.size);
        return ProfileFeatures.read(in);
    }

    @Benchmark
    public long eventCycle() throws IOException {
        ProfileFeatures f = decode(typicalBytes);
        f.render(before);
        f.add(nextEvent());
        f.render(after);
        long timer = f.nextChange();
        bytesOut.size = 0;
        f.write(out);
        return timer + bytesOut.size;
    }

    /** A growable byte sink without the locking of {@code ByteArrayOutputStream}. */
    static final class BytesOut extends OutputStream {
        byte[] buf = new byte[256];
        int size;

        @Override
        public void write(int b) {
            if (size == buf.length) {
                buf = Arrays.copyOf(buf, size * 2);
            }
            buf[size++] = (byte) b;
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

    /** A byte source without the locking of {@code ByteArrayInputStream}. */
    static final class BytesIn extends InputStream {
        private byte[] buf;
        private int pos;
        private int limit;

        void reset(byte[] bytes) {
            reset(bytes, bytes.length);
        }

        void reset(byte[] bytes, int length) {
            buf = bytes;
            pos = 0;
            limit = length;
        }

        @Override
        public int read() {
            return pos < limit ? buf[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= limit) {
                return -1;
            }
            int k = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, b, off, k);
            pos += k;
            return k;
        }
    }

    public static void main(String[] args) throws Exception {
        new Runner(
                        new OptionsBuilder()
                                .parent(new CommandLineOptions(args))
                                .include(ProfileFeaturesBench.class.getName() + ".*")
                                .build())
                .run();
    }
}
