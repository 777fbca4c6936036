package io.rtcdp.operators.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.profile.Strings;
import io.rtcdp.udf.testing.Events;
import io.rtcdp.udf.text.TextIntent;
import io.rtcdp.udf.text.TextSentiment;
import io.rtcdp.udf.text.TextSignal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.junit.jupiter.api.Test;

/**
 * Version 4 of {@link EventSerializer} carries order lines, version 5 the text signal; versions 3
 * and 4 (before them) are still read, where an earlier release's waiting events of formats 1 and 2
 * need them.
 */
class EventSerializerVersionsTest {
    /**
     * {@link SerializerSamples#events()} as version 3 wrote them: the golden file of that version,
     * kept when version 4 replaced it.
     */
    static final Path V3_SAMPLES =
            Path.of("src/test/resources/serializer-old/EventSerializer-v3.bin");

    /**
     * {@link SerializerSamples#eventsWithItems()} as version 4 wrote them: the golden file of that
     * version, kept when version 5 replaced it.
     */
    static final Path V4_SAMPLES =
            Path.of("src/test/resources/serializer-old/EventSerializer-v4.bin");

    private static byte[] write(List<Event> events) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (Event e : events) {
            EventSerializer.INSTANCE.serialize(e, out);
        }
        return out.getCopyOfBuffer();
    }

    @Test
    void orderLinesRoundTripInTheirOrder() throws IOException {
        Event e =
                Events.track(Event.ORDER_COMPLETED)
                        .ids(new Id("user_id", "u1"))
                        .amountMicros(8_100_000L)
                        .items(
                                new OrderItem("85123A", "home", 2, 2_550_000L),
                                new OrderItem("22423", null, 1, 3_000_000L),
                                new OrderItem("85123A", "home", 1, 0L),
                                new OrderItem("s".repeat(64), "新客", 1_000_000_000L, Long.MAX_VALUE))
                        .propsJson("{\"items\":[]}")
                        .ingestedAt(42)
                        .build();
        DataInputDeserializer in = new DataInputDeserializer(write(List.of(e, e.withoutIds())));

        Event back = EventSerializer.INSTANCE.deserialize(in);
        assertThat(back).isEqualTo(e);
        assertThat(back.items()).containsExactlyElementsOf(e.items());
        assertThat(EventSerializer.INSTANCE.deserialize(in)).isEqualTo(e.withoutIds());
        assertThat(in.available()).isZero();
    }

    /** The bytes the previous release wrote read as the same events, without order lines. */
    @Test
    void versionThreeBytesReadAsEventsWithoutOrderLines() throws IOException {
        List<Event> samples = SerializerSamples.events();
        DataInputDeserializer in = new DataInputDeserializer(Files.readAllBytes(V3_SAMPLES));

        List<Event> read = new ArrayList<>();
        while (in.available() > 0) {
            read.add(
                    EventSerializer.INSTANCE.deserialize(
                            in, EventSerializer.VERSION_WITHOUT_ITEMS));
        }

        assertThat(read).containsExactlyElementsOf(samples);
        assertThat(read).allSatisfy(e -> assertThat(e.items()).isEmpty());
    }

    /** The old format as a writer of it, byte for byte what version 3 wrote. */
    @Test
    void aVersionThreeWriterInTheTestWritesWhatVersionThreeWrote() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (Event e : SerializerSamples.events()) {
            writeV3(e, out);
        }
        assertThat(out.getCopyOfBuffer()).isEqualTo(Files.readAllBytes(V3_SAMPLES));

        Event withItems = SerializerSamples.eventsWithItems().get(3);
        out.clear();
        writeV3(withItems, out);
        Event back =
                EventSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        EventSerializer.VERSION_WITHOUT_ITEMS);
        assertThat(back.items()).isEmpty();
        assertThat(Events.from(back).items(withItems.items().toArray(new OrderItem[0])).build())
                .isEqualTo(withItems);
    }

    /** The bytes of the release before text signals read as the same events, without one. */
    @Test
    void versionFourBytesReadAsEventsWithoutTextSignal() throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(Files.readAllBytes(V4_SAMPLES));
        List<Event> read = new ArrayList<>();
        while (in.available() > 0) {
            read.add(
                    EventSerializer.INSTANCE.deserialize(in, EventSerializer.VERSION_WITHOUT_TEXT));
        }
        assertThat(read).containsExactlyElementsOf(SerializerSamples.eventsWithItems());
        assertThat(read).allSatisfy(e -> assertThat(e.text()).isNull());
    }

    @Test
    void aTextSignalRoundTripsAndACorruptOneIsRefused() throws IOException {
        Event e =
                Events.track("chat_message")
                        .ids(new Id("user_id", "u1"))
                        .text(
                                new TextSignal(
                                        TextIntent.CHURN_THREAT, 0.5, TextSentiment.POSITIVE, 1))
                        .build();
        byte[] bytes = write(List.of(e));
        assertThat(EventSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes)))
                .isEqualTo(e);
        // the sentiment's ordinal is the byte after the intent's score, 9 bytes before the end
        bytes[bytes.length - 9] = 7;
        assertThatThrownBy(
                        () ->
                                EventSerializer.INSTANCE.deserialize(
                                        new DataInputDeserializer(bytes)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt event: no sentiment number 7");
    }

    @Test
    void anUnknownVersionIsRefused() {
        DataInputDeserializer in = new DataInputDeserializer(new byte[16]);
        assertThatThrownBy(() -> EventSerializer.INSTANCE.deserialize(in, 6))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("reads versions 3 to 5, not 6");
        assertThat(EventSerializer.INSTANCE.snapshotConfiguration().getCurrentVersion())
                .isEqualTo(EventSerializer.VERSION)
                .isEqualTo(5);
    }

    /** Version 3's {@code serialize}, as it was. */
    static void writeV3(Event e, DataOutputView out) throws IOException {
        CodecSerializer.writeString(e.tenant(), out);
        CodecSerializer.writeString(e.eventId(), out);
        out.writeByte(e.type().ordinal());
        CodecSerializer.writeNullableString(e.name(), out);
        out.writeLong(e.ts());
        CodecSerializer.writeNullableString(e.channel(), out);
        Strings.writeVarInt(out, e.ids().size());
        for (Id id : e.ids()) {
            CodecSerializer.writeString(id.type(), out);
            CodecSerializer.writeString(id.value(), out);
        }
        out.writeBoolean(e.amountMicros() != null);
        if (e.amountMicros() != null) {
            out.writeLong(e.amountMicros());
        }
        CodecSerializer.writeNullableString(e.category(), out);
        CodecSerializer.writeNullableString(e.orderId(), out);
        out.writeByte(tri(e.consentMarketing()));
        out.writeByte(tri(e.consentPersonalization()));
        Strings.writeVarInt(out, e.traits().size());
        for (Map.Entry<String, String> t : e.traits().entrySet()) {
            CodecSerializer.writeString(t.getKey(), out);
            CodecSerializer.writeString(t.getValue(), out);
        }
        CodecSerializer.writeNullableString(e.propsJson(), out);
        out.writeLong(e.ingestedAt());
    }

    private static int tri(Boolean b) {
        return b == null ? 0 : (b ? 2 : 1);
    }
}
