package io.rtcdp.udf.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one decision writes beyond the profile stage's fields (contract §3.2, §6): the decided
 * fields to set and to remove, and the segment memberships that change. Only what differs from what
 * was last written ({@link DecisionState}) goes in, unless the whole profile is written ({@code
 * full}, after the profile stage restarted). Plain Java; the decision stage adds it to the profile
 * stage's update.
 */
public final class DecidedFields {
    public static final String RFM_R = "rfm.r";
    public static final String RFM_F = "rfm.f";
    public static final String RFM_M = "rfm.m";
    public static final String RFM_SEGMENT = "rfm.segment";
    public static final String TAGS = "tags";
    public static final String SEGMENTS = "segments";

    /** The next-purchase recommendation (docs/contract.md §3.2). */
    public static final String REC_NEXT = "rec.next";

    private static final String[] RFM_FIELDS = {RFM_R, RFM_F, RFM_M, RFM_SEGMENT};

    /** Fields to set, in the order they were decided. */
    public final Map<String, String> set = new LinkedHashMap<>();

    /** Fields to remove. */
    public final List<String> unset = new ArrayList<>(2);

    /** Segment → joined (true) or left (false). */
    public final Map<String, Boolean> memberships = new LinkedHashMap<>();

    /** The RFM score {@code r, f, m, segment} (the RFM stage sends only changed scores). */
    /** {@code rec.next}: set, or removed when {@code rec} is empty. */
    public void rec(String rec) {
        if (rec.isEmpty()) {
            unset.add(REC_NEXT);
        } else {
            set.put(REC_NEXT, rec);
        }
    }

    public void rfm(String[] rfm) {
        for (int i = 0; i < RFM_FIELDS.length; i++) {
            set.put(RFM_FIELDS[i], rfm[i]);
        }
    }

    /**
     * The rules' tags and segments (sorted; empty without a rule set) against those last written,
     * which {@code st} then holds, with the rule set's version (0 for none).
     */
    public void rules(
            DecisionState st,
            List<String> tags,
            List<String> segments,
            long rulesVersion,
            boolean full) {
        if (full || !tags.equals(st.tags)) {
            if (tags.isEmpty()) {
                unset.add(TAGS);
            } else {
                set.put(TAGS, String.join(",", tags));
            }
        }
        if (full || !segments.equals(st.segments)) {
            if (segments.isEmpty()) {
                unset.add(SEGMENTS);
            } else {
                set.put(SEGMENTS, String.join(",", segments));
            }
            for (String s : st.segments) {
                if (!segments.contains(s)) {
                    memberships.put(s, false);
                }
            }
            for (String s : segments) {
                if (full || !st.segments.contains(s)) {
                    memberships.put(s, true);
                }
            }
        }
        st.tags = tags;
        st.segments = segments;
        st.rulesVersion = rulesVersion;
    }

    /** Whether nothing is to be written. */
    public boolean isEmpty() {
        return set.isEmpty() && unset.isEmpty() && memberships.isEmpty();
    }
}
