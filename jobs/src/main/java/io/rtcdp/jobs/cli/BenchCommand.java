package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.bench.Bench;
import io.rtcdp.jobs.bench.CatchUpBench;
import io.rtcdp.jobs.bench.LiveBench;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rtcdp bench}: throughput of the replay path; with {@code --live}, freshness; with {@code
 * --catch-up}, the streaming job catching up on a topic against the replay.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measures the replay path end to end: events/s over N generated events of M"
                    + " profiles, with RocksDB, checkpoints every 10 s and Redis on this"
                    + " machine; plus RocksDB and Redis bytes per profile.",
            "With --live: the streaming job (as `rtcdp run`) on Kafka and Redis, fed"
                    + " generated events at fixed rates (--rates, each held --seconds); per"
                    + " rate the latency of probe events from their Kafka append"
                    + " (LogAppendTime) to their effect being visible in Redis (p50, p95,"
                    + " p99, max), the events/s the job processed and whether it kept up;"
                    + " --max finds the highest rate it keeps up with and measures at 70 %%"
                    + " of it, with app reads (HGETALL) next to the same reads on the idle"
                    + " Redis.",
            "With --catch-up: the same events already in Kafka, read by the streaming job"
                    + " from the start, against a replay of them from a file: the time each"
                    + " takes, side by side in --rounds."
        })
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

    @Option(
            names = "--live",
            description =
                    "Measure the streaming job's freshness (Kafka append to visible in Redis)"
                            + " instead of the replay path's throughput.")
    boolean live;

    @Option(
            names = "--catch-up",
            description =
                    "Measure how long the streaming job takes to catch up on the bench's events"
                            + " already in Kafka (in-JVM broker), against a replay of the same"
                            + " events from a file, side by side (--rounds, alternating which"
                            + " runs first).")
    boolean catchUp;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            description = "--catch-up: rounds of one replay and one catch-up (default: 2).")
    Integer rounds;

    @Option(
            names = "--rates",
            split = ",",
            paramLabel = "N,N...",
            description =
                    "--live: events/s to hold, in order; with --max, where the ramp starts"
                            + " (default: 1000,5000; with --max 2000).")
    List<Integer> rates;

    @Option(
            names = "--seconds",
            defaultValue = "30",
            description = "--live: how long each rate is held (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "20",
            description =
                    "--live: seconds at the first rate before measuring, not reported; the"
                            + " warm-up then goes on while the JIT compilers are busy (≥ 5 %% of"
                            + " a core over 10 s), up to --warmup-max-seconds (default:"
                            + " ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(
            names = "--warmup-max-seconds",
            defaultValue = "300",
            description =
                    "--live: the longest warm-up; set it to --warmup-seconds for a warm-up of"
                            + " exactly that long (default: ${DEFAULT-VALUE}).")
    int warmupMaxSeconds;

    @Option(
            names = "--max",
            description =
                    "--live: ramp up from the first rate (× 1.5 a step) until the job falls"
                            + " behind, then measure at 70 %% of the highest rate it kept up"
                            + " with.")
    boolean max;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOSTS",
            description =
                    "--live: an outside Kafka (the bench creates topics of its own there)"
                            + " instead of an in-JVM broker.")
    String bootstrap;

    @Option(
            names = "--app-reads",
            defaultValue = "500",
            paramLabel = "N",
            description =
                    "--live: HGETALLs of random profiles per second, one at a time on one"
                            + " connection, during the measured rates and on the idle Redis"
                            + " before them; 0 for none (default: ${DEFAULT-VALUE}).")
    int appReads;

    @Option(
            names = "--probes-per-second",
            paramLabel = "N",
            description =
                    "--live: probe events per second (default: enough for 200 per rate, at"
                            + " least 5).")
    Double probesPerSecond;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "--live: also write the results to this file as JSON.")
    java.nio.file.Path json;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description =
                    "--live and --catch-up: an rtcdp setting of the streaming job (e.g."
                            + " -Dredis.flush-interval=5ms), or a Flink setting as"
                            + " -Dflink.<key>=<value> (e.g."
                            + " -Dflink.execution.buffer-timeout.interval=100ms); repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (live && catchUp) {
            throw new IllegalArgumentException(
                    "--live and --catch-up are two benches: one at a time");
        }
        if (live) {
            return live();
        }
        if (rates != null || max || bootstrap != null || json != null || probesPerSecond != null) {
            throw new IllegalArgumentException(
                    "--rates, --max, --bootstrap, --json and --probes-per-second are options of"
                            + " --live");
        }
        if (!settings.isEmpty() && !catchUp) {
            throw new IllegalArgumentException("-D is an option of --live and --catch-up");
        }
        if (events < 1 || profiles < 1 || parallelism < 1) {
            throw new IllegalArgumentException(
                    "--events, --profiles and --parallelism must be positive");
        }
        if (catchUp) {
            return catchUp();
        }
        if (rounds != null) {
            throw new IllegalArgumentException("--rounds is an option of --catch-up");
        }
        if (warmUp()) {
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

    /**
     * A first replay of {@code --warmup-events} (none when 0), not measured, so that the measured
     * runs are not mostly JIT compilation; whether there was one.
     */
    private boolean warmUp() throws Exception {
        if (warmupEvents <= 0) {
            return false;
        }
        System.out.printf("warm-up run (%d events, not measured)%n", warmupEvents);
        Bench.run(
                new Bench.Settings(
                        warmupEvents,
                        warmUpPersons(profiles, warmupEvents, events),
                        parallelism,
                        null,
                        anonymous,
                        rules,
                        models,
                        !noLearning),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        return true;
    }

    /**
     * The warm-up's persons: as many events per person as the measured run has, at most the
     * measured run's persons (a warm-up much longer than the run once asked the generator for more
     * persons than an int holds: {@code --events 10} failed on the default warm-up).
     */
    static int warmUpPersons(int profiles, long warmupEvents, long events) {
        double scaled = (double) profiles * warmupEvents / Math.max(1, events);
        return (int) Math.max(1, Math.min(profiles, Math.round(scaled)));
    }

    private Integer catchUp() throws Exception {
        int n = rounds == null ? 2 : rounds;
        if (n < 1) {
            throw new IllegalArgumentException("--rounds must be positive");
        }
        if (redis != null) {
            throw new IllegalArgumentException(
                    "--catch-up starts a fresh local redis-server for each run; --redis is not an"
                            + " option of it");
        }
        Bench.Settings bench =
                new Bench.Settings(
                        events, profiles, parallelism, null, anonymous, rules, models, !noLearning);
        // bad settings are exit 2 before anything starts
        io.rtcdp.jobs.ConfigLoader.create().commandLine(settings).load();
        warmUp();
        CatchUpBench.run(new CatchUpBench.Settings(bench, n, settings), System.out);
        return 0;
    }

    private Integer live() throws Exception {
        List<Integer> r = rates != null ? rates : max ? List.of(2000) : List.of(1000, 5000);
        if (r.isEmpty() || r.stream().anyMatch(x -> x == null || x < 1)) {
            throw new IllegalArgumentException("--rates must be positive events/s");
        }
        if (seconds < 1 || warmupSeconds < 0 || appReads < 0 || parallelism < 1 || profiles < 1) {
            throw new IllegalArgumentException(
                    "--seconds, --parallelism and --profiles must be positive, --warmup-seconds"
                            + " and --app-reads not negative");
        }
        if (probesPerSecond != null && !(probesPerSecond > 0 && probesPerSecond <= 1000)) {
            throw new IllegalArgumentException("--probes-per-second must be in (0, 1000]");
        }
        Map<String, String> rtcdp = new LinkedHashMap<>();
        Map<String, String> flink = new LinkedHashMap<>();
        settings.forEach(
                (k, v) -> {
                    if (k.startsWith("flink.") && k.length() > "flink.".length()) {
                        flink.put(k.substring("flink.".length()), v);
                    } else {
                        rtcdp.put(k, v);
                    }
                });
        // bad settings are exit 2 before anything starts
        io.rtcdp.jobs.ConfigLoader.create().commandLine(rtcdp).load();
        LiveBench.Result res =
                LiveBench.run(
                        new LiveBench.Settings(
                                r,
                                seconds,
                                warmupSeconds,
                                Math.max(warmupSeconds, warmupMaxSeconds),
                                max,
                                parallelism,
                                profiles,
                                anonymous,
                                bootstrap,
                                redis,
                                rules,
                                models,
                                !noLearning,
                                appReads,
                                probesPerSecond == null ? 0 : probesPerSecond,
                                rtcdp,
                                flink),
                        System.out);
        if (json != null) {
            new com.fasterxml.jackson.databind.ObjectMapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(json.toFile(), res);
        }
        return 0;
    }
}
