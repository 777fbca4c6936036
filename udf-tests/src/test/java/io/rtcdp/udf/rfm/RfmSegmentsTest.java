package io.rtcdp.udf.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RfmSegmentsTest {

    @Test
    void everyScoreTripleHasExactlyOneKnownSegmentAndEverySegmentIsUsed() {
        Set<String> used = new HashSet<>();
        int cells = 0;
        for (int r = 1; r <= 5; r++) {
            for (int f = 1; f <= 5; f++) {
                for (int m = 1; m <= 5; m++) {
                    String s = RfmSegments.of(r, f, m);
                    assertThat(RfmSegments.ALL).as("%d%d%d", r, f, m).contains(s);
                    assertThat(RfmScore.of(r, f, m).segment()).isEqualTo(s);
                    used.add(s);
                    cells++;
                }
            }
        }
        assertThat(cells).isEqualTo(125);
        assertThat(used).containsExactlyInAnyOrderElementsOf(RfmSegments.ALL);
        assertThat(RfmSegments.ALL).hasSize(11).doesNotHaveDuplicates();
    }

    @Test
    void fmIsTheMeanRoundedUp() {
        assertThat(RfmSegments.fm(1, 1)).isEqualTo(1);
        assertThat(RfmSegments.fm(1, 2)).isEqualTo(2);
        assertThat(RfmSegments.fm(3, 4)).isEqualTo(4);
        assertThat(RfmSegments.fm(5, 4)).isEqualTo(5);
        assertThat(RfmSegments.fm(1, 5)).isEqualTo(3);
    }

    @Test
    void namedCells() {
        assertThat(RfmSegments.of(5, 5, 5)).isEqualTo("champions");
        assertThat(RfmSegments.of(4, 4, 3)).isEqualTo("champions");
        assertThat(RfmSegments.of(3, 5, 4)).isEqualTo("loyal");
        assertThat(RfmSegments.of(5, 1, 1)).isEqualTo("new");
        assertThat(RfmSegments.of(4, 1, 1)).isEqualTo("promising");
        assertThat(RfmSegments.of(5, 1, 2)).isEqualTo("potential_loyalist");
        assertThat(RfmSegments.of(3, 3, 3)).isEqualTo("need_attention");
        assertThat(RfmSegments.of(3, 1, 2)).isEqualTo("about_to_sleep");
        assertThat(RfmSegments.of(2, 3, 4)).isEqualTo("at_risk");
        assertThat(RfmSegments.of(1, 5, 5)).isEqualTo("cannot_lose");
        assertThat(RfmSegments.of(2, 2, 1)).isEqualTo("hibernating");
        assertThat(RfmSegments.of(1, 1, 2)).isEqualTo("lost");
    }

    @Test
    void scoresOutsideOneToFiveAreRejected() {
        assertThatThrownBy(() -> RfmSegments.of(0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RFM score r must be 1..5, got 0");
        assertThatThrownBy(() -> RfmSegments.of(1, 6, 1))
                .hasMessage("RFM score f must be 1..5, got 6");
        assertThatThrownBy(() -> RfmSegments.of(1, 1, -1))
                .hasMessage("RFM score m must be 1..5, got -1");
        assertThatThrownBy(() -> new RfmScore(5, 5, 5, "lost"))
                .hasMessage("segment of 555 is champions, not lost");
    }

    /** The table in docs/rfm.md is the map the code implements, cell by cell. */
    @Test
    void documentedTableIsTheImplementedMap() throws IOException {
        Path doc = Path.of("../docs/rfm.md");
        List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        Map<Integer, List<String>> rows = new HashMap<>();
        for (String line : lines) {
            if (line.matches("\\| R=[1-5] \\|.*")) {
                List<String> cells = new ArrayList<>();
                for (String c : line.split("\\|")) {
                    cells.add(c.strip());
                }
                // "", "R=5", five cells
                int r = Integer.parseInt(cells.get(1).substring(2));
                assertThat(rows.put(r, cells.subList(2, 7))).as("row R=%d twice", r).isNull();
            }
        }
        assertThat(rows.keySet()).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        for (int r = 1; r <= 5; r++) {
            for (int f = 1; f <= 5; f++) {
                for (int m = 1; m <= 5; m++) {
                    assertThat(RfmSegments.of(r, f, m))
                            .as("R=%d F=%d M=%d in %s", r, f, m, Arrays.asList(rows.get(r)))
                            .isEqualTo(rows.get(r).get(RfmSegments.fm(f, m) - 1));
                }
            }
        }
    }
}
