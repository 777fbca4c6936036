package io.rtcdp.jobs.cli;

import picocli.CommandLine.Option;

/** The option of the commands that run the job locally and can serve Prometheus metrics. */
public final class MetricsOptions {
    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description =
                    "Serve the job's metrics for Prometheus at http://HOST:PORT/metrics while it"
                            + " runs locally (default: off; `run` also reads"
                            + " metrics.prometheus.port from its --config).")
    Integer metricsPort;

    /** The port asked for, else {@code fallback}; a bad port is one line, exit code 2. */
    int port(int fallback) {
        if (metricsPort == null) {
            return fallback;
        }
        if (metricsPort < 1 || metricsPort > 65535) {
            throw new IllegalArgumentException(
                    "--metrics-port must be between 1 and 65535, got " + metricsPort);
        }
        return metricsPort;
    }
}
