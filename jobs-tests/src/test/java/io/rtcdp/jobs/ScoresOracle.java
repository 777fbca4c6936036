package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a models directory by hand, in Flink ML's LogisticRegressionModel data layout, and checks
 * the scores in Redis against a computation of the same logistic regressions written out here from
 * the features read back from Redis.
 */
final class ScoresOracle {
    static final long VERSION = 7;

    /** Feature name, log1p or not, cap, value when absent, mean, std. */
    private record Feature(
            String field, boolean log, double cap, double missing, double mean, double std) {}

    private static final List<Feature> FEATURES =
            List.of(
                    new Feature("f.days_since_last_order", true, 365, 365, 4.2, 1.3),
                    new Feature("f.orders_total", true, Double.POSITIVE_INFINITY, 0, 1.3, 0.8),
                    new Feature("f.revenue_90d", true, Double.POSITIVE_INFINITY, 0, 2.5, 3.1),
                    new Feature("f.events_total", false, Double.POSITIVE_INFINITY, 0, 7.5, 9.0));

    private static final Map<String, double[]> COEFFICIENTS =
            Map.of(
                    "purchase", new double[] {-0.9, 0.7, 0.4, 0.05, -1.6},
                    "churn", new double[] {1.1, -0.6, -0.3, -0.02, 0.4});

    private ScoresOracle() {}

    static void writeModels(Path dir) throws Exception {
        for (var e : COEFFICIENTS.entrySet()) {
            String name = e.getKey();
            Path m = dir.resolve(name);
            Files.createDirectories(m.resolve("data"));
            StringBuilder features = new StringBuilder();
            StringBuilder mean = new StringBuilder();
            StringBuilder std = new StringBuilder();
            for (Feature f : FEATURES) {
                if (features.length() > 0) {
                    features.append(',');
                    mean.append(',');
                    std.append(',');
                }
                features.append("{\"name\":\"")
                        .append(f.field().substring(2))
                        .append("\",\"transform\":\"")
                        .append(f.log() ? "log1p" : "identity")
                        .append('"');
                if (f.cap() != Double.POSITIVE_INFINITY) {
                    features.append(",\"cap\":").append(f.cap());
                }
                if (f.missing() != 0) {
                    features.append(",\"missing\":").append(f.missing());
                }
                features.append('}');
                mean.append(f.mean());
                std.append(f.std());
            }
            int horizon = name.equals("purchase") ? 30 : 90;
            Files.writeString(
                    m.resolve("model.json"),
                    "{\"format\":1,\"name\":\""
                            + name
                            + "\",\"version\":"
                            + VERSION
                            + ",\"label\":{\"kind\":\""
                            + name
                            + "\",\"horizon_days\":"
                            + horizon
                            + "},\"features\":["
                            + features
                            + "],\"mean\":["
                            + mean
                            + "],\"std\":["
                            + std
                            + "],\"trained_until\":0,\"metrics\":{}}");
            // Flink ML's layout: big-endian int32 n, n float64 coefficients, int64 version
            try (OutputStream out = Files.newOutputStream(m.resolve("data/part-0"));
                    DataOutputStream data = new DataOutputStream(out)) {
                double[] c = e.getValue();
                data.writeInt(c.length);
                for (double v : c) {
                    data.writeDouble(v);
                }
                data.writeLong(VERSION);
            }
        }
    }

    static void check(Map<String, Map<String, String>> profiles) {
        List<String> mismatches = new ArrayList<>();
        for (var e : profiles.entrySet()) {
            Map<String, String> h = e.getValue();
            for (var m : COEFFICIENTS.entrySet()) {
                String name = m.getKey();
                double[] c = m.getValue();
                double margin = c[c.length - 1];
                for (int i = 0; i < FEATURES.size(); i++) {
                    Feature f = FEATURES.get(i);
                    String v = h.get(f.field());
                    double raw = v == null || v.isEmpty() ? f.missing() : Double.parseDouble(v);
                    double x = Math.min(raw, f.cap());
                    if (f.log()) {
                        x = Math.log1p(x);
                    }
                    margin += c[i] * (x - f.mean()) / f.std();
                }
                double expected = 1 / (1 + Math.exp(-margin));
                String actual = h.get("score." + name);
                if (actual == null
                        || Math.abs(Double.parseDouble(actual) - expected) > 1e-9
                        || !Long.toString(VERSION).equals(h.get("model." + name))
                        || h.get("reasons." + name) == null
                        || h.get("reasons." + name).isEmpty()) {
                    mismatches.add(
                            e.getKey()
                                    + " "
                                    + name
                                    + ": expected "
                                    + expected
                                    + ", Redis "
                                    + actual
                                    + " v"
                                    + h.get("model." + name));
                }
            }
            String marketing = h.get("score.marketing");
            if (marketing == null
                    || Integer.parseInt(marketing) < 0
                    || Integer.parseInt(marketing) > 1000) {
                mismatches.add(e.getKey() + " score.marketing " + marketing);
            }
            if (!java.util.Objects.equals(h.get("reasons.marketing"), h.get("reasons.purchase"))) {
                mismatches.add(
                        e.getKey()
                                + " reasons.marketing "
                                + h.get("reasons.marketing")
                                + " is not reasons.purchase "
                                + h.get("reasons.purchase"));
            }
        }
        assertThat(mismatches).as("score mismatches (first shown)").isEmpty();
    }

    /**
     * Asserts that every profile's {@code score.marketing} is within {@code tolerance} (a share of
     * rank) of the exact mid-rank of its {@code score.purchase} among all of {@code profiles} (one
     * tenant): the share of profiles with a lower probability plus half of those with the same.
     *
     * @return the largest difference found
     */
    static double checkMarketingRanks(Map<String, Map<String, String>> profiles, double tolerance) {
        double[] sorted =
                profiles.values().stream()
                        .mapToDouble(h -> Double.parseDouble(h.get("score.purchase")))
                        .sorted()
                        .toArray();
        int n = sorted.length;
        List<String> off = new ArrayList<>();
        double worst = 0;
        for (var e : profiles.entrySet()) {
            double p = Double.parseDouble(e.getValue().get("score.purchase"));
            int below = lowerBound(sorted, p);
            int equal = lowerBound(sorted, Math.nextUp(p)) - below;
            double exact = (below + equal / 2.0) / n;
            double actual = Integer.parseInt(e.getValue().get("score.marketing")) / 1000.0;
            double d = Math.abs(actual - exact);
            worst = Math.max(worst, d);
            if (d > tolerance) {
                off.add(
                        e.getKey()
                                + ": score.marketing "
                                + actual
                                + ", exact rank "
                                + exact
                                + " (score.purchase "
                                + p
                                + ")");
            }
        }
        assertThat(off).as("profiles ranked off the exact tenant-wide rank (of %d)", n).isEmpty();
        return worst;
    }

    private static int lowerBound(double[] sorted, double p) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < p) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
