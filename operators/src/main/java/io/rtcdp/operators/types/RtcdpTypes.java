package io.rtcdp.operators.types;

import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.profile.ProfileState;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** TypeInformation of every record and state type of the pipeline: no Kryo anywhere. */
public final class RtcdpTypes {
    public static final TypeInformation<Event> EVENT =
            new CodecTypeInfo<>(Event.class, EventSerializer.INSTANCE);
    public static final TypeInformation<Parsed> PARSED =
            new CodecTypeInfo<>(Parsed.class, ParsedSerializer.INSTANCE);
    public static final TypeInformation<DeadLetter> DEAD_LETTER =
            new CodecTypeInfo<>(DeadLetter.class, ParsedSerializer.DeadLetterSerializer.INSTANCE);
    public static final TypeInformation<ProfileCommand> PROFILE_COMMAND =
            new CodecTypeInfo<>(ProfileCommand.class, ProfileCommandSerializer.INSTANCE);
    public static final TypeInformation<FragmentCommand> FRAGMENT_COMMAND =
            new CodecTypeInfo<>(FragmentCommand.class, FragmentCommandSerializer.INSTANCE);
    public static final TypeInformation<ProfileState> PROFILE_STATE =
            new CodecTypeInfo<>(ProfileState.class, ProfileStateSerializer.INSTANCE);

    private RtcdpTypes() {}
}
