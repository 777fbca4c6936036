package io.rtcdp.operators.rec;

import io.rtcdp.operators.profile.ItemOrder;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * The item-statistics stage's operator: {@link ItemStatsStage}, whose statistics are written behind
 * on the heap, written into keyed state (each bucket under its key) before every checkpoint
 * barrier, so a checkpoint holds every order counted before it.
 */
public final class ItemStatsOperator
        extends KeyedProcessOperator<String, ItemOrder, Tuple3<String, String, byte[]>> {
    private static final long serialVersionUID = 1L;

    public ItemStatsOperator(ItemStatsStage stage) {
        super(stage);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        ((ItemStatsStage) userFunction).flushAll(this::setCurrentKey);
    }
}
