package io.rtcdp.operators.types;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.profile.Strings;
import io.rtcdp.udf.text.TextIntent;
import io.rtcdp.udf.text.TextSentiment;
import io.rtcdp.udf.text.TextSignal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link Event}, the record between ingest, identity and profile. Events are sent
 * between operators only, never kept in state (the job refuses unaligned checkpoints, which would
 * persist records in flight); until 2026-12-07 the identity stage kept waiting events as bytes of
 * this format, and the readers of older versions ({@link #deserialize(DataInputView, int)}) date
 * from then. Counts are varints: neither ids nor traits nor order lines are limited to 65535 by the
 * encoding.
 *
 * <p>Versions: 3, the first; 4 adds the order lines ({@link Event#items()}) after {@code
 * ingestedAt}: a count, then per line its sku, nullable category, quantity and price in micros; 5
 * adds the text signal ({@link Event#text()}) after them: a byte, 0 for none, else the intent's
 * ordinal + 1, then the intent's score, the sentiment's ordinal and its score. Version 3 reads as
 * events without order lines, 3 and 4 as events without a text signal.
 */
public final class EventSerializer extends CodecSerializer<Event> {
    private static final long serialVersionUID = 1L;

    public static final EventSerializer INSTANCE = new EventSerializer();

    /** The version of the format {@link #serialize} writes. */
    public static final int VERSION = 5;

    /** The version with order lines and without the text signal. */
    public static final int VERSION_WITHOUT_TEXT = 4;

    /** The first version, without order lines. */
    public static final int VERSION_WITHOUT_ITEMS = VersionedSnapshot.FIRST_VERSION;

    @Override
    public void serialize(Event e, DataOutputView out) throws IOException {
        writeString(e.tenant(), out);
        writeString(e.eventId(), out);
        out.writeByte(e.type().ordinal());
        writeNullableString(e.name(), out);
        out.writeLong(e.ts());
        writeNullableString(e.channel(), out);
        ProfileCommandSerializer.writeIds(e.ids(), out);
        writeProps(e, out);
        out.writeLong(e.ingestedAt());
        writeLinesAndText(e, out);
    }

    /**
     * Writes the fields of {@code e} that the identity stage reads, its head: tenant, event id,
     * type, event time, ingest time and ids. With {@link #writeBody} the whole event, in a layout
     * of its own (not this serializer's): the identity stage reads the head and passes the body on
     * as bytes it does not read ({@code IdentityEvent}).
     */
    public static void writeHead(Event e, DataOutputView out) throws IOException {
        writeHeadFields(e, out);
        ProfileCommandSerializer.writeIds(e.ids(), out);
    }

    /**
     * Writes the head as {@link #writeHead} does, but its ids as {@link EncodedIds} (their length,
     * then their bytes), so that a stage can read the head and pass the ids on without reading them
     * ({@link #readHeadKeepingIdBytes}).
     */
    public static void writeHeadWithIdBytes(Event e, DataOutputView out) throws IOException {
        writeHeadFields(e, out);
        EncodedIds.write(e.ids(), out);
    }

    private static void writeHeadFields(Event e, DataOutputView out) throws IOException {
        writeString(e.tenant(), out);
        writeString(e.eventId(), out);
        out.writeByte(e.type().ordinal());
        out.writeLong(e.ts());
        out.writeLong(e.ingestedAt());
    }

    /**
     * Reads what {@link #writeHeadWithIdBytes} wrote: a head whose ids are {@link EncodedIds}, read
     * into ids when the list is first read.
     */
    public static Event readHeadKeepingIdBytes(DataInputView in) throws IOException {
        return readHead(in, true);
    }

    /** Writes the fields of {@code e} that {@link #writeHead} does not. */
    public static void writeBody(Event e, DataOutputView out) throws IOException {
        writeNullableString(e.name(), out);
        writeNullableString(e.channel(), out);
        writeProps(e, out);
        writeLinesAndText(e, out);
    }

    /**
     * Reads what {@link #writeHead} wrote: an event with its head's fields, and none of its body's
     * (no name, channel, props, traits, order lines nor text signal).
     */
    public static Event readHead(DataInputView in) throws IOException {
        return readHead(in, false);
    }

    private static Event readHead(DataInputView in, boolean idBytes) throws IOException {
        String tenant = readSharedString(in);
        String eventId = readString(in);
        EventType type = EventType.ofOrdinal(in.readByte());
        long ts = in.readLong();
        long ingestedAt = in.readLong();
        List<Id> ids = idBytes ? EncodedIds.read(in) : ProfileCommandSerializer.readIds(in);
        return head(tenant, eventId, type, ts, ingestedAt, ids);
    }

    /** An event of these head fields and an empty body ({@link #readHead}). */
    public static Event head(
            String tenant, String eventId, EventType type, long ts, long ingestedAt, List<Id> ids) {
        return new Event(
                tenant,
                eventId,
                type,
                null,
                ts,
                null,
                ids,
                null,
                null,
                null,
                List.of(),
                null,
                null,
                Map.of(),
                null,
                ingestedAt,
                null);
    }

    /** Reads what {@link #writeBody} wrote: {@code head}, whole. */
    public static Event readBody(Event head, DataInputView in) throws IOException {
        String name = readNullableSharedString(in);
        String channel = readNullableSharedString(in);
        Long amount = in.readBoolean() ? in.readLong() : null;
        String category = readNullableString(in);
        String orderId = readNullableString(in);
        Boolean cm = untri(in.readByte());
        Boolean cp = untri(in.readByte());
        Map<String, String> traits = readTraits(in);
        String props = readNullableString(in);
        List<OrderItem> items = readItems(in);
        TextSignal text = readText(in);
        return new Event(
                head.tenant(),
                head.eventId(),
                head.type(),
                name,
                head.ts(),
                channel,
                head.ids(),
                amount,
                category,
                orderId,
                items,
                cm,
                cp,
                traits,
                props,
                head.ingestedAt(),
                text);
    }

    /** Amount, category, order id, consents, traits and props. */
    private static void writeProps(Event e, DataOutputView out) throws IOException {
        if (e.amountMicros() == null) {
            out.writeBoolean(false);
        } else {
            out.writeBoolean(true);
            out.writeLong(e.amountMicros());
        }
        writeNullableString(e.category(), out);
        writeNullableString(e.orderId(), out);
        out.writeByte(tri(e.consentMarketing()));
        out.writeByte(tri(e.consentPersonalization()));
        Map<String, String> traits = e.traits();
        Strings.writeVarInt(out, traits.size());
        for (Map.Entry<String, String> t : traits.entrySet()) {
            writeString(t.getKey(), out);
            writeString(t.getValue(), out);
        }
        writeNullableString(e.propsJson(), out);
    }

    private static Map<String, String> readTraits(DataInputView in) throws IOException {
        int nt = Strings.readVarInt(in);
        Map<String, String> traits = nt == 0 ? Map.of() : new HashMap<>(nt * 2);
        for (int i = 0; i < nt; i++) {
            traits.put(readString(in), readString(in));
        }
        return traits;
    }

    /** The order lines and the text signal. */
    private static void writeLinesAndText(Event e, DataOutputView out) throws IOException {
        List<OrderItem> items = e.items();
        Strings.writeVarInt(out, items.size());
        for (OrderItem item : items) {
            writeString(item.sku(), out);
            writeNullableString(item.category(), out);
            out.writeLong(item.quantity());
            out.writeLong(item.priceMicros());
        }
        TextSignal text = e.text();
        if (text == null) {
            out.writeByte(0);
        } else {
            out.writeByte(text.intent().ordinal() + 1);
            out.writeDouble(text.intentScore());
            out.writeByte(text.sentiment().ordinal());
            out.writeDouble(text.sentimentScore());
        }
    }

    @Override
    public Event deserialize(DataInputView in) throws IOException {
        return deserialize(in, VERSION);
    }

    /**
     * Reads an event as version {@code version} of this format wrote it: {@link #VERSION}, {@link
     * #VERSION_WITHOUT_TEXT} (an event without a text signal) or {@link #VERSION_WITHOUT_ITEMS} (an
     * event without order lines nor text signal).
     *
     * @throws IOException also for a version this serializer does not read
     */
    public Event deserialize(DataInputView in, int version) throws IOException {
        if (version < VERSION_WITHOUT_ITEMS || version > VERSION) {
            throw new IOException(
                    "EventSerializer reads versions "
                            + VERSION_WITHOUT_ITEMS
                            + " to "
                            + VERSION
                            + ", not "
                            + version);
        }
        // the tenant, event name, channel and id types take few values: shared strings
        String tenant = readSharedString(in);
        String eventId = readString(in);
        EventType type = EventType.ofOrdinal(in.readByte());
        String name = readNullableSharedString(in);
        long ts = in.readLong();
        String channel = readNullableSharedString(in);
        List<Id> ids = ProfileCommandSerializer.readIds(in);
        Long amount = in.readBoolean() ? in.readLong() : null;
        String category = readNullableString(in);
        String orderId = readNullableString(in);
        Boolean cm = untri(in.readByte());
        Boolean cp = untri(in.readByte());
        Map<String, String> traits = readTraits(in);
        String props = readNullableString(in);
        long ingestedAt = in.readLong();
        List<OrderItem> items = version == VERSION_WITHOUT_ITEMS ? List.of() : readItems(in);
        TextSignal text = version < VERSION ? null : readText(in);
        return new Event(
                tenant,
                eventId,
                type,
                name,
                ts,
                channel,
                ids,
                amount,
                category,
                orderId,
                items,
                cm,
                cp,
                traits,
                props,
                ingestedAt,
                text);
    }

    private static TextSignal readText(DataInputView in) throws IOException {
        int intent = in.readByte();
        if (intent == 0) {
            return null;
        }
        if (intent < 0 || intent > INTENTS.length) {
            throw new IOException("corrupt event: no intent number " + (intent - 1));
        }
        double intentScore = in.readDouble();
        int sentiment = in.readByte();
        if (sentiment < 0 || sentiment >= SENTIMENTS.length) {
            throw new IOException("corrupt event: no sentiment number " + sentiment);
        }
        return new TextSignal(
                INTENTS[intent - 1], intentScore, SENTIMENTS[sentiment], in.readDouble());
    }

    private static final TextIntent[] INTENTS = TextIntent.values();
    private static final TextSentiment[] SENTIMENTS = TextSentiment.values();

    private static List<OrderItem> readItems(DataInputView in) throws IOException {
        int n = Strings.readVarInt(in);
        if (n == 0) {
            return List.of();
        }
        List<OrderItem> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(
                    new OrderItem(
                            readString(in), readNullableString(in), in.readLong(), in.readLong()));
        }
        return Collections.unmodifiableList(items);
    }

    private static int tri(Boolean b) {
        return b == null ? 0 : (b ? 2 : 1);
    }

    private static Boolean untri(byte b) {
        return b == 0 ? null : b == 2;
    }

    @Override
    public VersionedSnapshot<Event> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Snapshot of the stateless singleton. Events are never Flink state, so no reader of an older
     * version is named here.
     */
    public static final class Snapshot extends VersionedSnapshot<Event> {
        public Snapshot() {
            super(INSTANCE, VERSION, Map.of());
        }
    }
}
