package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.bench.Bench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rtcdp bench}: throughput of the replay path. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Measures the replay path end to end: events/s over N generated events of M"
                        + " profiles, with RocksDB, checkpoints every 10 s and Redis on this"
                        + " machine; plus RocksDB and Redis bytes per profile.")
public final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            defaultValue = "1000000",
            description = "Events (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(
            names = "--profiles",
            defaultValue = "100000",
            description = "Profiles (persons) (default: ${DEFAULT-VALUE}).")
    int profiles;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--redis",
            paramLabel = "URL",
            description = "An empty Redis to write to (default: start a local redis-server).")
    String redis;

    @Option(
            names = "--warmup-events",
            defaultValue = "300000",
            description =
                    "Events of a first, unmeasured run in the same JVM, so the measured run is"
                            + " not mostly JIT compilation; 0 for a cold run (default:"
                            + " ${DEFAULT-VALUE}).")
    long warmupEvents;

    @Option(
            names = "--anonymous",
            description =
                    "Events with ids as the identity generator makes them: anonymous browsing"
                            + " before login (cookie/device profiles that merge at login), shared"
                            + " devices and re-used phones (default: every event has a user_id).")
    boolean anonymous;

    @Option(
            names = "--rules",
            paramLabel = "FILE",
            description =
                    "Apply this rule set (its tenant is replaced by the bench's tenant `bench`).")
    java.nio.file.Path rules;

    @Option(
            names = "--models",
            paramLabel = "DIR",
            description = "Score every profile update with the models of this directory.")
    java.nio.file.Path models;

    @Option(
            names = "--no-learning",
            description =
                    "With --models: score only, no learning snapshots and no online trainer"
                            + " (learning.enabled=false).")
    boolean noLearning;

    @Override
    public Integer call() throws Exception {
        if (events < 1 || profiles < 1 || parallelism < 1) {
            throw new IllegalArgumentException(
                    "--events, --profiles and --parallelism must be positive");
        }
        if (warmupEvents > 0) {
            System.out.printf("warm-up run (%d events, not measured)%n", warmupEvents);
            Bench.run(
                    new Bench.Settings(
                            warmupEvents,
                            (int) Math.max(1, profiles * warmupEvents / events),
                            parallelism,
                            null,
                            anonymous,
                            rules,
                            models,
                            !noLearning),
                    new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            System.out.println("measured run");
        }
        Bench.run(
                new Bench.Settings(
                        events,
                        profiles,
                        parallelism,
                        redis,
                        anonymous,
                        rules,
                        models,
                        !noLearning),
                System.out);
        return 0;
    }
}
