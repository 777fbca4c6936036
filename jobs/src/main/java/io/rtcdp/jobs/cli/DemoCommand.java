package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.jobs.demo.Demo;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rtcdp demo}: everything on embedded defaults. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Runs the whole pipeline on embedded defaults (in-JVM Kafka, local Redis, local"
                        + " Flink) over a synthetic population; Ctrl-C stops it.")
public final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--persons",
            defaultValue = "5000",
            description = "Persons (default: ${DEFAULT-VALUE}).")
    int persons;

    @Option(
            names = "--events",
            defaultValue = "2000000",
            description = "Events to generate at most (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(
            names = "--rate",
            defaultValue = "1000",
            description =
                    "Events produced per second (default: ${DEFAULT-VALUE}, which the whole"
                            + " pipeline sustains on two busy cores, start-up included; the"
                            + " table's lag column shows when a rate is more than the machine"
                            + " processes).")
    int rate;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            description = "Stop after this long, e.g. 60s (default: run until Ctrl-C).")
    String duration;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Mixin MetricsOptions metrics;

    @Override
    public Integer call() throws Exception {
        if (persons < 1 || events < 1 || rate < 1) {
            throw new IllegalArgumentException("--persons, --events and --rate must be positive");
        }
        Duration d = duration == null ? null : RtcdpOptions.duration(duration);
        Demo demo =
                new Demo(
                        new Demo.Settings(persons, events, rate, d, parallelism, metrics.port(0)),
                        System.out);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            demo.stop();
                            try {
                                done.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            demo.run();
        } finally {
            done.countDown();
        }
        return 0;
    }
}
