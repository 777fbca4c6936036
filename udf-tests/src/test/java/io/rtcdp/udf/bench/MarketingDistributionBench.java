package io.rtcdp.udf.bench;

import io.rtcdp.udf.ml.MarketingDistribution;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the decision stage pays per purchase scoring to keep its tenant's marketing distribution
 * current: a profile's probability moves, so its count leaves one bin and joins another ({@code
 * move}); with {@code profiles} profiles counted (about as many bins, the bins being fine), the
 * bins are as the bench's: logit-normal probabilities, moves of a profile to a nearby probability.
 *
 * <p>Run: {@code java -cp <udf test classpath> org.openjdk.jmh.Main MarketingDistributionBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MarketingDistributionBench {
    @Param({"1000", "32768"})
    public int profiles;

    private MarketingDistribution distribution;
    private int[] bins;
    private double[] logits;
    private final SplittableRandom random = new SplittableRandom(7);

    @Setup
    public void setUp() {
        distribution = new MarketingDistribution();
        bins = new int[profiles];
        logits = new double[profiles];
        for (int i = 0; i < profiles; i++) {
            logits[i] = -2 + 1.5 * gaussian();
            bins[i] = MarketingDistribution.bin(probability(logits[i]));
            distribution.add(bins[i], 1);
        }
    }

    private double gaussian() {
        return random.nextDouble() + random.nextDouble() + random.nextDouble() - 1.5;
    }

    private static double probability(double logit) {
        return 1 / (1 + Math.exp(-logit));
    }

    /** One profile's probability moves: its count leaves its bin and joins the new one. */
    @Benchmark
    public long move() {
        int i = random.nextInt(profiles);
        logits[i] += 0.2 * gaussian();
        int bin = MarketingDistribution.bin(probability(logits[i]));
        distribution.add(bins[i], -1);
        distribution.add(bin, 1);
        bins[i] = bin;
        return distribution.size();
    }

    /** The bin of a probability alone, the part of {@link #move} that is not the counts. */
    @Benchmark
    public int binOnly() {
        int i = random.nextInt(profiles);
        logits[i] += 0.2 * gaussian();
        return MarketingDistribution.bin(probability(logits[i]));
    }
}
