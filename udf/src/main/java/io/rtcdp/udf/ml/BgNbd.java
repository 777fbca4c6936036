package io.rtcdp.udf.ml;

import java.util.List;
import org.apache.commons.math3.analysis.MultivariateFunction;
import org.apache.commons.math3.analysis.MultivariateVectorFunction;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleValueChecker;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunctionGradient;
import org.apache.commons.math3.optim.nonlinear.scalar.gradient.NonLinearConjugateGradientOptimizer;
import org.apache.commons.math3.special.Gamma;

/**
 * The BG/NBD model of repeat buying (Fader, Hardie and Lee, 2005, "Counting your customers the easy
 * way: an alternative to the Pareto/NBD model", Marketing Science 24(2)): while alive, a customer
 * buys at a Poisson rate λ, Gamma(r, α)-distributed over customers; after each repeat purchase the
 * customer drops out with probability p, Beta(a, b)-distributed over customers.
 *
 * <p>A customer is summarised by {@link Customer} (x repeat purchases, the time of the last, the
 * time since the first), in one time unit throughout (α is in that unit). This class has the
 * model's log-likelihood and its gradient, the maximum-likelihood fit of the four parameters, the
 * probability that a customer is still alive and the expected number of purchases in the next
 * {@code t}: equations (6), (13) and (10) of the paper.
 */
public final class BgNbd {
    private BgNbd() {}

    /**
     * The model's parameters, each positive and finite.
     *
     * @param r shape of the purchase rates' gamma distribution
     * @param alpha scale of it, in the time unit of the customers (the rates' mean is r / α)
     * @param a Beta parameter of the dropout probability
     * @param b the other one
     */
    public record Params(double r, double alpha, double a, double b) {
        public Params {
            for (double v : new double[] {r, alpha, a, b}) {
                if (!(v > 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException(
                            "BG/NBD parameters must be positive and finite: r="
                                    + r
                                    + ", alpha="
                                    + alpha
                                    + ", a="
                                    + a
                                    + ", b="
                                    + b);
                }
            }
        }
    }

    /**
     * One customer's purchase history since the first purchase.
     *
     * @param x repeat purchases (purchases after the first), a whole number ≥ 0
     * @param tx time from the first purchase to the last one (0 when x = 0)
     * @param age time from the first purchase to now (≥ tx)
     */
    public record Customer(double x, double tx, double age) {
        public Customer {
            if (!(x >= 0) || x != Math.rint(x) || Double.isInfinite(x)) {
                throw new IllegalArgumentException("x must be a whole number >= 0, is " + x);
            }
            if (!(tx >= 0) || !(age >= tx) || Double.isInfinite(age)) {
                throw new IllegalArgumentException(
                        "need 0 <= tx <= age (finite), got tx=" + tx + ", age=" + age);
            }
            if (x > 0 && !(tx > 0)) {
                throw new IllegalArgumentException("a customer with repeat purchases has tx > 0");
            }
        }
    }

    /**
     * The parts of a customer's log-likelihood and gradient that depend on its x only (the gamma
     * and digamma functions), for one set of parameters, kept per x: customers share few values of
     * x, so a sum over many customers computes them once per x, not per customer. Each part is the
     * same expression, evaluated in the same order, as for one customer alone, so sums are equal to
     * the digit.
     */
    private static final class ByX {
        private static final int CACHED = 4096;
        private final Params p;
        private final double[][] parts = new double[CACHED][];

        ByX(Params p) {
            this.p = p;
        }

        /** {common, ∂r part, ∂a part, ∂b part} of x. */
        double[] of(double x) {
            if (x < CACHED) {
                int i = (int) x;
                double[] v = parts[i];
                if (v == null) {
                    v = compute(p, x);
                    parts[i] = v;
                }
                return v;
            }
            return compute(p, x);
        }

        static double[] compute(Params p, double x) {
            double r = p.r();
            double alpha = p.alpha();
            double a = p.a();
            double b = p.b();
            double common =
                    Gamma.logGamma(r + x)
                            - Gamma.logGamma(r)
                            + r * Math.log(alpha)
                            + Gamma.logGamma(a + b)
                            + Gamma.logGamma(b + x)
                            - Gamma.logGamma(b)
                            - Gamma.logGamma(a + b + x);
            double dr = Gamma.digamma(r + x) - Gamma.digamma(r) + Math.log(alpha);
            double da = Gamma.digamma(a + b) - Gamma.digamma(a + b + x);
            double db =
                    Gamma.digamma(a + b)
                            + Gamma.digamma(b + x)
                            - Gamma.digamma(b)
                            - Gamma.digamma(a + b + x);
            return new double[] {common, dr, da, db};
        }
    }

    /** ln of the likelihood's two terms: the customer alive at {@code age}, and not (x > 0). */
    private static double[] terms(Params p, Customer c) {
        return terms(p, c, ByX.compute(p, c.x()));
    }

    private static double[] terms(Params p, Customer c, double[] byX) {
        double x = c.x();
        double r = p.r();
        double alpha = p.alpha();
        double a = p.a();
        double b = p.b();
        double common = byX[0];
        double alive = -(r + x) * Math.log(alpha + c.age());
        double dead =
                x > 0
                        ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + c.tx())
                        : Double.NEGATIVE_INFINITY;
        return new double[] {common, alive, dead};
    }

    /** ln L(r, α, a, b | x, tx, age): equation (6) of the paper, in logs. */
    public static double logLikelihood(Params p, Customer c) {
        double[] t = terms(p, c);
        return t[0] + logSumExp(t[1], t[2]);
    }

    /** The sum of the customers' log-likelihoods. */
    public static double logLikelihood(Params p, List<Customer> customers) {
        return logLikelihood(p, customers, null);
    }

    /**
     * The customers' log-likelihoods, each times its weight ({@code weights[i]} for customer i; all
     * 1 when null): a weight w counts a customer as w customers like it, as a sample drawn with
     * probability 1/w stands for them.
     */
    public static double logLikelihood(Params p, List<Customer> customers, double[] weights) {
        ByX byX = new ByX(p);
        double sum = 0;
        for (int i = 0; i < customers.size(); i++) {
            Customer c = customers.get(i);
            double[] t = terms(p, c, byX.of(c.x()));
            sum += weight(weights, i) * (t[0] + logSumExp(t[1], t[2]));
        }
        return sum;
    }

    private static double weight(double[] weights, int i) {
        return weights == null ? 1 : weights[i];
    }

    /** ∂ ln L / ∂(r, α, a, b) of one customer. */
    public static double[] gradient(Params p, Customer c) {
        return gradient(p, c, ByX.compute(p, c.x()));
    }

    private static double[] gradient(Params p, Customer c, double[] byX) {
        double[] t = terms(p, c, byX);
        double lse = logSumExp(t[1], t[2]);
        double wDead = Math.exp(t[2] - lse);
        double wAlive = 1 - wDead;
        double x = c.x();
        double r = p.r();
        double alpha = p.alpha();
        double a = p.a();
        double b = p.b();
        double dr =
                byX[1]
                        - wAlive * Math.log(alpha + c.age())
                        - (wDead > 0 ? wDead * Math.log(alpha + c.tx()) : 0);
        double dAlpha =
                r / alpha
                        - wAlive * (r + x) / (alpha + c.age())
                        - (wDead > 0 ? wDead * (r + x) / (alpha + c.tx()) : 0);
        double da = byX[2] + (wDead > 0 ? wDead / a : 0);
        double db = byX[3] - (wDead > 0 ? wDead / (b + x - 1) : 0);
        return new double[] {dr, dAlpha, da, db};
    }

    /** The gradient of {@link #logLikelihood(Params, List)}. */
    public static double[] gradient(Params p, List<Customer> customers) {
        return gradient(p, customers, null);
    }

    /** The gradient of {@link #logLikelihood(Params, List, double[])}. */
    public static double[] gradient(Params p, List<Customer> customers, double[] weights) {
        ByX byX = new ByX(p);
        double[] sum = new double[4];
        for (int k = 0; k < customers.size(); k++) {
            Customer c = customers.get(k);
            double[] g = gradient(p, c, byX.of(c.x()));
            double w = weight(weights, k);
            for (int i = 0; i < 4; i++) {
                sum[i] += w * g[i];
            }
        }
        return sum;
    }

    /**
     * P(alive | x, tx, age): the probability that the customer has not dropped out (equation 13).
     */
    public static double pAlive(Params p, Customer c) {
        return pAlive(p, c.x(), c.tx(), c.age());
    }

    /**
     * {@link #pAlive(Params, Customer)} of a customer given by its numbers, unchecked (for the
     * scoring path, which calls it per profile update without a {@link Customer}).
     */
    static double pAlive(Params p, double x, double tx, double age) {
        if (x == 0) {
            return 1;
        }
        // 1 / (1 + a / (b + x - 1) * ((α + age) / (α + tx))^(r + x)) = 1 / (1 + e^(dead - alive))
        double deadMinusAlive =
                Math.log(p.a())
                        - Math.log(p.b() + x - 1)
                        + (p.r() + x) * (Math.log(p.alpha() + age) - Math.log(p.alpha() + tx));
        return 1 / (1 + Math.exp(deadMinusAlive));
    }

    /**
     * E[purchases in (age, age + t] | x, tx, age]: equation (10) of the paper. The Gaussian
     * hypergeometric function in it is summed as its series, which converges for every t ≥ 0 and
     * the faster the smaller t is against α + age.
     */
    public static double expectedPurchases(Params p, Customer c, double t) {
        if (!(t >= 0) || Double.isInfinite(t)) {
            throw new IllegalArgumentException("t must be >= 0 and finite, is " + t);
        }
        if (t == 0) {
            return 0;
        }
        double a = p.a();
        if (Math.abs(a - 1) < 1e-7) {
            // (a + b + x - 1) / (a - 1) × [...] is 0/0 at a = 1: its limit, the mean of both sides
            double h = 1e-6;
            return (expected(p, c, t, 1 - h) + expected(p, c, t, 1 + h)) / 2;
        }
        return expected(p, c, t, a);
    }

    private static double expected(Params p, Customer c, double t, double a) {
        double x = c.x();
        double r = p.r();
        double b = p.b();
        double s = p.alpha() + c.age();
        double z = t / (s + t);
        double power = Math.exp((r + x) * (Math.log(s) - Math.log(s + t)));
        double f = hypergeometric2F1(r + x, b + x, a + b + x - 1, z);
        double perAlive = (a + b + x - 1) / (a - 1) * (1 - power * f);
        Params q = a == p.a() ? p : new Params(r, p.alpha(), a, b);
        return perAlive * pAlive(q, c);
    }

    /**
     * P(at least one purchase in (age, age + t] | x, tx, age): alive, and the posterior rate
     * Gamma(r + x, α + age) of an alive customer gives a purchase: P(alive) × (1 − ((α + age) / (α
     * + age + t))^(r + x)).
     */
    public static double probabilityOfPurchase(Params p, Customer c, double t) {
        if (!(t >= 0) || Double.isInfinite(t)) {
            throw new IllegalArgumentException("t must be >= 0 and finite, is " + t);
        }
        return probabilityOfPurchase(p, c.x(), c.tx(), c.age(), t);
    }

    /** {@link #probabilityOfPurchase(Params, Customer, double)} unchecked, as {@link #pAlive}. */
    static double probabilityOfPurchase(Params p, double x, double tx, double age, double t) {
        double s = p.alpha() + age;
        double none = Math.exp((p.r() + x) * (Math.log(s) - Math.log(s + t)));
        return pAlive(p, x, tx, age) * (1 - none);
    }

    /**
     * ₂F₁(a, b; c; z) for 0 ≤ z < 1, by its series (c not 0 or a negative whole number).
     *
     * @throws ArithmeticException when 100,000 terms do not converge
     */
    static double hypergeometric2F1(double a, double b, double c, double z) {
        if (!(z >= 0 && z < 1)) {
            throw new IllegalArgumentException("z must be in [0, 1), is " + z);
        }
        double term = 1;
        double sum = 1;
        for (int n = 0; n < 100_000; n++) {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
            if (Math.abs(term) <= 1e-15 * Math.abs(sum)) {
                return sum;
            }
        }
        throw new ArithmeticException(
                "2F1(" + a + ", " + b + "; " + c + "; " + z + ") did not converge");
    }

    /**
     * The maximum-likelihood parameters for {@code customers} (at least one with a repeat
     * purchase), found over the logs of the parameters by nonlinear conjugate gradients from r = a
     * = b = 1, α = the customers' mean age.
     *
     * @throws IllegalArgumentException without a customer with a repeat purchase: the data say
     *     nothing about dropout then
     */
    public static Params fit(List<Customer> customers) {
        return fit(customers, null);
    }

    /**
     * The maximum-likelihood parameters of a weighted sample of customers ({@link
     * #logLikelihood(Params, List, double[])}; unweighted when {@code weights} is null), as {@link
     * #fit(List)}.
     *
     * @throws IllegalArgumentException without a customer with a repeat purchase, or with a weight
     *     that is not positive and finite
     */
    public static Params fit(List<Customer> customers, double[] weights) {
        if (customers.stream().noneMatch(c -> c.x() > 0)) {
            throw new IllegalArgumentException(
                    "fitting BG/NBD needs a customer with a repeat purchase");
        }
        if (weights != null && weights.length != customers.size()) {
            throw new IllegalArgumentException(
                    weights.length + " weights for " + customers.size() + " customers");
        }
        double n = 0;
        double ageSum = 0;
        for (int i = 0; i < customers.size(); i++) {
            double w = weight(weights, i);
            if (!(w > 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("a customer's weight must be positive: " + w);
            }
            n += w;
            ageSum += w * customers.get(i).age();
        }
        double meanAge = n > 0 ? ageSum / n : 1;
        double total = n;
        // per customer, so that the optimizer's tolerances do not depend on the data's size
        MultivariateFunction value =
                theta -> {
                    Params p = params(theta);
                    return p == null ? -1e300 : logLikelihood(p, customers, weights) / total;
                };
        MultivariateVectorFunction gradient =
                theta -> {
                    Params p = params(theta);
                    if (p == null) {
                        return new double[4];
                    }
                    double[] g = gradient(p, customers, weights);
                    double[] v = {p.r(), p.alpha(), p.a(), p.b()};
                    for (int i = 0; i < 4; i++) {
                        // ∂/∂ln θ = θ ∂/∂θ
                        g[i] = g[i] * v[i] / total;
                    }
                    return g;
                };
        NonLinearConjugateGradientOptimizer optimizer =
                new NonLinearConjugateGradientOptimizer(
                        NonLinearConjugateGradientOptimizer.Formula.POLAK_RIBIERE,
                        new SimpleValueChecker(1e-12, 1e-14));
        PointValuePair best =
                optimizer.optimize(
                        new MaxEval(100_000),
                        new MaxIter(100_000),
                        new ObjectiveFunction(value),
                        new ObjectiveFunctionGradient(gradient),
                        GoalType.MAXIMIZE,
                        new InitialGuess(new double[] {0, Math.log(meanAge), 0, 0}));
        double[] theta = polish(best.getPoint(), value, gradient);
        Params p = params(theta);
        if (p == null) {
            throw new IllegalStateException("BG/NBD fit left the parameters' range");
        }
        return p;
    }

    /**
     * Newton steps from where conjugate gradients stopped, with the Hessian from central
     * differences of the gradient, until the gradient (per customer, over the parameters' logs) is
     * below 1e-9: conjugate gradients stop on the likelihood's flat ridge where the order of the
     * customers' sum or the start moves them, by up to a percent in r; the maximum does not move. A
     * step that is not uphill (a Hessian that is not negative definite) ends it.
     */
    private static double[] polish(
            double[] start, MultivariateFunction value, MultivariateVectorFunction gradient) {
        double[] theta = start.clone();
        double f = value.value(theta);
        for (int iteration = 0; iteration < 30; iteration++) {
            double[] g = gradient.value(theta);
            double norm = 0;
            for (double v : g) {
                norm = Math.max(norm, Math.abs(v));
            }
            if (norm < 1e-9) {
                break;
            }
            double[][] h = new double[4][4];
            for (int j = 0; j < 4; j++) {
                double step = 1e-5;
                double[] up = theta.clone();
                double[] down = theta.clone();
                up[j] += step;
                down[j] -= step;
                double[] gu = gradient.value(up);
                double[] gd = gradient.value(down);
                for (int i = 0; i < 4; i++) {
                    h[i][j] = (gu[i] - gd[i]) / (2 * step);
                }
            }
            double[] d;
            try {
                // the Newton step solves (−H) d = g, −H symmetric positive definite at a maximum
                org.apache.commons.math3.linear.RealMatrix negH =
                        new org.apache.commons.math3.linear.Array2DRowRealMatrix(4, 4);
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        negH.setEntry(i, j, -(h[i][j] + h[j][i]) / 2);
                    }
                }
                d =
                        new org.apache.commons.math3.linear.CholeskyDecomposition(negH)
                                .getSolver()
                                .solve(new org.apache.commons.math3.linear.ArrayRealVector(g))
                                .toArray();
            } catch (org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException
                    | org.apache.commons.math3.linear.NonSymmetricMatrixException e) {
                break;
            }
            double t = 1;
            double[] next = null;
            double fNext = f;
            for (int halving = 0; halving < 30; halving++, t /= 2) {
                double[] trial = theta.clone();
                for (int i = 0; i < 4; i++) {
                    trial[i] += t * d[i];
                }
                double ft = value.value(trial);
                if (ft >= f) {
                    next = trial;
                    fNext = ft;
                    break;
                }
            }
            if (next == null) {
                break;
            }
            theta = next;
            f = fNext;
        }
        return theta;
    }

    /** The parameters of their logs, null outside (the optimizer may step far out). */
    private static Params params(double[] theta) {
        for (double v : theta) {
            if (!(Math.abs(v) < 50)) {
                return null;
            }
        }
        return new Params(
                Math.exp(theta[0]), Math.exp(theta[1]), Math.exp(theta[2]), Math.exp(theta[3]));
    }

    private static double logSumExp(double u, double v) {
        if (v == Double.NEGATIVE_INFINITY) {
            return u;
        }
        double m = Math.max(u, v);
        return m + Math.log(Math.exp(u - m) + Math.exp(v - m));
    }
}
