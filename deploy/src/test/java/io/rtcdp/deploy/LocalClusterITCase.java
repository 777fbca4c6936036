package io.rtcdp.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.operators.testutil.RedisServerExtension;
import io.rtcdp.udf.gen.GeneratedRecord;
import io.rtcdp.udf.gen.PopulationGenerator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/local-cluster} end to end: a standalone Flink session cluster of separate JVMs
 * (one JobManager, two TaskManagers with one slot each) runs {@code rtcdp replay} from the fat jar,
 * uploaded and started through the REST API, over a generated population into a real redis-server.
 * In the first run one TaskManager process is killed after the first completed checkpoint and a
 * replacement is started (as Kubernetes would); the job must restore from its checkpoint and
 * finish. The second run, on the same cluster without a failure, is the oracle: the whole Redis of
 * both runs must be equal (every key and field but {@code ver} and {@code updated_at}).
 */
class LocalClusterITCase {
    static final Path REPO = Path.of(System.getProperty("rtcdp.repo", "..")).toAbsolutePath();
    static final Path SCRIPT = REPO.resolve("scripts/local-cluster");
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir Path tmp;

    private Path clusterDir;
    private int port;
    private int rpcPort;
    private final List<Long> pids = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aKilledTaskManagerLeavesTheSameRedisAsARunWithoutFailure() throws Exception {
        Path input = tmp.resolve("events.jsonl");
        PopulationGenerator gen =
                PopulationGenerator.builder()
                        .seed(11)
                        .tenant("acme")
                        .persons(500)
                        .events(20_000)
                        .startMillis(
                                OffsetDateTime.parse("2024-05-01T00:00:00Z")
                                        .toInstant()
                                        .toEpochMilli())
                        .duration(Duration.ofDays(30))
                        .alwaysUserId(false)
                        .sharedDevices(0.2, 3)
                        .reusedPhones(0.2)
                        .duplicateFraction(0.01)
                        .outOfOrder(0.05, Duration.ofHours(1))
                        .build();
        List<GeneratedRecord> records = new ArrayList<>();
        gen.iterator().forEachRemaining(records::add);
        PopulationGenerator.writeJsonl(records.iterator(), input);

        clusterDir = tmp.resolve("cluster");
        port = freePort();
        rpcPort = freePort();
        try {
            Result start = script(Duration.ofMinutes(3), "start", "--taskmanagers", "2");
            rememberPids();
            assertThat(start.code()).as("start:\n%s", start.out()).isZero();

            // run 1: a TaskManager dies after the first checkpoint
            REDIS.flushAll();
            String job = submit(input, "a");
            awaitCheckpointAndData(job);
            long victim = pidOf("taskmanager-1");
            ProcessHandle tm = ProcessHandle.of(victim).orElseThrow();
            tm.destroyForcibly();
            tm.onExit().get(30, TimeUnit.SECONDS);
            assertThat(state(job))
                    .as("the job was still running when its TaskManager died")
                    .isIn("RUNNING", "RESTARTING", "FAILING", "INITIALIZING", "CREATED");
            Result add = script(Duration.ofMinutes(2), "add-taskmanager");
            rememberPids();
            assertThat(add.code()).as("add-taskmanager:\n%s", add.out()).isZero();
            Result waited = script(Duration.ofMinutes(5), "wait", job, "280");
            assertThat(waited.out()).as("job %s after the kill", job).contains("FINISHED");
            JsonNode latest = get("/jobs/" + job + "/checkpoints").path("latest");
            assertThat(latest.path("restored").isObject())
                    .as("the job restored from a checkpoint: %s", latest)
                    .isTrue();
            Map<String, Object> withFailure = comparable(REDIS.contents());

            // run 2: the same input, no failure
            REDIS.flushAll();
            String again = submit(input, "b");
            Result waited2 = script(Duration.ofMinutes(5), "wait", again, "280");
            assertThat(waited2.out()).as("job %s", again).contains("FINISHED");
            Map<String, Object> withoutFailure = comparable(REDIS.contents());

            assertThat(withoutFailure).hasSizeGreaterThan(500);
            List<String> different = new ArrayList<>();
            for (String key : withFailure.keySet()) {
                if (!withoutFailure.containsKey(key)) {
                    different.add(key + ": only after the failure: " + withFailure.get(key));
                }
            }
            for (String key : withoutFailure.keySet()) {
                if (!withoutFailure.get(key).equals(withFailure.get(key))) {
                    different.add(
                            key + ": " + withoutFailure.get(key) + " vs " + withFailure.get(key));
                }
            }
            assertThat(different).isEmpty();
        } finally {
            script(Duration.ofMinutes(1), "stop");
            for (long pid : pids) { // whatever the script could not stop
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private String submit(Path input, String run) throws Exception {
        Result r =
                script(
                        Duration.ofMinutes(3),
                        "submit",
                        "--parallelism",
                        "2",
                        "--",
                        "replay",
                        "--input",
                        input.toString(),
                        "--redis",
                        REDIS.url(),
                        "--parallelism",
                        "2",
                        "--checkpoint-interval",
                        "1",
                        "--dlq",
                        tmp.resolve("dlq-" + run + ".jsonl").toString(),
                        "--conflicts",
                        tmp.resolve("conflicts-" + run + ".jsonl").toString());
        assertThat(r.code()).as("submit:\n%s", r.out()).isZero();
        String job = r.out().strip().lines().reduce((a, b) -> b).orElse("");
        assertThat(job).as("job id printed by submit:\n%s", r.out()).matches("[0-9a-f]{32}");
        return job;
    }

    /** Waits until the job has a completed checkpoint and has written to Redis. */
    private void awaitCheckpointAndData(String job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            String state = state(job);
            assertThat(state)
                    .as("job %s ended before a TaskManager could be killed", job)
                    .isNotIn("FINISHED", "FAILED", "CANCELED");
            long completed =
                    get("/jobs/" + job + "/checkpoints").path("counts").path("completed").asLong();
            if (completed >= 1 && REDIS.client().dbSize() >= 300) {
                return;
            }
            assertThat(System.nanoTime())
                    .as("a checkpoint of job %s in time", job)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private String state(String job) throws Exception {
        return get("/jobs/" + job).path("state").asText();
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private long pidOf(String name) throws Exception {
        Result r = script(Duration.ofSeconds(30), "pids");
        for (String line : r.out().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals(name)) {
                return Long.parseLong(f[1]);
            }
        }
        throw new AssertionError("no process " + name + " in:\n" + r.out());
    }

    private void rememberPids() throws Exception {
        Result r = script(Duration.ofSeconds(30), "pids");
        for (String line : r.out().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[1].matches("\\d+")) {
                pids.add(Long.parseLong(f[1]));
            }
        }
    }

    record Result(int code, String out) {}

    private Result script(Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("RTCDP_CLUSTER_DIR", clusterDir.toString());
        pb.environment().put("RTCDP_CLUSTER_PORT", Integer.toString(port));
        pb.environment().put("RTCDP_CLUSTER_RPC_PORT", Integer.toString(rpcPort));
        Path out = Files.createTempFile(tmp, "script", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(
                    "local-cluster "
                            + String.join(" ", args)
                            + " timed out:\n"
                            + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> comparable(Map<String, Object> contents) {
        Map<String, Object> out = new TreeMap<>();
        contents.forEach(
                (k, v) -> {
                    if (v instanceof Map<?, ?> m) {
                        Map<String, String> h = new TreeMap<>((Map<String, String>) m);
                        h.remove("ver");
                        h.remove("updated_at");
                        out.put(k, h);
                    } else {
                        out.put(k, v);
                    }
                });
        return new LinkedHashMap<>(out);
    }
}
