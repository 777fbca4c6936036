package io.rtcdp.operators;

/**
 * Names of the job-wide accumulators that a bounded run reports when it finishes (the operators
 * also expose the same counts as metrics).
 */
public final class Counters {
    public static final String VALID = "events-valid";
    public static final String INVALID = "events-invalid";
    public static final String DUPLICATES = "events-duplicate";
    public static final String COUNTED = "events-counted";
    public static final String PROFILES = "profiles-created";

    private Counters() {}
}
