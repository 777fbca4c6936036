package io.rtcdp.operators.ingest;

import io.rtcdp.operators.Counters;
import io.rtcdp.operators.DeadLetterMetrics;
import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.ErrorCode;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Parsed;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends valid events on and dead letters to the {@link #DEAD_LETTERS} side output.
 *
 * <p>It runs chained to the source, so it also stamps each event with the wall-clock time it
 * entered the job ({@link Event#ingestedAt()}), from which the Redis sink measures ingest lag.
 */
public final class ParsedRouter extends ProcessFunction<Parsed, Event> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", RtcdpTypes.DEAD_LETTER);

    /** The time after which valid events are left out (a replay to a cutoff). */
    private final long until;

    private transient Counter valid;
    private transient Counter invalid;
    private transient Counter afterUntil;
    private transient Map<String, Counter> deadLettersByCode;
    private transient MetricGroup metrics;
    private transient LongCounter validAcc;
    private transient LongCounter invalidAcc;

    /** Every valid event passes. */
    public ParsedRouter() {
        this(Long.MAX_VALUE);
    }

    /**
     * @param until valid events after this time (epoch ms) are left out and counted ({@code
     *     eventsAfterUntil}): a replay to a cutoff ({@code rtcdp replay --until})
     */
    public ParsedRouter(long until) {
        this.until = until;
    }

    @Override
    public void open(OpenContext ctx) {
        metrics = getRuntimeContext().getMetricGroup();
        afterUntil = metrics.counter("eventsAfterUntil");
        valid = metrics.counter("eventsValid");
        invalid = metrics.counter("eventsInvalid");
        // registered up front so that a code that never occurred reads 0 rather than absent
        deadLettersByCode = new HashMap<>();
        for (ErrorCode code : ErrorCode.values()) {
            deadLetterCounter(code.code());
        }
        validAcc = new LongCounter();
        invalidAcc = new LongCounter();
        getRuntimeContext().addAccumulator(Counters.VALID, validAcc);
        getRuntimeContext().addAccumulator(Counters.INVALID, invalidAcc);
    }

    @Override
    public void processElement(Parsed p, Context ctx, Collector<Event> out) {
        if (!p.isValid()) {
            invalid.inc();
            invalidAcc.add(1);
            DeadLetter d = p.deadLetter();
            deadLetterCounter(d.error()).inc();
            ctx.output(DEAD_LETTERS, d);
        } else if (p.event().ts() > until) {
            afterUntil.inc();
        } else {
            valid.inc();
            validAcc.add(1);
            out.collect(p.event().withIngestedAt(System.currentTimeMillis()));
        }
    }

    private Counter deadLetterCounter(String code) {
        Counter c = deadLettersByCode.get(code);
        if (c == null) {
            c = DeadLetterMetrics.counter(metrics, code);
            deadLettersByCode.put(code, c);
        }
        return c;
    }
}
