package io.rtcdp.operators.identity;

import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.EventSerializer;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * An event as the identity stage takes it: the fields it reads (its {@code head}: tenant, event id,
 * type, times and ids, {@link EventSerializer#writeHead}) and the rest as the bytes of {@link
 * EventSerializer#writeBody}, which the stage passes on to the fragment stage without reading them
 * ({@code FragmentCommand#eventBody}). The stage is serial per tenant (docs/oneid.md): whatever its
 * thread does per event limits how fast one tenant can go, so the event's props, traits, order
 * lines and text signal are turned into bytes before it, on the sources' threads, and parsed after
 * it, on the fragment stage's, which spread over every subtask.
 *
 * @param head the event's head; its body's fields are absent (null, or empty)
 * @param body the event's body as {@link EventSerializer#writeBody} wrote it
 */
public record IdentityEvent(Event head, byte[] body) {
    /** The type of the identity stage's event input. */
    public static final TypeInformation<IdentityEvent> TYPE =
            new CodecTypeInfo<>(IdentityEvent.class, IdentityEventSerializer.INSTANCE);

    /** {@code e} split into its head and its body's bytes. */
    public static IdentityEvent of(Event e) {
        return of(e, new DataOutputSerializer(64));
    }

    /** {@code e} split into its head and its body's bytes, written through {@code scratch}. */
    static IdentityEvent of(Event e, DataOutputSerializer scratch) {
        scratch.clear();
        try {
            EventSerializer.writeBody(e, scratch);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        Event head =
                EventSerializer.head(
                        e.tenant(), e.eventId(), e.type(), e.ts(), e.ingestedAt(), e.ids());
        return new IdentityEvent(head, scratch.getCopyOfBuffer());
    }

    /** The whole event, its body read back (for the rare paths that need it: commands, errors). */
    public Event whole() {
        try {
            return EventSerializer.readBody(head, new DataInputDeserializer(body));
        } catch (IOException corrupt) {
            throw new UncheckedIOException("corrupt event body of " + head.eventId(), corrupt);
        }
    }

    public String tenant() {
        return head.tenant();
    }

    public String eventId() {
        return head.eventId();
    }

    public EventType type() {
        return head.type();
    }

    public long ts() {
        return head.ts();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdentityEvent other
                && head.equals(other.head)
                && Arrays.equals(body, other.body);
    }

    @Override
    public int hashCode() {
        return 31 * head.hashCode() + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "IdentityEvent[" + head + ", body " + body.length + " bytes]";
    }

    /**
     * Splits each event into head and body where it is made (chained to the sources), so that the
     * identity stage's thread neither parses nor writes the body field by field.
     */
    public static final class Split implements MapFunction<Event, IdentityEvent> {
        private static final long serialVersionUID = 1L;

        private transient DataOutputSerializer scratch;

        @Override
        public IdentityEvent map(Event e) {
            if (scratch == null) {
                scratch = new DataOutputSerializer(256);
            }
            return of(e, scratch);
        }
    }
}
