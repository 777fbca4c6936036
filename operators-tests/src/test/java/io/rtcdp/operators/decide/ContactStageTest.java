package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.KeyedOperatorTest;
import io.rtcdp.udf.rules.ContactMessage;
import io.rtcdp.udf.rules.Trigger;
import io.rtcdp.udf.rules.TriggerState;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.junit.jupiter.api.Test;

/**
 * The contact stage in Flink: triggers of profiles that never merged pass as they are; a merged
 * profile's candidates wait for the merged-away profile's history, also across a restore from a
 * checkpoint, and a wait that never ends is given up after the timeout.
 */
class ContactStageTest extends KeyedOperatorTest<ContactMessage, Trigger> {
    static final long H = 3_600_000L;
    static final long TIMEOUT = 60_000L;

    @Override
    protected KeyedProcessFunction<String, ContactMessage, Trigger> function() {
        return new ContactStage(TIMEOUT);
    }

    @Override
    protected KeySelector<ContactMessage, String> key() {
        return ContactStage.KEY;
    }

    static Trigger trigger(String oneid, String eventId, long ts) {
        return new Trigger(
                "id-" + eventId, "t", oneid, "cart", "push", "app", null, "r", eventId, ts, 0);
    }

    static ContactMessage cart(String oneid, String eventId, long ts) {
        return ContactMessage.candidates(
                "t",
                oneid,
                List.of(new ContactMessage.Candidate(trigger(oneid, eventId, ts), 24 * H, 0, 0)));
    }

    List<String> sent() {
        return drain().stream().map(Trigger::eventId).toList();
    }

    @Test
    void aMergedProfilesCandidatesWaitForTheHistoryAlsoAcrossARestore() throws Exception {
        send(ContactMessage.of(trigger("p", "plain", 0)));
        assertThat(sent()).containsExactly("plain");
        send(ContactMessage.absorbing("t", "s", "x", Map.of()));
        send(cart("s", "inside", 2 * H));
        assertThat(sent()).isEmpty();
        restore(10);
        send(
                ContactMessage.handOver(
                        "t", "x", "s", Map.of("cart", new TriggerState(false, 0, new long[0]))));
        assertThat(sent()).as("inside x's cooldown").isEmpty();
        send(cart("s", "after", 30 * H));
        assertThat(sent()).containsExactly("after");
    }

    @Test
    void aWaitThatNeverEndsIsGivenUpAfterTheTimeout() throws Exception {
        h.setProcessingTime(1_000);
        send(ContactMessage.absorbing("t", "s", "x", Map.of()));
        send(cart("s", "held", 2 * H));
        h.setProcessingTime(1_000 + TIMEOUT - 1);
        assertThat(sent()).isEmpty();
        h.setProcessingTime(1_000 + TIMEOUT);
        assertThat(sent()).containsExactly("held");
    }
}
