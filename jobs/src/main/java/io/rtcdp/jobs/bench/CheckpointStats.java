package io.rtcdp.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;

/**
 * Flink's checkpoint statistics of a running job, read from its REST API (the same numbers as the
 * web UI's checkpoint tab): for the checkpoints triggered in a time window, per stage (job vertex),
 * the slowest subtask's synchronous part (the task stops processing meanwhile: for RocksDB, the
 * flush of the memtables and the native checkpoint), asynchronous part, barrier alignment and start
 * delay. The live bench reports them per rate, so that a freshness tail can be put next to the
 * stages that held their records during a checkpoint.
 */
final class CheckpointStats {

    /**
     * One stage's worst subtask over a window's completed checkpoints, in ms.
     *
     * @param name the job vertex's name (the chained operators), shortened to its first operator
     */
    record Stage(String name, long syncMs, long asyncMs, long alignmentMs, long startDelayMs) {}

    /**
     * The checkpoints triggered in a window.
     *
     * @param maxEndToEndMs the longest trigger-to-last-acknowledgement time of the completed ones
     * @param stages per stage, the slowest subtask; ordered by the synchronous part, longest first
     */
    record Window(int completed, int failed, long maxEndToEndMs, List<Stage> stages) {
        /** One line: counts, then the stages whose synchronous part took at least {@code minMs}. */
        String text(long minMs) {
            if (completed == 0 && failed == 0) {
                return "no checkpoint";
            }
            String slow =
                    stages.stream()
                            .filter(st -> st.syncMs() >= minMs)
                            .map(
                                    st ->
                                            String.format(
                                                    Locale.ROOT,
                                                    "%s %d/%d",
                                                    st.name(),
                                                    st.syncMs(),
                                                    st.asyncMs()))
                            .collect(Collectors.joining(", "));
            return String.format(
                    Locale.ROOT,
                    "%d completed, %d failed, longest %d ms; slowest subtask's sync/async ms"
                            + " per stage: %s",
                    completed,
                    failed,
                    maxEndToEndMs,
                    slow.isEmpty() ? "none ≥ " + minMs + " ms" : slow);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final JobID job;

    CheckpointStats(String restUrl, JobID job) {
        this.base = restUrl;
        this.job = job;
    }

    /** The checkpoints triggered from {@code fromMillis} (inclusive) to {@code toMillis}. */
    Window between(long fromMillis, long toMillis) throws IOException, InterruptedException {
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode v : get("/jobs/" + job).path("vertices")) {
            names.put(v.path("id").asText(), stageName(v.path("name").asText()));
        }
        int completed = 0;
        int failed = 0;
        long maxEndToEnd = 0;
        Map<String, long[]> worst = new LinkedHashMap<>();
        for (JsonNode cp : get("/jobs/" + job + "/checkpoints").path("history")) {
            long trigger = cp.path("trigger_timestamp").asLong();
            if (trigger < fromMillis || trigger >= toMillis) {
                continue;
            }
            String status = cp.path("status").asText();
            if ("FAILED".equals(status)) {
                failed++;
                continue;
            }
            if (!"COMPLETED".equals(status)) {
                continue;
            }
            completed++;
            maxEndToEnd = Math.max(maxEndToEnd, cp.path("end_to_end_duration").asLong());
            long id = cp.path("id").asLong();
            for (Map.Entry<String, String> v : names.entrySet()) {
                JsonNode sum =
                        get("/jobs/"
                                        + job
                                        + "/checkpoints/details/"
                                        + id
                                        + "/subtasks/"
                                        + v.getKey())
                                .path("summary");
                long[] w = worst.computeIfAbsent(v.getKey(), k -> new long[4]);
                w[0] =
                        Math.max(
                                w[0],
                                sum.path("checkpoint_duration").path("sync").path("max").asLong());
                w[1] =
                        Math.max(
                                w[1],
                                sum.path("checkpoint_duration").path("async").path("max").asLong());
                w[2] = Math.max(w[2], sum.path("alignment").path("duration").path("max").asLong());
                w[3] = Math.max(w[3], sum.path("start_delay").path("max").asLong());
            }
        }
        List<Stage> stages = new ArrayList<>();
        worst.forEach((id, w) -> stages.add(new Stage(names.get(id), w[0], w[1], w[2], w[3])));
        stages.sort(Comparator.comparingLong(Stage::syncMs).reversed());
        return new Window(completed, failed, maxEndToEnd, stages);
    }

    /** A vertex's name up to its first chained operator: {@code profile}, {@code decide}. */
    static String stageName(String vertexName) {
        String n = vertexName.replaceFirst("^Source: ", "source ");
        int arrow = n.indexOf(" -> ");
        return arrow < 0 ? n : n.substring(0, arrow);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("Flink REST " + path + ": HTTP " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }
}
