package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.RfmObservation;
import io.rtcdp.udf.rfm.RfmBoundaries;
import io.rtcdp.udf.rfm.RfmScore;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scoring stage: scores a profile against its tenant's boundaries in force when its values
 * change, scores every profile of the tenant again when new boundaries come, sends only scores that
 * moved, and keeps tenants and removed profiles apart.
 *
 * <p>The boundaries are those of one or two profiles, so that the scores are easy to tell: from one
 * profile they are its values (everything above them scores 5, itself 1); from two, the lower twice
 * and the higher twice (the higher one scores 3).
 */
class RfmScorerTest {
    static final long DAY = 86_400_000L;
    static final long T = 1_700_000_000_000L;

    KeyedBroadcastOperatorTestHarness<String, RfmObservation, Tuple2<String, byte[]>, ProfileChange>
            h;

    static KeyedBroadcastOperatorTestHarness<
                    String, RfmObservation, Tuple2<String, byte[]>, ProfileChange>
            newHarness() throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new RfmScorer(), List.of(RfmScorer.BOUNDARIES)),
                RfmScorer.KEY,
                Types.STRING,
                1,
                1,
                0);
    }

    @BeforeEach
    void open() throws Exception {
        h = newHarness();
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /** A small customer: one order of 10. */
    static RfmObservation small(String tenant, String oneid) {
        return new RfmObservation(tenant, oneid, T, 1, 10_000_000L);
    }

    /** A big customer: later, more and larger orders than {@link #small}. */
    static RfmObservation big(String tenant, String oneid) {
        return new RfmObservation(tenant, oneid, T + 10 * DAY, 5, 100_000_000L);
    }

    /** The exact boundaries of these profiles, as the boundaries stage sends them. */
    static Tuple2<String, byte[]> boundariesOf(String tenant, RfmObservation... ps) {
        int n = ps.length;
        long[] r = new long[n];
        long[] f = new long[n];
        long[] m = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = ps[i].lastOrderTs();
            f[i] = ps[i].orders();
            m[i] = ps[i].revenueMicros();
        }
        return Tuple2.of(tenant, RfmBoundaries.exact(r, f, m, n).toByteArray());
    }

    void send(RfmObservation o) throws Exception {
        h.processElement(o, 0);
    }

    void boundaries(Tuple2<String, byte[]> b) throws Exception {
        h.processBroadcastElement(b, 0);
    }

    /** The scores sent since the last call, as {@code tenant/oneid r f m segment}. */
    List<String> sent() {
        List<ProfileChange> out = h.extractOutputValues();
        h.getOutput().clear();
        return out.stream()
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

    /** a and b of acme, scored against the boundaries of a alone; drops what they sent. */
    void scoreAAndBAgainstA() throws Exception {
        send(small("acme", "a"));
        send(big("acme", "b"));
        boundaries(boundariesOf("acme", small("acme", "a")));
        sent();
    }

    @Test
    void beforeItsTenantsFirstBoundariesAProfileIsKeptNotScored() throws Exception {
        send(small("acme", "a"));
        assertThat(sent()).isEmpty();

        boundaries(boundariesOf("acme", small("acme", "a")));

        assertThat(sent()).containsExactly(score("acme/a", 1, 1, 1));
    }

    @Test
    void aChangedProfileIsScoredAgainstTheBoundariesInForce() throws Exception {
        boundaries(boundariesOf("acme", small("acme", "a")));
        send(small("acme", "a"));
        send(big("acme", "b"));

        // the boundaries are those of a alone: b is above all four
        assertThat(sent()).containsExactly(score("acme/a", 1, 1, 1), score("acme/b", 5, 5, 5));
    }

    @Test
    void aScoreThatDidNotMoveIsNotSentAgain() throws Exception {
        scoreAAndBAgainstA();

        send(new RfmObservation("acme", "b", T + 11 * DAY, 6, 120_000_000L));
        send(small("acme", "a"));

        assertThat(sent()).isEmpty();
    }

    @Test
    void newBoundariesScoreTheTenantsProfilesAgainAndSendOnlyTheScoresThatMoved() throws Exception {
        scoreAAndBAgainstA();
        send(small("beta", "c"));
        boundaries(boundariesOf("beta", big("beta", "x")));
        assertThat(sent()).containsExactly(score("beta/c", 1, 1, 1));

        boundaries(boundariesOf("acme", small("acme", "a"), big("acme", "b")));

        // boundaries of {a, b}: a stays 1 1 1, b drops from 5 to 3; beta's c is not acme's
        assertThat(sent()).containsExactly(score("acme/b", 3, 3, 3));

        boundaries(boundariesOf("acme", small("acme", "a"), big("acme", "b")));
        assertThat(sent()).as("the same boundaries again: nothing moves").isEmpty();
    }

    @Test
    void aRemovedProfileIsNotScoredAgain() throws Exception {
        scoreAAndBAgainstA();

        send(RfmObservation.removal("acme", "b"));
        assertThat(sent()).as("a removal scores nothing").isEmpty();
        // boundaries of {a, b}: b, were it still here, would move from 5 5 5 to 3 3 3
        boundaries(boundariesOf("acme", small("acme", "a"), big("acme", "b")));
        assertThat(sent()).isEmpty();
        // a is still here: against an earlier, smaller one its recency and monetary score 5
        boundaries(boundariesOf("acme", new RfmObservation("acme", "z", T - DAY, 1, 1_000_000L)));

        assertThat(sent()).as("only a is left to score").containsExactly(score("acme/a", 5, 1, 5));
    }

    @Test
    void aProfileBackAfterItsRemovalIsScoredAgain() throws Exception {
        scoreAAndBAgainstA();

        send(RfmObservation.removal("acme", "b"));
        send(big("acme", "b"));

        // its stored score went with it, so the same score is news again
        assertThat(sent()).containsExactly(score("acme/b", 5, 5, 5));
    }

    @Test
    void eachTenantHasItsOwnQuintiles() throws Exception {
        boundaries(boundariesOf("acme", small("acme", "a")));
        boundaries(boundariesOf("beta", big("beta", "b")));
        send(big("acme", "a"));
        send(big("beta", "b"));

        assertThat(sent()).containsExactly(score("acme/a", 5, 5, 5), score("beta/b", 1, 1, 1));
    }

    @Test
    void unreadableBoundariesAreADeadLetterAndTheOldOnesStay() throws Exception {
        scoreAAndBAgainstA();

        boundaries(Tuple2.of("acme", new byte[] {42}));
        send(big("acme", "c"));

        assertThat(sent()).containsExactly(score("acme/c", 5, 5, 5));
        assertThat(h.getSideOutput(io.rtcdp.operators.RecordIsolation.INTERNAL_ERRORS)).hasSize(1);
    }

    @Test
    void boundariesAndScoresSurviveARestore() throws Exception {
        send(small("acme", "a"));
        send(big("acme", "b"));
        boundaries(boundariesOf("acme", small("acme", "a"), big("acme", "b")));
        sent();
        OperatorSubtaskState snapshot = h.snapshot(1, 0);
        h.close();
        h = newHarness();
        h.initializeState(snapshot);
        h.open();

        send(big("acme", "b"));
        send(small("acme", "a"));
        // restored: the same values score as before, so nothing is sent
        assertThat(sent()).isEmpty();

        // and the boundaries in force are those of {a, b}: c with b's values scores 3 3 3
        send(big("acme", "c"));
        assertThat(sent()).containsExactly(score("acme/c", 3, 3, 3));
    }
}
