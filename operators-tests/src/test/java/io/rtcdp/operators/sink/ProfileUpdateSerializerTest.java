package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class ProfileUpdateSerializerTest {

    private static final ProfileUpdateSerializer S = ProfileUpdateSerializer.INSTANCE;

    @Test
    void roundTripsATypicalUpdateKeepingFieldOrder() throws IOException {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("oneid", "o1");
        set.put("f.revenue_total", "123.45");
        set.put("tags", "vip,新客");
        set.put("empty", "");
        ProfileUpdate u =
                new ProfileUpdate(
                        "acme",
                        "o1",
                        Long.MAX_VALUE,
                        false,
                        set,
                        List.of("f.days_since_last_order"),
                        List.of("cookie_id:c1", "email:" + "ab".repeat(32)));

        ProfileUpdate copy = roundTrip(u);

        assertThat(copy).isEqualTo(u);
        assertThat(copy.set().keySet()).containsExactlyElementsOf(set.keySet());
    }

    @Test
    void roundTripsNullsAndEmptiesAsThemselves() throws IOException {
        ProfileUpdate nulls = new ProfileUpdate(null, "o", -1, true, null, null, null);
        ProfileUpdate empties = new ProfileUpdate("", "", 0, true, Map.of(), List.of(), List.of());
        ProfileUpdate nullElements =
                new ProfileUpdate(
                        "t", "o", 1, false, nullValueMap(), Arrays.asList("a", null), List.of());

        assertThat(roundTrip(nulls)).isEqualTo(nulls);
        assertThat(roundTrip(empties)).isEqualTo(empties);
        assertThat(roundTrip(nullElements)).isEqualTo(nullElements);
    }

    @Property(tries = 300)
    void roundTripsAnyUpdate(@ForAll("updates") ProfileUpdate u) throws IOException {
        assertThat(roundTrip(u)).isEqualTo(u);
        // The byte-level copy must produce a stream that deserializes to the same update.
        DataOutputSerializer out = new DataOutputSerializer(64);
        S.serialize(u, out);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        S.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
    }

    @Test
    void readsBackSeveralRecordsFromOneStream() throws IOException {
        List<ProfileUpdate> updates =
                List.of(
                        new ProfileUpdate(
                                "t", "a", 1, false, Map.of("x", "1"), List.of(), List.of()),
                        new ProfileUpdate("t", "b", 2, true, Map.of(), List.of(), List.of("u:1")),
                        new ProfileUpdate("t", "c", 3, false, Map.of(), List.of("x"), List.of()));
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (ProfileUpdate u : updates) {
            S.serialize(u, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        List<ProfileUpdate> read = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            read.add(S.deserialize(in));
        }
        assertThat(read).isEqualTo(updates);
        assertThat(in.available()).isZero();
    }

    @Test
    void typeInfoCreatesThisSerializerAndJavaSerializationKeepsTheSingleton() throws Exception {
        TypeSerializer<ProfileUpdate> fromTypeInfo =
                ProfileUpdateSerializer.TYPE_INFO.createSerializer(
                        new org.apache.flink.api.common.serialization.SerializerConfigImpl());
        assertThat(fromTypeInfo).isSameAs(S);
        assertThat(ProfileUpdateSerializer.TYPE_INFO.getTypeClass()).isEqualTo(ProfileUpdate.class);
        assertThat(InstantiationUtil.clone(S)).isSameAs(S);
        assertThat(S.duplicate()).isSameAs(S);
    }

    private static ProfileUpdate roundTrip(ProfileUpdate u) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        S.serialize(u, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        ProfileUpdate read = S.deserialize(in);
        assertThat(in.available()).isZero();
        return read;
    }

    private static Map<String, String> nullValueMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("a", null);
        m.put("b", "2");
        return m;
    }

    @Provide
    Arbitrary<ProfileUpdate> updates() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
        Arbitrary<Map<String, String>> set =
                Arbitraries.maps(text, text).ofMaxSize(30).map(LinkedHashMap::new);
        Arbitrary<List<String>> list = text.list().ofMaxSize(10);
        return Combinators.combine(
                        text,
                        text,
                        Arbitraries.longs(),
                        Arbitraries.of(true, false),
                        set.injectNull(0.05),
                        list.injectNull(0.05),
                        list.injectNull(0.05))
                .as(ProfileUpdate::new);
    }
}
