package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.udf.event.ErrorCode;
import io.rtcdp.udf.event.IdTypes;
import io.rtcdp.udf.lifecycle.LifecycleStage;
import io.rtcdp.udf.profile.ProfileFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds docs/contract.md to the code where a list there must equal a list here: the dead-letter
 * codes, the id types, the profile fields, the lifecycle stages, the trigger record's fields and
 * the rule-set example. A change on either side without the other fails here.
 */
class ContractDocTest {
    private static String doc;

    /** A backquoted name at the start of a table row's first cell: {@code | `name` |}. */
    private static final Pattern FIRST_CELL = Pattern.compile("^\\| `([^`]+)`(?:, `([^`]+)`)*");

    private static final Pattern QUOTED = Pattern.compile("`([^`]+)`");

    @BeforeAll
    static void read() throws IOException {
        doc = Files.readString(Path.of("../docs/contract.md"), StandardCharsets.UTF_8);
    }

    /** The text of a section, from its heading to the next heading of any level. */
    private static String section(String heading) {
        int at = doc.indexOf("\n" + heading + " ");
        assertThat(at).as("section %s in docs/contract.md", heading).isNotNegative();
        int end = doc.indexOf("\n#", at + 1);
        return doc.substring(at, end < 0 ? doc.length() : end);
    }

    /** Every backquoted name in the first cell of the section's table rows, in order. */
    private static List<String> firstCells(String section) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : section.split("\n")) {
            if (!FIRST_CELL.matcher(line).find()) {
                continue;
            }
            String cell = line.substring(1, line.indexOf('|', 1));
            Matcher q = QUOTED.matcher(cell);
            while (q.find()) {
                names.add(q.group(1));
            }
        }
        return new ArrayList<>(names);
    }

    @Test
    void theDeadLetterCodesAreTheErrorCodes() {
        List<String> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).toList();
        assertThat(firstCells(section("### 1.2"))).containsExactlyElementsOf(codes);
    }

    @Test
    void theIdTypesAreTheBuiltInTypesStrongestFirst() {
        List<String> types = new ArrayList<>(IdTypes.BUILT_IN);
        types.add("x_<name>");
        assertThat(firstCells(section("## 2."))).containsExactlyElementsOf(types);
    }

    @Test
    void theProfileFieldsAreTheFieldsWritten() {
        Set<String> written = new LinkedHashSet<>();
        written.addAll(
                List.of(
                        ProfileFields.ONEID,
                        ProfileFields.VER,
                        ProfileFields.UPDATED_AT,
                        ProfileFields.IDS,
                        ProfileFields.MERGES,
                        ProfileFields.LIFECYCLE));
        written.addAll(ProfileFields.FEATURE_FIELDS);
        // written by the decision stage (operators: ProfileDecider)
        written.addAll(
                List.of(
                        "rfm.r",
                        "rfm.f",
                        "rfm.m",
                        "rfm.segment",
                        "tags",
                        "segments",
                        "score.purchase",
                        "score.churn",
                        "score.marketing",
                        "score.p_alive",
                        "score.expected_orders",
                        "model.purchase",
                        "model.churn",
                        "reasons.purchase",
                        "reasons.churn",
                        "reasons.marketing",
                        DecidedFields.REC_NEXT));
        assertThat(firstCells(section("### 3.2"))).containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void theLifecycleStagesAreTheCodes() {
        String fields = section("### 3.2");
        for (LifecycleStage s : LifecycleStage.values()) {
            assertThat(fields).contains("`" + s.label() + "`");
        }
    }

    @Test
    void theTriggerFieldsAreThoseOfItsJsonInOrder() throws Exception {
        RuleSet rs = RuleSet.parse(RuleSetTest.CONTRACT_EXAMPLE);
        Trigger t = Trigger.of("acme", "o1", rs.triggers().get(0), 0.5, "e1", "e1", 1L, 2L);
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = new ObjectMapper().readTree(t.toJson()).fieldNames();
                it.hasNext(); ) {
            keys.add(it.next());
        }
        assertThat(firstCells(section("### 5.1"))).containsExactlyElementsOf(keys);
    }

    @Test
    void theRuleSetExampleIsTheOneTheTestsParse() {
        String s = section("## 6.");
        int from = s.indexOf("```yaml\n") + "```yaml\n".length();
        String example = s.substring(from, s.indexOf("```", from));
        assertThat(example).isEqualTo(RuleSetTest.CONTRACT_EXAMPLE);
    }
}
