package io.rtcdp.operators.sink;

import io.rtcdp.operators.DeadLetterMetrics;
import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.ErrorCode;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * {@link RedisProfileSink} as an operator whose output is the dead letters of the writes Redis
 * refused: the same writer, buffering, flushing and retrying as the sink (a Sink V2 writer cannot
 * emit records, so the rtcdp job writes through this operator instead).
 *
 * <pre>{@code
 * DataStream<DeadLetter> rejected = RedisWriteOperator.write(updates, sink, "redis-sink", "redis");
 * }</pre>
 *
 * <p><b>Flushes</b>: when the buffer is full, by the flush timer (processing time, in the task
 * thread), before every checkpoint barrier ({@link #prepareSnapshotPreBarrier}) and at the end of
 * input. So a completed checkpoint covers every write before its barrier, the guarantee of the
 * sink's {@code flush}; the dead letters of a flush before a barrier are emitted before it too. The
 * operator has no state: it can take the uid of a {@link RedisProfileSink} in an existing
 * savepoint.
 *
 * <p><b>Dead letters</b> (code {@code redis_rejected}, one per refused Redis command):
 *
 * <ul>
 *   <li>{@code message}: the reason ({@code wrongtype}, {@code noperm}, {@code oom}, {@code
 *       readonly}, {@code other}), the key and the first line of Redis's reply;
 *   <li>{@code source}: {@code redis:<key>};
 *   <li>{@code payload}: the refused write as compact JSON, {@code key} and {@code command} and
 *       <ul>
 *         <li>{@code profile}: {@code "del": true} if the hash was to be deleted (first), and for a
 *             write {@code "unset": [fields]} and {@code "set": {field: value}} (without {@code
 *             ver} and {@code updated_at}, which the writer sets);
 *         <li>{@code id}, {@code alias}: {@code "set": "<oneid>"} ({@code "ttl_seconds"} for an
 *             alias) or {@code "del": true};
 *         <li>{@code segment}: {@code "add": [oneids]} or {@code "remove": [oneids]}.
 *       </ul>
 * </ul>
 *
 * <p>Dead letters are at least once, like the writes: after a restart the writes since the last
 * checkpoint are tried again, and a write refused again is dead-lettered again.
 *
 * <p>Metrics: those of {@link RedisProfileSink}, plus {@code numRecordsSend} and the dead-letter
 * counter of the job ({@code deadLetters} in the group {@code errorCode=redis_rejected}).
 */
public final class RedisWriteOperator extends AbstractStreamOperator<DeadLetter>
        implements OneInputStreamOperator<ProfileUpdate, DeadLetter>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final RedisProfileSink sink;

    private transient RedisProfileWriter writer;
    private transient StreamRecord<DeadLetter> reuse;

    /** Writes as {@code sink} is configured. */
    public RedisWriteOperator(RedisProfileSink sink) {
        this.sink = sink;
    }

    /**
     * Writes {@code updates} to Redis as {@code sink} is configured, and returns the dead letters
     * of the writes Redis refused.
     *
     * <p>The operator is named {@code "<name>: Writer"}, as Flink names the writer of a sink, so
     * that its metrics keep the scope they had when the job wrote through {@link RedisProfileSink}
     * ({@code operator_name="redis:_Writer"} in Prometheus: dashboards and alerts stay valid). A
     * keyed input keeps its partitioning (all updates of a key reach one writer, in order), but the
     * operator is not keyed: it has no keyed state, and so no state backend instance of its own.
     */
    public static SingleOutputStreamOperator<DeadLetter> write(
            DataStream<ProfileUpdate> updates, RedisProfileSink sink, String uid, String name) {
        DataStream<ProfileUpdate> input =
                updates instanceof KeyedStream<ProfileUpdate, ?> keyed
                        ? new DataStream<>(
                                keyed.getExecutionEnvironment(), keyed.getTransformation())
                        : updates;
        return input.transform(
                        name + ": Writer", RtcdpTypes.DEAD_LETTER, new RedisWriteOperator(sink))
                .uid(uid);
    }

    @Override
    public void open() throws Exception {
        super.open();
        MetricGroup metrics = getMetricGroup();
        Counter recordsSend = metrics.counter("numRecordsSend");
        Counter deadLetters = DeadLetterMetrics.counter(metrics, ErrorCode.REDIS_REJECTED.code());
        reuse = new StreamRecord<>(null);
        writer =
                sink.createWriter(
                        getProcessingTimeService(),
                        metrics,
                        recordsSend,
                        rejected -> {
                            deadLetters.inc();
                            output.collect(reuse.replace(rejected.toDeadLetter()));
                        });
    }

    @Override
    public void processElement(StreamRecord<ProfileUpdate> element) throws Exception {
        writer.write(element.getValue(), null);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        writer.flush(false);
    }

    @Override
    public void endInput() throws Exception {
        writer.flush(true);
    }

    @Override
    public void finish() throws Exception {
        writer.flush(true);
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (writer != null) {
                writer.close();
            }
        } finally {
            super.close();
        }
    }
}
