package io.rtcdp.jobs.bench;

import io.rtcdp.jobs.InJvmMetrics;
import io.rtcdp.jobs.InJvmMetrics.MarkerLatencies;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where an event's time goes on its way from the Kafka source to the Redis writer, stage by stage,
 * from Flink's latency markers ({@code metrics.latency.interval}): the source emits a marker every
 * interval, each operator records how long after that it arrived and forwards it (to one random
 * channel of one random output). A marker waits in the same network buffers and input queues as the
 * records, and for whatever holds a task's thread (a checkpoint's synchronous part, a timer pass, a
 * Redis flush), but not for the work on any record: the difference between two stages is the
 * exchange and queue between them, and what remains of a probe's latency after the Redis writer's
 * marker time is the records' own work, the writer's flush and the poll.
 *
 * <p>Flink's histograms cannot be reset, so a hold's markers are the difference between two
 * snapshots of every window ({@link #snapshot}, {@link #between}): exact while no window has filled
 * ({@link #HISTORY} markers per operator subtask).
 */
final class StageLatency {
    /** The source of the events, as {@code RtcdpJob} names it. */
    static final String SOURCE = "Source: events";

    /** The operators of an event's way to its profile in Redis, in order. */
    static final List<String> STAGES =
            List.of("dedupe", "identity", "fragments", "profile", "decide", "redis: Writer");

    /**
     * Milliseconds between two markers of a source subtask. Each operator with several outputs
     * forwards a marker to one of them, so the stages at the end of the events' way (decide, the
     * Redis writer) get a few percent of them: this interval gives them a few per second.
     */
    static final long INTERVAL_MS = 10;

    /**
     * The window of each histogram (512 KB each): the busiest (the stages next to the source) get
     * about half of the source's markers, ~50 per second per subtask: about 20 minutes of a run.
     */
    static final int HISTORY = 65_536;

    /** The Flink settings that switch the markers on (where the run does not set them). */
    static void configure(Map<String, String> flink) {
        flink.putIfAbsent("metrics.latency.interval", Long.toString(INTERVAL_MS));
        flink.putIfAbsent("metrics.latency.history-size", Integer.toString(HISTORY));
    }

    /**
     * A stage's slowest subtask in a hold: the one whose markers' median was the highest.
     *
     * @param millis the markers' time since the source, ms
     */
    record Stage(String name, int subtask, Latencies.Summary millis) {}

    /** Each stage subtask's markers so far, sorted: {@code operator#subtask} → values. */
    record Snapshot(Map<String, long[]> markers) {}

    static Snapshot snapshot() {
        return snapshot(InJvmMetrics.markerLatencies(StageLatency::onTheWay));
    }

    /** Whether an operator is one of {@link #STAGES} and the markers come from {@link #SOURCE}. */
    static boolean onTheWay(String source, String operator) {
        return SOURCE.equals(source) && STAGES.contains(operator);
    }

    static Snapshot snapshot(List<MarkerLatencies> all) {
        Map<String, long[]> m = new HashMap<>();
        for (MarkerLatencies h : all) {
            if (onTheWay(h.source(), h.operator())) {
                long[] v = h.millis().clone();
                Arrays.sort(v);
                m.put(h.operator() + "#" + h.subtask(), v);
            }
        }
        return new Snapshot(m);
    }

    /**
     * The stages' markers between two snapshots, each stage's slowest subtask, in the events'
     * order; a stage without markers in between is left out. Null when a window had filled by
     * {@code after} (its earliest markers are gone, so the difference would be wrong).
     */
    static List<Stage> between(Snapshot before, Snapshot after) {
        Map<String, Stage> slowest = new HashMap<>();
        for (Map.Entry<String, long[]> e : after.markers().entrySet()) {
            if (e.getValue().length >= HISTORY) {
                return null;
            }
            long[] added = difference(e.getValue(), before.markers().get(e.getKey()));
            if (added.length == 0) {
                continue;
            }
            Latencies l = new Latencies();
            for (long v : added) {
                l.add(v);
            }
            int cut = e.getKey().lastIndexOf('#');
            String name = e.getKey().substring(0, cut);
            Stage s = new Stage(name, Integer.parseInt(e.getKey().substring(cut + 1)), l.summary());
            Stage seen = slowest.get(name);
            if (seen == null
                    || s.millis().p50() > seen.millis().p50()
                    || (s.millis().p50() == seen.millis().p50()
                            && s.millis().p99() > seen.millis().p99())) {
                slowest.put(name, s);
            }
        }
        List<Stage> out = new ArrayList<>();
        for (String name : STAGES) {
            if (slowest.containsKey(name)) {
                out.add(slowest.get(name));
            }
        }
        return out;
    }

    /**
     * The values of {@code after} that are not in {@code before} (multisets, both sorted; {@code
     * before} ⊆ {@code after} while the window has not filled).
     */
    static long[] difference(long[] after, long[] before) {
        if (before == null || before.length == 0) {
            return after;
        }
        long[] out = new long[after.length];
        int n = 0;
        int j = 0;
        for (long v : after) {
            while (j < before.length && before[j] < v) {
                j++;
            }
            if (j < before.length && before[j] == v) {
                j++;
            } else {
                out[n++] = v;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** {@code identity 12 / 340 (#0, 140), …}: p50 / p99 ms, the subtask and its markers. */
    static String text(List<Stage> stages) {
        StringBuilder sb = new StringBuilder();
        for (Stage s : stages) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%s %d / %d (#%d, %d)",
                            s.name(),
                            s.millis().p50(),
                            s.millis().p99(),
                            s.subtask(),
                            s.millis().count()));
        }
        return sb.toString();
    }
}
