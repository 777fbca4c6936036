package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rtcdp rules validate}: exit 0 and a summary, or exit 2 and one line per problem. */
class RulesCommandTest {
    @TempDir Path tmp;

    /** exit code, stdout, stderr. */
    private static String[] run(String... args) {
        CliRun r = CliRun.of(args);
        return new String[] {Integer.toString(r.code()), r.out().trim(), r.err().trim()};
    }

    @Test
    void theShippedExamplesAreValid() {
        Path retail = Path.of("../examples/rules/retail.yaml");
        String[] r = run("rules", "validate", retail.toString());
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1])
                .isEqualTo(
                        retail
                                + ": valid, tenant retail version 1: 7 tags, 4 segments, 3 triggers"
                                + " (2 event-driven)");
        assertThat(r[2]).isEmpty();
        assertThat(run("rules", "validate", "../examples/rules/demo.yaml")[0]).isEqualTo("0");
    }

    @Test
    void anInvalidRuleSetPrintsEachProblemAndExitsWithTwo() throws Exception {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(
                f,
                """
                tenant: t
                version: 1
                tags:
                  - {name: ok, when: "f.orders_total > 0"}
                  - {name: typo, when: "f.order_total > 0"}
                  - {name: evt, when: "event.name == 'x'"}
                  - {name: vip, when: "traits.member_level == 'gold'"}
                """);
        String[] r = run("rules", "validate", f.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).isEmpty();
        assertThat(r[2].lines())
                .hasSize(3)
                .satisfiesExactly(
                        l ->
                                assertThat(l)
                                        .startsWith(f + ": tag 'typo': ")
                                        .contains("undefined field 'order_total'"),
                        l ->
                                assertThat(l)
                                        .startsWith(f + ": tag 'evt': ")
                                        .contains("event can only be used in triggers"),
                        l ->
                                assertThat(l)
                                        .isEqualTo(
                                                f
                                                        + ": tag 'vip': reads trait"
                                                        + " 'member_level', not in the rule set's"
                                                        + " traits list"));
    }

    @Test
    void aMissingFileExitsWithTwo() {
        String[] r = run("rules", "validate", tmp.resolve("missing.yaml").toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2]).startsWith("rtcdp: rule set file not readable: ").doesNotContain("\n");
        assertThat(run("rules")[0]).isEqualTo("2");
        assertThat(run("rules", "validate")[0]).isEqualTo("2");
    }
}
