package io.rtcdp.jobs.cli;

import io.rtcdp.udf.gen.PopulationGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rtcdp generate}: a synthetic population as an event file. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Writes a synthetic population's events (.jsonl or .jsonl.gz).")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
    Path out;

    @Option(
            names = "--persons",
            defaultValue = "10000",
            description = "Persons (default: ${DEFAULT-VALUE}).")
    int persons;

    @Option(
            names = "--events",
            defaultValue = "200000",
            description = "Events (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--days",
            defaultValue = "90",
            description = "Days of history, ending now (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(
            names = "--tenant",
            defaultValue = "demo",
            description = "Tenant (default: ${DEFAULT-VALUE}).")
    String tenant;

    @Option(
            names = "--bad",
            defaultValue = "0.005",
            description = "Fraction of bad records (default: ${DEFAULT-VALUE}).")
    double bad;

    @Option(
            names = "--duplicates",
            defaultValue = "0.01",
            description = "Fraction of duplicate records (default: ${DEFAULT-VALUE}).")
    double duplicates;

    @Option(
            names = "--anonymous",
            description =
                    "Identity scenarios: anonymous browsing before login, 10%% of devices shared,"
                            + " 10%% of phone numbers re-used (default: every event has a user_id).")
    boolean anonymous;

    @Override
    public Integer call() throws Exception {
        long now = Instant.now().toEpochMilli();
        PopulationGenerator.Builder b =
                PopulationGenerator.builder()
                        .seed(seed)
                        .tenant(tenant)
                        .persons(persons)
                        .events(events)
                        .startMillis(now - Duration.ofDays(days).toMillis())
                        .duration(Duration.ofDays(days))
                        .badFraction(bad)
                        .duplicateFraction(duplicates);
        if (anonymous) {
            b.alwaysUserId(false).sharedDevices(0.1, 3).reusedPhones(0.1);
        }
        PopulationGenerator gen = b.build();
        long start = System.nanoTime();
        PopulationGenerator.writeJsonl(gen.iterator(), out);
        System.out.printf(
                "%d events of %d persons written to %s in %.1f s%n",
                events, persons, out, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
