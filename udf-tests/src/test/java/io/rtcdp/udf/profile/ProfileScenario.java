package io.rtcdp.udf.profile;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.testing.Events;
import io.rtcdp.udf.text.TextIntent;
import io.rtcdp.udf.text.TextSentiment;
import io.rtcdp.udf.text.TextSignal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random event sequences for the property tests: events of mixed names, amounts (negative and null
 * included), categories, consents and traits (a few names and values, so that names recur and
 * values tie), with times spread over ±120 days, heavily out of order, and clustered at window
 * edges — right at the bucket boundary of {@code as_of − W} and at {@code b + W ± 1 ms} of earlier
 * events — interleaved with {@code advanceTo} calls.
 *
 * <p>Edge times are described relative to the state at the moment they are applied (current {@code
 * as_of}, an earlier event), so they hit the edges whatever came before.
 */
final class ProfileScenario {
    /** An arbitrary, deliberately not bucket-aligned base time (2023-11-14T22:13:32.345Z). */
    static final long T0 = 1_700_000_012_345L;

    private static final long MINUTE = 60_000L;
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;
    private static final long[] WINDOW_LENGTHS = {
        DAY, 30 * DAY, 90 * DAY, 180 * DAY, 275 * DAY, 365 * DAY
    };

    static final List<String> CATEGORIES = List.of("books", "Books", "garden", "toys", "äpfel");

    static final List<String> SKUS = List.of("sku-1", "sku-2", "sku-3", "sku-4", "sku-5");

    static final List<String> TRAIT_NAMES = List.of("plan", "city", "tier", "näme");
    static final List<String> TRAIT_VALUES = List.of("a", "b", "B", "ü", "");

    private ProfileScenario() {}

    enum Kind {
        /** T0 + offset. */
        ABSOLUTE,
        /** current asOf + offset. */
        NEAR,
        /** bucket(asOf − W) + delta: events just in or just out of a window. */
        WINDOW_START,
        /** bucket(ts of an earlier event) + W + delta: the moment that event leaves a window. */
        EXPIRY
    }

    /** A time, resolved against the state when the operation is applied. */
    record TimeSpec(Kind kind, long offset, int ref, int window, int deltaCode) {
        long resolve(long asOf, List<Event> events) {
            long base = asOf == Long.MIN_VALUE ? T0 : asOf;
            long w = WINDOW_LENGTHS[window];
            long g = w <= DAY ? MINUTE : w <= 90 * DAY ? HOUR : DAY;
            long delta =
                    switch (deltaCode) {
                        case 0 -> -1;
                        case 1 -> 0;
                        case 2 -> 1;
                        case 3 -> g - 1;
                        case 4 -> g;
                        case 5 -> g + 1;
                        default -> -g;
                    };
            return switch (kind) {
                case ABSOLUTE -> T0 + offset;
                case NEAR -> base + offset;
                case WINDOW_START -> floor(base - w, g) + delta;
                case EXPIRY -> {
                    long r = events.isEmpty() ? base : events.get(ref % events.size()).ts();
                    yield floor(r, g) + w + delta;
                }
            };
        }

        private static long floor(long t, long g) {
            return t - Math.floorMod(t, g);
        }
    }

    record EventSpec(
            EventType type,
            String name,
            Long amountMicros,
            String category,
            Boolean marketing,
            Boolean personalization,
            TextSignal text,
            Map<String, String> traits,
            List<String> skus) {}

    /** One step: an event (when {@code event} is set) or an advance of as_of. */
    record Op(EventSpec event, TimeSpec time) {
        @Override
        public String toString() {
            return (event == null ? "advance " : "add " + event + " ") + time;
        }
    }

    static Arbitrary<TimeSpec> times() {
        Arbitrary<TimeSpec> absolute =
                Arbitraries.longs()
                        .between(-400 * DAY, 400 * DAY)
                        .map(o -> new TimeSpec(Kind.ABSOLUTE, o, 0, 0, 0));
        Arbitrary<TimeSpec> near =
                Arbitraries.oneOf(
                                Arbitraries.longs().between(-3 * DAY, DAY),
                                Arbitraries.longs().between(-2 * HOUR, 10 * MINUTE))
                        .map(o -> new TimeSpec(Kind.NEAR, o, 0, 0, 0));
        Arbitrary<TimeSpec> edge =
                Combinators.combine(
                                Arbitraries.of(Kind.WINDOW_START, Kind.EXPIRY),
                                Arbitraries.integers().between(0, 1000),
                                Arbitraries.integers().between(0, WINDOW_LENGTHS.length - 1),
                                Arbitraries.integers().between(0, 6))
                        .as((k, ref, w, d) -> new TimeSpec(k, 0, ref, w, d));
        return Arbitraries.frequencyOf(Tuple.of(2, absolute), Tuple.of(3, near), Tuple.of(4, edge));
    }

    static Arbitrary<EventSpec> events() {
        Arbitrary<EventType> types =
                Arbitraries.frequency(
                        Tuple.of(7, EventType.TRACK),
                        Tuple.of(1, EventType.PAGE),
                        Tuple.of(1, EventType.IDENTIFY),
                        Tuple.of(1, EventType.CONSENT));
        Arbitrary<String> names =
                Arbitraries.frequency(
                        Tuple.of(4, Event.ORDER_COMPLETED),
                        Tuple.of(3, Event.PRODUCT_VIEWED),
                        Tuple.of(3, Event.PRODUCT_ADDED),
                        Tuple.of(1, Event.ORDER_REFUNDED),
                        Tuple.of(1, "search"));
        Arbitrary<Long> amounts =
                Arbitraries.oneOf(
                                Arbitraries.of(0L, 1L, -1L, 12_500_000L, 19_990_000L, 5_000L),
                                Arbitraries.longs().between(-50_000_000L, 2_000_000_000L))
                        .injectNull(0.25);
        Arbitrary<String> categories = Arbitraries.of(CATEGORIES).injectNull(0.4);
        Arbitrary<Boolean> consents = Arbitraries.of(true, false).injectNull(0.8);
        Arbitrary<TextSignal> texts =
                Combinators.combine(
                                Arbitraries.of(TextIntent.class),
                                Arbitraries.of(TextSentiment.class))
                        .as((i, st) -> new TextSignal(i, 0.5, st, 0))
                        .injectNull(0.7);
        Arbitrary<Map<String, String>> traits =
                Arbitraries.frequencyOf(
                        Tuple.of(7, Arbitraries.just(Map.<String, String>of())),
                        Tuple.of(
                                3,
                                Arbitraries.maps(
                                                Arbitraries.of(TRAIT_NAMES),
                                                Arbitraries.of(TRAIT_VALUES))
                                        .ofMinSize(1)
                                        .ofMaxSize(3)
                                        .map(m -> (Map<String, String>) new TreeMap<>(m))));
        // order lines: none mostly, else a few skus, repeated ones among them (distinct items)
        Arbitrary<List<String>> skus =
                Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.just(List.<String>of())),
                        Tuple.of(2, Arbitraries.of(SKUS).list().ofMinSize(1).ofMaxSize(12)));
        Arbitrary<Tuple.Tuple2<Map<String, String>, List<String>>> traitsAndSkus =
                Combinators.combine(traits, skus).as(Tuple::of);
        return Combinators.combine(
                        types, names, amounts, categories, consents, consents, texts, traitsAndSkus)
                .as(
                        (type, name, amount, category, m, p, text, ts) ->
                                new EventSpec(
                                        type,
                                        type == EventType.TRACK ? name : null,
                                        amount,
                                        category,
                                        m,
                                        p,
                                        text,
                                        ts.get1(),
                                        ts.get2()));
    }

    static Arbitrary<List<Op>> ops(int maxSize) {
        Arbitrary<Op> add = Combinators.combine(events(), times()).as(Op::new);
        Arbitrary<Op> advance = times().map(t -> new Op(null, t));
        return Arbitraries.frequencyOf(Tuple.of(8, add), Tuple.of(2, advance))
                .list()
                .ofMaxSize(maxSize);
    }

    /** Applies operations to a {@link ProfileFeatures} and keeps what the oracle needs. */
    static final class Sim {
        final ProfileFeatures state = new ProfileFeatures();
        final List<Event> events = new ArrayList<>();
        long asOf = Long.MIN_VALUE;

        static Sim of(List<Op> ops) {
            Sim sim = new Sim();
            ops.forEach(sim::apply);
            return sim;
        }

        void apply(Op op) {
            long t = op.time().resolve(asOf, events);
            asOf = Math.max(asOf, t);
            if (op.event() == null) {
                state.advanceTo(t);
            } else {
                Event e = event(op.event(), t, events.size());
                events.add(e);
                state.add(e);
            }
        }
    }

    static Event event(EventSpec s, long ts, int seq) {
        // order lines only where the contract reads them (§1), as the parser leaves them
        boolean lines =
                s.type() == EventType.TRACK
                        && (Event.ORDER_COMPLETED.equals(s.name())
                                || Event.ORDER_REFUNDED.equals(s.name()));
        OrderItem[] items =
                lines
                        ? s.skus().stream()
                                .map(sku -> new OrderItem(sku, null, 1, 1_000_000L))
                                .toArray(OrderItem[]::new)
                        : new OrderItem[0];
        return Events.of(s.type())
                .items(items)
                .name(s.name())
                .eventId("e" + seq)
                .at(ts)
                .amountMicros(s.amountMicros())
                .category(s.category())
                .consent(s.marketing(), s.personalization())
                .text(s.text())
                .traits(s.traits())
                .build();
    }
}
