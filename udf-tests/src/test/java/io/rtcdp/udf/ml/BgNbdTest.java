package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rtcdp.udf.ml.BgNbd.Customer;
import io.rtcdp.udf.ml.BgNbd.Params;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

/**
 * {@link BgNbd} against numeric derivatives, closed forms, and customers simulated from the model
 * itself with known parameters (the generator is the oracle: what it says happened next).
 */
class BgNbdTest {
    /** The parameters the paper reports for the CDNOW sample (weeks). */
    static final Params CDNOW = new Params(0.243, 4.414, 0.793, 2.426);

    static final List<Customer> CUSTOMERS =
            List.of(
                    new Customer(0, 0, 38.86),
                    new Customer(1, 0.5, 30),
                    new Customer(2, 30.43, 38.86),
                    new Customer(7, 29.43, 32.71),
                    new Customer(26, 35.71, 38.86),
                    new Customer(1, 1e-3, 1e-3));

    @Test
    void theGradientIsTheNumericOne() {
        for (Params p : List.of(CDNOW, new Params(2, 0.5, 3, 0.7), new Params(0.05, 40, 0.2, 15))) {
            for (Customer c : CUSTOMERS) {
                double[] g = BgNbd.gradient(p, c);
                double[] v = {p.r(), p.alpha(), p.a(), p.b()};
                for (int i = 0; i < 4; i++) {
                    double h = 1e-6 * v[i];
                    double[] up = v.clone();
                    double[] down = v.clone();
                    up[i] += h;
                    down[i] -= h;
                    double numeric =
                            (BgNbd.logLikelihood(params(up), c)
                                            - BgNbd.logLikelihood(params(down), c))
                                    / (2 * h);
                    assertThat(g[i])
                            .as("∂/∂%s at %s, %s", "r alpha a b".split(" ")[i], p, c)
                            .isCloseTo(numeric, within(1e-5 * Math.max(1, Math.abs(numeric))));
                }
            }
        }
    }

    /** The likelihood of x = 0 and of x > 0 written out, without logs (equation 6). */
    @Test
    void theLikelihoodIsEquationSix() {
        Params p = new Params(1.5, 3, 2, 4);
        // x = 0: B(a, b)/B(a, b) · Γ(r) α^r / (Γ(r) (α + T)^r) = (α / (α + T))^r
        assertThat(Math.exp(BgNbd.logLikelihood(p, new Customer(0, 0, 5))))
                .isCloseTo(Math.pow(3.0 / 8, 1.5), within(1e-12));
        // x = 1, r = 1.5, α = 3, a = 2, b = 4, tx = 2, T = 5:
        // B(2, 5)/B(2, 4) · Γ(2.5) 3^1.5 / (Γ(1.5) 8^2.5) + B(3, 4)/B(2, 4) · Γ(2.5) 3^1.5 /
        // (Γ(1.5) 5^2.5)
        double g = 1.5 * Math.pow(3, 1.5); // Γ(2.5)/Γ(1.5) α^r
        double expected = (4.0 / 6) * g / Math.pow(8, 2.5) + (2.0 / 6) * g / Math.pow(5, 2.5);
        assertThat(Math.exp(BgNbd.logLikelihood(p, new Customer(1, 2, 5))))
                .isCloseTo(expected, within(1e-12));
    }

    @Test
    void theHypergeometricSeriesMatchesClosedForms() {
        for (double z : new double[] {0, 0.1, 0.5, 0.9}) {
            double log = z == 0 ? 1 : -Math.log(1 - z) / z;
            assertThat(BgNbd.hypergeometric2F1(1, 1, 2, z)).isCloseTo(log, within(1e-12));
            assertThat(BgNbd.hypergeometric2F1(2.5, 3.2, 3.2, z))
                    .isCloseTo(Math.pow(1 - z, -2.5), within(1e-9 * Math.pow(1 - z, -2.5)));
        }
        assertThatThrownBy(() -> BgNbd.hypergeometric2F1(1, 1, 2, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pAliveAndExpectationsBehave() {
        assertThat(BgNbd.pAlive(CDNOW, new Customer(0, 0, 38))).isEqualTo(1);
        // the longer the silence since the last purchase, the less likely alive
        double recent = BgNbd.pAlive(CDNOW, new Customer(3, 37, 38));
        double silent = BgNbd.pAlive(CDNOW, new Customer(3, 5, 38));
        assertThat(recent).isGreaterThan(silent).isLessThan(1);
        assertThat(silent).isGreaterThan(0);
        // more purchases in the same span: more expected
        assertThat(BgNbd.expectedPurchases(CDNOW, new Customer(10, 37, 38), 39))
                .isGreaterThan(BgNbd.expectedPurchases(CDNOW, new Customer(3, 37, 38), 39));
        assertThat(BgNbd.expectedPurchases(CDNOW, new Customer(3, 37, 38), 0)).isZero();
        // continuous through a = 1, where the formula is 0/0
        Customer c = new Customer(2, 20, 30);
        double at1 = BgNbd.expectedPurchases(new Params(0.5, 5, 1, 2), c, 10);
        double near = BgNbd.expectedPurchases(new Params(0.5, 5, 1.001, 2), c, 10);
        assertThat(at1).isCloseTo(near, within(1e-3 * near));
        assertThatThrownBy(() -> new Params(0, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Customer(1.5, 1, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Customer(1, 3, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * 20,000 customers simulated with the CDNOW parameters, first purchases spread over 12 weeks,
     * observed for 39: the fit finds parameters at least as likely as the true ones and near them,
     * and with them predicts how many are still alive and how many purchases the next 39 weeks
     * bring, against what the simulation then does.
     */
    @Test
    void aFitToSimulatedCustomersRecoversTheModelAndPredictsWhatHappensNext() {
        Well19937c rng = new Well19937c(42);
        GammaDistribution rates = new GammaDistribution(rng, CDNOW.r(), 1 / CDNOW.alpha());
        BetaDistribution dropouts = new BetaDistribution(rng, CDNOW.a(), CDNOW.b());
        Random random = new Random(7);
        int n = 20_000;
        double horizon = 39;
        List<Customer> customers = new ArrayList<>(n);
        int aliveAtAge = 0;
        int nextPurchases = 0;
        for (int i = 0; i < n; i++) {
            double age = 27 + 12 * random.nextDouble();
            double lambda = rates.sample();
            double p = dropouts.sample();
            double t = 0;
            int x = 0;
            double tx = 0;
            boolean alive = true;
            int later = 0;
            while (alive) {
                t += -Math.log(1 - random.nextDouble()) / lambda;
                if (t > age + horizon) {
                    break;
                }
                if (t > age) {
                    later++;
                } else {
                    x++;
                    tx = t;
                }
                alive = random.nextDouble() >= p;
                if (!alive && t <= age) {
                    // dead before the end of observation
                    break;
                }
            }
            if (alive || t > age) {
                aliveAtAge++;
            }
            nextPurchases += later;
            customers.add(new Customer(x, tx, age));
        }

        Params fit = BgNbd.fit(customers);
        System.out.printf(
                "BG/NBD fit to %d simulated customers: %s (truth %s); log-likelihood %.1f"
                        + " (truth %.1f)%n",
                n,
                fit,
                CDNOW,
                BgNbd.logLikelihood(fit, customers),
                BgNbd.logLikelihood(CDNOW, customers));
        assertThat(BgNbd.logLikelihood(fit, customers))
                .isGreaterThanOrEqualTo(BgNbd.logLikelihood(CDNOW, customers) - 1e-6);
        double[] gradient = BgNbd.gradient(fit, customers);
        for (double g : gradient) {
            assertThat(Math.abs(g) / n).as("gradient at the fit").isLessThan(1e-4);
        }
        assertThat(fit.r()).isCloseTo(CDNOW.r(), within(0.25 * CDNOW.r()));
        assertThat(fit.alpha()).isCloseTo(CDNOW.alpha(), within(0.3 * CDNOW.alpha()));
        assertThat(fit.a()).isCloseTo(CDNOW.a(), within(0.3 * CDNOW.a()));
        assertThat(fit.b()).isCloseTo(CDNOW.b(), within(0.4 * CDNOW.b()));

        double predictedAlive = 0;
        double predictedPurchases = 0;
        for (Customer c : customers) {
            predictedAlive += BgNbd.pAlive(fit, c);
            predictedPurchases += BgNbd.expectedPurchases(fit, c, horizon);
        }
        System.out.printf(
                "alive at the end of observation: predicted %.0f, simulated %d; purchases in the"
                        + " next %.0f weeks: predicted %.0f, simulated %d%n",
                predictedAlive, aliveAtAge, horizon, predictedPurchases, nextPurchases);
        assertThat(predictedAlive).isCloseTo(aliveAtAge, within(0.03 * aliveAtAge));
        assertThat(predictedPurchases).isCloseTo(nextPurchases, within(0.05 * nextPurchases));
    }

    @Test
    void aFitNeedsARepeatPurchase() {
        assertThatThrownBy(() -> BgNbd.fit(List.of(new Customer(0, 0, 10))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeat purchase");
    }

    private static Params params(double[] v) {
        return new Params(v[0], v[1], v[2], v[3]);
    }
}
