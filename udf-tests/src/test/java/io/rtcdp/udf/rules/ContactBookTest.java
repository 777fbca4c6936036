package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ContactBookTest {
    static final long H = 3_600_000L;
    static final long COOLDOWN = 24 * H;

    /** A book over maps, serializing each record as the stage's state would. */
    static final class MapStore implements ContactBook.Store {
        final Map<String, byte[]> records = new HashMap<>();
        final Map<String, String> aliases = new HashMap<>();
        final Map<String, Long> waiting = new HashMap<>();

        @Override
        public ContactRecord record(String oneid) throws Exception {
            byte[] b = records.get(oneid);
            return b == null
                    ? null
                    : ContactRecord.read(new DataInputStream(new ByteArrayInputStream(b)));
        }

        @Override
        public void putRecord(String oneid, ContactRecord r) throws Exception {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            r.write(new DataOutputStream(bytes));
            records.put(oneid, bytes.toByteArray());
        }

        @Override
        public void removeRecord(String oneid) {
            records.remove(oneid);
        }

        @Override
        public String alias(String oneid) {
            return aliases.get(oneid);
        }

        @Override
        public void putAlias(String oneid, String alias) {
            aliases.put(oneid, alias);
        }

        @Override
        public void removeAlias(String oneid) {
            aliases.remove(oneid);
        }

        @Override
        public void waiting(String root, long since) {
            if (since < 0) {
                waiting.remove(root);
            } else {
                waiting.put(root, since);
            }
        }
    }

    static Trigger trigger(String oneid, String rule, String eventId, long ts) {
        return new Trigger(
                rule + "/" + eventId, "t", oneid, rule, "push", "app", null, "r", eventId, ts, 0);
    }

    /** Candidates of one rule with the cooldown. */
    static ContactMessage cart(String oneid, String eventId, long ts) {
        return ContactMessage.candidates(
                "t",
                oneid,
                List.of(
                        new ContactMessage.Candidate(
                                trigger(oneid, "cart", eventId, ts), COOLDOWN, 0, 0)));
    }

    static Map<String, TriggerState> firedCartAt(long ts) {
        return new TreeMap<>(Map.of("cart", new TriggerState(false, ts, new long[0])));
    }

    static List<String> run(List<ContactMessage> messages) throws Exception {
        MapStore store = new MapStore();
        List<String> out = new ArrayList<>();
        ContactBook book = new ContactBook(store, t -> out.add(t.oneid() + ":" + t.eventId()));
        for (ContactMessage m : messages) {
            book.accept(m, 0);
        }
        assertThat(store.waiting).as("nothing left waiting").isEmpty();
        return out;
    }

    /** Every interleaving of the channels that keeps each channel's order. */
    static void interleavings(
            List<List<ContactMessage>> channels,
            int[] at,
            List<ContactMessage> prefix,
            List<List<ContactMessage>> all) {
        boolean any = false;
        for (int c = 0; c < channels.size(); c++) {
            if (at[c] < channels.get(c).size()) {
                any = true;
                prefix.add(channels.get(c).get(at[c]));
                at[c]++;
                interleavings(channels, at, prefix, all);
                at[c]--;
                prefix.remove(prefix.size() - 1);
            }
        }
        if (!any) {
            all.add(new ArrayList<>(prefix));
        }
    }

    static List<List<ContactMessage>> interleavings(List<List<ContactMessage>> channels) {
        List<List<ContactMessage>> all = new ArrayList<>();
        interleavings(channels, new int[channels.size()], new ArrayList<>(), all);
        return all;
    }

    @Test
    void aSurvivorsCandidatesAreJudgedWithTheMergedHistoryInEveryArrivalOrder() throws Exception {
        // x fired at 0; s absorbs x, then wants to fire inside x's cooldown and after it
        List<ContactMessage> fromX =
                List.of(
                        ContactMessage.of(trigger("x", "cart", "e0", 0)),
                        ContactMessage.handOver("t", "x", "s", firedCartAt(0)));
        List<ContactMessage> fromS =
                List.of(
                        ContactMessage.absorbing("t", "s", "x", Map.of()),
                        cart("s", "e1", 2 * H),
                        cart("s", "e2", 30 * H));
        List<List<ContactMessage>> orders = interleavings(List.of(fromX, fromS));
        assertThat(orders).hasSize(10);
        for (List<ContactMessage> order : orders) {
            assertThat(run(order)).as("order %s", order).containsExactly("x:e0", "s:e2");
        }
    }

    @Test
    void theSurvivorsOwnHistoryMovesWithItsFirstAbsorb() throws Exception {
        List<String> out =
                run(
                        List.of(
                                ContactMessage.absorbing("t", "s", "x", firedCartAt(10 * H)),
                                ContactMessage.handOver("t", "x", "s", Map.of()),
                                cart("s", "e1", 20 * H),
                                cart("s", "e2", 40 * H)));
        assertThat(out).containsExactly("s:e2");
    }

    @Test
    void chainsOfMergesKeepEveryHistoryWhateverTheOrder() throws Exception {
        // x merges into s, then s into u; x's absorb by s may be stale (dropped) or not. x's
        // decision subtask sends x→s then the re-drop x→u; s's sends its absorb of x then s→u
        Map<String, TriggerState> none = Map.of();
        List<ContactMessage> fromX =
                List.of(
                        ContactMessage.handOver("t", "x", "s", firedCartAt(0)),
                        ContactMessage.handOver("t", "x", "u", none));
        for (boolean staleAbsorb : new boolean[] {false, true}) {
            List<ContactMessage> fromS = new ArrayList<>();
            if (!staleAbsorb) {
                fromS.add(ContactMessage.absorbing("t", "s", "x", none));
                fromS.add(cart("s", "s1", 1 * H));
            }
            fromS.add(ContactMessage.handOver("t", "s", "u", none));
            List<ContactMessage> fromU =
                    List.of(
                            ContactMessage.absorbing("t", "u", "s", none),
                            ContactMessage.absorbing("t", "u", "x", none),
                            cart("u", "u1", 2 * H),
                            cart("u", "u2", 25 * H));
            for (List<ContactMessage> order : interleavings(List.of(fromX, fromS, fromU))) {
                assertThat(run(order))
                        .as("stale %s, order %s", staleAbsorb, order)
                        .containsExactly("u:u2");
            }
        }
    }

    @Test
    void aFragmentAbsorbedBeforeItsProfileMergedOnIsWaitedForWhereItsHistoryWent()
            throws Exception {
        // f merged into x, then x into s (f's re-drop names s); f's hand-over to x may come last
        Map<String, TriggerState> none = Map.of();
        List<ContactMessage> fromF =
                List.of(
                        ContactMessage.handOver("t", "f", "x", firedCartAt(0)),
                        ContactMessage.handOver("t", "f", "s", none));
        List<ContactMessage> fromX =
                List.of(
                        ContactMessage.absorbing("t", "x", "f", none),
                        ContactMessage.handOver("t", "x", "s", none));
        List<ContactMessage> fromS =
                List.of(
                        ContactMessage.absorbing("t", "s", "x", none),
                        ContactMessage.absorbing("t", "s", "f", none),
                        cart("s", "e1", 2 * H),
                        cart("s", "e2", 25 * H));
        List<List<ContactMessage>> orders = interleavings(List.of(fromF, fromX, fromS));
        assertThat(orders).hasSize(420);
        for (List<ContactMessage> order : orders) {
            assertThat(run(order)).as("order %s", order).containsExactly("s:e2");
        }
    }

    @Test
    void threeMergesInAChainInRandomArrivalOrders() throws Exception {
        // f into x, x into s, s into u: every oneid merged away is dropped again, naming the
        // later survivors (the identity stage re-points every fragment), and each absorb of it
        // is seen by the survivor of that merge
        Map<String, TriggerState> none = Map.of();
        List<List<ContactMessage>> channels =
                List.of(
                        List.of(
                                ContactMessage.handOver("t", "f", "x", firedCartAt(0)),
                                ContactMessage.handOver("t", "f", "s", none),
                                ContactMessage.handOver("t", "f", "u", none)),
                        List.of(
                                ContactMessage.absorbing("t", "x", "f", none),
                                ContactMessage.handOver("t", "x", "s", none),
                                ContactMessage.handOver("t", "x", "u", none)),
                        List.of(
                                ContactMessage.absorbing("t", "s", "x", none),
                                ContactMessage.absorbing("t", "s", "f", none),
                                ContactMessage.handOver("t", "s", "u", none)),
                        List.of(
                                ContactMessage.absorbing("t", "u", "s", none),
                                ContactMessage.absorbing("t", "u", "x", none),
                                ContactMessage.absorbing("t", "u", "f", none),
                                cart("u", "e1", 2 * H),
                                cart("u", "e2", 25 * H)));
        java.util.Random rnd = new java.util.Random(15);
        for (int round = 0; round < 20_000; round++) {
            int[] at = new int[channels.size()];
            List<ContactMessage> order = new ArrayList<>();
            int left = channels.stream().mapToInt(List::size).sum();
            while (left-- > 0) {
                int c;
                do {
                    c = rnd.nextInt(channels.size());
                } while (at[c] == channels.get(c).size());
                order.add(channels.get(c).get(at[c]++));
            }
            assertThat(run(order)).as("order %s", order).containsExactly("u:e2");
        }
    }

    @Test
    void aCapCountsTheFiresOfBothProfiles() throws Exception {
        Map<String, TriggerState> x =
                Map.of("deal", new TriggerState(false, 5 * H, new long[] {5 * H}));
        Map<String, TriggerState> s =
                Map.of("deal", new TriggerState(false, 1 * H, new long[] {1 * H}));
        ContactMessage deal =
                ContactMessage.candidates(
                        "t",
                        "s",
                        List.of(
                                new ContactMessage.Candidate(
                                        trigger("s", "deal", "e1", 10 * H), 0, 2, 30 * 24 * H)));
        // two fires in the period between them: a third is over the cap of 2
        assertThat(
                        run(
                                List.of(
                                        ContactMessage.absorbing("t", "s", "x", s),
                                        ContactMessage.handOver("t", "x", "s", x),
                                        deal)))
                .isEmpty();
    }

    @Test
    void theBestCandidateTheHistoryAllowsFires() throws Exception {
        ContactMessage both =
                ContactMessage.candidates(
                        "t",
                        "s",
                        List.of(
                                new ContactMessage.Candidate(
                                        trigger("s", "cart", "e1", 2 * H), COOLDOWN, 0, 0),
                                new ContactMessage.Candidate(
                                        trigger("s", "other", "e1", 2 * H), COOLDOWN, 0, 0)));
        List<String> rules = new ArrayList<>();
        MapStore store = new MapStore();
        ContactBook book = new ContactBook(store, t -> rules.add(t.rule()));
        book.accept(ContactMessage.absorbing("t", "s", "x", Map.of()), 0);
        book.accept(ContactMessage.handOver("t", "x", "s", firedCartAt(0)), 0);
        book.accept(both, 0);
        assertThat(rules).containsExactly("other");
        assertThat(book.counts.suppressedCooldown).isEqualTo(1);
    }

    @Test
    void aForgetDropsTheRecordAndTheAliases() throws Exception {
        MapStore store = new MapStore();
        List<Trigger> out = new ArrayList<>();
        ContactBook book = new ContactBook(store, out::add);
        book.accept(ContactMessage.absorbing("t", "s", "x", Map.of()), 0);
        book.accept(cart("s", "e1", H), 0);
        assertThat(book.counts.held).isEqualTo(1);
        book.accept(ContactMessage.handOver("t", "x", "s", firedCartAt(0)), 0);
        assertThat(store.records).containsOnlyKeys("s");
        assertThat(store.aliases).containsOnlyKeys("x");
        book.accept(ContactMessage.of(Trigger.retraction("t", "s", 5, 5)), 0);
        assertThat(store.records).isEmpty();
        assertThat(store.aliases).isEmpty();
        assertThat(out).extracting(Trigger::isRetraction).containsExactly(true);
    }

    @Test
    void aWaitThatIsGivenUpJudgesTheHeldCandidatesWithWhatThereIs() throws Exception {
        MapStore store = new MapStore();
        List<Trigger> out = new ArrayList<>();
        ContactBook book = new ContactBook(store, out::add);
        book.accept(ContactMessage.absorbing("t", "s", "x", Map.of()), 7);
        book.accept(cart("s", "e1", H), 8);
        assertThat(out).isEmpty();
        assertThat(store.waiting).containsEntry("s", 7L);
        book.giveUp("s");
        assertThat(out).extracting(Trigger::eventId).containsExactly("e1");
        assertThat(book.counts.givenUp).isEqualTo(1);
        assertThat(store.waiting).isEmpty();
    }

    @Test
    void messagesRoundTrip() throws Exception {
        List<ContactMessage> all =
                List.of(
                        ContactMessage.of(trigger("x", "cart", "e0", 3)),
                        ContactMessage.of(Trigger.retraction("t", "x", 1, 2)),
                        cart("s", "e1", 5),
                        ContactMessage.absorbing("t", "s", "x", null),
                        ContactMessage.absorbing("t", "s", "x", firedCartAt(4)),
                        ContactMessage.handOver("t", "x", "s", Map.of()));
        for (ContactMessage m : all) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            m.write(new DataOutputStream(bytes));
            ContactMessage back =
                    ContactMessage.read(
                            new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(back.kind()).isEqualTo(m.kind());
            assertThat(back.trigger()).isEqualTo(m.trigger());
            assertThat(back.candidates()).isEqualTo(m.candidates());
            assertThat(back.other()).isEqualTo(m.other());
            assertThat(back.states() == null ? null : Map.copyOf(back.states()))
                    .isEqualTo(m.states() == null ? null : Map.copyOf(m.states()));
        }
    }

    @Test
    void absorbKeepsTheStricterHistory() {
        Map<String, TriggerState> into = new TreeMap<>();
        into.put("a", new TriggerState(true, 10, new long[] {5, 10}));
        ContactPolicy.absorb(
                into,
                Map.of(
                        "a", new TriggerState(false, 20, new long[] {7, 20}),
                        "b", new TriggerState(false, 3, new long[] {3})));
        assertThat(into.get("a")).isEqualTo(new TriggerState(true, 20, new long[] {5, 7, 10, 20}));
        assertThat(into.get("b")).isEqualTo(new TriggerState(false, 3, new long[] {3}));
    }
}
