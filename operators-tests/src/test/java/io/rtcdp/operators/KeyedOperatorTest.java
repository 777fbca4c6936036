package io.rtcdp.operators;

import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test of one keyed process function with a string key: an open harness {@link #h} per test,
 * closed after it, elements sent at time 0, the output taken as it comes, and a restore from a
 * snapshot into a new harness.
 */
public abstract class KeyedOperatorTest<I, O> {
    protected KeyedOneInputStreamOperatorTestHarness<String, I, O> h;

    /** A new instance of the function under test. */
    protected abstract KeyedProcessFunction<String, I, O> function();

    /** How the function's input is keyed. */
    protected abstract KeySelector<I, String> key();

    @BeforeEach
    void open() throws Exception {
        h = newHarness();
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /** The operator under test: the function's, unless the stage has its own. */
    protected org.apache.flink.streaming.api.operators.OneInputStreamOperator<I, O> operator() {
        return new KeyedProcessOperator<>(function());
    }

    private KeyedOneInputStreamOperatorTestHarness<String, I, O> newHarness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(operator(), key(), Types.STRING);
    }

    protected void send(I in) throws Exception {
        h.processElement(in, 0);
    }

    /** The values sent since the last call. */
    protected List<O> drain() {
        List<O> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    /**
     * Snapshots the state (checkpoint 1, taken at {@code timestamp}), closes the harness and opens
     * a new one restored from the snapshot.
     */
    protected void restore(long timestamp) throws Exception {
        // as a task does: the operator's last work before the barrier, then the snapshot
        h.prepareSnapshotPreBarrier(1);
        var snapshot = h.snapshot(1, timestamp);
        h.close();
        h = newHarness();
        h.initializeState(snapshot);
        h.open();
    }
}
