package io.rtcdp.operators.identity;

import io.rtcdp.udf.identity.FragmentCommand;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.graph.StreamConfig;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.StreamTask;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * The identity stage's operator: {@link IdentityResolver}, whose watermark stays behind the events
 * that wait for their turn ({@link SequenceGate}).
 *
 * <p>The stage takes an event up once the events before it of its source subtask have come, each
 * through one of the dedupe stage's subtasks. The input's watermark is the smallest of its
 * channels', an idle channel left out: when the events come again after a quiet spell (every source
 * idle), the channel of one dedupe subtask may turn active and bring a watermark while another's,
 * which carries an earlier event of the same source subtask, is still idle, and the stage's
 * watermark would pass events that still wait for their turn. Let in after it, they would be late
 * downstream, and a refresh timer a late event sets behind the watermark fires only when the
 * watermark moves again, which in a quiet spell may be never. So the watermark sent on is the
 * input's watermark held to just before the earliest waiting event; the held part goes on as soon
 * as the events are let in. The stage's timers still go by the input's watermark (they only send
 * tenant clocks ahead of the watermark, which holding it back keeps true).
 *
 * <p>Likewise the stage does not tell downstream that it is idle while it holds its watermark back:
 * an idle channel's watermark is left out, so the held part could never go on. It says so once what
 * it held has gone on.
 */
public final class IdentityResolverOperator
        extends KeyedProcessOperator<String, IdentityEvent, FragmentCommand> {
    private static final long serialVersionUID = 1L;

    private transient HeldWatermarks held;

    public IdentityResolverOperator(IdentityResolver resolver) {
        super(resolver);
    }

    @Override
    protected void setup(
            StreamTask<?, ?> containingTask,
            StreamConfig config,
            Output<StreamRecord<FragmentCommand>> output) {
        held = new HeldWatermarks(output, (IdentityResolver) userFunction);
        super.setup(containingTask, config, held);
    }

    @Override
    public void processElement(StreamRecord<IdentityEvent> element) throws Exception {
        super.processElement(element);
        held.release();
    }

    /** The output, with the watermark held behind the earliest waiting event. */
    static final class HeldWatermarks implements Output<StreamRecord<FragmentCommand>> {
        private final Output<StreamRecord<FragmentCommand>> out;
        private final IdentityResolver resolver;

        /** The input's watermark, as the operator would send it on. */
        private long input = Long.MIN_VALUE;

        /** The watermark sent on. */
        private long sent = Long.MIN_VALUE;

        /** The input went idle while the watermark was held back: said once it has gone on. */
        private boolean idlePending;

        HeldWatermarks(Output<StreamRecord<FragmentCommand>> out, IdentityResolver resolver) {
            this.out = out;
            this.resolver = resolver;
        }

        @Override
        public void emitWatermark(Watermark mark) {
            input = Math.max(input, mark.getTimestamp());
            release();
        }

        /** Sends on as much of the input's watermark as the waiting events allow. */
        void release() {
            if (sent < input) {
                long earliest = resolver.earliestWaiting();
                // at the end of the input no event comes any more: all of it goes on
                long allowed =
                        earliest == Long.MAX_VALUE || input == Long.MAX_VALUE
                                ? input
                                : Math.min(input, earliest - 1);
                if (allowed > sent) {
                    sent = allowed;
                    out.emitWatermark(new Watermark(allowed));
                }
            }
            if (idlePending && sent == input) {
                idlePending = false;
                out.emitWatermarkStatus(WatermarkStatus.IDLE);
            }
        }

        @Override
        public void emitWatermarkStatus(WatermarkStatus status) {
            if (status.isIdle()) {
                if (sent < input) {
                    idlePending = true;
                } else {
                    out.emitWatermarkStatus(status);
                }
            } else if (idlePending) {
                // idle was not said: downstream still takes this channel as active
                idlePending = false;
            } else {
                out.emitWatermarkStatus(status);
            }
        }

        @Override
        public void collect(StreamRecord<FragmentCommand> record) {
            out.collect(record);
        }

        @Override
        public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
            out.collect(tag, record);
        }

        @Override
        public void emitLatencyMarker(LatencyMarker marker) {
            out.emitLatencyMarker(marker);
        }

        @Override
        public void emitRecordAttributes(RecordAttributes attributes) {
            out.emitRecordAttributes(attributes);
        }

        @Override
        public void emitWatermark(WatermarkEvent watermark) {
            out.emitWatermark(watermark);
        }

        @Override
        public void close() {
            out.close();
        }
    }
}
