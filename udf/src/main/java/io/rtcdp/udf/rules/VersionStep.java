package io.rtcdp.udf.rules;

/**
 * How far a control message's version may move the one in force (docs/contract.md §6.1, §7.5).
 *
 * <p>A rule set or model replaces the one in force only with a higher version; a version lower or
 * equal is a repeat (the topics are read at least once) and ignored. A version more than {@link
 * #maxStep} above the one in force (above 0 when none is) is refused: otherwise a single record
 * with a huge version, forged or mistyped, would pin the tenant to it, since every later version
 * would have to be higher still (and {@code Long.MAX_VALUE} allows none). The default step leaves
 * room for versions that are times, such as the epoch seconds {@code rtcdp train} uses or epoch
 * milliseconds, while keeping {@code Long.MAX_VALUE} out of reach of any chain of accepted steps
 * from a real start.
 *
 * @param maxStep the largest accepted increase, at least 1
 */
public record VersionStep(long maxStep) implements java.io.Serializable {
    /** Ten trillion: room for epoch-millisecond versions (about 1.8 × 10^12 in 2027). */
    public static final long DEFAULT_MAX_STEP = 10_000_000_000_000L;

    public static final VersionStep DEFAULT = new VersionStep(DEFAULT_MAX_STEP);

    /** What to do with a new version. */
    public enum Verdict {
        /** Higher, within the step: it replaces the one in force. */
        APPLY,
        /** Not higher: a repeat or an older version, ignored (not an error). */
        IGNORE,
        /** Negative, or higher by more than the step: refused and counted. */
        REFUSE
    }

    public VersionStep {
        if (maxStep < 1) {
            throw new IllegalArgumentException(
                    "the version step must be at least 1, is " + maxStep);
        }
    }

    /**
     * @param current the version in force, or null when none is
     * @param next the new version
     */
    public Verdict judge(Long current, long next) {
        if (next < 0) {
            return Verdict.REFUSE;
        }
        long base = current == null ? 0 : current;
        if (current != null && next <= base) {
            return Verdict.IGNORE;
        }
        // next > base ≥ 0 here (or base = 0, next ≥ 0): the difference cannot overflow
        return next - base <= maxStep ? Verdict.APPLY : Verdict.REFUSE;
    }

    /** Why {@link Verdict#REFUSE}, for the log. */
    public String refusal(Long current, long next) {
        if (next < 0) {
            return "version " + next + " is negative";
        }
        return "version "
                + next
                + " is more than "
                + maxStep
                + " above "
                + (current == null ? "0 (none is in force)" : "version " + current + " in force");
    }
}
