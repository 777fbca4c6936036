package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.Await;
import io.rtcdp.testing.KafkaExtension;
import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.profile.RedisKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Event time goes on after the events topic was quiet for longer than {@code source.idleness}.
 *
 * <p>The streaming job unions the operators' commands (which carry no event time) with the events
 * at the identity stage. When every events partition goes idle, only the commands' channels are
 * active there; had they a watermark of their own, the identity stage's watermark would follow it,
 * and a watermark never moves back: a commands source at the end of time would end event time for
 * the whole job at the first quiet spell, and no refresh timer would fire again. The commands
 * source is idle for good instead, so it neither holds back nor moves its consumers' watermark.
 */
class QuietEventsITCase {
    static final long DAY = 86_400_000L;

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();
    @RegisterExtension static final KafkaExtension KAFKA = RtcdpTopics.kafka();

    @Test
    void profilesAreStillRefreshedAfterTheEventsWereQuietForLongerThanTheIdleness()
            throws Exception {
        // a month behind the wall clock, at midnight: refreshes on a grid of a day
        long t = (System.currentTimeMillis() / DAY - 30) * DAY;
        RtcdpConfig cfg =
                RtcdpConfig.builder()
                        .set(RtcdpOptions.KAFKA_BOOTSTRAP, KAFKA.bootstrapServers())
                        .set(RtcdpOptions.REDIS_URL, REDIS.url())
                        .set(RtcdpOptions.PARALLELISM, 2)
                        .set(RtcdpOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .set(RtcdpOptions.SOURCE_IDLENESS, Duration.ofSeconds(1))
                        .set(RtcdpOptions.OUT_OF_ORDERNESS, Duration.ZERO)
                        .build();
        JobClient job = FlinkTestCluster.startStreaming(cfg, "quiet-events-it");
        try {
            KAFKA.sendSpread("rtcdp.events", List.of(TestEvents.track("a1", "a", "view", t, "")));
            Await.until(
                    "a's profile",
                    Duration.ofMinutes(2),
                    () -> profileWhileRunning(job, "a").get("f.events_total"),
                    "1"::equals);
            // the quiet spell, several idleness timeouts long, while the job keeps running
            Await.during(
                    "4 s without events",
                    Duration.ofSeconds(4),
                    () -> assertThat(job.getJobStatus().get().isGloballyTerminalState()).isFalse());

            KAFKA.sendSpread(
                    "rtcdp.events", List.of(TestEvents.track("b1", "b", "view", t + 2 * DAY, "")));
            // b's profile, and so its refresh timer, is in place before c's event moves event time
            // on. (Sent at once after b, c's watermark may reach the profile stage before b's
            // record does: a source that comes back from idle sends its first records while its
            // channels still count as idle, so a stage with several channels may take its
            // watermark from another channel first. b's refresh timer then lies behind the
            // watermark and fires at the next watermark advance, which a quiet spell may not
            // bring: a known limit, docs/contract.md §3.3.)
            Await.until(
                    "b's profile",
                    Duration.ofMinutes(2),
                    () -> profileWhileRunning(job, "b").get("f.events_total"),
                    "1"::equals);
            KAFKA.sendSpread(
                    "rtcdp.events", List.of(TestEvents.track("c1", "c", "view", t + 4 * DAY, "")));
            // c's event moves the tenant's event time to t + 4 days: b's window of 24 h is empty
            // from t + 3 days on, and its refresh there must fire. Within 4 minutes: a refresh
            // that finds its tenant's clock not yet arrived on its subtask is looked at again after
            // 1 and then 2 more minutes (ProfileUpdater's deferral); a watermark at the end of time
            // would never fire it
            Map<String, String> b =
                    Await.until(
                            "b's profile refreshed at t + 3 days",
                            Duration.ofMinutes(4),
                            () -> profileWhileRunning(job, "b"),
                            p -> Long.toString(t + 3 * DAY).equals(p.get("as_of")));
            assertThat(b).containsEntry("f.events_total", "1").containsEntry("f.events_24h", "0");
            // c's own write may come after b's refresh: the tenant clock that fires the refresh
            // goes from the identity stage straight to the profile stage, c's event through the
            // fragment stage first
            Map<String, String> c =
                    Await.until(
                            "c's profile",
                            Duration.ofMinutes(2),
                            () -> profileWhileRunning(job, "c"),
                            p -> "1".equals(p.get("f.events_total")));
            assertThat(c)
                    .containsEntry("f.events_24h", "1")
                    .containsEntry("as_of", Long.toString(t + 4 * DAY));
        } finally {
            FlinkTestCluster.cancel(job);
        }
    }

    /**
     * {@link #profile}, failing at once, with the job's failure, if the job ended (the test's job
     * has no restarts): a refresh that never comes is then told apart from a job that failed.
     */
    private static Map<String, String> profileWhileRunning(JobClient job, String user)
            throws Exception {
        if (job.getJobStatus().get().isGloballyTerminalState()) {
            Throwable cause = null;
            try {
                job.getJobExecutionResult().get();
            } catch (java.util.concurrent.ExecutionException e) {
                cause = e.getCause();
            }
            throw new AssertionError("the job ended: " + job.getJobStatus().get(), cause);
        }
        return profile(user);
    }

    /** The profile hash of user {@code user} of tenant t1; empty while it has none. */
    private static Map<String, String> profile(String user) {
        RedisKeys keys = new RedisKeys("rtcdp");
        var redis = REDIS.client();
        String oneid = redis.get(keys.id("t1", "user_id", user));
        return oneid == null ? Map.of() : redis.hgetAll(keys.profile("t1", oneid));
    }
}
