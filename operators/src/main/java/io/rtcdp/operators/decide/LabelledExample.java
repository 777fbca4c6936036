package io.rtcdp.operators.decide;

/**
 * A feature vector taken when a profile was scored, labelled once its horizon passed in event time
 * (docs/contract.md §7.3: {@code purchase} = an order within the horizon, {@code churn} = none),
 * for the online trainer and the live model-quality metrics.
 *
 * @param tenant tenant
 * @param model model name ({@code purchase}, {@code churn})
 * @param servedVersion version of the model in force when the example was labelled
 * @param servedProbability that model's probability for {@code x}: the prediction it is judged by
 * @param x the model's input vector (its feature list, before standardisation)
 * @param label 1 or 0
 * @param ts event time of the snapshot
 */
public record LabelledExample(
        String tenant,
        String model,
        long servedVersion,
        double servedProbability,
        double[] x,
        int label,
        long ts) {

    /** Key of the trainer: {@code tenant/model}. */
    public String key() {
        return tenant + '/' + model;
    }
}
