package io.rtcdp.operators.identity;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.identity.OneIds;
import io.rtcdp.udf.identity.ResolvedEvent;
import java.security.MessageDigest;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * The identity stage before OneID: an event belongs to the profile founded by its strongest id.
 * Stateless; it is replaced by the keyed identity resolver, which emits the same {@link
 * ResolvedEvent}, without changing the profile operator.
 */
public final class StrongestIdResolver extends RichMapFunction<Event, ResolvedEvent> {
    private static final long serialVersionUID = 1L;

    private transient MessageDigest digest;

    @Override
    public ResolvedEvent map(Event e) {
        if (digest == null) {
            digest = OneIds.newDigest();
        }
        return new ResolvedEvent(OneIds.of(e.tenant(), e.strongestId(), digest), e);
    }
}
