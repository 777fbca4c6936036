package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.ProfileUpdater;
import io.rtcdp.operators.profile.RfmObservation;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.ml.BgNbd;
import io.rtcdp.udf.ml.BgNbdFit;
import io.rtcdp.udf.ml.BgNbdSample;
import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.ModelMessages;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.ml.Standardization;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.testing.Events;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * BG/NBD's live refit: the RFM buckets' samples ({@link RfmSummarizer#SAMPLES}) through the fit
 * stage ({@link BgNbdFitStage}) against the fit of every customer, and the decision stage serving a
 * model with BG/NBD inputs with the fit it receives.
 */
class BgNbdLiveFitTest {
    static final long DAY = 86_400_000L;
    static final long T0 = 1_600_000_000_000L;
    static final Duration REFRESH = Duration.ofSeconds(10);
    static final Duration REFIT = Duration.ofDays(28);

    /** One order of a customer, as the profile stage reports it after the order. */
    record Order(String oneid, long ts, long first, long count) {}

    /**
     * {@code n} customers over a year from T0: first orders spread over it, later ones at a
     * customer's own rate until it drops out (the BG/NBD story); orders in time order.
     */
    static List<Order> orders(int n, long seed) {
        Random rnd = new Random(seed);
        long end = T0 + 365 * DAY;
        List<Order> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String oneid = "p" + i;
            long first = T0 + (long) (rnd.nextDouble() * 300 * DAY);
            double meanGap = (5 + rnd.nextDouble() * 60) * DAY;
            double dropout = 0.05 + rnd.nextDouble() * 0.5;
            long t = first;
            long count = 1;
            out.add(new Order(oneid, t, first, 1));
            while (rnd.nextDouble() >= dropout) {
                t += (long) (-Math.log(1 - rnd.nextDouble()) * meanGap) + 1;
                if (t > end) {
                    break;
                }
                out.add(new Order(oneid, t, first, ++count));
            }
        }
        out.sort(Comparator.comparingLong(Order::ts));
        return out;
    }

    /** What the fit stage sent, in order. */
    static List<BgNbdFit> run(List<Order> orders, int sampleCap) throws Exception {
        return run(orders, sampleCap, java.util.Set.of());
    }

    /**
     * What the fit stage sent, in order, when the profiles of {@code removed} go (merged into
     * another, or forgotten) after the last order.
     */
    static List<BgNbdFit> run(List<Order> orders, int sampleCap, java.util.Set<String> removed)
            throws Exception {
        List<BgNbdFit> fits = new ArrayList<>();
        try (var buckets =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(
                                        new RfmSummarizer(REFRESH, REFIT, sampleCap)),
                                RfmSummarizer.KEY,
                                Types.STRING);
                var fit =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(new BgNbdFitStage(REFIT)),
                                BgNbdFitStage.KEY,
                                Types.STRING)) {
            buckets.open();
            fit.open();
            long watermark = Long.MIN_VALUE;
            for (Order o : orders) {
                buckets.processElement(
                        new RfmObservation("acme", o.oneid(), o.ts(), o.count(), 0, o.first()),
                        o.ts());
                forward(buckets, fit, fits);
                // event time follows the orders a day behind, as a watermark does
                if (o.ts() - DAY > watermark + DAY) {
                    watermark = o.ts() - DAY;
                    buckets.processWatermark(new Watermark(watermark));
                    forward(buckets, fit, fits);
                    fit.processWatermark(new Watermark(watermark));
                    forward(buckets, fit, fits);
                }
            }
            long last = orders.get(orders.size() - 1).ts();
            for (String oneid : removed) {
                buckets.processElement(RfmObservation.removal("acme", oneid), last);
                forward(buckets, fit, fits);
            }
            buckets.processWatermark(new Watermark(Long.MAX_VALUE));
            forward(buckets, fit, fits);
            fit.processWatermark(new Watermark(Long.MAX_VALUE));
            forward(buckets, fit, fits);
        }
        return fits;
    }

    private static void forward(
            KeyedOneInputStreamOperatorTestHarness<String, RfmObservation, ?> buckets,
            KeyedOneInputStreamOperatorTestHarness<String, Tuple3<String, Integer, byte[]>, String>
                    fit,
            List<BgNbdFit> fits)
            throws Exception {
        var samples = buckets.getSideOutput(RfmSummarizer.SAMPLES);
        while (samples != null && !samples.isEmpty()) {
            StreamRecord<Tuple3<String, Integer, byte[]>> r = samples.poll();
            fit.processElement(r.getValue(), r.getTimestamp());
        }
        for (String text : fit.extractOutputValues()) {
            assertThat(BgNbdFit.isFit(text)).isTrue();
            fits.add(BgNbdFit.fromText(text));
        }
        fit.getOutput().clear();
    }

    /** Every customer at the end of the orders, as BG/NBD sees them at their last order's time. */
    static List<BgNbd.Customer> everyCustomer(List<Order> orders) {
        return everyCustomer(orders, java.util.Set.of());
    }

    /** As above, but for the customers of {@code removed}. */
    static List<BgNbd.Customer> everyCustomer(List<Order> orders, java.util.Set<String> removed) {
        Map<String, Order> last = new HashMap<>();
        long asOf = Long.MIN_VALUE;
        for (Order o : orders) {
            last.put(o.oneid(), o);
            asOf = Math.max(asOf, o.ts());
        }
        List<BgNbd.Customer> out = new ArrayList<>();
        for (Order o : last.values()) {
            if (!removed.contains(o.oneid())) {
                out.add(BgNbdSample.customer(o.first(), o.ts(), o.count(), asOf));
            }
        }
        return out;
    }

    /**
     * With every customer in the samples, the fit at the end of the input is the fit of every
     * customer as of the last order; on the way, one fit per refit period of the orders' time (plus
     * those of a tenant that starts from nothing, each at twice the customers of the last).
     */
    @Test
    void theLastFitIsTheFitOfEveryCustomerAndOneComesPerRefitInterval() throws Exception {
        List<Order> orders = orders(3_000, 1);
        List<BgNbdFit> fits = run(orders, 1_000);
        BgNbd.Params exact = BgNbd.fit(everyCustomer(orders));
        BgNbdFit last = fits.get(fits.size() - 1);
        assertThat(last.sampled()).isEqualTo(3_000);
        assertThat(last.customers()).isEqualTo(3_000);
        assertThat(last.asOf()).isEqualTo(orders.get(orders.size() - 1).ts());
        assertThat(last.params().r()).isCloseTo(exact.r(), within(1e-4 * exact.r()));
        assertThat(last.params().alpha()).isCloseTo(exact.alpha(), within(1e-4 * exact.alpha()));
        assertThat(last.params().a()).isCloseTo(exact.a(), within(1e-4 * exact.a()));
        assertThat(last.params().b()).isCloseTo(exact.b(), within(1e-4 * exact.b()));
        // 365 days: 14 periods of 28 days; growth from 100 to 3,000 customers: 5 more at most
        assertThat(fits).hasSizeBetween(10, 14 + 5 + 1);
        for (int i = 1; i < fits.size(); i++) {
            assertThat(fits.get(i).asOf()).isGreaterThanOrEqualTo(fits.get(i - 1).asOf());
        }
        assertThat(fits.get(0).sampled()).isBetween(100, 400);
        // a fit in each refit period of the orders' time
        assertThat(fits.stream().map(f -> Math.floorDiv(f.asOf(), REFIT.toMillis())).distinct())
                .hasSizeGreaterThanOrEqualTo(12);
    }

    /**
     * A customer whose profile goes (merged into another, forgotten) leaves its bucket's sample:
     * the fit at the end is the fit of the customers left, exactly.
     */
    @Test
    void customersWhoseProfilesGoLeaveTheSamples() throws Exception {
        List<Order> orders = orders(3_000, 3);
        java.util.Set<String> removed = new java.util.HashSet<>();
        for (int i = 0; i < 3_000; i += 5) {
            removed.add("p" + i);
        }
        List<BgNbdFit> fits = run(orders, 1_000, removed);
        BgNbdFit last = fits.get(fits.size() - 1);
        BgNbd.Params exact = BgNbd.fit(everyCustomer(orders, removed));
        assertThat(last.sampled()).isEqualTo(3_000 - removed.size());
        assertThat(last.customers()).isEqualTo(3_000 - removed.size());
        assertThat(last.params().r()).isCloseTo(exact.r(), within(1e-4 * exact.r()));
        assertThat(last.params().alpha()).isCloseTo(exact.alpha(), within(1e-4 * exact.alpha()));
        assertThat(last.params().a()).isCloseTo(exact.a(), within(1e-4 * exact.a()));
        assertThat(last.params().b()).isCloseTo(exact.b(), within(1e-4 * exact.b()));
        // and not the fit of everyone
        BgNbd.Params everyone = BgNbd.fit(everyCustomer(orders));
        assertThat(last.params().b()).isNotCloseTo(everyone.b(), within(1e-4 * everyone.b()));
    }

    /**
     * Buckets of at most 3 sampled customers (a tenant of far more customers than the cap): the
     * levels rise, the fit stands for about every customer and predicts the same number alive.
     */
    @Test
    void aCappedSampleFitsNearTheFitOfEveryCustomer() throws Exception {
        List<Order> orders = orders(6_000, 2);
        List<BgNbdFit> fits = run(orders, 3);
        BgNbdFit last = fits.get(fits.size() - 1);
        List<BgNbd.Customer> all = everyCustomer(orders);
        BgNbd.Params exact = BgNbd.fit(all);
        assertThat(last.sampled()).isLessThanOrEqualTo(3 * RfmSummarizer.BUCKETS);
        assertThat((double) last.customers()).isCloseTo(6_000, within(1_500.0));
        double aliveExact = 0;
        double aliveSampled = 0;
        for (BgNbd.Customer c : all) {
            aliveExact += BgNbd.pAlive(exact, c);
            aliveSampled += BgNbd.pAlive(last.params(), c);
        }
        assertThat(aliveSampled).isCloseTo(aliveExact, within(0.05 * aliveExact));
    }

    // -- the decision stage ---------------------------------------------------------------------

    static String fourDecimals(double v) {
        return new BigDecimal(v)
                .setScale(4, RoundingMode.HALF_EVEN)
                .stripTrailingZeros()
                .toPlainString();
    }

    /** A purchase model with BG/NBD inputs and the parameters {@code shipped} in its model.json. */
    static String modelWith(BgNbd.Params shipped) throws Exception {
        ModelSpec spec = ModelSpec.extended("purchase").withBgNbd(shipped);
        assertThat(spec.usesBgNbd()).isTrue();
        int n = spec.features().size();
        double[] c = new double[n + 1];
        c[0] = -1;
        // the purchase score follows p_alive
        c[spec.features().stream().map(f -> f.name()).toList().indexOf("p_alive") + 1] = 2;
        return ModelMessages.encode(
                "t", new LogisticModel(spec, 1, Standardization.identity(n), c, 0, Map.of()));
    }

    /** A change of a profile with 4 orders over 60 days, the last 10 days before {@code ts}. */
    static ProfileChange ordered(String oneid, long ts) {
        String[] fields = new String[ProfileUpdater.FIELDS.size()];
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.AS_OF)] = Long.toString(ts);
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.EVENTS_TOTAL)] = "4";
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.ORDERS_TOTAL)] = "4";
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.REVENUE_TOTAL)] = "40";
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.ORDER_GAP_DAYS)] = "20";
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.DAYS_SINCE_LAST_ORDER)] = "10";
        Event e =
                Events.track("page_viewed").tenant("t").at(ts).channel("web").userId(oneid).build();
        ProfileUpdate u =
                new ProfileUpdate(
                        "t", oneid, 1, false, Map.of("f.events_total", "4"), List.of(), List.of());
        return new ProfileChange("t", oneid, u, ProfileValues.parse(fields), e, null);
    }

    static KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> decider()
            throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(
                        new ProfileDecider(false),
                        List.of(ProfileDecider.RULES, ProfileDecider.MODELS)),
                ProfileDecider.KEY,
                Types.STRING,
                1,
                1,
                0);
    }

    private static Map<String, String> lastSet(
            KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> h) {
        List<ProfileUpdate> out = h.extractOutputValues();
        return out.get(out.size() - 1).set();
    }

    @Test
    void theDecisionStageServesAModelWithBgNbdInputsWithTheTenantsLatestFit() throws Exception {
        BgNbd.Params shipped = new BgNbd.Params(1, 30, 1, 1);
        BgNbd.Params first = new BgNbd.Params(0.6, 48, 0.2, 2.6);
        BgNbd.Params second = new BgNbd.Params(0.3, 20, 0.8, 1.5);
        BgNbd.Customer customer = new BgNbd.Customer(3, 60, 70);
        var h = decider();
        h.open();
        h.processBroadcastElement(modelWith(shipped), T0);
        h.processElement(ordered("o1", T0), T0);
        // before a fit, the model's own parameters
        assertThat(lastSet(h))
                .containsEntry("score.p_alive", fourDecimals(BgNbd.pAlive(shipped, customer)));

        h.processBroadcastElement(new BgNbdFit("t", first, T0, 5_000, 5_000).toText(), T0);
        h.processElement(ordered("o1", T0 + DAY), T0 + DAY);
        assertThat(lastSet(h))
                .containsEntry("score.p_alive", fourDecimals(BgNbd.pAlive(first, customer)));
        String scoredWithFirst = lastSet(h).get("score.purchase");

        // another tenant's fit, and an older one of this tenant, change nothing
        h.processBroadcastElement(new BgNbdFit("u", second, T0 + DAY, 50, 50).toText(), T0);
        h.processBroadcastElement(new BgNbdFit("t", second, T0 - DAY, 50, 50).toText(), T0);
        h.processElement(ordered("o2", T0 + DAY), T0 + DAY);
        assertThat(lastSet(h))
                .containsEntry("score.p_alive", fourDecimals(BgNbd.pAlive(first, customer)))
                .containsEntry("score.purchase", scoredWithFirst);

        // a newer one is served from the next update on, and survives a restore
        h.processBroadcastElement(
                new BgNbdFit("t", second, T0 + 28 * DAY, 6_000, 6_000).toText(), T0);
        var snapshot = h.snapshot(1, T0);
        h.close();
        var restored = decider();
        restored.initializeState(snapshot);
        restored.open();
        restored.processElement(ordered("o3", T0 + 2 * DAY), T0 + 2 * DAY);
        assertThat(lastSet(restored))
                .containsEntry("score.p_alive", fourDecimals(BgNbd.pAlive(second, customer)));
        assertThat(lastSet(restored).get("score.purchase")).isNotEqualTo(scoredWithFirst);
        restored.close();
    }

    /**
     * A fit that cannot be read (over the broadcast input, or restored from a checkpoint this jar
     * cannot read) leaves the model's own parameters in force, without failing a record.
     */
    @Test
    void anUnreadableFitLeavesTheModelsParameters() throws Exception {
        BgNbd.Params shipped = new BgNbd.Params(1, 30, 1, 1);
        BgNbd.Customer customer = new BgNbd.Customer(3, 60, 70);
        var h = decider();
        h.open();
        h.processBroadcastElement(modelWith(shipped), T0);
        h.processBroadcastElement("{\"bgnbd_fit\":{\"tenant\":\"t\",\"r\":0}}", T0);
        h.getBroadcastState(ProfileDecider.MODELS)
                .put(ProfileDecider.fitKey("t"), "{\"bgnbd_fit\":{\"tenant\":\"t\",\"r\":-1}}");
        var snapshot = h.snapshot(1, T0);
        h.close();
        var restored = decider();
        restored.initializeState(snapshot);
        restored.open();
        restored.processElement(ordered("o1", T0), T0);
        assertThat(lastSet(restored))
                .containsEntry("score.p_alive", fourDecimals(BgNbd.pAlive(shipped, customer)));
        assertThat(restored.getSideOutput(io.rtcdp.operators.RecordIsolation.INTERNAL_ERRORS))
                .isNullOrEmpty();
        // the next fit replaces it
        BgNbd.Params fitted = new BgNbd.Params(0.6, 48, 0.2, 2.6);
        restored.processBroadcastElement(new BgNbdFit("t", fitted, T0, 500, 500).toText(), T0);
        restored.processElement(ordered("o1", T0 + DAY), T0 + DAY);
        assertThat(lastSet(restored))
                .containsEntry("score.p_alive", fourDecimals(BgNbd.pAlive(fitted, customer)));
        restored.close();
    }

    /**
     * At the end of a bounded input the tenant's last fit may come after some profiles' last
     * changes (the broadcast input has no order against them): once both inputs ended, every
     * profile scored with another fit is decided again with the last one, in either order of the
     * inputs' ends; a profile already scored with it, or of a tenant without a fit, is not written
     * again.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void theEndOfABoundedInputScoresEveryProfileWithItsTenantsLastFit(boolean changesEndFirst)
            throws Exception {
        BgNbd.Params shipped = new BgNbd.Params(1, 30, 1, 1);
        BgNbd.Params first = new BgNbd.Params(0.6, 48, 0.2, 2.6);
        BgNbd.Params last = new BgNbd.Params(0.3, 20, 0.8, 1.5);
        BgNbd.Customer customer = new BgNbd.Customer(3, 60, 70);
        ProfileDecider decider = new ProfileDecider(false);
        ProfileDeciderOperator op = boundedDecider(decider);
        var h = open(op);
        h.processBroadcastElement(modelWith(shipped), T0);
        h.processBroadcastElement(new BgNbdFit("t", first, T0, 5_000, 5_000).toText(), T0);
        h.processElement(ordered("o1", T0 + DAY), T0 + DAY);
        h.processElement(ordered("o2", T0 + DAY), T0 + DAY);
        // the last fit, with the same as_of as the first (another sample), before o2's last change
        h.processBroadcastElement(new BgNbdFit("t", last, T0, 6_000, 6_000).toText(), T0);
        h.processElement(ordered("o2", T0 + 2 * DAY), T0 + 2 * DAY);
        int before = h.extractOutputValues().size();
        assertThat(decider.refitNeeded(h.getBroadcastState(ProfileDecider.MODELS))).isTrue();

        if (changesEndFirst) {
            op.endInput(1);
            assertThat(h.extractOutputValues()).as("before the fits' input ends").hasSize(before);
            op.endInput(2);
        } else {
            op.endInput(2);
            assertThat(h.extractOutputValues()).as("before the changes end").hasSize(before);
            op.endInput(1);
        }
        List<ProfileUpdate> atEnd =
                h.extractOutputValues().subList(before, h.extractOutputValues().size());
        List<ProfileUpdate> o1 = atEnd.stream().filter(u -> u.oneid().equals("o1")).toList();
        assertThat(o1).as("o1 scored again").hasSize(1);
        assertThat(o1.get(0).set())
                .containsEntry("score.p_alive", fourDecimals(BgNbd.pAlive(last, customer)))
                .containsKey("score.purchase");
        assertThat(atEnd)
                .as("o2 was scored with the last fit")
                .noneMatch(u -> u.oneid().equals("o2") && u.set().containsKey("score.p_alive"));
        assertThat(h.getSideOutput(io.rtcdp.operators.RecordIsolation.INTERNAL_ERRORS))
                .isNullOrEmpty();
        h.close();
    }

    /** Without a model with BG/NBD inputs a fit changes no score: the end writes nothing again. */
    @Test
    void aTenantWhoseModelsHaveNoBgNbdInputsIsNotScoredAgainAtTheEnd() throws Exception {
        ProfileDecider decider = new ProfileDecider(false);
        ProfileDeciderOperator op = boundedDecider(decider);
        var h = open(op);
        String model = ProfileDeciderOperatorTest.purchaseModel();
        assertThat(ModelMessages.decode(model).model().spec().usesBgNbd()).isFalse();
        h.processBroadcastElement(model, T0);
        h.processElement(ordered("o1", T0 + DAY), T0 + DAY);
        h.processBroadcastElement(
                new BgNbdFit("t", new BgNbd.Params(0.3, 20, 0.8, 1.5), T0, 50, 50).toText(), T0);
        int before = h.extractOutputValues().size();
        // no pass over the profiles at all
        assertThat(decider.refitNeeded(h.getBroadcastState(ProfileDecider.MODELS))).isFalse();
        op.endInput(2);
        op.endInput(1);
        assertThat(h.extractOutputValues()).hasSize(before);
        h.close();
    }

    private static KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate>
            open(ProfileDeciderOperator op) throws Exception {
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        op, ProfileDecider.KEY, Types.STRING, 128, 1, 0);
        h.open();
        return h;
    }

    /** The decision stage's operator of a bounded input, one subtask. */
    private static ProfileDeciderOperator boundedDecider(ProfileDecider decider) {
        return new ProfileDeciderOperator(decider, Duration.ofMillis(100), true)
                .aggregates(new ProfileDeciderOperatorTest.Aggregates());
    }
}
