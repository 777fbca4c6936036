package io.rtcdp.jobs.local;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.Properties;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Flink's Prometheus reporter serving {@code http://HOST:PORT/metrics} on one address, {@code
 * metrics.reporter.prom.host} ({@code 127.0.0.1} unless set), where Flink's own reporter (2.2)
 * listens on every interface. Local runs only ({@code run}, {@code replay}, {@code demo}); on a
 * cluster Flink's reporter from its {@code plugins/} directory serves the pod's metrics.
 */
public final class LoopbackPrometheusReporter extends AbstractPrometheusReporter {
    private final HTTPServer server;

    LoopbackPrometheusReporter(String host, int port) {
        try {
            // the registry the base class adds Flink's metrics to (package-private)
            Field f = AbstractPrometheusReporter.class.getDeclaredField("registry");
            f.setAccessible(true);
            CollectorRegistry registry = (CollectorRegistry) f.get(this);
            server = new HTTPServer(new InetSocketAddress(host, port), registry, true);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot serve Prometheus metrics on " + host + ":" + port + ": " + e, e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Flink's Prometheus reporter changed: " + e, e);
        }
        log.info("Started Prometheus metrics on http://{}:{}/metrics", host, port);
    }

    @Override
    public void close() {
        server.stop();
        super.close();
    }

    /** The factory {@code metrics.reporter.<name>.factory.class} names. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new LoopbackPrometheusReporter(
                    properties.getProperty("host", "127.0.0.1"),
                    Integer.parseInt(properties.getProperty("port", "9249").trim()));
        }
    }
}
