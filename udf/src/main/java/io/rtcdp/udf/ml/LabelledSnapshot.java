package io.rtcdp.udf.ml;

/**
 * A profile's input vector at a scoring time and, once its horizon has passed, its label.
 *
 * @param ts the scoring time (event time, epoch ms)
 * @param x the {@link FeatureVectorBuilder} vector at {@code ts}
 * @param label 0 or 1 under the labeler's {@link LabelSpec}
 */
public record LabelledSnapshot(long ts, double[] x, int label) {}
