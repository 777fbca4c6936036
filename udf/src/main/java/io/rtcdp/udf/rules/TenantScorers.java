package io.rtcdp.udf.rules;

import io.rtcdp.udf.ml.BgNbd;
import io.rtcdp.udf.ml.FeatureVectorBuilder;
import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.LogisticRegressionServable;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.ml.WrittenScore;
import io.rtcdp.udf.profile.ProfileValues;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A tenant's models as the decision stage scores them (contract §7): for each of {@link
 * #MODEL_NAMES} the tenant's own version, else the one for every tenant, else none. Scoring a
 * profile's decision state gives the probabilities, notes in the state what was written and puts
 * the fields that changed ({@code score.<name>}, {@code model.<name>}, {@code reasons.<name>},
 * {@code reasons.marketing}) in the update. Plain Java and single-threaded: the scorers' input and
 * reasons buffers are reused.
 *
 * <p>A model with an order calendar ({@link io.rtcdp.udf.ml.OrderCalendar}) is served seasonally
 * calibrated as of the profile's {@code as_of}: {@code score.<name>} is the calibrated probability;
 * its reasons are the logistic regression's own.
 */
public final class TenantScorers {
    /** The models scored on every profile update. */
    public static final List<String> MODEL_NAMES = List.of("purchase", "churn");

    /** The index of the purchase model in {@link #MODEL_NAMES}: it ranks the marketing score. */
    public static final int PURCHASE = MODEL_NAMES.indexOf("purchase");

    private static final String[] SCORE_FIELDS = fields("score.");
    private static final String[] MODEL_FIELDS = fields("model.");
    private static final String[] REASONS_FIELDS = fields("reasons.");

    /**
     * The reasons of {@code score.marketing}: the rank is monotone in the purchase probability, so
     * they are the purchase model's ({@code reasons.purchase}), written and removed with them.
     */
    public static final String MARKETING_REASONS = "reasons.marketing";

    /** BG/NBD's P(alive) of a profile with orders, with the purchase model's parameters. */
    public static final String P_ALIVE = "score.p_alive";

    /** BG/NBD's expected orders in the purchase model's label horizon. */
    public static final String EXPECTED_ORDERS = "score.expected_orders";

    private static String[] fields(String prefix) {
        return MODEL_NAMES.stream().map(n -> prefix + n).toArray(String[]::new);
    }

    /**
     * A servable with its feature builder, its version as text, and reusable buffers for an input
     * vector and a reasons key.
     */
    public record Scorer(
            LogisticRegressionServable servable,
            FeatureVectorBuilder builder,
            double[] x,
            long[] reasons,
            String version) {
        public static Scorer of(LogisticRegressionServable s) {
            FeatureVectorBuilder b = s.model().spec().builder();
            return new Scorer(
                    s,
                    b,
                    new double[b.size()],
                    new long[LogisticModel.REASONS_KEY_LENGTH],
                    Long.toString(s.model().version()));
        }

        /**
         * This model served with other BG/NBD parameters (a tenant's live fit) for its {@code
         * p_alive} and {@code bgnbd_purchase} inputs; itself when it has no such input.
         */
        public Scorer withBgNbd(BgNbd.Params params) {
            ModelSpec spec = servable.model().spec();
            if (!spec.usesBgNbd() || params.equals(builder.bgNbdParams())) {
                return this;
            }
            FeatureVectorBuilder b = spec.withBgNbd(params).builder();
            return new Scorer(servable, b, new double[b.size()], reasons.clone(), version);
        }

        public LogisticModel model() {
            return servable.model();
        }
    }

    private final Scorer[] all;

    /**
     * For each scorer the index of an earlier one with the same inputs ({@link #sameInputs}), or
     * -1.
     */
    private final int[] sameInputsAs;

    private final int count;

    private final long fit;

    /**
     * @param all the scorers in {@link #MODEL_NAMES} order, null for a model the tenant lacks
     */
    public TenantScorers(Scorer[] all) {
        this(all, 0);
    }

    /**
     * @param all the scorers in {@link #MODEL_NAMES} order, null for a model the tenant lacks
     * @param fit the identity of the tenant's BG/NBD live fit they are served with ({@code
     *     BgNbdFit.id}), 0 for none
     */
    public TenantScorers(Scorer[] all, long fit) {
        if (all.length != MODEL_NAMES.size()) {
            throw new IllegalArgumentException(
                    "one scorer (or null) per model of " + MODEL_NAMES + ", got " + all.length);
        }
        this.all = all.clone();
        this.sameInputsAs = new int[all.length];
        int n = 0;
        for (int i = 0; i < all.length; i++) {
            sameInputsAs[i] = -1;
            if (all[i] == null) {
                continue;
            }
            n++;
            for (int j = 0; j < i; j++) {
                if (all[j] != null && sameInputs(all[j].builder(), all[i].builder())) {
                    sameInputsAs[i] = j;
                    break;
                }
            }
        }
        this.count = n;
        boolean bgNbd = false;
        for (Scorer sc : all) {
            bgNbd |= sc != null && sc.model().spec().usesBgNbd();
        }
        this.fit = bgNbd ? fit : 0;
    }

    /**
     * The identity of the BG/NBD live fit these scores depend on: the tenant's fit when a model has
     * BG/NBD inputs ({@code p_alive}, {@code bgnbd_purchase}), else 0 (no fit changes them).
     */
    public long scoringFit() {
        return fit;
    }

    /**
     * Whether two builders make the same vector of every profile: the same features, and for
     * BG/NBD's inputs the same parameters and horizon ({@code bgnbd_purchase} is the probability of
     * an order within the model's own label horizon).
     */
    static boolean sameInputs(FeatureVectorBuilder a, FeatureVectorBuilder b) {
        if (!a.features().equals(b.features())) {
            return false;
        }
        boolean bgNbd = a.features().stream().anyMatch(f -> FeatureVectorBuilder.isBgNbd(f.name()));
        return !bgNbd
                || (java.util.Objects.equals(a.bgNbdParams(), b.bgNbdParams())
                        && a.horizonDays() == b.horizonDays());
    }

    /**
     * The scorer of model {@code i} ({@link #MODEL_NAMES} order), null when the tenant lacks it.
     */
    public Scorer get(int i) {
        return all[i];
    }

    /** How many of the models the tenant has. */
    public int count() {
        return count;
    }

    /**
     * Scores the profile of {@code st} with every model, notes in {@code st.scores} what is
     * written, and puts the fields that changed in {@code set} and {@code unset}: a new
     * probability, a new version, new reasons; with {@code full}, every field. A model the tenant
     * no longer has loses its fields. The input vector of each model stays in its scorer's buffer
     * ({@link Scorer#x}) until the next call, for learning.
     *
     * @param st a state with profile values
     * @return the probabilities in {@link #MODEL_NAMES} order, NaN for a model the tenant lacks
     */
    public double[] score(
            DecisionState st, boolean full, Map<String, String> set, List<String> unset) {
        double[] probabilities = new double[all.length];
        for (int i = 0; i < all.length; i++) {
            String name = MODEL_NAMES.get(i);
            Scorer s = all[i];
            if (s == null) {
                probabilities[i] = Double.NaN;
                if (st.scores.remove(name) != null) {
                    unset.add(SCORE_FIELDS[i]);
                    unset.add(MODEL_FIELDS[i]);
                    unset.add(REASONS_FIELDS[i]);
                    if (i == PURCHASE) {
                        unset.add(MARKETING_REASONS);
                    }
                }
                continue;
            }
            int same = sameInputsAs[i];
            if (same >= 0) {
                // the same inputs as an earlier model (the default): built once
                System.arraycopy(all[same].x(), 0, s.x(), 0, s.x().length);
            } else {
                s.builder().build(st.values, s.x());
            }
            LogisticModel model = s.model();
            double p = s.servable().scoreWithReasonsKey(s.x(), s.reasons());
            if (model.spec().calendar() != null && st.values.has(ProfileValues.AS_OF)) {
                p = model.spec().calibrate(p, st.values.unscaled(ProfileValues.AS_OF));
            }
            probabilities[i] = p;
            WrittenScore w = st.scores.get(name);
            boolean every = full || w == null;
            if (w == null) {
                w = new WrittenScore();
                st.scores.put(name, w);
            }
            boolean newVersion = w.version != model.version();
            if (every || Double.doubleToLongBits(w.probability) != Double.doubleToLongBits(p)) {
                set.put(SCORE_FIELDS[i], LogisticModel.formatProbability(p));
                w.probability = p;
            }
            if (every || newVersion) {
                set.put(MODEL_FIELDS[i], s.version());
                w.version = model.version();
            }
            if (every
                    || newVersion
                    || w.reasons == null
                    || !Arrays.equals(w.reasons, s.reasons())) {
                String reasons = model.formatReasons(s.reasons());
                set.put(REASONS_FIELDS[i], reasons);
                if (i == PURCHASE) {
                    set.put(MARKETING_REASONS, reasons);
                }
                w.reasons = s.reasons().clone();
            }
        }
        customerBase(st, full, set, unset);
        return probabilities;
    }

    /**
     * {@link #P_ALIVE} and {@link #EXPECTED_ORDERS}, from BG/NBD with the purchase model's
     * parameters, written with the purchase score (they move with the same inputs), for profiles
     * with orders; without a purchase model with parameters, or orders, absent.
     */
    private void customerBase(
            DecisionState st, boolean full, Map<String, String> set, List<String> unset) {
        Scorer s = all[PURCHASE];
        BgNbd.Params params = s == null ? null : s.builder().bgNbdParams();
        BgNbd.Customer c = params == null ? null : FeatureVectorBuilder.customer(st.values);
        if (c == null) {
            if (full) {
                unset.add(P_ALIVE);
                unset.add(EXPECTED_ORDERS);
            }
            return;
        }
        if (full || set.containsKey(SCORE_FIELDS[PURCHASE])) {
            set.put(P_ALIVE, fourDecimals(BgNbd.pAlive(params, c)));
            try {
                set.put(
                        EXPECTED_ORDERS,
                        fourDecimals(
                                BgNbd.expectedPurchases(params, c, s.builder().horizonDays())));
            } catch (ArithmeticException e) {
                // its series did not converge (a profile of very many orders): left out
                unset.add(EXPECTED_ORDERS);
            }
        }
    }

    /**
     * A number ≥ 0 rounded half-even to 4 decimals (of its exact binary value), as a plain decimal
     * without trailing zeros. Below 10^5 and farther than 10^-6 of a ten-thousandth from a tie it
     * is rounded in double arithmetic (the product's error there is at most 6·10^-8 of a
     * ten-thousandth, so it cannot cross the half); near a tie, or larger, exactly with BigDecimal:
     * the same text either way, without BigDecimal's cost on every purchase score (2 % of the
     * decision thread's CPU in a JFR profile of the full bench).
     */
    static String fourDecimals(double v) {
        double scaled = v * 10_000;
        if (scaled >= 0 && scaled < 1e9) {
            double floor = Math.floor(scaled);
            double fraction = scaled - floor; // exact
            if (Math.abs(fraction - 0.5) > 1e-6) {
                long n = (long) floor + (fraction > 0.5 ? 1 : 0);
                return io.rtcdp.udf.profile.Decimals.decimal(n, 4);
            }
        }
        return exactFourDecimals(v);
    }

    /** {@link #fourDecimals} by BigDecimal: the definition. */
    static String exactFourDecimals(double v) {
        return new java.math.BigDecimal(v)
                .setScale(4, java.math.RoundingMode.HALF_EVEN)
                .stripTrailingZeros()
                .toPlainString();
    }

    /** The probabilities the rules saw last, {@link #MODEL_NAMES} order, NaN for none. */
    public static double[] written(DecisionState st) {
        double[] p = new double[MODEL_NAMES.size()];
        for (int i = 0; i < p.length; i++) {
            WrittenScore w = st.scores.get(MODEL_NAMES.get(i));
            p[i] = w == null ? Double.NaN : w.probability;
        }
        return p;
    }
}
