package io.rtcdp.jobs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

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

    /** Job settings of a test: no restarts unless the test asks for them. */
    static Configuration noRestarts() {
        Configuration c = new Configuration();
        c.setString("restart-strategy.type", "none");
        return c;
    }
}
