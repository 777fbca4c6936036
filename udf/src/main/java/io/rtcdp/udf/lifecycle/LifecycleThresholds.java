package io.rtcdp.udf.lifecycle;

import java.io.Serializable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a profile is in which {@link LifecycleStage}, as durations in milliseconds (see {@link
 * Lifecycle} for the exact rule). With {@code d = asOf − lastSeen}: active while {@code d <
 * activeWithin}, at risk while {@code d < atRiskWithin}, dormant while {@code d < dormantWithin},
 * churned after; an active profile is new while {@code asOf − firstSeen < newWithin}.
 *
 * @param newWithinMillis default 30 d
 * @param activeWithinMillis default 30 d
 * @param atRiskWithinMillis default 90 d
 * @param dormantWithinMillis default 180 d
 */
public record LifecycleThresholds(
        long newWithinMillis,
        long activeWithinMillis,
        long atRiskWithinMillis,
        long dormantWithinMillis)
        implements Serializable {

    public static final long DAY = 86_400_000L;

    /** What {@link #parseDuration} accepts, for error messages. */
    public static final String DURATION_FORM =
            "a positive whole number with a unit ms, s, m, h or d (30d, 12h)";

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,18})(ms|s|m|h|d)");

    /**
     * @throws IllegalArgumentException unless every duration is positive and {@code activeWithin <
     *     atRiskWithin < dormantWithin}
     */
    public LifecycleThresholds {
        if (newWithinMillis <= 0
                || activeWithinMillis <= 0
                || atRiskWithinMillis <= 0
                || dormantWithinMillis <= 0) {
            throw new IllegalArgumentException(
                    "lifecycle thresholds must be positive, got "
                            + text(
                                    newWithinMillis,
                                    activeWithinMillis,
                                    atRiskWithinMillis,
                                    dormantWithinMillis));
        }
        if (!(activeWithinMillis < atRiskWithinMillis
                && atRiskWithinMillis < dormantWithinMillis)) {
            throw new IllegalArgumentException(
                    "lifecycle thresholds must increase (active < at_risk < dormant), got "
                            + text(
                                    newWithinMillis,
                                    activeWithinMillis,
                                    atRiskWithinMillis,
                                    dormantWithinMillis));
        }
    }

    /** new 30 d, active 30 d, at risk 90 d, dormant 180 d. */
    public static LifecycleThresholds defaults() {
        return new LifecycleThresholds(30 * DAY, 30 * DAY, 90 * DAY, 180 * DAY);
    }

    /**
     * Thresholds from duration strings such as {@code 30d} ({@link #parseDuration}).
     *
     * @throws IllegalArgumentException with one line naming the bad value
     */
    public static LifecycleThresholds parse(
            String newWithin, String activeWithin, String atRiskWithin, String dormantWithin) {
        return new LifecycleThresholds(
                parseDuration("new", newWithin),
                parseDuration("active", activeWithin),
                parseDuration("at_risk", atRiskWithin),
                parseDuration("dormant", dormantWithin));
    }

    /**
     * Milliseconds of a duration such as {@code 30d}, {@code 12h}, {@code 15m}, {@code 45s} or
     * {@code 500ms}; surrounding blanks are ignored.
     *
     * @param what the setting's name, for the error message
     * @throws IllegalArgumentException when the text is not {@link #DURATION_FORM} or overflows
     */
    public static long parseDuration(String what, String text) {
        Matcher m = text == null ? null : DURATION.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(
                    "invalid " + what + " duration '" + text + "': use " + DURATION_FORM);
        }
        long unit =
                switch (m.group(2)) {
                    case "ms" -> 1L;
                    case "s" -> 1_000L;
                    case "m" -> 60_000L;
                    case "h" -> 3_600_000L;
                    default -> DAY;
                };
        long v = Long.parseLong(m.group(1));
        if (v == 0) {
            throw new IllegalArgumentException(
                    "invalid " + what + " duration '" + text + "': use " + DURATION_FORM);
        }
        try {
            return Math.multiplyExact(v, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "invalid " + what + " duration '" + text + "': too long", e);
        }
    }

    /**
     * The thresholds as text. A compact constructor assigns the fields only after its body, so its
     * messages take the parameters, not {@code this}.
     */
    private static String text(long newWithin, long activeWithin, long atRisk, long dormant) {
        return "new="
                + newWithin
                + "ms active="
                + activeWithin
                + "ms at_risk="
                + atRisk
                + "ms dormant="
                + dormant
                + "ms";
    }
}
