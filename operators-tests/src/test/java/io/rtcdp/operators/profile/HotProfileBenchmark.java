package io.rtcdp.operators.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.decide.ProfileDecider;
import io.rtcdp.operators.identity.FragmentStore;
import io.rtcdp.operators.identity.FragmentStoreOperator;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.testing.Events;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Whether one profile's cost stays flat whatever its events carry (issue 17): {@link #EVENTS}
 * events of one profile, a minute apart, through the per-profile stages on RocksDB (fragments,
 * profile, decision with the demo rules), once all in one category and once each in a new category
 * of the longest length the parser takes (64 characters), all inside the 30-day window. Rounds
 * alternate the two cases; prints each round and the medians. Asserts only that every event was
 * counted. Not part of the build (the name does not end in Test); run it with
 *
 * <pre>
 * mvn -o -pl operators-tests -am verify -Dtest=HotProfileBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * and read {@code operators/target/surefire-reports/*HotProfileBenchmark-output.txt}.
 */
class HotProfileBenchmark {
    static final int EVENTS = Integer.getInteger("rtcdp.bench.events", 10_000);
    static final int ROUNDS = Integer.getInteger("rtcdp.bench.rounds", 5);
    static final long T0 = 1_700_000_000_000L;

    static List<Event> events(boolean distinctCategories) {
        List<Event> out = new ArrayList<>(EVENTS);
        String pad = "x".repeat(56);
        for (int i = 0; i < EVENTS; i++) {
            String category = distinctCategories ? String.format("c%07d%s", i, pad) : "shoes";
            out.add(
                    Events.track(i % 10 == 0 ? Event.ORDER_COMPLETED : Event.PRODUCT_VIEWED)
                            .eventId("e" + i)
                            .at(T0 + i * 60_000L)
                            .channel("web")
                            .amountMicros(i % 10 == 0 ? 25_000_000L : null)
                            .category(category)
                            .build());
        }
        return out;
    }

    /** Runs the events through the three stages; returns the nanoseconds taken. */
    static long run(List<Event> events) throws Exception {
        var fragments =
                new KeyedBroadcastOperatorTestHarness<>(
                        new FragmentStoreOperator(new FragmentStore()),
                        FragmentStore.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        var profiles =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new ProfileUpdater(java.time.Duration.ofMinutes(5)),
                                List.of(ProfileUpdater.CLOCKS)),
                        ProfileUpdater.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        var decisions =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new ProfileDecider(false),
                                List.of(ProfileDecider.RULES, ProfileDecider.MODELS)),
                        ProfileDecider.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        fragments.setStateBackend(new EmbeddedRocksDBStateBackend());
        profiles.setStateBackend(new EmbeddedRocksDBStateBackend());
        decisions.setStateBackend(new EmbeddedRocksDBStateBackend());
        fragments.open();
        profiles.open();
        decisions.open();
        decisions.processBroadcastElement(
                Files.readString(Path.of("../examples/rules/demo.yaml")), 0);
        List<Id> linked = List.of(new Id("user_id", "u1"));
        long counted = 0;
        long started = System.nanoTime();
        for (Event e : events) {
            fragments.processElement(FragmentCommand.route("o1", e, linked, null), e.ts());
            for (ProfileCommand c : fragments.extractOutputValues()) {
                profiles.processElement(c, e.ts());
            }
            fragments.getOutput().clear();
            for (Object o : profiles.getOutput()) {
                if (o instanceof StreamRecord<?> r && r.getValue() instanceof ProfileChange c) {
                    decisions.processElement(c, e.ts());
                    counted++;
                }
            }
            profiles.getOutput().clear();
            decisions.getOutput().clear();
        }
        long took = System.nanoTime() - started;
        fragments.close();
        profiles.close();
        decisions.close();
        assertThat(counted).isEqualTo(events.size());
        return took;
    }

    @Test
    void oneProfileCostsTheSameWhateverItsCategories() throws Exception {
        List<Event> one = events(false);
        List<Event> many = events(true);
        run(one); // warm-up
        run(many);
        double[] a = new double[ROUNDS];
        double[] b = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            boolean manyFirst = r % 2 == 1;
            if (manyFirst) {
                b[r] = run(many) / 1e6;
                a[r] = run(one) / 1e6;
            } else {
                a[r] = run(one) / 1e6;
                b[r] = run(many) / 1e6;
            }
            System.out.printf(
                    "round %d: %d events, one category %.0f ms, %d categories %.0f ms, ratio"
                            + " %.2f%n",
                    r + 1, EVENTS, a[r], EVENTS, b[r], b[r] / a[r]);
        }
        Arrays.sort(a);
        Arrays.sort(b);
        System.out.printf(
                "median: one category %.0f ms (%.1f µs/event), %d categories %.0f ms (%.1f"
                        + " µs/event), ratio %.2f%n",
                a[ROUNDS / 2],
                a[ROUNDS / 2] * 1000 / EVENTS,
                EVENTS,
                b[ROUNDS / 2],
                b[ROUNDS / 2] * 1000 / EVENTS,
                b[ROUNDS / 2] / a[ROUNDS / 2]);
    }
}
