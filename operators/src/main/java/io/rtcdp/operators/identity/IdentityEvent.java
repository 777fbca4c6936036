package io.rtcdp.operators.identity;

import io.rtcdp.operators.TenantMemo;
import io.rtcdp.operators.types.CodecTypeInfo;
import io.rtcdp.operators.types.EncodedIds;
import io.rtcdp.operators.types.EventSerializer;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
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
 * <p>On its way the event passes the dedupe stage, keyed by tenant and event id, which mixes the
 * order of one tenant's events: each event carries its place in its tenant's events of one source
 * subtask ({@code origin}, {@code seq}, given where it is split: {@link Split}), by which the
 * identity stage takes them up in that order again ({@link SequenceGate}), and the dedupe stage's
 * {@code verdict} on it.
 *
 * @param head the event's head; its body's fields are absent (null, or empty); its ids, from the
 *     split on, are {@link EncodedIds}: the dedupe stage passes them on without reading them
 * @param body the event's body as {@link EventSerializer#writeBody} wrote it; empty for a duplicate
 *     (nothing reads it)
 * @param origin the source subtask the event came from ({@link Split#origin})
 * @param seq its place among its tenant's events from that origin, from 0
 * @param verdict the dedupe stage's verdict ({@link Verdict#PASS} until it has judged)
 * @param failure why the dedupe stage could not judge the event (then {@link Verdict#FAILED}), or
 *     null
 */
public record IdentityEvent(
        Event head, byte[] body, int origin, long seq, Verdict verdict, String failure) {

    /** The dedupe stage's verdict on an event. */
    public enum Verdict {
        /** Not a repeat (or not judged yet): the identity stage takes it up. */
        PASS,
        /** A repeat within the dedupe window: it goes no further. */
        DUPLICATE,
        /** The dedupe stage failed on it: it becomes an {@code internal} dead letter. */
        FAILED
    }

    /** This event at {@code seq} of {@code origin}. */
    public IdentityEvent at(int origin, long seq) {
        return new IdentityEvent(head, body, origin, seq, verdict, failure);
    }

    /**
     * The event as a repeat: its place and head only (the identity stage moves its clock by it).
     */
    public IdentityEvent duplicate() {
        return new IdentityEvent(head, EMPTY, origin, seq, Verdict.DUPLICATE, null);
    }

    /** The event as one the dedupe stage failed on, for {@code reason}. */
    public IdentityEvent failed(String reason) {
        return new IdentityEvent(head, body, origin, seq, Verdict.FAILED, reason);
    }

    private static final byte[] EMPTY = new byte[0];

    /** The type of the identity stage's event input. */
    public static final TypeInformation<IdentityEvent> TYPE =
            new CodecTypeInfo<>(IdentityEvent.class, IdentityEventSerializer.INSTANCE);

    /** {@code e} split into its head and its body's bytes. */
    public static IdentityEvent of(Event e) {
        return of(e, new DataOutputSerializer(64));
    }

    /** {@code e} split into its head and its body's bytes, written through {@code scratch}. */
    static IdentityEvent of(Event e, DataOutputSerializer scratch) {
        return of(e, scratch, 0, 0);
    }

    /** {@code e} split, at {@code seq} of {@code origin}, written through {@code scratch}. */
    private static IdentityEvent of(Event e, DataOutputSerializer scratch, int origin, long seq) {
        scratch.clear();
        try {
            EventSerializer.writeBody(e, scratch);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        byte[] body = scratch.getCopyOfBuffer();
        // the ids as bytes too, here on the source's thread: the dedupe stage passes them on as
        // they are, and the identity stage reads them
        Event head =
                EventSerializer.head(
                        e.tenant(),
                        e.eventId(),
                        e.type(),
                        e.ts(),
                        e.ingestedAt(),
                        EncodedIds.encode(e.ids(), scratch));
        return new IdentityEvent(head, body, origin, seq, Verdict.PASS, null);
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
                && Arrays.equals(body, other.body)
                && origin == other.origin
                && seq == other.seq
                && verdict == other.verdict
                && Objects.equals(failure, other.failure);
    }

    @Override
    public int hashCode() {
        return Objects.hash(head, Arrays.hashCode(body), origin, seq, verdict, failure);
    }

    @Override
    public String toString() {
        return "IdentityEvent["
                + head
                + ", body "
                + body.length
                + " bytes, origin "
                + origin
                + " #"
                + seq
                + ", "
                + verdict
                + (failure == null ? "" : " (" + failure + ")")
                + "]";
    }

    /**
     * Splits each event into head and body where it is made (chained to the sources), so that the
     * identity stage's thread neither parses nor writes the body field by field, and numbers each
     * tenant's events of this subtask in their order ({@code seq}). The numbers are not kept in
     * state: with aligned checkpoints every event before a checkpoint's barrier has passed the
     * identity stage when the checkpoint is taken, and after a restore the numbers, here and there,
     * begin again from 0 (docs/oneid.md).
     */
    public static final class Split extends RichMapFunction<Event, IdentityEvent> {
        private static final long serialVersionUID = 1L;

        /** Which of a subtask's two kinds of input this split numbers: 0 events, 1 commands. */
        private final int kind;

        private transient DataOutputSerializer scratch;
        private transient int origin;

        /** Tenant → the next place of its events. */
        private transient TenantMemo<long[]> next;

        /** The split of the events. */
        public Split() {
            this(0);
        }

        private Split(int kind) {
            this.kind = kind;
        }

        /** The split of the operators' commands, numbered apart from the events. */
        public static Split commands() {
            return new Split(1);
        }

        /**
         * The origin of the records of {@code subtask} of a split of {@code kind}: events and
         * commands of one subtask are numbered apart, so each is an origin of its own.
         */
        static int origin(int subtask, int kind) {
            return 2 * subtask + kind;
        }

        @Override
        public void open(OpenContext ctx) {
            scratch = new DataOutputSerializer(256);
            origin = origin(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), kind);
            next = new TenantMemo<>(new HashMap<>(), t -> new long[1]);
        }

        @Override
        public IdentityEvent map(Event e) {
            return of(e, scratch, origin, next.get(e.tenant())[0]++);
        }
    }
}
