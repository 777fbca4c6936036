package io.rtcdp.operators.identity;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.identity.FragmentCommand;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * A harness of the identity stage's operator that also takes whole events, split and numbered as
 * the job splits and numbers them before the dedupe stage ({@link IdentityEvent.Split}): each
 * tenant's events of each origin from 0, again in a new harness (as after a restore).
 */
final class IdentityHarness
        extends KeyedOneInputStreamOperatorTestHarness<String, IdentityEvent, FragmentCommand> {
    private final Map<String, long[]> next = new HashMap<>();

    IdentityHarness(OneInputStreamOperator<IdentityEvent, FragmentCommand> operator)
            throws Exception {
        super(operator, IdentityResolver.KEY, Types.STRING);
    }

    /** {@code e} split, at the next place of its tenant's events of {@code origin}. */
    IdentityEvent split(Event e, int origin) {
        long seq = next.computeIfAbsent(e.tenant() + '/' + origin, k -> new long[1])[0]++;
        return IdentityEvent.of(e).at(origin, seq);
    }

    /** {@code e} into the stage in its turn (origin 0), passed by the dedupe stage. */
    void send(Event e, long timestamp) throws Exception {
        send(split(e, 0), timestamp);
    }

    void send(IdentityEvent e, long timestamp) throws Exception {
        processElement(new StreamRecord<>(e, timestamp));
    }
}
