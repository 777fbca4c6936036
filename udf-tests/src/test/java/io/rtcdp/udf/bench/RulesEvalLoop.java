package io.rtcdp.udf.bench;

import io.rtcdp.udf.rules.CompiledRules;
import io.rtcdp.udf.rules.ContactPolicy;
import io.rtcdp.udf.rules.Evaluation;
import io.rtcdp.udf.rules.EventFacts;
import io.rtcdp.udf.rules.RuleFacts;
import io.rtcdp.udf.rules.TriggerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A rough single-thread measurement (no JMH) of the rules engine on {@code
 * examples/rules/retail.yaml}: per profile update, build the facts, evaluate every rule with an
 * order event, and apply the contact policy to every trigger.
 *
 * <p>Run from the repository root: {@code java -cp <udf test classpath>
 * io.rtcdp.udf.bench.RulesEvalLoop [seconds]}.
 */
public final class RulesEvalLoop {
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        CompiledRules rules =
                CompiledRules.compile(Files.readString(Path.of("examples/rules/retail.yaml")));
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 4096;
        long[] orders = new long[n];
        double[] revenue = new double[n];
        long[] days = new long[n];
        EventFacts[] events = new EventFacts[n];
        for (int i = 0; i < n; i++) {
            orders[i] = 1 + rnd.nextInt(12);
            revenue[i] = rnd.nextDouble() * 3000;
            days[i] = rnd.nextInt(200);
            events[i] =
                    EventFacts.ofJson(
                            "e" + i,
                            rnd.nextInt(10) == 0 ? "order_refunded" : "order_completed",
                            "web",
                            "{\"amount\": "
                                    + rnd.nextInt(1500)
                                    + ".5, \"order_id\": \"o"
                                    + i
                                    + "\"}");
        }
        TriggerState[] states = new TriggerState[rules.triggers().size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = new TriggerState();
        }
        long sink = 0;
        for (int round = 0; round < 2; round++) {
            long until = System.nanoTime() + (round == 0 ? 3 : seconds) * 1_000_000_000L;
            long count = 0;
            long errors = 0;
            long start = System.nanoTime();
            long cpuStart = CPU.getCurrentThreadCpuTime();
            while (System.nanoTime() < until) {
                for (int k = 0; k < 1000; k++) {
                    int i = (int) (count++ & (n - 1));
                    RuleFacts facts =
                            RuleFacts.builder()
                                    .feature("events_total", orders[i])
                                    .feature("orders_total", orders[i])
                                    .feature("revenue_total", revenue[i] * 2)
                                    .feature("avg_order_value", revenue[i] / orders[i])
                                    .feature("days_since_last_order", days[i])
                                    .feature("orders_30d", orders[i] / 4)
                                    .feature("revenue_30d", revenue[i] / 4)
                                    .feature("orders_90d", orders[i] / 2)
                                    .feature("revenue_90d", revenue[i])
                                    .rfm("r", 1 + i % 5)
                                    .rfm("f", 1 + (i / 5) % 5)
                                    .rfm("m", 1 + (i / 25) % 5)
                                    .rfm("segment", i % 7 == 0 ? "champions" : "loyal")
                                    .lifecycle("active")
                                    .consent("marketing", i % 3 != 0)
                                    .build();
                    Evaluation ev = rules.evaluate(facts, events[i]);
                    errors += ev.errors();
                    for (int t = 0; t < states.length; t++) {
                        var rule = rules.triggers().get(t);
                        var d =
                                ContactPolicy.decide(
                                        rule,
                                        states[t],
                                        count * 60_000L,
                                        ev.triggers().contains(rule.name()),
                                        rules.isEventDriven(t),
                                        facts.consent());
                        sink += d.ordinal();
                    }
                    sink += ev.tags().size() + ev.segments().size();
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            double cpuSecs = (CPU.getCurrentThreadCpuTime() - cpuStart) / 1e9;
            // per CPU second too: the machine is shared, so wall time alone says little
            System.out.printf(
                    "%s: %.0f profile updates/s wall, %.0f per CPU second (every rule each),"
                            + " %d evaluation errors%n",
                    round == 0 ? "warm-up" : "measured", count / secs, count / cpuSecs, errors);
        }
        System.out.println("(sink " + sink + ")");
    }
}
