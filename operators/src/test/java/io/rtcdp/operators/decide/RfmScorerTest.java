package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.KeyedOperatorTest;
import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.RfmObservation;
import io.rtcdp.udf.rfm.RfmScore;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;

/**
 * The RFM stage: scores against the boundaries in force, sends only scores that moved, rebuilds the
 * boundaries from every stored profile on its refresh and at the end of the input, and keeps
 * tenants and removed profiles out of each other's quintiles.
 *
 * <p>The profiles are chosen so that the scores are easy to tell: boundaries from one profile are
 * its values (everything above them scores 5, itself 1); from two, the lower twice and the higher
 * twice (the higher one scores 3).
 */
class RfmScorerTest extends KeyedOperatorTest<RfmObservation, ProfileChange> {
    static final long DAY = 86_400_000L;
    static final long T = 1_700_000_000_000L;
    static final Duration REFRESH = Duration.ofMinutes(1);

    @Override
    protected RfmScorer function() {
        return new RfmScorer(REFRESH);
    }

    @Override
    protected KeySelector<RfmObservation, String> key() {
        return RfmScorer.KEY;
    }

    /** A small customer: one order of 10. */
    static RfmObservation small(String tenant, String oneid) {
        return new RfmObservation(tenant, oneid, T, 1, 10_000_000L);
    }

    /** A big customer: later, more and larger orders than {@link #small}. */
    static RfmObservation big(String tenant, String oneid) {
        return new RfmObservation(tenant, oneid, T + 10 * DAY, 5, 100_000_000L);
    }

    /** Sends acme's small a and big b, scored against a alone; drops what they sent. */
    void sendSmallAAndBigB() throws Exception {
        send(small("acme", "a"));
        send(big("acme", "b"));
        sent();
    }

    /** Sends a and b, then refreshes to boundaries of {a, b}; drops what that sent. */
    void scoreAAndBAgainstEachOther() throws Exception {
        send(small("acme", "a"));
        send(big("acme", "b"));
        h.setProcessingTime(REFRESH.toMillis());
        sent();
    }

    /** The scores sent since the last call, as {@code tenant/oneid r f m segment}. */
    List<String> sent() {
        return drain().stream()
                .map(
                        c -> {
                            assertThat(c.isRfm()).as("an RFM change").isTrue();
                            return c.tenant() + "/" + c.oneid() + " " + String.join(" ", c.rfm());
                        })
                .toList();
    }

    static String score(String tenantOneid, int r, int f, int m) {
        return tenantOneid + " " + r + " " + f + " " + m + " " + RfmScore.of(r, f, m).segment();
    }

    @Test
    void aTenantsFirstProfileIsScoredAgainstItself() throws Exception {
        send(small("acme", "a"));

        assertThat(sent()).containsExactly(score("acme/a", 1, 1, 1));
    }

    @Test
    void laterProfilesAreScoredAgainstTheBoundariesInForceUntilTheRefresh() throws Exception {
        send(small("acme", "a"));
        send(big("acme", "b"));

        // the boundaries are still those of a alone: b is above all four
        assertThat(sent()).containsExactly(score("acme/a", 1, 1, 1), score("acme/b", 5, 5, 5));
    }

    @Test
    void aScoreThatDidNotMoveIsNotSentAgain() throws Exception {
        sendSmallAAndBigB();

        send(new RfmObservation("acme", "b", T + 11 * DAY, 6, 120_000_000L));
        send(small("acme", "a"));

        assertThat(sent()).isEmpty();
    }

    @Test
    void theRefreshRebuildsTheBoundariesAndSendsOnlyTheScoresThatMoved() throws Exception {
        sendSmallAAndBigB();

        h.setProcessingTime(REFRESH.toMillis());

        // boundaries of {a, b}: a's values twice, b's twice; a stays 1 1 1, b drops from 5 to 3
        assertThat(sent()).containsExactly(score("acme/b", 3, 3, 3));

        // nothing changed since: the next refresh sends nothing
        h.setProcessingTime(2 * REFRESH.toMillis());
        assertThat(sent()).isEmpty();
    }

    @Test
    void theEndOfABoundedInputRebuildsTheBoundaries() throws Exception {
        sendSmallAAndBigB();

        h.processWatermark(new Watermark(Long.MAX_VALUE));

        assertThat(sent()).containsExactly(score("acme/b", 3, 3, 3));
    }

    @Test
    void aRemovedProfileLeavesTheDistribution() throws Exception {
        scoreAAndBAgainstEachOther();

        send(RfmObservation.removal("acme", "b"));
        assertThat(sent()).as("a removal scores nothing").isEmpty();
        h.setProcessingTime(2 * REFRESH.toMillis());
        assertThat(sent()).as("a is still 1 1 1 against itself").isEmpty();

        // with b still counted, c (b's values) would score 3 3 3 against {a, b}
        send(big("acme", "c"));
        assertThat(sent()).containsExactly(score("acme/c", 5, 5, 5));
    }

    @Test
    void aProfileBackAfterItsRemovalIsScoredAgain() throws Exception {
        sendSmallAAndBigB();

        send(RfmObservation.removal("acme", "b"));
        send(big("acme", "b"));

        // its stored score went with it, so the same score is news again
        assertThat(sent()).containsExactly(score("acme/b", 5, 5, 5));
    }

    @Test
    void eachTenantHasItsOwnQuintiles() throws Exception {
        send(small("acme", "a"));
        send(big("beta", "b"));

        // b is beta's first profile: scored against itself, not against acme's a
        assertThat(sent()).containsExactly(score("acme/a", 1, 1, 1), score("beta/b", 1, 1, 1));

        h.setProcessingTime(REFRESH.toMillis());
        assertThat(sent()).as("one profile per tenant: nothing moves").isEmpty();
    }

    @Test
    void boundariesAndScoresSurviveARestore() throws Exception {
        scoreAAndBAgainstEachOther();
        restore(REFRESH.toMillis());

        send(big("acme", "b"));
        send(small("acme", "a"));

        // restored: the same values score as before the restore, so nothing is sent; had the
        // boundaries been lost, the first observation would have rebuilt and sent everything
        assertThat(sent()).isEmpty();

        // and the boundaries in force are those of {a, b}: c with b's values scores 3 3 3
        send(big("acme", "c"));
        assertThat(sent()).containsExactly(score("acme/c", 3, 3, 3));
    }
}
