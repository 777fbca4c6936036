package io.rtcdp.operators.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.identity.FragmentStore;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventFuzz;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.testing.Events;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Issue 17: whatever a producer sends, what the parser makes of it passes through the job's
 * serializers unchanged, events between operators and the profile features in state. A text the
 * serializers' UTF-8 cannot carry (an unpaired surrogate) would come back different here.
 */
class EventSerializerFuzzTest {

    private final EventParser parser = new EventParser(EventFuzz.CONFIG);

    @Provide
    Arbitrary<byte[]> records() {
        return EventFuzz.records();
    }

    @Provide
    Arbitrary<List<byte[]>> histories() {
        return EventFuzz.events().list().ofMinSize(1).ofMaxSize(30);
    }

    private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T copy = serializer.deserialize(in);
        assertThat(in.available()).as("bytes left").isZero();
        return copy;
    }

    @Property(tries = 1000)
    void everyParseResultRoundTrips(@ForAll("records") byte[] record) throws Exception {
        Parsed parsed = parser.parse(record, "rtcdp.events/0/9");
        EventFuzz.check(parsed, record, "rtcdp.events/0/9");
        assertThat(roundTrip(ParsedSerializer.INSTANCE, parsed)).isEqualTo(parsed);
        if (parsed.isValid()) {
            Event stamped = parsed.event().withIngestedAt(1_700_000_000_123L);
            assertThat(roundTrip(EventSerializer.INSTANCE, stamped)).isEqualTo(stamped);
        } else {
            assertThat(
                            roundTrip(
                                    ParsedSerializer.DeadLetterSerializer.INSTANCE,
                                    parsed.deadLetter()))
                    .isEqualTo(parsed.deadLetter());
        }
    }

    @Property(tries = 300)
    void profileFeaturesOfFuzzedEventsRoundTrip(@ForAll("histories") List<byte[]> records)
            throws Exception {
        ProfileFeatures features = new ProfileFeatures();
        for (byte[] record : records) {
            Parsed parsed = parser.parse(record, "f.jsonl:1");
            if (parsed.isValid()) {
                features.add(parsed.event());
            }
        }
        DataOutputSerializer out = new DataOutputSerializer(256);
        features.write(out);
        ProfileFeatures read =
                ProfileFeatures.read(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read).isEqualTo(features);
        assertThat(roundTrip(FragmentStore.FeaturesSerializer.INSTANCE, features))
                .isEqualTo(features);
    }

    /** Counts used to be written as shorts: 70,000 ids came back as 4,464. */
    @Example
    void countsOfIdsAndTraitsAreNotLimitedByTheEncoding() throws Exception {
        List<Id> ids = new ArrayList<>();
        Map<String, String> traits = new HashMap<>();
        OrderItem[] items = new OrderItem[70_000];
        for (int i = 0; i < 70_000; i++) {
            ids.add(new Id("x_t", "v" + i));
            traits.put("k" + i, "v");
            items[i] = new OrderItem("s" + i, null, 1, i);
        }
        Event big =
                Events.of(EventType.IDENTIFY)
                        .eventId("e-1")
                        .at(1L)
                        .ids(ids)
                        .traits(traits)
                        .items(items)
                        .ingestedAt(5L)
                        .build();
        assertThat(roundTrip(EventSerializer.INSTANCE, big)).isEqualTo(big);

        Event small = Events.page().eventId("e-1").at(1L).ids(new Id("cookie_id", "c")).build();
        DataOutputSerializer out = new DataOutputSerializer(64);
        EventSerializer.INSTANCE.serialize(small, out);
        // tenant 5, event_id 4, type 1, name 1, ts 8, channel 1, count 1, id 10 + 2, amount 1,
        // category 1, order_id 1, consents 2, count 1, props 1, ingested_at 8, items count 1,
        // text signal 1
        assertThat(out.length()).isEqualTo(50);
    }
}
