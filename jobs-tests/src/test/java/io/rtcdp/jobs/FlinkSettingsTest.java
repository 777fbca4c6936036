package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flink.<key>} settings: read from the file and {@code -D}, applied over the Flink settings
 * rtcdp adds; a value Flink cannot read, and the keys rtcdp settings stand for, are one line.
 */
class FlinkSettingsTest {
    @TempDir Path tmp;

    private static RtcdpConfig load(Map<String, String> commandLine) {
        return ConfigLoader.withEnvironment(k -> null).commandLine(commandLine).load();
    }

    @Test
    void flinkKeysFromTheFileAndTheCommandLineGoOverRtcdpsFlinkSettings() throws Exception {
        Path file = tmp.resolve("rtcdp.properties");
        Files.writeString(
                file,
                "flink.execution.buffer-timeout.interval = 10 ms\n"
                        + "flink.state.backend.type = hashmap\n"
                        + "flink.metrics.reporter.x.some-key = anything\n");
        RtcdpConfig cfg =
                ConfigLoader.withEnvironment(k -> null)
                        .file(file)
                        .commandLine(Map.of("flink.state.backend.type", "rocksdb-later"))
                        .load();
        assertThat(cfg.get(RtcdpOptions.FLINK_SETTINGS))
                .containsEntry("execution.buffer-timeout.interval", "10 ms")
                .containsEntry("metrics.reporter.x.some-key", "anything");
        Configuration job = Environments.jobConfiguration(cfg);
        assertThat(job.getString("execution.buffer-timeout.interval", null)).isEqualTo("10 ms");
        // over rtcdp's own setting, -D over the file
        assertThat(job.getString("state.backend.type", null)).isEqualTo("rocksdb-later");
        assertThat(job.getString("metrics.reporter.x.some-key", null)).isEqualTo("anything");
    }

    /**
     * RocksDB leaves its two youngest levels uncompressed and compresses the rest with LZ4, unless
     * the cluster's configuration or a {@code flink.} setting says otherwise: what the cluster sets
     * is not overridden, and RocksDB reads files of any compression, so a state written with
     * Flink's default (Snappy) restores.
     */
    @Test
    void rocksDbCompressesOnlyItsOlderLevelsUnlessTheClusterOrASettingSaysOtherwise() {
        String key = "state.backend.rocksdb.compression.per.level";
        assertThat(Environments.jobConfiguration(load(Map.of())).getString(key, null))
                .isEqualTo("NO_COMPRESSION;NO_COMPRESSION;LZ4_COMPRESSION");
        assertThat(
                        Environments.jobConfiguration(
                                        load(Map.of("flink." + key, "ZSTD_COMPRESSION")))
                                .getString(key, null))
                .isEqualTo("ZSTD_COMPRESSION");
        Configuration cluster = new Configuration();
        cluster.setString(key, "SNAPPY_COMPRESSION");
        assertThat(Environments.jobConfiguration(load(Map.of()), cluster).toMap())
                .doesNotContainKey(key);
    }

    /**
     * The changelog state backend is Flink's to enable (not rtcdp's default): enabled in a local
     * run, its log goes to files beside the checkpoints unless said otherwise; a restore from a
     * savepoint with it needs the CLAIM mode, which gives Flink the savepoint to delete, so the run
     * refuses to choose that for the user.
     */
    @Test
    void theChangelogStateBackendEnabledLocallyLogsBesideTheCheckpoints() {
        Configuration plain = Environments.liveLocalConfiguration(load(Map.of()), tmp);
        assertThat(plain.toMap())
                .doesNotContainKeys("state.changelog.enabled", "state.changelog.storage");

        RtcdpConfig cfg = load(Map.of("flink.state.changelog.enabled", "true"));
        Configuration local = Environments.liveLocalConfiguration(cfg, tmp);
        assertThat(local.getString("state.changelog.storage", null)).isEqualTo("filesystem");
        assertThat(local.getString("state.changelog.dstl.dfs.base-path", null))
                .isEqualTo(
                        tmp.resolve("checkpoints").toUri().toString().replaceAll("/+$", "")
                                + "/changelog");

        Configuration own =
                Environments.liveLocalConfiguration(
                        load(
                                Map.of(
                                        "flink.state.changelog.enabled", "true",
                                        "flink.state.changelog.dstl.dfs.base-path",
                                                "file:///elsewhere")),
                        tmp);
        assertThat(own.getString("state.changelog.dstl.dfs.base-path", null))
                .isEqualTo("file:///elsewhere");

        assertThatThrownBy(
                        () ->
                                SavepointCheck.restoreFrom(
                                        tmp.resolve("savepoint-1").toString(),
                                        local,
                                        e -> {
                                            throw new AssertionError("not built");
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("savepoint-1 once a newer checkpoint subsumes it")
                .hasMessageContaining("flink.execution.state-recovery.claim-mode=CLAIM");
        // a retained checkpoint given as Flink's setting: the same line
        assertThatThrownBy(
                        () ->
                                Environments.liveLocalConfiguration(
                                        load(
                                                Map.of(
                                                        "flink.state.changelog.enabled",
                                                        "true",
                                                        "flink.execution.state-recovery.path",
                                                        "file:///state/chk-3")),
                                        tmp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("file:///state/chk-3 once");
        // with the claim mode chosen, the restore goes ahead
        Configuration claimed =
                Environments.liveLocalConfiguration(
                        load(
                                Map.of(
                                        "flink.state.changelog.enabled", "true",
                                        "flink.execution.state-recovery.path",
                                                "file:///state/chk-3",
                                        "flink.execution.state-recovery.claim-mode", "CLAIM")),
                        tmp);
        assertThat(claimed.getString("execution.state-recovery.claim-mode", null))
                .isEqualTo("CLAIM");
    }

    @Test
    void overTheLocalDefaultsToo() {
        RtcdpConfig cfg =
                load(
                        Map.of(
                                "flink.rest.bind-address", "0.0.0.0",
                                "flink.restart-strategy.type", "none"));
        Configuration local = Environments.liveLocalConfiguration(cfg, tmp);
        assertThat(local.getString("rest.bind-address", null)).isEqualTo("0.0.0.0");
        assertThat(local.getString("restart-strategy.type", null)).isEqualTo("none");
        assertThat(local.getString("taskmanager.bind-host", null)).isEqualTo("127.0.0.1");
    }

    @Test
    void aValueFlinkCannotReadIsOneLine() {
        assertThatThrownBy(
                        () -> load(Map.of("flink.execution.buffer-timeout.interval", "10 parsecs")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "-D: setting 'flink.execution.buffer-timeout.interval' is '10 parsecs':"
                                + " Flink cannot read it")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> load(Map.of("flink.taskmanager.numberOfTaskSlots", "two")))
                .hasMessageContaining("'flink.taskmanager.numberOfTaskSlots' is 'two'");
        assertThatThrownBy(() -> load(Map.of("flink.execution.checkpointing.mode", "SOMETIMES")))
                .hasMessageContaining("Flink cannot read it");
        assertThatThrownBy(() -> load(Map.of("flink.pipeline.generic-types", "")))
                .hasMessageContaining("must not be empty");
    }

    @Test
    void theFlinkKeysOfRtcdpSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> load(Map.of("flink.parallelism.default", "4")))
                .hasMessage(
                        "-D: setting 'flink.parallelism.default' is '4': is rtcdp's setting"
                                + " 'parallelism': set that instead");
        assertThatThrownBy(() -> load(Map.of("flink.execution.checkpointing.dir", "file:///x")))
                .hasMessageContaining("is rtcdp's setting 'checkpoint.dir'");
        assertThatThrownBy(() -> load(Map.of("flink.state.checkpoints.dir", "file:///x")))
                .hasMessageContaining("is rtcdp's setting 'checkpoint.dir'");
        assertThatThrownBy(() -> load(Map.of("flink.execution.checkpointing.interval", "1 s")))
                .hasMessageContaining("is rtcdp's setting 'checkpoint.interval'");
    }

    @Test
    void aLocalRunListensOnLoopbackAndCheckpointsToItsStateDirectory() {
        RtcdpConfig cfg = load(Map.of("metrics.prometheus.port", "9999"));
        Configuration c = Environments.liveLocalConfiguration(cfg, tmp.resolve("state"));
        for (String key : Environments.LOOPBACK_KEYS) {
            assertThat(c.getString(key, null)).as(key).isEqualTo("127.0.0.1");
        }
        assertThat(c.getString("metrics.reporter.prom.host", null)).isEqualTo("127.0.0.1");
        assertThat(Environments.checkpointDirectory(c, false))
                .isEqualTo(tmp.resolve("state/checkpoints").toUri().toString());
        assertThat(c.getString("state.backend.rocksdb.localdir", null))
                .isEqualTo(tmp.resolve("state/rocksdb").toString());
        assertThat(c.getString("restart-strategy.type", null)).isEqualTo("exponential-delay");
        assertThat(c.getString("execution.checkpointing.externalized-checkpoint-retention", null))
                .isEqualTo("RETAIN_ON_CANCELLATION");
        // replay, bench and demo too
        Configuration replay = Environments.localConfiguration(cfg, tmp);
        assertThat(replay.getString("rest.bind-address", null)).isEqualTo("127.0.0.1");
    }

    @Test
    void underFlinkRunWithoutACheckpointDirectoryTheJobRefusesToStart() {
        Configuration none = Environments.jobConfiguration(RtcdpConfig.defaults());
        assertThatThrownBy(() -> Environments.checkpointDirectory(none, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no checkpoint directory: set execution.checkpointing.dir")
                .hasMessageNotContaining("\n");
        Configuration cluster = new Configuration();
        cluster.setString("state.checkpoints.dir", "s3://b/cp");
        assertThat(Environments.checkpointDirectory(cluster, true)).isEqualTo("s3://b/cp");
    }
}
