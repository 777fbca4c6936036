package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rtcdp.udf.ml.BgNbd.Customer;
import io.rtcdp.udf.ml.BgNbd.Params;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

/**
 * BG/NBD's live refit on samples ({@link BgNbdSample}, {@link BgNbdFit}, weighted {@link
 * BgNbd#fit(List, double[])}), against the fit of every customer.
 */
class BgNbdSampleTest {
    static final long DAY = 86_400_000L;
    static final long T0 = 1_600_000_000_000L;

    /** The CDNOW parameters of the paper, with α in days. */
    static final Params TRUTH = new Params(0.243, 4.414 * 7, 0.793, 2.426);

    /** A customer's orders as the profile stage reports them: first, last, count. */
    record Orders(String oneid, long first, long last, long orders) {}

    /**
     * Customers simulated from {@link #TRUTH}: first orders spread over 84 days from T0, observed
     * until T0 + 273 days (whole milliseconds, as event times are).
     */
    static List<Orders> simulate(int n, long seed) {
        Well19937c rng = new Well19937c(seed);
        GammaDistribution rates = new GammaDistribution(rng, TRUTH.r(), 1 / TRUTH.alpha());
        BetaDistribution dropouts = new BetaDistribution(rng, TRUTH.a(), TRUTH.b());
        Random random = new Random(seed);
        long end = T0 + 273 * DAY;
        List<Orders> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long first = T0 + (long) (random.nextDouble() * 84 * DAY);
            double lambda = rates.sample();
            double p = dropouts.sample();
            long last = first;
            long orders = 1;
            double t = first;
            while (true) {
                t += -Math.log(1 - random.nextDouble()) / lambda * DAY;
                if (t > end) {
                    break;
                }
                last = (long) t;
                orders++;
                if (random.nextDouble() < p) {
                    break;
                }
            }
            out.add(new Orders("c" + i, first, last, orders));
        }
        return out;
    }

    /** The customers' samples in 64 parts, each at {@code level}. */
    static List<BgNbdSample> parts(List<Orders> all, int level, long clock) {
        List<List<Orders>> byPart = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byPart.add(new ArrayList<>());
        }
        for (Orders o : all) {
            if (BgNbdSample.sampled(o.oneid(), level)) {
                byPart.get(Math.floorMod(o.oneid().hashCode(), 64)).add(o);
            }
        }
        List<BgNbdSample> parts = new ArrayList<>();
        for (List<Orders> p : byPart) {
            parts.add(
                    new BgNbdSample(
                            clock,
                            level,
                            p.stream().mapToLong(Orders::first).toArray(),
                            p.stream().mapToLong(Orders::last).toArray(),
                            p.stream().mapToLong(Orders::orders).toArray()));
        }
        return parts;
    }

    @Test
    void aWeightCountsACustomerAsThatManyCustomers() {
        List<Customer> some = new ArrayList<>();
        for (Orders o : simulate(400, 5)) {
            some.add(BgNbdSample.customer(o.first(), o.last(), o.orders(), T0 + 273 * DAY));
        }
        double[] weights = new double[some.size()];
        List<Customer> repeated = new ArrayList<>();
        for (int i = 0; i < some.size(); i++) {
            weights[i] = 1 + i % 4;
            for (int k = 0; k < weights[i]; k++) {
                repeated.add(some.get(i));
            }
        }
        assertThat(BgNbd.logLikelihood(TRUTH, some, weights))
                .isCloseTo(BgNbd.logLikelihood(TRUTH, repeated), within(1e-6));
        assertThat(BgNbd.gradient(TRUTH, some, weights))
                .containsExactly(BgNbd.gradient(TRUTH, repeated), within(1e-6));
        Params weighted = BgNbd.fit(some, weights);
        Params plain = BgNbd.fit(repeated);
        double[] w = {weighted.r(), weighted.alpha(), weighted.a(), weighted.b()};
        double[] p = {plain.r(), plain.alpha(), plain.a(), plain.b()};
        for (int i = 0; i < 4; i++) {
            assertThat(w[i]).isCloseTo(p[i], within(1e-4 * p[i]));
        }
        weights[7] = 0;
        assertThatThrownBy(() -> BgNbd.fit(some, weights))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BgNbd.fit(some, new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSampleOfAHigherLevelIsHalfOfTheLowerOne() {
        int n = 200_000;
        int[] count = new int[8];
        for (int i = 0; i < n; i++) {
            String id = "oneid-" + i;
            for (int level = 0; level < count.length; level++) {
                boolean in = BgNbdSample.sampled(id, level);
                if (level > 0 && in) {
                    assertThat(BgNbdSample.sampled(id, level - 1)).as(id).isTrue();
                }
                count[level] += in ? 1 : 0;
            }
        }
        assertThat(count[0]).isEqualTo(n);
        for (int level = 1; level < count.length; level++) {
            double expected = n / Math.scalb(1.0, level);
            assertThat((double) count[level])
                    .as("level %d", level)
                    .isCloseTo(expected, within(5 * Math.sqrt(expected)));
        }
    }

    @Test
    void aCustomerIsSeenAsTheScoringSeesIt() {
        // one order: no repeat purchase, aged from it
        assertThat(BgNbdSample.customer(T0, T0, 1, T0 + 10 * DAY))
                .isEqualTo(new Customer(0, 0, 10));
        // orders all at one time are one purchase occasion
        assertThat(BgNbdSample.customer(T0, T0, 3, T0 + 5 * DAY)).isEqualTo(new Customer(0, 0, 5));
        assertThat(BgNbdSample.customer(T0, T0 + 6 * DAY, 4, T0 + 9 * DAY))
                .isEqualTo(new Customer(3, 6, 9));
        // a clock behind the customer's last order (another part's) ages it to that order
        assertThat(BgNbdSample.customer(T0, T0 + 6 * DAY, 2, T0 + 2 * DAY))
                .isEqualTo(new Customer(1, 6, 6));
    }

    @Test
    void bytesAndTextRoundTrip() {
        BgNbdSample s =
                new BgNbdSample(
                        T0, 3, new long[] {T0 - DAY, T0}, new long[] {T0, T0}, new long[] {2, 1});
        BgNbdSample back = BgNbdSample.fromBytes(s.toBytes());
        assertThat(back.clock()).isEqualTo(T0);
        assertThat(back.level()).isEqualTo(3);
        assertThat(back.weight()).isEqualTo(8.0);
        assertThat(back.firstOrderTs()).containsExactly(T0 - DAY, T0);
        assertThat(back.lastOrderTs()).containsExactly(T0, T0);
        assertThat(back.orders()).containsExactly(2, 1);
        byte[] bytes = s.toBytes();
        assertThatThrownBy(() -> BgNbdSample.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        bytes[0] = 9;
        assertThatThrownBy(() -> BgNbdSample.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format");

        BgNbdFit fit = new BgNbdFit("acme", TRUTH, T0, 12_345, 987);
        String text = fit.toText();
        assertThat(BgNbdFit.isFit(text)).isTrue();
        assertThat(ModelMessages.isModel(text)).isFalse();
        assertThat(BgNbdFit.fromText(text)).isEqualTo(fit);
        assertThat(BgNbdFit.isFit("{\"tenant\":\"acme\",\"model\":{}}")).isFalse();
        assertThatThrownBy(() -> BgNbdFit.fromText("{\"bgnbd_fit\":{}}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * At level 0 the samples hold every customer: their fit is the fit of all customers. A sample
     * of an eighth, weighted, fits parameters near it that predict the same share of customers
     * alive.
     */
    @Test
    void theFitOfTheSamplesIsTheFitOfAllCustomersOrNearIt() {
        List<Orders> all = simulate(20_000, 11);
        long asOf = T0 + 273 * DAY;
        List<Customer> customers = new ArrayList<>();
        for (Orders o : all) {
            customers.add(BgNbdSample.customer(o.first(), o.last(), o.orders(), asOf));
        }
        Params exact = BgNbd.fit(customers);

        BgNbdFit full = BgNbdSample.fit("acme", parts(all, 0, asOf));
        assertThat(full.asOf()).isEqualTo(asOf);
        assertThat(full.sampled()).isEqualTo(all.size());
        assertThat(full.customers()).isEqualTo(all.size());
        assertThat(full.params().r()).isCloseTo(exact.r(), within(1e-4 * exact.r()));
        assertThat(full.params().alpha()).isCloseTo(exact.alpha(), within(1e-4 * exact.alpha()));
        assertThat(full.params().a()).isCloseTo(exact.a(), within(1e-4 * exact.a()));
        assertThat(full.params().b()).isCloseTo(exact.b(), within(1e-4 * exact.b()));

        BgNbdFit eighth = BgNbdSample.fit("acme", parts(all, 3, asOf));
        System.out.printf(
                "BG/NBD: every customer %s; a sample of %d standing for %d: %s%n",
                exact, eighth.sampled(), eighth.customers(), eighth.params());
        assertThat((double) eighth.sampled()).isCloseTo(all.size() / 8.0, within(300.0));
        assertThat((double) eighth.customers()).isCloseTo(all.size(), within(2_400.0));
        double aliveExact = 0;
        double aliveSampled = 0;
        for (Customer c : customers) {
            aliveExact += BgNbd.pAlive(exact, c);
            aliveSampled += BgNbd.pAlive(eighth.params(), c);
        }
        assertThat(aliveSampled).isCloseTo(aliveExact, within(0.03 * aliveExact));
        assertThat(eighth.params().r()).isCloseTo(exact.r(), within(0.3 * exact.r()));
        assertThat(eighth.params().alpha()).isCloseTo(exact.alpha(), within(0.3 * exact.alpha()));
    }

    @Test
    void tooFewCustomersOrRepeatBuyersFitNothing() {
        long asOf = T0 + 100 * DAY;
        long[] first = new long[BgNbdSample.MIN_CUSTOMERS];
        long[] last = new long[first.length];
        long[] orders = new long[first.length];
        Arrays.fill(first, T0);
        Arrays.fill(last, T0);
        Arrays.fill(orders, 1);
        for (int i = 0; i < BgNbdSample.MIN_REPEATERS - 1; i++) {
            last[i] = T0 + (i + 1) * DAY;
            orders[i] = 2;
        }
        assertThat(BgNbdSample.fit("t", List.of(new BgNbdSample(asOf, 0, first, last, orders))))
                .isNull();
        last[BgNbdSample.MIN_REPEATERS] = T0 + 50 * DAY;
        orders[BgNbdSample.MIN_REPEATERS] = 3;
        assertThat(BgNbdSample.fit("t", List.of(new BgNbdSample(asOf, 0, first, last, orders))))
                .isNotNull();
        BgNbdSample fewer =
                new BgNbdSample(
                        asOf,
                        0,
                        Arrays.copyOf(first, first.length - 1),
                        Arrays.copyOf(last, first.length - 1),
                        Arrays.copyOf(orders, first.length - 1));
        assertThat(BgNbdSample.fit("t", List.of(fewer))).isNull();
    }
}
