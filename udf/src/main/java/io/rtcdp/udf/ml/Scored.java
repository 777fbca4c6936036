package io.rtcdp.udf.ml;

/**
 * One score of one profile.
 *
 * @param probability in [0, 1]
 * @param modelVersion the version of the model that gave it
 * @param reasons the top contributing features, e.g. {@code days_since_last_order:+1.23,
 *     orders_90d:-0.80} (coefficient × standardised value, largest magnitude first)
 */
public record Scored(double probability, long modelVersion, String reasons) {}
