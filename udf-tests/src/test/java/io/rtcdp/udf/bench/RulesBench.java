package io.rtcdp.udf.bench;

import io.rtcdp.udf.rules.CompiledRules;
import io.rtcdp.udf.rules.Evaluation;
import io.rtcdp.udf.rules.EventFacts;
import io.rtcdp.udf.rules.RuleFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
 * One full evaluation of the demo rule set (6 tags, 3 segments, 5 triggers) with an event, as the
 * decision stage makes it for a profile update, over 16 varied profiles: {@code direct} is how the
 * job evaluates (conditions of CEL's common subset evaluated directly, the rest by CEL), {@code
 * cel} every condition by CEL's interpreter.
 *
 * <p>Run: {@code java -cp <udf test classpath> org.openjdk.jmh.Main RulesBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RulesBench {
    private CompiledRules direct;
    private CompiledRules cel;
    private final RuleFacts[] facts = new RuleFacts[16];
    private final EventFacts[] events = new EventFacts[16];
    private int n;

    @Setup
    public void setUp() throws Exception {
        Path demo = Path.of("examples/rules/demo.yaml");
        if (!Files.exists(demo)) {
            demo = Path.of("..").resolve(demo);
        }
        direct = CompiledRules.compile(Files.readString(demo));
        cel = direct.celOnly();
        SplittableRandom r = new SplittableRandom(1);
        List<String> names = List.of("product_viewed", "product_added", "order_completed");
        for (int i = 0; i < facts.length; i++) {
            RuleFacts.Builder b =
                    RuleFacts.builder()
                            .feature("f.revenue_90d", r.nextInt(3000) / 2.0)
                            .feature("f.cart_adds_24h", (long) r.nextInt(3))
                            .feature("f.orders_24h", (long) r.nextInt(2))
                            .feature("f.views_24h", (long) r.nextInt(20))
                            .feature("f.orders_30d", (long) r.nextInt(3))
                            .feature("f.orders_90d", (long) r.nextInt(5))
                            .feature("f.orders_total", (long) r.nextInt(8))
                            .feature("f.events_total", (long) r.nextInt(100))
                            .score("score.churn", r.nextDouble())
                            .score("score.purchase", r.nextDouble())
                            .score("score.marketing", (long) r.nextInt(1000))
                            .lifecycle("active")
                            .traits(i % 2 == 0 ? Map.of("member_level", "gold") : Map.of());
            if (i % 3 > 0) {
                b.feature("f.days_since_last_order", (long) r.nextInt(120));
            }
            facts[i] = b.consent("marketing", true).build();
            events[i] = EventFacts.of("e" + i, names.get(i % names.size()), "web", Map.of());
        }
    }

    @Benchmark
    public Evaluation direct() {
        int i = n++ & 15;
        return direct.evaluate(facts[i], events[i]);
    }

    @Benchmark
    public Evaluation cel() {
        int i = n++ & 15;
        return cel.evaluate(facts[i], events[i]);
    }
}
