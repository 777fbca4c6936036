package io.rtcdp.operators.identity;

import io.rtcdp.operators.ingest.Deduplicator.Verdict;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.identity.FragmentCommand;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * A harness of the identity stage's operator that also takes whole events, split as the job splits
 * them before the stage ({@link IdentityEvent.Split}).
 */
final class IdentityHarness
        extends KeyedTwoInputStreamOperatorTestHarness<
                String, IdentityEvent, Verdict, FragmentCommand> {

    IdentityHarness(TwoInputStreamOperator<IdentityEvent, Verdict, FragmentCommand> operator)
            throws Exception {
        super(operator, IdentityResolver.KEY, IdentityResolver.VERDICT_KEY, Types.STRING);
    }

    /** {@code e} into the events input, split into its head and body. */
    void processElement1(Event e, long timestamp) throws Exception {
        processElement1(new StreamRecord<>(IdentityEvent.of(e), timestamp));
    }
}
