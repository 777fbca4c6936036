package io.rtcdp.operators.identity;

import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.profile.ProfileCommand;
import java.util.List;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * The fragment stage's operator: {@link FragmentStore} with the rule sets broadcast to it, whose
 * event time is that of the fragment commands alone.
 *
 * <p>The rule sets come from sources without watermarks (the start-up texts, held open in the
 * streaming job, and the control topics). As a second input of a plain two-input operator they
 * would hold its watermark, and so the profile stage's, at the start of time for as long as the job
 * runs, and no refresh timer would fire; at their end (a replay's start-up source finishes) they
 * would send the end of time. So the broadcast input counts as idle for good here, its watermarks
 * and status ignored, as the operators' commands source is idle for good at the identity stage
 * ({@code IdleWatermarks}): the stage's watermark and idleness are its commands'.
 */
public final class FragmentStoreOperator
        extends CoBroadcastWithKeyedOperator<String, FragmentCommand, String, ProfileCommand> {
    private static final long serialVersionUID = 1L;

    /** The index of the broadcast input in the operator's combined watermark. */
    private static final int BROADCAST_INPUT = 1;

    public FragmentStoreOperator(FragmentStore store) {
        super(store, List.of(FragmentStore.RULES));
    }

    @Override
    public void open() throws Exception {
        super.open();
        // idle from the start: the combined watermark is the commands' from their first one
        super.processWatermarkStatus(WatermarkStatus.IDLE, BROADCAST_INPUT);
    }

    /** The rule sets' watermark (none, or the end of time when a start-up source ends): ignored. */
    @Override
    public void processWatermark2(Watermark mark) {}

    /** The rule sets' input stays idle whatever it says; the commands' status counts as sent. */
    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int index) throws Exception {
        super.processWatermarkStatus(
                index == BROADCAST_INPUT ? WatermarkStatus.IDLE : status, index);
    }
}
