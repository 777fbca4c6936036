package io.rtcdp.operators;

import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.rules.CompiledRules;
import io.rtcdp.udf.rules.RuleSetException;
import io.rtcdp.udf.rules.VersionStep;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;

/**
 * Which rule set is in force per tenant on one subtask of a stage that gets the rule sets over a
 * broadcast input (the decision stage, and the fragments stage for the trait names they declare),
 * so that every such stage takes the same one: a tenant's highest start-up rule set until its
 * broadcast state holds one; then the one stored there, compiled on first use (a restored text this
 * jar no longer compiles: none until the next); a new one replaces it when its version is higher
 * and within the version step. Plain state of one subtask, made in {@code open}.
 */
public final class RuleSetsInForce {
    /** What {@link #offer} did with a rule set. */
    public enum Verdict {
        /** In force from now on. */
        APPLIED,
        /**
         * The start-up rule set in force here from the start, now also in the broadcast state: in
         * force as before, not to be applied again.
         */
        START_UP_KEPT,
        /** Not above the one in force: ignored. */
        IGNORED,
        /** Too far above the one in force ({@link VersionStep}): refused. */
        REFUSED
    }

    /** Told of a restored rule set this jar no longer compiles. */
    @FunctionalInterface
    public interface OnDropped {
        void dropped(String tenant, RuleSetException e);
    }

    private final VersionStep step;
    private final OnDropped onDropped;
    private final Map<String, CompiledRules> startUp = new HashMap<>();
    private final Map<String, CompiledRules> compiled = new HashMap<>();
    private final Set<String> dropped = new HashSet<>();

    /**
     * @param startUpTexts the job's start-up control texts (rule sets and models; models, blank
     *     texts and texts that do not compile are passed over: the job compiled them when it was
     *     built, and the broadcast path rejects them)
     */
    public RuleSetsInForce(List<String> startUpTexts, VersionStep step, OnDropped onDropped) {
        this.step = step;
        this.onDropped = onDropped;
        for (String text : startUpTexts) {
            if (text.isEmpty() || ModelMessages.isModel(text)) {
                continue;
            }
            try {
                CompiledRules r = CompiledRules.compile(text);
                CompiledRules had = startUp.get(r.tenant());
                if (had == null || r.version() > had.version()) {
                    startUp.put(r.tenant(), r);
                }
            } catch (RuleSetException e) {
                // see above
            }
        }
    }

    /** The tenant's rule set in force; null when none is. */
    public CompiledRules get(String tenant, ReadOnlyBroadcastState<String, String> stored)
            throws Exception {
        CompiledRules r = compiled.get(tenant);
        if (r != null) {
            return r;
        }
        String text = stored.get(tenant);
        if (text == null) {
            return startUp.get(tenant);
        }
        if (dropped.contains(tenant)) {
            return null;
        }
        // restored from a checkpoint: it compiled when it was accepted, but this jar may be a
        // newer one that no longer takes it; then the tenant has no rules until its next rule set
        try {
            r = CompiledRules.compile(text);
        } catch (RuleSetException e) {
            dropped.add(tenant);
            onDropped.dropped(tenant, e);
            return null;
        }
        compiled.put(tenant, r);
        return r;
    }

    /** Whether {@code r} is the tenant's start-up rule set. */
    public boolean isStartUp(String tenant, CompiledRules r) {
        return r != null && r == startUp.get(tenant);
    }

    /**
     * Judges {@code next}, compiled from {@code text}, against the tenant's rule set in force; when
     * it is {@link Verdict#APPLIED} or {@link Verdict#START_UP_KEPT}, the broadcast state and this
     * subtask hold it.
     */
    public Verdict offer(CompiledRules next, String text, BroadcastState<String, String> stored)
            throws Exception {
        String tenant = next.tenant();
        CompiledRules current = get(tenant, stored);
        if (isStartUp(tenant, current)
                && stored.get(tenant) == null
                && next.version() == current.version()) {
            stored.put(tenant, text);
            compiled.put(tenant, current);
            return Verdict.START_UP_KEPT;
        }
        switch (step.judge(current == null ? null : current.version(), next.version())) {
            case IGNORE -> {
                return Verdict.IGNORED;
            }
            case REFUSE -> {
                return Verdict.REFUSED;
            }
            case APPLY -> {}
        }
        stored.put(tenant, text);
        compiled.put(tenant, next);
        dropped.remove(tenant);
        return Verdict.APPLIED;
    }
}
