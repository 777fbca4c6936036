package io.rtcdp.udf.testing;

import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.ml.Standardization;
import java.util.Map;
import java.util.SplittableRandom;

/** Models for tests and benchmarks. */
public final class Models {
    private Models() {}

    /**
     * A model of the default feature list for {@code name} with random standardization and
     * coefficients (intercept −1).
     */
    public static LogisticModel random(
            String name, long version, long trainedUntil, SplittableRandom r) {
        ModelSpec spec = ModelSpec.defaults(name);
        int k = spec.features().size();
        double[] mean = new double[k];
        double[] std = new double[k];
        double[] c = new double[k + 1];
        for (int i = 0; i < k; i++) {
            mean[i] = r.nextDouble(0, 3);
            std[i] = r.nextDouble(0.5, 2);
            c[i] = r.nextDouble(-1, 1);
        }
        c[k] = -1;
        return new LogisticModel(
                spec, version, new Standardization(mean, std), c, trainedUntil, Map.of());
    }
}
