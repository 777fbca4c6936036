package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.IdTypes;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-profile limits on the number of ids of each type (docs/contract.md §2): at most 1 {@code
 * user_id}, 1 {@code union_id}, 3 {@code phone}, 3 {@code email}, 10 {@code device_id}, 50 {@code
 * cookie_id}, and by default 10 of each custom {@code x_} type, and at most {@value
 * #DEFAULT_CUSTOM_TYPES} custom types per profile (custom types are open-ended: without a bound on
 * their number, one profile could gather ids without end).
 */
public final class IdLimits implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The override key of the number of custom types per profile. */
    public static final String CUSTOM_TYPES = "custom-types";

    /** The override key of the limit of each custom type. */
    public static final String EACH_CUSTOM_TYPE = "x_*";

    public static final int DEFAULT_CUSTOM_TYPES = 8;

    /**
     * The override key of the protection policy: the number of events carrying both an id and a
     * {@code user_id} that protect the id for that {@code user_id} (docs/oneid.md); 0 or absent:
     * off.
     */
    public static final String USER_ID_EVIDENCE = "user-id-evidence";

    private final Map<String, Integer> limits;
    private final int customDefault;
    private final int customTypes;
    private final int userIdEvidence;

    private IdLimits(
            Map<String, Integer> limits, int customDefault, int customTypes, int userIdEvidence) {
        this.limits = Map.copyOf(limits);
        this.customDefault = customDefault;
        this.customTypes = customTypes;
        this.userIdEvidence = userIdEvidence;
    }

    public static IdLimits defaults() {
        return withOverrides(Map.of());
    }

    /** The defaults with some types' limits replaced; each limit must be ≥ 1. */
    public static IdLimits withOverrides(Map<String, Integer> overrides) {
        Map<String, Integer> m = new HashMap<>();
        m.put(IdTypes.USER_ID, 1);
        m.put(IdTypes.UNION_ID, 1);
        m.put(IdTypes.PHONE, 3);
        m.put(IdTypes.EMAIL, 3);
        m.put(IdTypes.DEVICE_ID, 10);
        m.put(IdTypes.COOKIE_ID, 50);
        int custom = 10;
        int customTypes = DEFAULT_CUSTOM_TYPES;
        int userIdEvidence = 0;
        for (Map.Entry<String, Integer> e : overrides.entrySet()) {
            if (e.getKey().equals(USER_ID_EVIDENCE)) {
                // 0 turns it off, also for one tenant when it is on for all; 1 would protect
                // nothing
                if (e.getValue() == null || e.getValue() < 0 || e.getValue() == 1) {
                    throw new IllegalArgumentException(
                            "the user_id evidence of the protection policy must be at least 2"
                                    + " events, or 0 for no protection, got "
                                    + e.getValue());
                }
                userIdEvidence = e.getValue();
                continue;
            }
            if (e.getValue() == null || e.getValue() < 1) {
                throw new IllegalArgumentException(
                        "id limit for " + e.getKey() + " must be at least 1, got " + e.getValue());
            }
            if (e.getKey().equals(CUSTOM_TYPES)) {
                customTypes = e.getValue();
            } else if (e.getKey().equals(EACH_CUSTOM_TYPE)) {
                custom = e.getValue();
            } else if (!IdTypes.isKnown(e.getKey())) {
                throw new IllegalArgumentException("unknown id type in limits: " + e.getKey());
            } else {
                m.put(e.getKey(), e.getValue());
            }
        }
        return new IdLimits(m, custom, customTypes, userIdEvidence);
    }

    /** How many different custom ({@code x_}) id types one profile may have. */
    public int customTypes() {
        return customTypes;
    }

    /**
     * The protection policy: an id carried by this many events with one {@code user_id} (and fewer
     * with every other) is protected for it; 0 when off (docs/oneid.md).
     */
    public int userIdEvidence() {
        return userIdEvidence;
    }

    public int limit(String type) {
        Integer l = limits.get(type);
        return l != null ? l : customDefault;
    }
}
