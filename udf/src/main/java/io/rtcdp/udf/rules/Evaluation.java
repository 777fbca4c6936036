package io.rtcdp.udf.rules;

import java.util.List;

/**
 * The result of evaluating a rule set for one profile: sorted tag names, sorted segment names, the
 * trigger rules whose condition holds (in rule order, before the contact policy), and how many
 * conditions failed with an error (each taken as false).
 */
public record Evaluation(
        List<String> tags, List<String> segments, List<String> triggers, int errors) {
    public Evaluation {
        tags = List.copyOf(tags);
        segments = List.copyOf(segments);
        triggers = List.copyOf(triggers);
    }
}
