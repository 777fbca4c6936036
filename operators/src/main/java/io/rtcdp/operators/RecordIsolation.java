package io.rtcdp.operators;

import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.ErrorCode;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventJson;
import io.rtcdp.udf.event.PayloadMask;
import java.io.Serializable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one record that a stage fails on (a defect of rtcdp, or state it cannot read) from stopping
 * the job: the failure becomes a dead letter with code {@code internal} that names the stage, it is
 * counted and logged, and the stage goes on with the next record. Restarting would not help: the
 * same record would fail again after every restart, for every tenant.
 *
 * <p>Not isolated, so that Flink restarts the task as before: failures of the state backend itself
 * (a {@code RocksDBException} anywhere in the cause chain: disk, I/O), interruption (cancellation),
 * and a stage that fails on {@value #MAX_CONSECUTIVE} records in a row, which is no longer one bad
 * record but a stage that cannot work.
 *
 * <p>One instance per operator instance, used from its task thread.
 */
public final class RecordIsolation implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RecordIsolation.class);

    /** The side output of every stage's isolated records, unioned into the dead letters. */
    public static final OutputTag<DeadLetter> INTERNAL_ERRORS =
            new OutputTag<>("internal-errors", RtcdpTypes.DEAD_LETTER);

    /** Failures in a row after which the stage fails (and Flink restarts it) after all. */
    public static final int MAX_CONSECUTIVE = 10_000;

    /** Failures logged with their stack trace before the log is thinned out. */
    private static final int LOGGED_IN_FULL = 10;

    private final String stage;
    private transient Counter isolated;
    private transient long total;
    private transient int consecutive;

    /**
     * @param stage the stage's name in dead letters and logs, e.g. {@code identity}
     */
    public RecordIsolation(String stage) {
        this.stage = stage;
    }

    /** Registers the metrics; call from the stage's {@code open}. */
    public void open(MetricGroup metrics) {
        isolated = DeadLetterMetrics.counter(metrics, ErrorCode.INTERNAL.code());
        total = 0;
        consecutive = 0;
    }

    /** The processing of one record. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    /**
     * Runs the processing of one record; when it fails in a way that is isolated, emits the dead
     * letter to {@code deadLetters} and returns normally.
     *
     * @param cause the event the record carries, for the dead letter's payload, or null
     * @param source what the record was (see {@link #isolate}), made only on a failure
     */
    public void run(
            Work work,
            Event cause,
            java.util.function.Supplier<String> source,
            java.util.function.Consumer<DeadLetter> deadLetters)
            throws Exception {
        try {
            work.run();
        } catch (Exception failure) {
            deadLetters.accept(
                    isolate(failure, cause == null ? null : payload(cause), source.get()));
            return;
        }
        succeeded();
    }

    /** The work on one profile's keyed state. */
    @FunctionalInterface
    public interface ProfileWork<S> {
        void run(String oneid, S state) throws Exception;
    }

    /**
     * A function for {@code applyToKeyedState} over state keyed {@code tenant \u0001 oneid}: runs
     * {@code work} on each profile of {@code tenant} (other tenants' keys are passed over), each
     * isolated like a record, whose source is {@code <stage>:<tenant>/<oneid>}.
     */
    public <S extends org.apache.flink.api.common.state.State>
            org.apache.flink.runtime.state.KeyedStateFunction<String, S> eachProfileOf(
                    String tenant,
                    String stage,
                    ProfileWork<S> work,
                    java.util.function.Consumer<DeadLetter> deadLetters) {
        String prefix = tenant + '\u0001';
        return (key, state) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            String oneid = key.substring(prefix.length());
            run(
                    () -> work.run(oneid, state),
                    null,
                    () -> stage + ":" + tenant + "/" + oneid,
                    deadLetters);
        };
    }

    /** A record was processed without failure. */
    public void succeeded() {
        consecutive = 0;
    }

    /**
     * Turns a failure on one record into its dead letter, or rethrows it when it must not be
     * isolated (see the class comment).
     *
     * @param failure what the stage threw
     * @param payload the record as JSON (no plain-text PII: ids are already protected), or null
     * @param source what the record was, e.g. {@code event:<event id>} or {@code timer:<key>}
     * @return the dead letter to emit on {@link #INTERNAL_ERRORS}
     */
    public DeadLetter isolate(Exception failure, String payload, String source) throws Exception {
        if (failure instanceof InterruptedException || fromStateBackend(failure)) {
            throw failure;
        }
        consecutive++;
        if (consecutive >= MAX_CONSECUTIVE) {
            LOG.error(
                    "Stage {} failed on {} records in a row: failing the task", stage, consecutive);
            throw failure;
        }
        total++;
        if (isolated != null) {
            isolated.inc();
        }
        if (total <= LOGGED_IN_FULL) {
            LOG.error(
                    "Stage {} failed on a record ({}); it goes to the dead letters as internal,"
                            + " the job goes on",
                    stage,
                    source,
                    failure);
        } else if (total % 1000 == 0) {
            LOG.error(
                    "Stage {} failed on {} records so far (latest: {}: {})",
                    stage,
                    total,
                    source,
                    failure.toString());
        }
        return new DeadLetter(
                ErrorCode.INTERNAL.code(),
                "stage " + stage + " failed on this record: " + describe(failure),
                payload,
                source);
    }

    /**
     * An event as JSON for its dead letter (see {@link EventJson}), its id values masked (PII ids
     * are hashed, PII traits too, but the other ids would be plain: docs/contract.md §4.1); null if
     * even that fails.
     */
    public static String payload(Event e) {
        try {
            return PayloadMask.IDS_ONLY.mask(EventJson.toJson(e), false);
        } catch (RuntimeException ex) {
            return null;
        }
    }

    private static boolean fromStateBackend(Throwable t) {
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t.getClass().getName().equals("org.rocksdb.RocksDBException")) {
                return true;
            }
        }
        return false;
    }

    /** The exception and its causes on one line, bounded. */
    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        Throwable c = t.getCause();
        for (int depth = 0; c != null && depth < 4; depth++, c = c.getCause()) {
            sb.append(" <- ").append(c);
        }
        return sb.length() > 400 ? sb.substring(0, 400) + "…" : sb.toString();
    }
}
