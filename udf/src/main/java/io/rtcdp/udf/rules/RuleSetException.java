package io.rtcdp.udf.rules;

import java.util.List;

/** A rule set that cannot be used: every problem found, each naming its rule. */
public final class RuleSetException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public RuleSetException(List<String> problems) {
        super(
                problems.size() == 1
                        ? problems.get(0)
                        : problems.size() + " problems: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One human line per problem, in the order of the rule set. */
    public List<String> problems() {
        return problems;
    }
}
