package io.rtcdp.operators.ingest;

import io.rtcdp.operators.Counters;
import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Parsed;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Sends valid events on and dead letters to the {@link #DEAD_LETTERS} side output. */
public final class ParsedRouter extends ProcessFunction<Parsed, Event> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", RtcdpTypes.DEAD_LETTER);

    private transient Counter valid;
    private transient Counter invalid;
    private transient LongCounter validAcc;
    private transient LongCounter invalidAcc;

    @Override
    public void open(OpenContext ctx) {
        valid = getRuntimeContext().getMetricGroup().counter("eventsValid");
        invalid = getRuntimeContext().getMetricGroup().counter("eventsInvalid");
        validAcc = new LongCounter();
        invalidAcc = new LongCounter();
        getRuntimeContext().addAccumulator(Counters.VALID, validAcc);
        getRuntimeContext().addAccumulator(Counters.INVALID, invalidAcc);
    }

    @Override
    public void processElement(Parsed p, Context ctx, Collector<Event> out) {
        if (p.isValid()) {
            valid.inc();
            validAcc.add(1);
            out.collect(p.event());
        } else {
            invalid.inc();
            invalidAcc.add(1);
            ctx.output(DEAD_LETTERS, p.deadLetter());
        }
    }
}
