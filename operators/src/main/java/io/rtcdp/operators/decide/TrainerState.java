package io.rtcdp.operators.decide;

import io.rtcdp.udf.ml.FtrlTrainer;

/**
 * What the {@link OnlineTrainer} keeps per {@code tenant/model}: the FTRL trainer and the version
 * bookkeeping. Mutable: the trainer updates it in place and writes it back.
 */
public final class TrainerState {
    /** The trainer, started from the served model of version {@link #baseVersion}. */
    public FtrlTrainer trainer;

    /** Version of the served model the trainer was started from. */
    public long baseVersion;

    /** Largest served version seen on an example. */
    public long maxServedVersion;

    /** Last version published, 0 before the first. */
    public long lastPublished;

    /** Largest example event time learned from. */
    public long maxTs = Long.MIN_VALUE;

    /** Examples learned from since the last publication. */
    public long sincePublished;

    public TrainerState(FtrlTrainer trainer, long baseVersion) {
        this.trainer = trainer;
        this.baseVersion = baseVersion;
    }

    /** A deep copy. */
    public TrainerState copy() {
        TrainerState c = new TrainerState(trainer.copy(), baseVersion);
        c.maxServedVersion = maxServedVersion;
        c.lastPublished = lastPublished;
        c.maxTs = maxTs;
        c.sincePublished = sincePublished;
        return c;
    }
}
