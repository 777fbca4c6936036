package io.rtcdp.operators.identity;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.identity.OneIds;
import io.rtcdp.udf.profile.ProfileCommand;
import java.security.MessageDigest;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * The identity stage before OneID: an event belongs to the profile founded by its strongest id.
 * Stateless; the keyed identity resolver replaces it without changing the profile operator.
 */
public final class StrongestIdResolver extends RichMapFunction<Event, ProfileCommand> {
    private static final long serialVersionUID = 1L;

    private transient MessageDigest digest;

    @Override
    public ProfileCommand map(Event e) {
        if (digest == null) {
            digest = OneIds.newDigest();
        }
        return ProfileCommand.event(OneIds.of(e.tenant(), e.strongestId(), digest), e, e.ids());
    }
}
