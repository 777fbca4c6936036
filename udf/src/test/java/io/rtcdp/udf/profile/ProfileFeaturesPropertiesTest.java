package io.rtcdp.udf.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.profile.ProfileScenario.Op;
import io.rtcdp.udf.profile.ProfileScenario.Sim;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** {@link ProfileFeatures} against the brute-force {@link FeatureOracle}. */
class ProfileFeaturesPropertiesTest {
    private static final int FIELDS = ProfileFields.FEATURE_FIELDS.size();

    @Provide
    Arbitrary<List<Op>> ops() {
        return ProfileScenario.ops(60);
    }

    @Provide
    Arbitrary<List<Op>> shortOps() {
        return ProfileScenario.ops(20);
    }

    @Provide
    Arbitrary<List<Double>> fractions() {
        return Arbitraries.doubles().between(0, 1).list().ofMinSize(1).ofMaxSize(8);
    }

    private static String[] render(ProfileFeatures f) {
        String[] out = new String[FIELDS];
        f.render(out);
        return out;
    }

    private static List<String> oracle(List<Event> events, long asOf) {
        return Arrays.asList(FeatureOracle.render(events, asOf));
    }

    @Property(tries = 400)
    void rendersWhatTheOracleComputesAfterEveryStep(@ForAll("ops") List<Op> ops) {
        Sim sim = new Sim();
        // Rendering twice on one instance exercises the render memo, as the operator does.
        String[] out = new String[FIELDS];
        for (Op op : ops) {
            sim.apply(op);
            assertThat(sim.state.asOf()).as("asOf after %s", op).isEqualTo(sim.asOf);
            sim.state.render(out);
            assertThat(Arrays.asList(out))
                    .as("after %s, state %s", op, sim.state)
                    .isEqualTo(oracle(sim.events, sim.asOf));
        }
    }

    @Property(tries = 400)
    void windowsChangeExactlyAtNextChange(
            @ForAll("ops") List<Op> ops, @ForAll("fractions") List<Double> samples) {
        Sim sim = Sim.of(ops);
        ProfileFeatures state = sim.state;
        long asOf = sim.asOf;
        long next = state.nextChange();
        assertThat(next)
                .as("nextChange of %s", state)
                .isEqualTo(FeatureOracle.nextChange(sim.events, asOf));
        Statistics.label("next change")
                .collect(
                        sim.events.isEmpty()
                                ? "no events"
                                : next == Long.MAX_VALUE ? "never" : cause(sim.events, next));
        if (sim.events.isEmpty()) {
            return;
        }

        List<String> now = FeatureOracle.windowedOf(render(state));
        long until = next == Long.MAX_VALUE ? asOf + 200 * WindowMath.DAY : next;
        List<Long> quiet = new ArrayList<>(List.of(asOf + 1, until - 1));
        for (double s : samples) {
            quiet.add(asOf + 1 + (long) (s * (until - asOf - 2)));
        }
        for (long t : quiet) {
            if (t > asOf && t < until) {
                assertThat(FeatureOracle.windowedOf(FeatureOracle.render(sim.events, t)))
                        .as("windowed features at %d, before nextChange %d", t, next)
                        .isEqualTo(now);
                ProfileFeatures advanced = state.copy();
                advanced.advanceTo(t);
                assertThat(Arrays.asList(render(advanced))).isEqualTo(oracle(sim.events, t));
            }
        }
        if (next != Long.MAX_VALUE) {
            assertThat(FeatureOracle.windowedOf(FeatureOracle.render(sim.events, next)))
                    .as("windowed features at nextChange %d", next)
                    .isNotEqualTo(now);
            ProfileFeatures advanced = state.copy();
            advanced.advanceTo(next);
            assertThat(Arrays.asList(render(advanced))).isEqualTo(oracle(sim.events, next));
            assertThat(advanced.nextChange()).isGreaterThan(next);
        }
    }

    /**
     * Follows the timers the operator would register: advance to {@code nextChange} again and again
     * until nothing is left, checking each step against the oracle. This reaches the states where
     * only old orders or only category entries remain.
     */
    @Property(tries = 300)
    void followingNextChangeVisitsEveryChange(@ForAll("shortOps") List<Op> ops) {
        Sim sim = Sim.of(ops);
        ProfileFeatures state = sim.state;
        long asOf = sim.asOf;
        int steps = 0;
        while (true) {
            long next = state.nextChange();
            assertThat(next)
                    .as("nextChange at step %d of %s", steps, state)
                    .isEqualTo(FeatureOracle.nextChange(sim.events, asOf));
            if (next == Long.MAX_VALUE) {
                break;
            }
            List<String> before = FeatureOracle.windowedOf(render(state));
            assertThat(FeatureOracle.windowedOf(FeatureOracle.render(sim.events, next - 1)))
                    .isEqualTo(before);
            state.advanceTo(next);
            asOf = next;
            List<String> after = FeatureOracle.windowedOf(render(state));
            assertThat(Arrays.asList(render(state))).isEqualTo(oracle(sim.events, asOf));
            Statistics.label("changed").collect(changed(before, after));
            steps++;
        }
        assertThat(state.isEmpty()).isEqualTo(sim.events.isEmpty());
        Statistics.label("steps").collect(steps / 10 * 10);
    }

    private static String changed(List<String> before, List<String> after) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            if (!java.util.Objects.equals(before.get(i), after.get(i))) {
                names.add(FeatureOracle.WINDOWED.get(i).substring(2));
            }
        }
        return names.stream().anyMatch(n -> !n.startsWith("top"))
                ? "counts" + (names.contains("top_category_30d") ? "+top" : "")
                : String.join(",", names);
    }

    /** Which window's edge a change time is, for the coverage statistics. */
    private static String cause(List<Event> events, long t) {
        String[] names = {"24h", "30d", "90d"};
        for (int w = 0; w < names.length; w++) {
            for (Event e : events) {
                long[] win = FeatureOracle.WINDOWS[w];
                if (e.ts() - Math.floorMod(e.ts(), win[1]) + win[0] == t) {
                    return names[w];
                }
            }
        }
        return "other";
    }

    @Property(tries = 300)
    void mergeIsCommutativeAssociativeAndEqualToOneProfileWithAllEvents(
            @ForAll("shortOps") List<Op> opsA,
            @ForAll("shortOps") List<Op> opsB,
            @ForAll("shortOps") List<Op> opsC,
            @ForAll Random random) {
        Sim a = Sim.of(opsA);
        Sim b = Sim.of(opsB);
        Sim c = Sim.of(opsC);
        ProfileFeatures bBefore = b.state.copy();

        ProfileFeatures ab = merged(a.state, b.state);
        assertThat(b.state).as("merge leaves its argument alone").isEqualTo(bBefore);
        ProfileFeatures ba = merged(b.state, a.state);
        assertThat(ab).isEqualTo(ba);
        assertThat(ab.hashCode()).isEqualTo(ba.hashCode());

        ProfileFeatures abC = merged(ab, c.state);
        ProfileFeatures aBc = merged(a.state, merged(b.state, c.state));
        assertThat(abC).isEqualTo(aBc);

        List<Event> all = new ArrayList<>();
        all.addAll(a.events);
        all.addAll(b.events);
        all.addAll(c.events);
        Collections.shuffle(all, random);
        long asOf = Math.max(a.asOf, Math.max(b.asOf, c.asOf));
        ProfileFeatures union = new ProfileFeatures();
        all.forEach(union::add);
        union.advanceTo(asOf);
        assertThat(abC).as("merged vs one profile with all events").isEqualTo(union);
        assertThat(abC.hashCode()).isEqualTo(union.hashCode());
        assertThat(Arrays.asList(render(abC))).isEqualTo(oracle(all, asOf));
    }

    /**
     * A merged profile keeps counting in place, as a stage that keeps its state on the heap (the
     * heap cache, or Flink's heap state backend) makes it do: its arrays after a merge must take
     * new categories (a merge left the names' array longer than the totals' once).
     */
    @Property(tries = 300)
    void aMergedProfileKeepsCountingInPlace(
            @ForAll("shortOps") List<Op> opsA,
            @ForAll("shortOps") List<Op> opsB,
            @ForAll("shortOps") List<Op> opsC) {
        Sim a = Sim.of(opsA);
        Sim b = Sim.of(opsB);
        Sim c = Sim.of(opsC);
        ProfileFeatures m = merged(a.state, b.state);
        c.events.forEach(m::add);
        long asOf = Math.max(a.asOf, Math.max(b.asOf, c.asOf));
        m.advanceTo(asOf);
        List<Event> all = new ArrayList<>();
        all.addAll(a.events);
        all.addAll(b.events);
        all.addAll(c.events);
        ProfileFeatures union = new ProfileFeatures();
        all.forEach(union::add);
        union.advanceTo(asOf);
        assertThat(m).isEqualTo(union);
        assertThat(Arrays.asList(render(m))).isEqualTo(oracle(all, asOf));
    }

    private static ProfileFeatures merged(ProfileFeatures x, ProfileFeatures y) {
        ProfileFeatures m = x.copy();
        m.merge(y);
        return m;
    }

    @Property(tries = 300)
    void encodingRoundTripsAndKeepsWorking(
            @ForAll("ops") List<Op> ops, @ForAll("shortOps") List<Op> more) throws IOException {
        Sim sim = Sim.of(ops);
        byte[] bytes = encode(sim.state);
        Statistics.label("encoded bytes").collect(bytes.length / 50 * 50);

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        ProfileFeatures decoded = ProfileFeatures.read(in);
        assertThat(in.available()).as("read consumes exactly what write wrote").isZero();
        assertThat(decoded).isEqualTo(sim.state);
        assertThat(decoded.hashCode()).isEqualTo(sim.state.hashCode());
        assertThat(encode(decoded)).isEqualTo(bytes);
        assertThat(render(decoded)).isEqualTo(render(sim.state));
        assertThat(decoded.nextChange()).isEqualTo(sim.state.nextChange());

        // Derived parts (category totals) must be rebuilt: keep going on both and compare.
        for (Op op : more) {
            long t = op.time().resolve(sim.asOf, sim.events);
            sim.apply(op);
            if (op.event() == null) {
                decoded.advanceTo(t);
            } else {
                decoded.add(sim.events.get(sim.events.size() - 1));
            }
            assertThat(decoded).isEqualTo(sim.state);
        }
        assertThat(Arrays.asList(render(decoded))).isEqualTo(oracle(sim.events, sim.asOf));

        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] prefix = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(
                            () ->
                                    ProfileFeatures.read(
                                            new DataInputStream(new ByteArrayInputStream(prefix))))
                    .as("truncated to %d of %d bytes", cut, bytes.length)
                    .isInstanceOf(IOException.class);
        }
    }

    static byte[] encode(ProfileFeatures f) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        f.write(new DataOutputStream(bos));
        return bos.toByteArray();
    }
}
