package io.rtcdp.udf.testing;

import io.rtcdp.udf.ml.LearningHead;
import io.rtcdp.udf.ml.WrittenScore;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.rules.DecisionState;
import io.rtcdp.udf.rules.TriggerState;
import java.util.List;

/** Decision states for tests. */
public final class DecisionStates {
    private static final long DAY = 86_400_000L;

    private DecisionStates() {}

    /**
     * A state with {@code values} and every other part set (RFM, traits, tags, segments, rules
     * version, a trigger, two scores, marketing, a learning head), but no unmoved snapshots.
     */
    public static DecisionState withEveryPart(ProfileValues values) {
        DecisionState s = new DecisionState();
        s.values = values;
        s.rfm = new String[] {"5", "4", "3", "champions"};
        s.traits.put("plan", "gold");
        s.tags = List.of("t1", "t2");
        s.segments = List.of("s1");
        s.rulesVersion = 7;
        s.triggers.put("win_back", new TriggerState(true, 6, new long[] {6}));
        s.scores.put("purchase", new WrittenScore(0.25, 12, new long[] {2, 4, 37, 0, 8, 0, 0}));
        s.scores.put("churn", new WrittenScore(0.125, 13, null));
        s.marketing = 815;
        s.learning.put("purchase", new LearningHead(17 * DAY, 2, 10 * DAY));
        return s;
    }
}
