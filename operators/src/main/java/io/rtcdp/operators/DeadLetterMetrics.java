package io.rtcdp.operators;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The job's dead-letter counters: every stage that makes dead letters (the parser, record
 * isolation, the Redis writer) counts them under the same group key and counter name, so that one
 * query sees them all ({@code deadLetters} with the label {@code errorCode} in Prometheus;
 * dashboards and alerts rely on both names).
 *
 * <p>It lives in the package every stage already uses, so that no stage's package depends on
 * another's only for two names.
 */
public final class DeadLetterMetrics {
    /** Metric group key of the dead-letter counters; Prometheus shows it as a label. */
    private static final String ERROR_CODE = "errorCode";

    /** Name of the dead-letter counter in each {@link #ERROR_CODE} group. */
    private static final String DEAD_LETTERS = "deadLetters";

    private DeadLetterMetrics() {}

    /** Registers (or returns) the counter of the dead letters with error code {@code code}. */
    public static Counter counter(MetricGroup metrics, String code) {
        return metrics.addGroup(ERROR_CODE, code).counter(DEAD_LETTERS);
    }
}
