package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The README's Configuration table is the one {@link RtcdpOptions} describes: every setting once,
 * with its default and description. When it differs, the failure prints the table to paste.
 */
class ReadmeConfigurationTest {
    static final Path README =
            Path.of(System.getProperty("rtcdp.repo", "..")).toAbsolutePath().resolve("README.md");
    static final String MARKER =
            "<!-- settings: generated from RtcdpOptions, checked by ReadmeConfigurationTest -->";

    @Test
    void theReadmesTableIsTheOptions() throws IOException {
        String expected = table();
        assertThat(readmeTable())
                .as("the table after %s in README.md; it must be:%n%n%s%n", MARKER, expected)
                .isEqualTo(expected);
    }

    @Test
    void everyKeyIsDocumentedOnce() {
        Set<String> keys = new HashSet<>();
        for (RtcdpOptions.Setting<?> s : RtcdpOptions.all()) {
            assertThat(keys.add(s.documentedKey())).as(s.documentedKey()).isTrue();
            assertThat(s.description()).as(s.documentedKey()).isNotBlank();
        }
    }

    /** The Markdown table of the settings. */
    static String table() {
        List<String> rows = new ArrayList<>();
        rows.add("| key | default | meaning |");
        rows.add("|---|---|---|");
        for (RtcdpOptions.Setting<?> s : RtcdpOptions.all()) {
            Object d = s.option().hasDefaultValue() ? s.option().defaultValue() : null;
            rows.add(
                    "| `" + s.documentedKey() + "` | " + value(d) + " | " + s.description() + " |");
        }
        return String.join("\n", rows);
    }

    private static String value(Object v) {
        if (v == null || v instanceof Map<?, ?> m && m.isEmpty()) {
            return "none";
        }
        return "`" + (v instanceof Duration d ? duration(d) : v.toString()) + "`";
    }

    /** In the largest unit that is exact: {@code 7d}, {@code 1h}, {@code 5m}, {@code 20ms}. */
    private static String duration(Duration d) {
        long ms = d.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }

    private static String readmeTable() throws IOException {
        List<String> lines = Files.readAllLines(README);
        int at = lines.indexOf(MARKER);
        assertThat(at).as("README.md has the line %s", MARKER).isNotNegative();
        List<String> table = new ArrayList<>();
        for (String l : lines.subList(at + 1, lines.size())) {
            if (!l.startsWith("|")) {
                break;
            }
            table.add(l);
        }
        return String.join("\n", table);
    }
}
