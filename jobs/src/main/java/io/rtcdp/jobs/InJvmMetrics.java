package io.rtcdp.jobs;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter that keeps the metrics of a job running in this JVM (MiniCluster) readable by
 * name, so the demo can show live progress from the job's own counters, and each task's records in
 * per subtask, so the bench can show how a stage's records spread over its subtasks.
 */
public final class InJvmMetrics implements MetricReporter {
    private static final Map<String, List<Metric>> METRICS = new ConcurrentHashMap<>();

    /** Task name → subtask index → its {@code numRecordsIn} counters (one per attempt). */
    private static final Map<String, Map<Integer, List<Counter>>> RECORDS_IN =
            new ConcurrentHashMap<>();

    private static final String TASK_NAME = "<task_name>";
    private static final String SUBTASK_INDEX = "<subtask_index>";
    private static final String OPERATOR_NAME = "<operator_name>";
    private static final String OPERATOR_ID = "<operator_id>";
    private static final String SOURCE_ID = "<source_id>";
    private static final String OPERATOR_SUBTASK_INDEX = "<operator_subtask_index>";

    /** Operator id → operator name, from the metric groups of the operators. */
    private static final Map<String, String> OPERATOR_NAMES = new ConcurrentHashMap<>();

    /**
     * Flink's latency-marker histograms ({@code metrics.latency.interval}; granularity {@code
     * operator}): one per source operator, operator and operator subtask.
     */
    private static final List<LatencyHistogram> LATENCY = new CopyOnWriteArrayList<>();

    private record LatencyHistogram(
            String sourceId, String operatorId, int subtask, Histogram histogram) {}

    /**
     * The latency markers an operator subtask received from a source: how long after the source
     * emitted them (ms), the histogram's window ({@code metrics.latency.history-size}, the latest
     * markers).
     *
     * @param source the source operator's name
     * @param operator the operator's name
     * @param subtask the operator's subtask index
     * @param millis the window's values, in no particular order
     */
    public record MarkerLatencies(String source, String operator, int subtask, long[] millis) {}

    /**
     * The current window of each latency-marker histogram whose source and operator names (an id
     * whose name is not known yet stands for itself) {@code wanted} accepts; none unless {@code
     * metrics.latency.interval} is set.
     */
    public static List<MarkerLatencies> markerLatencies(
            java.util.function.BiPredicate<String, String> wanted) {
        List<MarkerLatencies> out = new java.util.ArrayList<>();
        for (LatencyHistogram h : LATENCY) {
            String source = OPERATOR_NAMES.getOrDefault(h.sourceId(), h.sourceId());
            String operator = OPERATOR_NAMES.getOrDefault(h.operatorId(), h.operatorId());
            if (wanted.test(source, operator)) {
                out.add(
                        new MarkerLatencies(
                                source,
                                operator,
                                h.subtask(),
                                h.histogram().getStatistics().getValues()));
            }
        }
        return out;
    }

    /** Flink settings that install this reporter. */
    public static void install(org.apache.flink.configuration.Configuration conf) {
        conf.setString("metrics.reporter.injvm.factory.class", Factory.class.getName());
    }

    /** Sum of all counters (and numeric gauges) of that name, over all subtasks. */
    public static long sum(String name) {
        long total = 0;
        for (Metric m : METRICS.getOrDefault(name, List.of())) {
            if (m instanceof Counter c) {
                total += c.getCount();
            } else if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                total += n.longValue();
            }
        }
        return total;
    }

    /** Whether a metric of that name has been registered: the operator that owns it has opened. */
    public static boolean registered(String name) {
        return METRICS.containsKey(name);
    }

    /**
     * The records each task received, per subtask (index → count), from Flink's task-level {@code
     * numRecordsIn}: what the task's network inputs delivered to it, summed over attempts. By task
     * name, as Flink names a chain of operators ({@code a -> b}).
     */
    public static Map<String, long[]> recordsInBySubtask() {
        Map<String, long[]> out = new java.util.TreeMap<>();
        for (Map.Entry<String, Map<Integer, List<Counter>>> task : RECORDS_IN.entrySet()) {
            int n = 0;
            for (int index : task.getValue().keySet()) {
                n = Math.max(n, index + 1);
            }
            long[] counts = new long[n];
            for (Map.Entry<Integer, List<Counter>> sub : task.getValue().entrySet()) {
                for (Counter c : sub.getValue()) {
                    counts[sub.getKey()] += c.getCount();
                }
            }
            out.put(task.getKey(), counts);
        }
        return out;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    /**
     * Whether a metric of that name is registered in a group whose identifier contains {@code
     * scope}, e.g. {@code currentOffset} of {@code KafkaSourceReader.topic.rtcdp.events}: a Kafka
     * source reader got a partition of that topic.
     */
    public static boolean registered(String name, String scope) {
        for (String id : IDENTIFIERS.getOrDefault(name, List.of())) {
            if (id.contains(scope)) {
                return true;
            }
        }
        return false;
    }

    /** Metric name → the identifiers of its groups (scope and name, dot-separated). */
    private static final Map<String, List<String>> IDENTIFIERS = new ConcurrentHashMap<>();

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        METRICS.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(metric);
        IDENTIFIERS
                .computeIfAbsent(name, k -> new CopyOnWriteArrayList<>())
                .add(group.getMetricIdentifier(name));
        Map<String, String> vars = group.getAllVariables();
        String operatorId = vars.get(OPERATOR_ID);
        if (operatorId != null && vars.containsKey(OPERATOR_NAME)) {
            OPERATOR_NAMES.putIfAbsent(operatorId, vars.get(OPERATOR_NAME));
        }
        if (name.equals("latency")
                && metric instanceof Histogram h
                && operatorId != null
                && vars.containsKey(SOURCE_ID)
                && vars.containsKey(OPERATOR_SUBTASK_INDEX)) {
            LATENCY.add(
                    new LatencyHistogram(
                            vars.get(SOURCE_ID),
                            operatorId,
                            Integer.parseInt(vars.get(OPERATOR_SUBTASK_INDEX)),
                            h));
        }
        if (name.equals("numRecordsIn") && metric instanceof Counter c) {
            String task = vars.get(TASK_NAME);
            String index = vars.get(SUBTASK_INDEX);
            // the task's own counter, not its operators' (those have an operator name)
            if (task != null && index != null && !vars.containsKey(OPERATOR_NAME)) {
                RECORDS_IN
                        .computeIfAbsent(task, k -> new ConcurrentHashMap<>())
                        .computeIfAbsent(Integer.parseInt(index), k -> new CopyOnWriteArrayList<>())
                        .add(c);
            }
        }
    }

    /**
     * Keeps the metric: a finished task's counts still belong to the job's totals (a bounded run
     * reads them after the end).
     */
    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}

    /** Forgets every metric (between runs in one JVM). */
    public static void reset() {
        METRICS.clear();
        RECORDS_IN.clear();
        IDENTIFIERS.clear();
        OPERATOR_NAMES.clear();
        LATENCY.clear();
    }

    /** Factory named in the Flink configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new InJvmMetrics();
        }
    }
}
