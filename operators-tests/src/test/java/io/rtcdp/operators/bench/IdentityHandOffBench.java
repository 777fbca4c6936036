package io.rtcdp.operators.bench;

import io.rtcdp.operators.identity.IdentityEvent;
import io.rtcdp.operators.identity.IdentityEventSerializer;
import io.rtcdp.operators.types.EventSerializer;
import io.rtcdp.operators.types.FragmentCommandSerializer;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import io.rtcdp.udf.identity.FragmentCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
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

/**
 * What the serial identity step's thread spends on its records' bytes per event (issue 12), beside
 * the step's own work ({@link IdentityStepBench}): reading the event off its input and writing the
 * {@code FragmentCommand} that routes it, over the input of {@code rtcdp bench}. {@code whole}: the
 * event read and written field by field, as before the split; {@code split}: the event's head read
 * and its body's bytes copied through ({@link IdentityEvent}), as the job does now.
 *
 * <p>Run: {@code java -cp <operators test classpath> org.openjdk.jmh.Main IdentityHandOffBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx2g"})
public class IdentityHandOffBench {
    private static final int EVENTS = 100_000;

    @Param({"whole", "split"})
    public String mode;

    /** Each event's bytes as the stage's input holds them. */
    private byte[][] inputs;

    private final DataInputDeserializer in = new DataInputDeserializer();
    private final DataOutputSerializer out = new DataOutputSerializer(1024);

    @Setup
    public void events() throws Exception {
        long now = 1_790_000_000_000L;
        EventParser parser = new EventParser(ParserConfig.defaults());
        List<byte[]> bytes = new ArrayList<>(EVENTS);
        DataOutputSerializer w = new DataOutputSerializer(1024);
        for (GeneratedRecord r :
                PopulationGenerator.builder()
                        .seed(42)
                        .tenant("bench")
                        .persons(EVENTS / 10)
                        .events(EVENTS)
                        .startMillis(now - Duration.ofDays(90).toMillis())
                        .duration(Duration.ofDays(90))
                        .badFraction(0)
                        .duplicateFraction(0)
                        .build()) {
            Event e = parser.parse(r.json().getBytes(StandardCharsets.UTF_8));
            w.clear();
            if (mode.equals("whole")) {
                EventSerializer.INSTANCE.serialize(e, w);
            } else {
                IdentityEventSerializer.INSTANCE.serialize(IdentityEvent.of(e), w);
            }
            bytes.add(w.getCopyOfBuffer());
        }
        inputs = bytes.toArray(byte[][]::new);
    }

    /** Reads each event and writes the command that routes it to its profile. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int readAndRoute() throws IOException {
        int written = 0;
        boolean whole = mode.equals("whole");
        for (byte[] input : inputs) {
            in.setBuffer(input);
            FragmentCommand c;
            if (whole) {
                Event e = EventSerializer.INSTANCE.deserialize(in);
                c = FragmentCommand.route("o1", e.withoutIds(), e.ids(), null, List.of());
            } else {
                IdentityEvent e = IdentityEventSerializer.INSTANCE.deserialize(in);
                c =
                        FragmentCommand.route(
                                "o1",
                                e.head().withoutIds(),
                                e.body(),
                                e.head().ids(),
                                null,
                                List.of());
            }
            out.clear();
            FragmentCommandSerializer.INSTANCE.serialize(c, out);
            written += out.length();
        }
        return written;
    }
}
