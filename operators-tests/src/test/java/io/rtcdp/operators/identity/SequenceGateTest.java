package io.rtcdp.operators.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.identity.IdCommand;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SequenceGateTest {
    final List<IdentityEvent> released = new ArrayList<>();
    final SequenceGate.Release release = released::add;

    static IdentityEvent at(String tenant, String id, long ts, int origin, long seq) {
        Event e = IdentityResolverTest.event(tenant, id, ts, new Id("cookie_id", "c"));
        return IdentityEvent.of(e).at(origin, seq);
    }

    private List<String> ids() {
        return released.stream().map(e -> e.tenant() + "/" + e.eventId()).toList();
    }

    @Test
    void anEventWaitsForTheEventsBeforeItOfItsTenantAndOrigin() throws Exception {
        SequenceGate g = new SequenceGate();
        g.arrive(at("a", "2", 1, 0, 1), release);
        g.arrive(at("b", "1", 1, 0, 0), release);
        g.arrive(at("a", "x", 1, 1, 0), release);
        assertThat(ids()).containsExactly("b/1", "a/x");
        assertThat(g.waitingEvents()).isOne();
        assertThat(g.waitingTenants()).containsExactly("a");
        g.arrive(at("a", "1", 1, 0, 0), release);
        assertThat(ids()).containsExactly("b/1", "a/x", "a/1", "a/2");
        assertThat(g.waitingEvents()).isZero();
        assertThat(g.waitingTenants()).isEmpty();
        g.checkNothingWaits();
    }

    /**
     * Oracle: tenants' events of several origins, each origin's sent on through two paths (as
     * through two dedupe subtasks), which interleave at random; each tenant's events of each origin
     * go on in their order, every event once, and the earliest waiting time is that of what waits.
     */
    @Test
    void whateverTheInterleavingEachOriginsEventsGoInOrder() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            released.clear();
            SequenceGate g = new SequenceGate();
            int origins = 1 + random.nextInt(4);
            String[] tenants = {"a", "b", "c"};
            Map<String, Long> next = new HashMap<>();
            List<List<IdentityEvent>> paths = List.of(new ArrayList<>(), new ArrayList<>());
            List<IdentityEvent> all = new ArrayList<>();
            int n = random.nextInt(400);
            for (int i = 0; i < n; i++) {
                String tenant = tenants[random.nextInt(tenants.length)];
                int origin = random.nextInt(origins);
                long seq = next.merge(tenant + "/" + origin, 1L, Long::sum) - 1;
                IdentityEvent e = at(tenant, "e" + i, random.nextInt(1_000), origin, seq);
                all.add(e);
                paths.get(random.nextInt(2)).add(e);
            }
            List<IdentityEvent> waiting = new ArrayList<>();
            int[] taken = new int[2];
            while (taken[0] < paths.get(0).size() || taken[1] < paths.get(1).size()) {
                int p = random.nextInt(2);
                if (taken[p] == paths.get(p).size()) {
                    p = 1 - p;
                }
                IdentityEvent e = paths.get(p).get(taken[p]++);
                int before = released.size();
                g.arrive(e, release);
                waiting.add(e);
                waiting.removeAll(released.subList(before, released.size()));
                long min =
                        waiting.stream().mapToLong(IdentityEvent::ts).min().orElse(Long.MAX_VALUE);
                assertThat(g.earliestWaiting()).isEqualTo(min);
                assertThat(g.waitingEvents()).isEqualTo(waiting.size());
            }
            assertThat(released).containsExactlyInAnyOrderElementsOf(all);
            for (String tenant : tenants) {
                for (int origin = 0; origin < origins; origin++) {
                    int o = origin;
                    assertThat(
                                    released.stream()
                                            .filter(e -> e.tenant().equals(tenant))
                                            .filter(e -> e.origin() == o)
                                            .map(IdentityEvent::seq)
                                            .toList())
                            .as("tenant %s origin %d", tenant, origin)
                            .isSorted();
                }
            }
            g.checkNothingWaits();
        }
    }

    @Test
    void aWaitingCommandHoldsNoWatermarkBack() throws Exception {
        SequenceGate g = new SequenceGate();
        Event command = IdCommand.release("a", new Id("phone", "p"), 5L).toEvent();
        g.arrive(IdentityEvent.of(command).at(1, 1), release);
        assertThat(g.waitingEvents()).isOne();
        assertThat(g.earliestWaiting()).isEqualTo(Long.MAX_VALUE);
        g.arrive(at("a", "e", 9, 1, 2), release);
        assertThat(g.earliestWaiting()).isEqualTo(9);
    }

    @Test
    void aPlaceTakenTwiceIsADefectNotASilentLoss() throws Exception {
        SequenceGate g = new SequenceGate();
        g.arrive(at("a", "1", 1, 0, 0), release);
        assertThatThrownBy(() -> g.arrive(at("a", "1", 1, 0, 0), release))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("place 0 of origin 0");
        g.arrive(at("a", "3", 1, 0, 2), release);
        assertThatThrownBy(() -> g.arrive(at("a", "3", 1, 0, 2), release))
                .hasMessageContaining("place 2 of origin 0");
        assertThatThrownBy(g::checkNothingWaits).hasMessageContaining("aligned checkpoints");
    }

    @Test
    void anEarlierReleasesWaitingEventsAreReadWhenNoneWaitedAndRefusedOtherwise() throws Exception {
        for (int format = 1; format <= 3; format++) {
            SequenceGate.restoreEarlier(earlier(format, 0, 0));
            int f = format;
            assertThatThrownBy(() -> SequenceGate.restoreEarlier(earlier(f, 2, 0)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("2 events in flight");
            assertThatThrownBy(() -> SequenceGate.restoreEarlier(earlier(f, 0, 1)))
                    .hasMessageContaining("1 dedupe verdicts in flight");
        }
        assertThatThrownBy(() -> SequenceGate.restoreEarlier(earlier(4, 0, 0)))
                .hasMessageContaining("unknown format");
    }

    /** The head of what an earlier release's gate wrote: its format and its counts. */
    private static byte[] earlier(int format, int events, int verdicts) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        out.writeInt(format);
        out.writeInt(events);
        out.writeInt(verdicts);
        return out.getCopyOfBuffer();
    }
}
