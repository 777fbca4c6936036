package io.rtcdp.udf.bench;

import io.rtcdp.udf.bench.ProfileFeaturesBench.BytesIn;
import io.rtcdp.udf.bench.ProfileFeaturesBench.BytesOut;
import io.rtcdp.udf.ml.LearningHead;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.rules.DecisionState;
import io.rtcdp.udf.testing.DecisionStates;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
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

/**
 * What the decision stage pays per update for its state value (issue 12): {@link
 * DecisionState#read} and {@link DecisionState#write} of a scored profile of the full pipeline (the
 * typical profile of {@link ProfileFeaturesBench}'s values, RFM, a trait, tags, segments, a
 * trigger, two scores and two learning heads). In the job the state's serializer does the same on
 * Flink's unsynchronised byte views, once each per update ({@code StateCache} off).
 *
 * <p>Run: {@code java -cp <udf test classpath> org.openjdk.jmh.Main DecisionStateBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecisionStateBench {
    private static final long DAY = 86_400_000L;

    private DecisionState state;
    private byte[] bytes;
    private final BytesOut bytesOut = new BytesOut();
    private final DataOutputStream out = new DataOutputStream(bytesOut);
    private final BytesIn bytesIn = new BytesIn();
    private final DataInputStream in = new DataInputStream(bytesIn);

    @Setup
    public void setup() throws IOException {
        ProfileFeaturesBench profile = new ProfileFeaturesBench();
        profile.setup();
        ProfileFeatures features = profile.typical();
        ProfileValues values = new ProfileValues();
        features.values(values);
        state = DecisionStates.withEveryPart(values);
        state.learning.put("churn", new LearningHead(18 * DAY, 1, 11 * DAY));
        state.write(out);
        bytes = Arrays.copyOf(bytesOut.buf, bytesOut.size);
    }

    @Benchmark
    public DecisionState read() throws IOException {
        bytesIn.reset(bytes);
        return DecisionState.read(in);
    }

    @Benchmark
    public int write() throws IOException {
        bytesOut.size = 0;
        state.write(out);
        return bytesOut.size;
    }

    /** One update's state access: read, then write what was read. */
    @Benchmark
    public int readAndWrite() throws IOException {
        bytesIn.reset(bytes);
        DecisionState s = DecisionState.read(in);
        bytesOut.size = 0;
        s.write(out);
        return bytesOut.size;
    }
}
