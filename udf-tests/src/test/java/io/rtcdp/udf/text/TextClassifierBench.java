package io.rtcdp.udf.text;

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
 * Cost of {@link TextClassifier#classify} with the shipped model, for a typical English and a
 * typical Chinese customer message (HanLP loaded in the setup).
 *
 * <p>Run: {@code java -cp <udf test classpath> org.openjdk.jmh.Main TextClassifierBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TextClassifierBench {
    private static final String ENGLISH =
            "I ordered the blue jacket two weeks ago and it still hasn't arrived, I want a refund!";
    private static final String CHINESE = "两周前买的蓝色外套到现在还没到，客服也不回，我要退款！";

    private TextClassifier classifier;

    @Setup
    public void setUp() {
        classifier = TextClassifier.builtIn();
        classifier.classify(CHINESE);
    }

    @Benchmark
    public TextSignal english() {
        return classifier.classify(ENGLISH);
    }

    @Benchmark
    public TextSignal chinese() {
        return classifier.classify(CHINESE);
    }
}
