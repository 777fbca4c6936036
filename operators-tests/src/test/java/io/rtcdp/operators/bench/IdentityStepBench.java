package io.rtcdp.operators.bench;

import io.rtcdp.operators.identity.IdentityEvent;
import io.rtcdp.operators.identity.IdentityResolver;
import io.rtcdp.operators.identity.IdentityResolverOperator;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.identity.TenantIdLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The serial identity step's cost per event (issue 12), without Flink's network: {@link
 * IdentityResolverOperator} with its state on RocksDB, in Flink's operator test harness, fed the
 * input of {@code rtcdp bench} (one tenant, 10 events per person, a {@code user_id} on every event;
 * with {@code anonymous}, anonymous browsing that merges at login, shared devices and reused
 * phones), each event judged by the dedupe stage, in their order ({@code resolveEveryEvent}), or as
 * two dedupe subtasks send them on in the job ({@code resolveFromTwoDedupeSubtasks}): the events of
 * a network buffer split by subtask and interleaved in runs, so that many wait in the gate for an
 * earlier one of the other subtask. Each measured iteration starts from empty state and takes the
 * events from the start, as a replay does: the first events of a person link its ids, the later
 * ones find them. What it leaves out of the job's identity thread: reading the records off the
 * network and writing the outputs into it (docs/bench/2026-12-06-identity-cache-and-strings.md;
 * their bytes: {@link IdentityHandOffBench}).
 *
 * <p>Run: {@code java -cp <operators test classpath> org.openjdk.jmh.Main IdentityStepBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 4)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx3g"})
public class IdentityStepBench {
    private static final int PERSONS = 60_000;
    private static final int EVENTS = 600_000;

    @Param({"false", "true"})
    public boolean anonymous;

    /** Events of one network buffer (~32 KB of ~250-byte events), interleaved within. */
    private static final int BLOCK = 128;

    private IdentityEvent[] events;

    /** For the interleaved feed: event indexes in the order they reach the gate. */
    private int[] order;

    private KeyedOneInputStreamOperatorTestHarness<String, IdentityEvent, FragmentCommand> h;

    @Setup(Level.Trial)
    public void generate() {
        long now = 1_790_000_000_000L;
        PopulationGenerator.Builder b =
                PopulationGenerator.builder()
                        .seed(42)
                        .tenant("bench")
                        .persons(PERSONS)
                        .events(EVENTS)
                        .startMillis(now - Duration.ofDays(90).toMillis())
                        .duration(Duration.ofDays(90))
                        .badFraction(0)
                        .duplicateFraction(0);
        if (anonymous) {
            b.alwaysUserId(false).sharedDevices(0.1, 3).reusedPhones(0.1);
        }
        EventParser parser = new EventParser(ParserConfig.defaults());
        List<Event> parsed = new ArrayList<>(EVENTS);
        for (GeneratedRecord r : b.build()) {
            try {
                parsed.add(parser.parse(r.json().getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new IllegalStateException("the generator made an invalid event", e);
            }
        }
        // split and numbered as the job does, on the sources' threads: the step reads the head
        events = new IdentityEvent[parsed.size()];
        for (int i = 0; i < events.length; i++) {
            events[i] = IdentityEvent.of(parsed.get(i)).at(0, i);
        }
        order = interleaved(events, new java.util.Random(7));
    }

    /**
     * Per block of events, the events as two dedupe subtasks send them on (by the event id's hash,
     * as Flink's key groups spread them): each subtask's in order, the two interleaved in runs of 1
     * to 32.
     */
    private static int[] interleaved(IdentityEvent[] events, java.util.Random r) {
        int[] order = new int[events.length];
        int n = 0;
        for (int start = 0; start < events.length; start += BLOCK) {
            int end = Math.min(events.length, start + BLOCK);
            List<Integer> a = new ArrayList<>();
            List<Integer> b = new ArrayList<>();
            for (int i = start; i < end; i++) {
                (Math.floorMod(events[i].eventId().hashCode(), 2) == 0 ? a : b).add(i);
            }
            int ia = 0;
            int ib = 0;
            while (ia < a.size() || ib < b.size()) {
                boolean fromA = ib == b.size() || (ia < a.size() && r.nextBoolean());
                int run = 1 + r.nextInt(32);
                for (int k = 0; k < run; k++) {
                    if (fromA && ia < a.size()) {
                        order[n++] = a.get(ia++);
                    } else if (!fromA && ib < b.size()) {
                        order[n++] = b.get(ib++);
                    }
                }
            }
        }
        return order;
    }

    @Setup(Level.Iteration)
    public void freshState() throws Exception {
        h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new IdentityResolverOperator(
                                new IdentityResolver(
                                        TenantIdLimits.defaults(),
                                        ParserConfig.defaults().tenantKeys())),
                        IdentityResolver.KEY,
                        Types.STRING);
        // the harness gives RocksDB almost no managed memory (it would flush its memtable on
        // nearly every write); its own write buffers instead, as a TaskManager's share would be
        EmbeddedRocksDBStateBackend rocksDb = new EmbeddedRocksDBStateBackend();
        rocksDb.getMemoryConfiguration().setUseManagedMemory(false);
        h.setStateBackend(rocksDb);
        h.open();
    }

    @TearDown(Level.Iteration)
    public void close() throws Exception {
        h.close();
    }

    /** Every event in its order; the outputs are dropped every 1,024 events. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void resolveEveryEvent() throws Exception {
        for (int i = 0; i < events.length; i++) {
            IdentityEvent e = events[i];
            h.processElement(e, e.ts());
            if ((i & 1023) == 1023) {
                h.getOutput().clear();
                clear(IdentityResolver.ID_KEYS);
                clear(IdentityResolver.CONFLICTS);
                clear(IdentityResolver.TENANT_CLOCKS);
            }
        }
    }

    /** The job's order: each block of events as two dedupe subtasks send them on. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void resolveFromTwoDedupeSubtasks() throws Exception {
        for (int start = 0; start < events.length; start += BLOCK) {
            int end = Math.min(events.length, start + BLOCK);
            for (int k = start; k < end; k++) {
                IdentityEvent e = events[order[k]];
                h.processElement(e, e.ts());
            }
            if ((start & 1023) == 0) {
                h.getOutput().clear();
                clear(IdentityResolver.ID_KEYS);
                clear(IdentityResolver.CONFLICTS);
                clear(IdentityResolver.TENANT_CLOCKS);
            }
        }
    }

    private void clear(org.apache.flink.util.OutputTag<?> tag) {
        var q = h.getSideOutput(tag);
        if (q != null) {
            q.clear();
        }
    }
}
