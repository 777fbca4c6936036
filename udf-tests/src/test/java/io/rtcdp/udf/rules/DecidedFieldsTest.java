package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecidedFieldsTest {
    @Test
    void onlyWhatDiffersFromTheLastWriteGoesIn() {
        DecisionState st = new DecisionState();
        DecidedFields first = new DecidedFields();
        first.rules(st, List.of("a", "b"), List.of("s1", "s2"), 3, false);
        assertThat(first.set)
                .containsExactly(Map.entry("tags", "a,b"), Map.entry("segments", "s1,s2"));
        assertThat(first.memberships).containsExactly(Map.entry("s1", true), Map.entry("s2", true));
        assertThat(st.tags).containsExactly("a", "b");
        assertThat(st.rulesVersion).isEqualTo(3);

        DecidedFields same = new DecidedFields();
        same.rules(st, List.of("a", "b"), List.of("s1", "s2"), 3, false);
        assertThat(same.isEmpty()).isTrue();

        // a segment left, one joined, the tags gone
        DecidedFields next = new DecidedFields();
        next.rules(st, List.of(), List.of("s2", "s3"), 4, false);
        assertThat(next.set).containsExactly(Map.entry("segments", "s2,s3"));
        assertThat(next.unset).containsExactly("tags");
        assertThat(next.memberships).containsExactly(Map.entry("s1", false), Map.entry("s3", true));

        // full: every field and every membership again
        DecidedFields full = new DecidedFields();
        full.rules(st, List.of(), List.of("s2", "s3"), 4, true);
        assertThat(full.unset).containsExactly("tags");
        assertThat(full.set).containsExactly(Map.entry("segments", "s2,s3"));
        assertThat(full.memberships).containsExactly(Map.entry("s2", true), Map.entry("s3", true));

        // no segments left: the field goes and every membership ends
        DecidedFields none = new DecidedFields();
        none.rules(st, List.of(), List.of(), 0, false);
        assertThat(none.unset).containsExactly("segments");
        assertThat(none.memberships)
                .containsExactly(Map.entry("s2", false), Map.entry("s3", false));
        assertThat(st.rulesVersion).isZero();
    }

    @Test
    void anRfmScoreIsItsFourFields() {
        DecidedFields d = new DecidedFields();
        d.rfm(new String[] {"5", "4", "3", "champions"});
        assertThat(d.set)
                .containsExactly(
                        Map.entry("rfm.r", "5"),
                        Map.entry("rfm.f", "4"),
                        Map.entry("rfm.m", "3"),
                        Map.entry("rfm.segment", "champions"));
        assertThat(d.isEmpty()).isFalse();
    }
}
