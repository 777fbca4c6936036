package io.rtcdp.udf.rfm;

/**
 * The RFM scores of one profile (profile fields of docs/contract.md §3.2: {@code rfm.r}, {@code
 * rfm.f}, {@code rfm.m}, {@code rfm.segment}).
 *
 * @param r recency score 1..5, 5 = most recent orders
 * @param f frequency score 1..5, 5 = most orders
 * @param m monetary score 1..5, 5 = most revenue
 * @param segment {@link RfmSegments#of(int, int, int)} of the three
 */
public record RfmScore(int r, int f, int m, String segment) {

    public RfmScore {
        String expected = RfmSegments.of(r, f, m);
        if (!expected.equals(segment)) {
            throw new IllegalArgumentException(
                    "segment of " + r + f + m + " is " + expected + ", not " + segment);
        }
    }

    /** The scores with their segment. */
    public static RfmScore of(int r, int f, int m) {
        return new RfmScore(r, f, m, RfmSegments.of(r, f, m));
    }
}
