package io.rtcdp.operators.profile;

import io.rtcdp.udf.profile.ProfileCommand;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

/**
 * The profile stage's operator: {@link ProfileUpdater} with the tenant clocks broadcast to it,
 * which also sets, for each profile whose put-off refresh a clock just let go, a processing-time
 * timer at the current time, so the refresh is looked at again at once rather than at its next poll
 * (a broadcast element has no key, so the function cannot set a timer itself); and every half
 * second does the same for the refreshes held while a tenant caught up on a backlog, once it no
 * longer does.
 *
 * <p>The timers are the function's own ({@code user-timers}), so a savepoint of the stage taken
 * before this operator restores unchanged.
 */
public final class ProfileUpdaterOperator
        extends CoBroadcastWithKeyedOperator<
                String, ProfileCommand, Tuple2<String, Long>, ProfileChange> {
    private static final long serialVersionUID = 1L;

    private transient InternalTimerService<VoidNamespace> timers;

    public ProfileUpdaterOperator(ProfileUpdater updater) {
        super(updater, List.of(ProfileUpdater.CLOCKS));
    }

    @Override
    public void open() throws Exception {
        super.open();
        // the service the function's timers are in: the same name, serializer and target
        timers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        ProcessingTimeService time = getProcessingTimeService();
        time.registerTimer(
                time.getCurrentProcessingTime() + ProfileUpdater.HELD_CHECK_MILLIS,
                this::releaseCaughtUp);
    }

    /**
     * Every {@link ProfileUpdater#HELD_CHECK_MILLIS}: the refreshes held while a tenant caught up
     * on a backlog are looked at at once when it no longer does.
     */
    private void releaseCaughtUp(long scheduled) throws Exception {
        // at the current time: after a long pause (or a test's jump) one check, not many, and
        // one that sees the pause
        ProcessingTimeService time = getProcessingTimeService();
        long now = Math.max(scheduled, time.getCurrentProcessingTime());
        wake(((ProfileUpdater) userFunction).releaseCaughtUp(now, timers.currentWatermark()), now);
        time.registerTimer(now + ProfileUpdater.HELD_CHECK_MILLIS, this::releaseCaughtUp);
    }

    private void wake(List<String> keys, long now) {
        for (String key : keys) {
            setCurrentKey(key);
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, now);
        }
    }

    @Override
    public void processElement2(StreamRecord<Tuple2<String, Long>> element) throws Exception {
        super.processElement2(element);
        List<String> keys = ((ProfileUpdater) userFunction).takeWakeUps();
        if (!keys.isEmpty()) {
            wake(keys, getProcessingTimeService().getCurrentProcessingTime());
        }
    }
}
