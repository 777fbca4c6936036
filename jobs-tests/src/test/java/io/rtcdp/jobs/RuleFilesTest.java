package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.ml.ModelMessages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule set files and the models directory given at start-up: read and checked before the job is
 * built, so that a job never starts with rules or models other than those asked for.
 */
class RuleFilesTest {
    @TempDir Path tmp;

    Path write(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void readsEachFilesTextInTheOrderGiven() throws Exception {
        Path v1 = write("t1.yaml", RulesHotReloadITCase.V1);
        Path v2 = write("t1-v2.yaml", RulesHotReloadITCase.V2);

        assertThat(RuleFiles.read(List.of(v2.toString(), v1.toString())))
                .containsExactly(RulesHotReloadITCase.V2, RulesHotReloadITCase.V1);
    }

    @Test
    void noFilesNoRules() {
        assertThat(RuleFiles.read(List.of())).isEmpty();
    }

    @Test
    void aMissingFileIsNamed() {
        String missing = tmp.resolve("nope.yaml").toString();

        assertThatThrownBy(() -> RuleFiles.read(List.of(missing)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read rule set file " + missing);
    }

    @Test
    void aRuleSetThatDoesNotCompileIsNamedWithItsProblems() throws Exception {
        Path good = write("good.yaml", RulesHotReloadITCase.V1);
        Path broken = write("broken.yaml", RulesHotReloadITCase.V3_BROKEN);

        assertThatThrownBy(() -> RuleFiles.read(List.of(good.toString(), broken.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rule set " + broken + " is invalid: ")
                .hasMessageContaining("no_such_feature");
    }

    @Test
    void noModelsDirectoryNoModels() {
        assertThat(RuleFiles.models(null)).isEmpty();
    }

    @Test
    void aModelsDirectoryGivesOneMessageForEveryTenantPerModel() throws Exception {
        ScoresOracle.writeModels(tmp);

        List<String> messages = RuleFiles.models(tmp.toString());

        assertThat(messages)
                .extracting(m -> ModelMessages.decode(m).key())
                .containsExactly("*/churn", "*/purchase");
    }

    @Test
    void aMissingOrEmptyModelsDirectoryIsNamed() throws Exception {
        String missing = tmp.resolve("models").toString();
        assertThatThrownBy(() -> RuleFiles.models(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing);

        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThatThrownBy(() -> RuleFiles.models(empty.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no model directories");
    }
}
