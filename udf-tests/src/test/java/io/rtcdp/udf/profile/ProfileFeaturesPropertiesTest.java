package io.rtcdp.udf.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.profile.ProfileScenario.Op;
import io.rtcdp.udf.profile.ProfileScenario.Sim;
import io.rtcdp.udf.testing.Events;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
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
            assertThat(sim.state.traits())
                    .as("traits after %s", op)
                    .isEqualTo(FeatureOracle.traits(sim.events, ProfileFeatures.MAX_TRAITS));
        }
        Statistics.label("trait names")
                .collect(Math.min(sim.state.traitCount(), ProfileScenario.TRAIT_NAMES.size()));
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
        assertThat(abC.traits()).isEqualTo(FeatureOracle.traits(all, ProfileFeatures.MAX_TRAITS));
    }

    /** One trait of an event: a name of {@link #TRAIT_NAMES}, a value, a time among few. */
    record TraitOp(int name, int value, int time) {}

    /** More names than a profile keeps, few values and times: bound, ties and merges at once. */
    private static final int TRAIT_NAMES = ProfileFeatures.MAX_TRAITS + 24;

    @Provide
    Arbitrary<List<TraitOp>> traitOps() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, TRAIT_NAMES - 1),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 12))
                .as(TraitOp::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(220)
                .withSizeDistribution(net.jqwik.api.RandomDistribution.uniform());
    }

    /**
     * Beyond {@link ProfileFeatures#MAX_TRAITS} names, with ties of time and value: the traits of
     * any arrival order, and of any split into profiles merged in any order, are the oracle's, and
     * so are the whole states.
     */
    @Property(tries = 300)
    void traitsDependOnlyOnTheEventsUpToTheBound(
            @ForAll("traitOps") List<TraitOp> ops, @ForAll Random random) throws IOException {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            TraitOp op = ops.get(i);
            // an event may carry a second trait, named after the first
            Map<String, String> traits =
                    i % 3 == 0
                            ? Map.of(
                                    "t" + op.name(),
                                    "v" + op.value(),
                                    "t" + (op.name() + 1) % TRAIT_NAMES,
                                    "v" + (2 - op.value()))
                            : Map.of("t" + op.name(), "v" + op.value());
            events.add(
                    Events.of(EventType.IDENTIFY)
                            .eventId("e" + i)
                            .at(ProfileScenario.T0 + op.time() * 1000L)
                            .traits(traits)
                            .build());
        }
        java.util.SortedMap<String, String> expected =
                FeatureOracle.traits(events, ProfileFeatures.MAX_TRAITS);
        ProfileFeatures inOrder = new ProfileFeatures();
        events.forEach(inOrder::add);
        assertThat(inOrder.traits()).isEqualTo(expected);
        assertThat(inOrder.traitCount()).isEqualTo(expected.size());

        List<Event> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, random);
        ProfileFeatures other = new ProfileFeatures();
        shuffled.forEach(other::add);
        assertThat(other).isEqualTo(inOrder).hasSameHashCodeAs(inOrder);

        // split into parts, merged in a random order, each part first through its encoding
        int parts = 1 + random.nextInt(5);
        List<ProfileFeatures> pieces = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            pieces.add(new ProfileFeatures());
        }
        for (Event e : shuffled) {
            pieces.get(random.nextInt(parts)).add(e);
        }
        List<ProfileFeatures> decoded = new ArrayList<>();
        for (ProfileFeatures piece : pieces) {
            decoded.add(
                    ProfileFeatures.read(
                            new DataInputStream(new ByteArrayInputStream(encode(piece)))));
        }
        Collections.shuffle(decoded, random);
        ProfileFeatures merged = decoded.get(0);
        for (ProfileFeatures piece : decoded.subList(1, decoded.size())) {
            if (random.nextBoolean()) {
                merged.merge(piece);
            } else {
                piece.merge(merged);
                merged = piece;
            }
        }
        assertThat(merged.traits()).isEqualTo(expected);
        assertThat(merged).isEqualTo(inOrder).hasSameHashCodeAs(inOrder);
        Statistics.label("trait names")
                .collect(
                        expected.size() == ProfileFeatures.MAX_TRAITS
                                ? "bound"
                                : expected.size() / 16 * 16);
    }

    /**
     * retainTraits: what is kept is exactly the oracle's traits of the named names, it says whether
     * it dropped one, it is idempotent, and the state survives its encoding; with no more names
     * than {@link ProfileFeatures#MAX_TRAITS} it is the state of the same events carrying only the
     * named traits (so which names a rule set declares never changes the declared traits' values).
     */
    @Property(tries = 300)
    void retainTraitsKeepsTheNamedTraitsOfTheEvents(
            @ForAll("traitOps") List<TraitOp> ops, @ForAll Random random) throws IOException {
        java.util.Set<String> named = new java.util.HashSet<>();
        for (int n = 0; n < TRAIT_NAMES; n++) {
            if (random.nextInt(3) == 0) {
                named.add("t" + n);
            }
        }
        boolean bounded = random.nextBoolean();
        List<Event> events = new ArrayList<>();
        List<Event> namedOnly = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            TraitOp op = ops.get(i);
            // half the runs keep to fewer names than the bound
            int name = bounded ? op.name() % (ProfileFeatures.MAX_TRAITS / 2) : op.name();
            Map<String, String> traits =
                    i % 3 == 0
                            ? Map.of(
                                    "t" + name,
                                    "v" + op.value(),
                                    "t" + (name + 1) % TRAIT_NAMES,
                                    "v" + (2 - op.value()))
                            : Map.of("t" + name, "v" + op.value());
            Map<String, String> kept = new java.util.HashMap<>(traits);
            kept.keySet().retainAll(named);
            long ts = ProfileScenario.T0 + op.time() * 1000L;
            events.add(
                    Events.of(EventType.IDENTIFY).eventId("e" + i).at(ts).traits(traits).build());
            namedOnly.add(
                    Events.of(EventType.IDENTIFY).eventId("e" + i).at(ts).traits(kept).build());
        }
        ProfileFeatures f = new ProfileFeatures();
        events.forEach(f::add);
        java.util.SortedMap<String, String> before = f.traits();

        boolean removed = f.retainTraits(named);

        java.util.SortedMap<String, String> expected = new java.util.TreeMap<>(before);
        expected.keySet().retainAll(named);
        assertThat(f.traits()).isEqualTo(expected);
        assertThat(f.traitCount()).isEqualTo(expected.size());
        assertThat(removed).isEqualTo(expected.size() < before.size());
        assertThat(f.retainTraits(named)).isFalse();
        ProfileFeatures decoded =
                ProfileFeatures.read(new DataInputStream(new ByteArrayInputStream(encode(f))));
        assertThat(decoded).isEqualTo(f).hasSameHashCodeAs(f);
        assertThat(encode(decoded)).isEqualTo(encode(f));
        if (bounded) {
            ProfileFeatures fromNamed = new ProfileFeatures();
            namedOnly.forEach(fromNamed::add);
            assertThat(f).isEqualTo(fromNamed).hasSameHashCodeAs(fromNamed);
            assertThat(f.traits())
                    .isEqualTo(FeatureOracle.traits(namedOnly, ProfileFeatures.MAX_TRAITS));
        }
        Statistics.label("removed").collect(removed);
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
