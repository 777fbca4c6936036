package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FieldOverlayTest {

    /** Against the copy it replaces, on random maps with shared keys, empty maps included. */
    @Test
    void equalsTheMergedCopy() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 2_000; trial++) {
            Map<String, String> base = new LinkedHashMap<>();
            Map<String, String> over = new LinkedHashMap<>();
            for (int i = r.nextInt(12); i > 0; i--) {
                base.put("f" + r.nextInt(20), "b" + r.nextInt(5));
            }
            for (int i = r.nextInt(6); i > 0; i--) {
                over.put("f" + r.nextInt(25), "o" + r.nextInt(5));
            }
            Map<String, String> merged = new LinkedHashMap<>(base);
            merged.putAll(over);
            FieldOverlay view = new FieldOverlay(base, over);

            assertThat(view).isEqualTo(merged);
            assertThat(view.hashCode()).isEqualTo(merged.hashCode());
            assertThat(view.size()).isEqualTo(merged.size());
            List<String> keys = new ArrayList<>();
            view.forEach((k, v) -> keys.add(k));
            assertThat(keys).hasSize(merged.size()).doesNotHaveDuplicates();
            // the base's own fields first, in their order, then the overlay's
            List<String> expected = new ArrayList<>();
            base.keySet().stream().filter(k -> !over.containsKey(k)).forEach(expected::add);
            expected.addAll(over.keySet());
            assertThat(keys).isEqualTo(expected);
            for (int k = 0; k < 26; k++) {
                assertThat(view.get("f" + k)).isEqualTo(merged.get("f" + k));
                assertThat(view.containsKey("f" + k)).isEqualTo(merged.containsKey("f" + k));
            }
        }
    }

    @Test
    void isAViewThatCannotChangeItsMaps() {
        Map<String, String> base = new LinkedHashMap<>(Map.of("a", "1"));
        FieldOverlay view = new FieldOverlay(base, Map.of("b", "2"));
        assertThatThrownBy(() -> view.put("c", "3"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.entrySet().iterator().next().setValue("x"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(base).containsExactly(Map.entry("a", "1"));
    }

    @Test
    void serializesAsTheMapItStandsFor() throws Exception {
        ProfileUpdate u =
                new ProfileUpdate(
                        "t",
                        "o1",
                        3,
                        false,
                        new FieldOverlay(
                                new LinkedHashMap<>(Map.of("f.orders_total", "2")),
                                Map.of("score.purchase", "0.25")),
                        List.of(),
                        List.of());
        var out = new org.apache.flink.core.memory.DataOutputSerializer(64);
        ProfileUpdateSerializer.INSTANCE.serialize(u, out);
        ProfileUpdate back =
                ProfileUpdateSerializer.INSTANCE.deserialize(
                        new org.apache.flink.core.memory.DataInputDeserializer(
                                out.getSharedBuffer(), 0, out.length()));
        assertThat(back.set()).isEqualTo(Map.of("f.orders_total", "2", "score.purchase", "0.25"));
    }
}
