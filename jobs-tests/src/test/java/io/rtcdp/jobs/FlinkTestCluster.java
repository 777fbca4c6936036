package io.rtcdp.jobs;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;

/** The MiniCluster of the integration tests: 1 TaskManager, 4 slots, RocksDB. */
final class FlinkTestCluster {
    private FlinkTestCluster() {}

    static MiniClusterExtension extension() {
        Configuration c = new Configuration();
        c.setString("state.backend.type", "rocksdb");
        c.setString("taskmanager.memory.managed.size", "256m");
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(4)
                        .setConfiguration(c)
                        .build());
    }

    /**
     * Starts the streaming job of {@code cfg} on the test cluster, without restarts (a failure
     * fails the job, so a test sees it).
     */
    static org.apache.flink.core.execution.JobClient startStreaming(RtcdpConfig cfg, String name)
            throws Exception {
        Configuration conf = Environments.jobConfiguration(cfg);
        conf.addAll(noRestarts());
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
                        .getExecutionEnvironment(conf);
        Streaming.build(cfg, env);
        return env.executeAsync(name);
    }

    /**
     * Cancels the job and waits until it ended: its tasks, and its Kafka readers with them, have
     * stopped before the test class's broker does. (Left cancelling, a job's Kafka reader outlived
     * the broker at the class's end, and the MiniCluster waited 30 s for its fetcher to close.)
     */
    static void cancel(org.apache.flink.core.execution.JobClient job) throws Exception {
        job.cancel().get();
        try {
            // the job's result, once it ended: failed with the cancellation
            job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            if (ExceptionUtils.findThrowable(e, JobCancellationException.class).isEmpty()) {
                throw e;
            }
        }
    }

    /** Job settings of a test: no restarts unless the test asks for them. */
    static Configuration noRestarts() {
        Configuration c = new Configuration();
        c.setString("restart-strategy.type", "none");
        return c;
    }
}
