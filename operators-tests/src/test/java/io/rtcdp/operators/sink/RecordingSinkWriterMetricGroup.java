package io.rtcdp.operators.sink;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.OperatorIOMetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/** A sink writer metric group that keeps what is registered on it, for assertions. */
final class RecordingSinkWriterMetricGroup extends UnregisteredMetricsGroup
        implements SinkWriterMetricGroup {

    private final Map<String, Counter> counters = new HashMap<>();
    private final Map<String, Gauge<?>> gauges = new HashMap<>();
    private final Counter numRecordsSend = new SimpleCounter();

    long count(String name) {
        Counter c = counters.get(name);
        if (c == null) {
            throw new AssertionError("no counter " + name + " in " + counters.keySet());
        }
        return c.getCount();
    }

    Object gauge(String name) {
        Gauge<?> g = gauges.get(name);
        if (g == null) {
            throw new AssertionError("no gauge " + name + " in " + gauges.keySet());
        }
        return g.getValue();
    }

    long numRecordsSend() {
        return numRecordsSend.getCount();
    }

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    /** A key-value group: its counters are recorded here as {@code key.value.name}. */
    @Override
    public MetricGroup addGroup(String key, String value) {
        String prefix = key + '.' + value + '.';
        RecordingSinkWriterMetricGroup parent = this;
        return new UnregisteredMetricsGroup() {
            @Override
            public Counter counter(String name) {
                return parent.counter(prefix + name, new SimpleCounter());
            }

            @Override
            public <C extends Counter> C counter(String name, C counter) {
                return parent.counter(prefix + name, counter);
            }
        };
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        counters.put(name, counter);
        return counter;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        gauges.put(name, gauge);
        return gauge;
    }

    @Override
    public Counter getNumRecordsOutErrorsCounter() {
        return new SimpleCounter();
    }

    @Override
    public Counter getNumRecordsSendErrorsCounter() {
        return new SimpleCounter();
    }

    @Override
    public Counter getNumRecordsSendCounter() {
        return numRecordsSend;
    }

    @Override
    public Counter getNumBytesSendCounter() {
        return new SimpleCounter();
    }

    @Override
    public void setCurrentSendTimeGauge(Gauge<Long> gauge) {}

    @Override
    public OperatorIOMetricGroup getIOMetricGroup() {
        return UnregisteredMetricsGroup.createOperatorIOMetricGroup();
    }
}
