package io.rtcdp.jobs.local;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter that keeps the metrics of a job running in this JVM (MiniCluster) readable by
 * name, so the demo can show live progress from the job's own counters.
 */
public final class InJvmMetrics implements MetricReporter {
    private static final Map<String, List<Metric>> METRICS = new ConcurrentHashMap<>();

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

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        METRICS.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(metric);
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
    }

    /** Factory named in the Flink configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new InJvmMetrics();
        }
    }
}
