package io.rtcdp.jobs;

import io.rtcdp.udf.rules.CompiledRules;
import io.rtcdp.udf.rules.RuleSetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Rule set files given at start-up: read and compiled before the job is built. */
public final class RuleFiles {
    private RuleFiles() {}

    /**
     * The model versions of a models directory, for every tenant; none when {@code dir} is null.
     *
     * @throws IllegalArgumentException saying what is wrong with the directory
     */
    public static List<String> models(String dir) {
        if (dir == null) {
            return List.of();
        }
        try {
            return io.rtcdp.udf.ml.ModelMessages.readDirectory(Path.of(dir));
        } catch (io.rtcdp.udf.ml.ModelException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /**
     * The texts of the rule set files, each checked to compile.
     *
     * @throws IllegalArgumentException naming the file and every error, when a file is missing or
     *     does not compile: the job does not start with rules other than those asked for
     */
    public static List<String> read(List<String> files) {
        List<String> texts = new ArrayList<>(files.size());
        for (String f : files) {
            String text;
            try {
                text = Files.readString(Path.of(f), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read rule set file " + f + ": " + e);
            }
            try {
                CompiledRules.compile(text);
            } catch (RuleSetException e) {
                throw new IllegalArgumentException(
                        "rule set " + f + " is invalid: " + String.join("; ", e.problems()));
            }
            texts.add(text);
        }
        return texts;
    }
}
