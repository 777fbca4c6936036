package io.rtcdp.udf.rfm;

import java.util.List;

/**
 * The 11-segment RFM map: a segment from the recency score R and the combined frequency-monetary
 * score {@code FM = ⌈(F + M) / 2⌉} (the mean of F and M, halves rounded up), each 1..5.
 *
 * <pre>
 *        FM=1            FM=2            FM=3            FM=4         FM=5
 * R=5    new             potential_loy.  potential_loy.  champions    champions
 * R=4    promising       potential_loy.  potential_loy.  champions    champions
 * R=3    about_to_sleep  about_to_sleep  need_attention  loyal        loyal
 * R=2    hibernating     hibernating     at_risk         at_risk      cannot_lose
 * R=1    lost            lost            at_risk         at_risk      cannot_lose
 * </pre>
 *
 * Every cell has exactly one segment; {@code docs/rfm.md} gives the same table.
 */
public final class RfmSegments {
    public static final String CHAMPIONS = "champions";
    public static final String LOYAL = "loyal";
    public static final String POTENTIAL_LOYALIST = "potential_loyalist";
    public static final String NEW = "new";
    public static final String PROMISING = "promising";
    public static final String NEED_ATTENTION = "need_attention";
    public static final String ABOUT_TO_SLEEP = "about_to_sleep";
    public static final String AT_RISK = "at_risk";
    public static final String CANNOT_LOSE = "cannot_lose";
    public static final String HIBERNATING = "hibernating";
    public static final String LOST = "lost";

    /** All segment names, best customers first. */
    public static final List<String> ALL =
            List.of(
                    CHAMPIONS,
                    LOYAL,
                    POTENTIAL_LOYALIST,
                    NEW,
                    PROMISING,
                    NEED_ATTENTION,
                    ABOUT_TO_SLEEP,
                    AT_RISK,
                    CANNOT_LOSE,
                    HIBERNATING,
                    LOST);

    /** {@code GRID[r - 1][fm - 1]}. */
    private static final String[][] GRID = {
        {LOST, LOST, AT_RISK, AT_RISK, CANNOT_LOSE},
        {HIBERNATING, HIBERNATING, AT_RISK, AT_RISK, CANNOT_LOSE},
        {ABOUT_TO_SLEEP, ABOUT_TO_SLEEP, NEED_ATTENTION, LOYAL, LOYAL},
        {PROMISING, POTENTIAL_LOYALIST, POTENTIAL_LOYALIST, CHAMPIONS, CHAMPIONS},
        {NEW, POTENTIAL_LOYALIST, POTENTIAL_LOYALIST, CHAMPIONS, CHAMPIONS},
    };

    private RfmSegments() {}

    /** The combined frequency-monetary score: {@code ⌈(f + m) / 2⌉}. */
    public static int fm(int f, int m) {
        check("f", f);
        check("m", m);
        return (f + m + 1) / 2;
    }

    /**
     * The segment of the scores {@code r}, {@code f}, {@code m}, each 1..5.
     *
     * @throws IllegalArgumentException when a score is outside 1..5
     */
    public static String of(int r, int f, int m) {
        check("r", r);
        return GRID[r - 1][fm(f, m) - 1];
    }

    static void check(String name, int score) {
        if (score < 1 || score > 5) {
            throw new IllegalArgumentException("RFM score " + name + " must be 1..5, got " + score);
        }
    }
}
