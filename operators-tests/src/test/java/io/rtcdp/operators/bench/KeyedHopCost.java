package io.rtcdp.operators.bench;

import java.lang.management.ManagementFactory;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * What a keyed exchange costs by itself, to weigh designs with fewer stages (issue 12): a local
 * MiniCluster at parallelism 2 sends {@code records} records of a 100,000-key string and a {@code
 * payload}-byte array through {@code hops} keyed stages; each stage only passes the record on, or,
 * with {@code stateBytes > 0}, also reads, changes and writes a value of that many bytes in a
 * {@code ValueState} on RocksDB (bloom filters, incremental checkpoints every 10 s, 512 MB of
 * managed memory: the bench's settings). Prints the JVM's CPU per record of each of three rounds in
 * one JVM (the later ones compiled); the difference between two hop counts is the cost of the hops
 * between them. Not a test: a measurement, run by hand.
 *
 * <p>Run: {@code java -cp <operators test classpath> io.rtcdp.operators.bench.KeyedHopCost HOPS
 * RECORDS PAYLOAD_BYTES [STATE_BYTES]}, e.g. {@code 1 3000000 300} against {@code 5 3000000 300},
 * and {@code 1 3000000 300 2000} against {@code 3 3000000 300 2000} (log:
 * docs/bench/2026-12-06-sizing-compiled-jvm.md).
 */
public final class KeyedHopCost {
    private static final int KEYS = 100_000;
    private static final int ROUNDS = 3;

    private static final TypeInformation<Tuple2<String, byte[]>> RECORD =
            Types.TUPLE(Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private KeyedHopCost() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException(
                    "usage: KeyedHopCost HOPS RECORDS PAYLOAD_BYTES [STATE_BYTES]");
        }
        int hops = Integer.parseInt(args[0]);
        long records = Long.parseLong(args[1]);
        int payload = Integer.parseInt(args[2]);
        int stateBytes = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        java.nio.file.Path checkpoints = java.nio.file.Files.createTempDirectory("hop-cost");
        for (int round = 0; round < ROUNDS; round++) {
            Configuration c = new Configuration();
            c.setString("parallelism.default", "2");
            c.setString("taskmanager.numberOfTaskSlots", "2");
            if (stateBytes > 0) {
                c.setString("state.backend.type", "rocksdb");
                c.setString("state.backend.rocksdb.use-bloom-filter", "true");
                c.setString("execution.checkpointing.interval", "10 s");
                c.setString("execution.checkpointing.incremental", "true");
                c.setString(
                        "execution.checkpointing.dir",
                        checkpoints.resolve("r" + round).toUri().toString());
                c.setString("taskmanager.memory.managed.size", "512m");
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
            DataStream<Tuple2<String, byte[]>> s =
                    env.fromSource(
                                    new NumberSequenceSource(0, records - 1),
                                    WatermarkStrategy.noWatermarks(),
                                    "sequence")
                            .map(i -> Tuple2.of("k" + (i % KEYS), new byte[payload]), RECORD);
            for (int h = 0; h < hops; h++) {
                s = s.keyBy(t -> t.f0).process(new Hop(stateBytes), RECORD).name("hop " + (h + 1));
            }
            s.sinkTo(new DiscardingSink<>());
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean)
                            ManagementFactory.getOperatingSystemMXBean();
            long cpu = os.getProcessCpuTime();
            long start = System.nanoTime();
            env.execute("keyed hop cost");
            cpu = os.getProcessCpuTime() - cpu;
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "hops %d, payload %d bytes, state %d bytes, round %d: %.2f µs of CPU per"
                            + " record, %.0f records/s%n",
                    hops, payload, stateBytes, round + 1, cpu / 1e3 / records, records / seconds);
        }
    }

    /** Passes the record on; with state, first rewrites the key's value. */
    private static final class Hop
            extends KeyedProcessFunction<String, Tuple2<String, byte[]>, Tuple2<String, byte[]>> {
        private static final long serialVersionUID = 1L;

        private final int stateBytes;
        private transient ValueState<byte[]> value;

        Hop(int stateBytes) {
            this.stateBytes = stateBytes;
        }

        @Override
        public void open(OpenContext ctx) {
            if (stateBytes > 0) {
                value =
                        getRuntimeContext()
                                .getState(
                                        new ValueStateDescriptor<>(
                                                "value",
                                                PrimitiveArrayTypeInfo
                                                        .BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
            }
        }

        @Override
        public void processElement(
                Tuple2<String, byte[]> t, Context ctx, Collector<Tuple2<String, byte[]>> out)
                throws Exception {
            if (value != null) {
                byte[] v = value.value();
                if (v == null) {
                    // not all zeros: compressible, as encoded state is, but not to nothing
                    v = new byte[stateBytes];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (byte) (i * 31);
                    }
                }
                v[0]++;
                value.update(v);
            }
            out.collect(t);
        }
    }
}
