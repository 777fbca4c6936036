package io.rtcdp.operators.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.operators.identity.IdentityEvent;
import io.rtcdp.operators.identity.IdentityEventSerializer;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Id;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * An event's ids carried as bytes between the split and the identity stage: the same list as the
 * ids, and a stage that does not read them passes on exactly the bytes it got.
 */
class EncodedIdsTest {

    @Test
    void encodedIdsAreTheSameListAsTheIds() {
        Random r = new Random(7);
        DataOutputSerializer scratch = new DataOutputSerializer(8);
        for (int n = 0; n < 200; n++) {
            List<Id> ids = new ArrayList<>();
            int count = 1 + r.nextInt(6);
            for (int i = 0; i < count; i++) {
                String value =
                        r.nextBoolean()
                                ? Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong())
                                : "名前-" + r.nextInt(1000); // not ASCII
                ids.add(new Id(i % 2 == 0 ? "cookie_id" : "user_id", value));
            }
            EncodedIds encoded = EncodedIds.encode(ids, scratch);
            assertThat(encoded).isEqualTo(ids).hasSameHashCodeAs(ids);
            assertThat(ids).isEqualTo(encoded);
            assertThat(encoded.get(count - 1)).isEqualTo(ids.get(count - 1));
            assertThat(EncodedIds.encode(encoded, scratch)).isSameAs(encoded);
        }
    }

    @Test
    void aStageThatDoesNotReadTheIdsPassesTheirBytesOnAsTheyCame() throws IOException {
        IdentityEventSerializer s = IdentityEventSerializer.INSTANCE;
        for (Event e : SerializerSamples.eventsWithText()) {
            // as the split makes it: ids as bytes
            IdentityEvent split = IdentityEvent.of(e).at(1, 42);
            byte[] sent = bytes(s, split);
            // as the dedupe stage gets it and sends it on, its ids not read
            IdentityEvent judged = s.deserialize(new DataInputDeserializer(sent)).duplicate();
            byte[] passedOn = bytes(s, judged);
            assertThat(judged.head().ids()).isInstanceOf(EncodedIds.class);
            assertThat(((EncodedIds) judged.head().ids()).wasRead()).isFalse();
            // as the identity stage gets it: the same head, ids and all
            IdentityEvent got = s.deserialize(new DataInputDeserializer(passedOn));
            assertThat(got.head()).isEqualTo(split.head());
            assertThat(got.head().ids()).isEqualTo(e.ids());
            assertThat(bytes(s, got)).isEqualTo(passedOn);
            // a head whose ids are a plain list (read from the head's other format) is written
            // in the same bytes
            DataOutputSerializer head = new DataOutputSerializer(64);
            EventSerializer.writeHead(e, head);
            Event plain =
                    EventSerializer.readHead(new DataInputDeserializer(head.getCopyOfBuffer()));
            assertThat(plain.ids()).isNotInstanceOf(EncodedIds.class);
            IdentityEvent unsplit =
                    new IdentityEvent(plain, split.body(), 1, 42, split.verdict(), null);
            assertThat(bytes(s, unsplit)).isEqualTo(sent);
        }
    }

    @Test
    void corruptIdBytesFailWhenTheIdsAreRead() throws IOException {
        Event e = SerializerSamples.eventsWithText().get(0);
        DataOutputSerializer out = new DataOutputSerializer(64);
        EncodedIds.write(e.ids(), out);
        byte[] b = out.getCopyOfBuffer();
        // one byte more than the ids' encoding: the count of ids stays, the last value's bytes
        // are followed by garbage
        byte[] longer = new byte[b.length + 1];
        System.arraycopy(b, 0, longer, 0, b.length);
        longer[0]++;
        EncodedIds read = EncodedIds.read(new DataInputDeserializer(longer));
        assertThatThrownBy(read::size)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("corrupt encoded ids");
        byte[] empty = {0};
        assertThatThrownBy(() -> EncodedIds.read(new DataInputDeserializer(empty)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("encoded ids of length 0");
    }

    private static byte[] bytes(IdentityEventSerializer s, IdentityEvent e) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        s.serialize(e, out);
        return out.getCopyOfBuffer();
    }
}
