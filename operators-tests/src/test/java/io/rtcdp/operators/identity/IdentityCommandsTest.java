package io.rtcdp.operators.identity;

import static io.rtcdp.operators.identity.IdentityResolverTest.DAY;
import static io.rtcdp.operators.identity.IdentityResolverTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.identity.Conflict;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.identity.IdCommand;
import io.rtcdp.udf.identity.IdLimits;
import io.rtcdp.udf.identity.TenantIdLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The identity stage's commands (docs/oneid.md, Release and protection): a release travels with the
 * tenant's events, takes effect once (also after a restore), and a malformed command is refused
 * without harm; the protection policy in the operator.
 */
class IdentityCommandsTest {
    private static final String T = "t";
    private static final Id ALICE = new Id("user_id", "alice");
    private static final Id MALLORY = new Id("user_id", "mallory");
    private static final Id PHONE = new Id("phone", "0a1b2c");

    private IdentityHarness h;
    private TenantIdLimits limits = TenantIdLimits.defaults();

    private void open() throws Exception {
        h = harness();
        h.open();
    }

    private IdentityHarness harness() throws Exception {
        return new IdentityHarness(
                new KeyedProcessOperator<>(
                        new IdentityResolver(
                                limits, io.rtcdp.udf.event.ParserConfig.defaults().tenantKeys())));
    }

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    private void send(Event e) throws Exception {
        h.send(e, 0);
    }

    /** A command, numbered among the commands (an origin of its own, as in the job). */
    private void command(Event c) throws Exception {
        h.send(h.split(c, 1), 0);
    }

    private List<Conflict> conflicts() {
        List<Conflict> out = new ArrayList<>();
        var records = h.getSideOutput(IdentityResolver.CONFLICTS);
        if (records != null) {
            for (StreamRecord<Conflict> r : records) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    /** Where the id key of {@code id} was last written. */
    private String idKey(Id id) {
        String at = null;
        var records = h.getSideOutput(IdentityResolver.ID_KEYS);
        if (records != null) {
            for (StreamRecord<ProfileUpdate> r : records) {
                if (r.getValue().ids().contains(id.toString())) {
                    at = r.getValue().oneid();
                }
            }
        }
        return at;
    }

    private String routedTo(String eventId) {
        for (FragmentCommand c : h.extractOutputValues()) {
            if (c.kind() == FragmentCommand.Kind.ROUTE && c.event().eventId().equals(eventId)) {
                return c.fragment();
            }
        }
        return null;
    }

    @Test
    void aReleasedPhoneLinksToTheProfileOfItsNextEventOnceEvenAfterARestore() throws Exception {
        open();
        send(event(T, "e1", DAY, ALICE, PHONE));
        send(event(T, "e2", DAY, MALLORY, PHONE));
        String alice = routedTo("e1");
        String quarantine =
                new io.rtcdp.udf.identity.OneIds(
                                io.rtcdp.udf.event.ParserConfig.defaults().tenantKeys())
                        .quarantined(T, PHONE);
        assertThat(idKey(PHONE)).isEqualTo(quarantine);

        IdCommand release = IdCommand.release(T, PHONE, 1_000L);
        // the dedupe stage lets a command pass unjudged
        command(release.toEvent());

        Conflict released = conflicts().get(conflicts().size() - 1);
        assertThat(released)
                .isEqualTo(
                        new Conflict(
                                T,
                                release.commandId(),
                                1_000L,
                                PHONE,
                                null,
                                quarantine,
                                Conflict.RELEASED));
        assertThat(h.extractOutputValues())
                .contains(FragmentCommand.ids(T, quarantine, List.of(), List.of(PHONE)));

        send(event(T, "e3", 2 * DAY, ALICE, PHONE));
        assertThat(routedTo("e3")).isEqualTo(alice);
        assertThat(idKey(PHONE)).isEqualTo(alice);

        // the same command again, after a restore: applied once
        var snapshot = h.snapshot(1, 0);
        h.close();
        h = harness();
        h.initializeState(snapshot);
        h.open();
        send(event(T, "e4", 3 * DAY, MALLORY, PHONE));
        assertThat(idKey(PHONE)).isEqualTo(quarantine);
        command(release.toEvent());
        assertThat(conflicts()).extracting(Conflict::reason).doesNotContain(Conflict.RELEASED);
        send(event(T, "e5", 4 * DAY, ALICE, PHONE));
        assertThat(idKey(PHONE)).isEqualTo(quarantine);

        // a new command (another issue time) releases it again
        command(IdCommand.release(T, PHONE, 2_000L).toEvent());
        assertThat(conflicts()).extracting(Conflict::reason).contains(Conflict.RELEASED);
    }

    @Test
    void commandsAreTakenUpInTheirOrder() throws Exception {
        open();
        send(event(T, "e1", DAY, ALICE, PHONE));
        send(event(T, "e2", DAY, MALLORY, PHONE));
        IdentityEvent first = h.split(IdCommand.release(T, PHONE, 1_000L).toEvent(), 1);
        IdentityEvent second = h.split(IdCommand.release(T, PHONE, 2_000L).toEvent(), 1);
        // the second release comes first, through another dedupe subtask: it waits for the first
        // (taken up at once, it would have released the phone itself)
        h.send(second, 0);
        assertThat(conflicts()).extracting(Conflict::reason).containsExactly("user_id_conflict");
        // then both, in their order: the first releases the phone, the second finds it free
        h.send(first, 0);
        assertThat(conflicts())
                .extracting(Conflict::reason, Conflict::ts)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("user_id_conflict", DAY),
                        org.assertj.core.groups.Tuple.tuple(Conflict.RELEASED, 1_000L));
    }

    @Test
    void aMalformedCommandIsRefusedAndTheTenantGoesOn() throws Exception {
        open();
        send(event(T, "e1", DAY, ALICE, PHONE));
        send(event(T, "e2", DAY, MALLORY, PHONE));
        Event unknownType =
                new Event(
                        T,
                        IdCommand.EVENT_ID_PREFIX + "00",
                        EventType.COMMAND,
                        "delete-everything",
                        0L,
                        null,
                        List.of(PHONE),
                        null,
                        null,
                        null,
                        null,
                        null,
                        Map.of(),
                        null);
        Event noName =
                new Event(
                        T,
                        "plain-id",
                        EventType.COMMAND,
                        null,
                        0L,
                        null,
                        List.of(PHONE),
                        null,
                        null,
                        null,
                        null,
                        null,
                        Map.of(),
                        null);
        int before = h.extractOutputValues().size();
        command(unknownType);
        command(noName);

        assertThat(h.extractOutputValues()).hasSize(before);
        assertThat(conflicts()).extracting(Conflict::reason).doesNotContain(Conflict.RELEASED);
        assertThat(h.getSideOutput(RecordIsolation.INTERNAL_ERRORS)).isNullOrEmpty();
        send(event(T, "e3", DAY, ALICE));
        assertThat(routedTo("e3")).isEqualTo(routedTo("e1"));
    }

    @Test
    void withThePolicyTheForgedEventDoesNotDetachThePhone() throws Exception {
        limits = TenantIdLimits.of(Map.of(), Map.of(T, Map.of(IdLimits.USER_ID_EVIDENCE, 2)));
        open();
        send(event(T, "e1", DAY, ALICE, PHONE));
        send(event(T, "e2", DAY, ALICE, PHONE));
        send(event(T, "e3", DAY, MALLORY, PHONE));

        String alice = routedTo("e1");
        assertThat(routedTo("e3")).isNotEqualTo(alice);
        assertThat(idKey(PHONE)).isEqualTo(alice);
        assertThat(conflicts()).extracting(Conflict::reason).containsExactly("user_id_protected");
        // another tenant has no policy
        send(event("other", "o1", DAY, ALICE, PHONE));
        send(event("other", "o2", DAY, ALICE, PHONE));
        send(event("other", "o3", DAY, MALLORY, PHONE));
        assertThat(conflicts())
                .extracting(Conflict::reason)
                .containsExactly("user_id_protected", "user_id_conflict");
    }
}
