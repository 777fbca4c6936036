package io.rtcdp.jobs.cli;

import io.rtcdp.udf.ml.ModelSpec;

/** The input sets {@code rtcdp train} and {@code rtcdp evaluate} offer ({@code --inputs}). */
enum ModelInputs {
    /** {@link ModelSpec#extendedFeatures()}. */
    extended,
    /** {@link ModelSpec#defaultFeatures()}: the RFM-style inputs only. */
    rfm;

    ModelSpec spec(String model) {
        return this == extended ? ModelSpec.extended(model) : ModelSpec.defaults(model);
    }
}
