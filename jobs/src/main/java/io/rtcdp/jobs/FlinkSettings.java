package io.rtcdp.jobs;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;

/**
 * The {@code flink.<key>} settings ({@link RtcdpOptions#FLINK_SETTINGS}): Flink configuration keys
 * given in rtcdp's settings file or {@code -D}, applied over the Flink settings rtcdp adds ({@link
 * Environments}). A value of an option Flink declares is read as Flink will read it, so a bad one
 * stops the start with one line; a key Flink does not declare here (a reporter's own settings, an
 * option of a plugin) is passed on as given.
 */
public final class FlinkSettings {
    /** The classes of Flink's options a job's configuration may set; those missing are skipped. */
    private static final String[] OPTION_CLASSES = {
        "org.apache.flink.configuration.CoreOptions",
        "org.apache.flink.configuration.PipelineOptions",
        "org.apache.flink.configuration.ExecutionOptions",
        "org.apache.flink.configuration.CheckpointingOptions",
        "org.apache.flink.configuration.StateBackendOptions",
        "org.apache.flink.configuration.StateRecoveryOptions",
        "org.apache.flink.configuration.StateChangelogOptions",
        "org.apache.flink.configuration.RestartStrategyOptions",
        "org.apache.flink.configuration.RestOptions",
        "org.apache.flink.configuration.WebOptions",
        "org.apache.flink.configuration.JobManagerOptions",
        "org.apache.flink.configuration.TaskManagerOptions",
        "org.apache.flink.configuration.NettyShuffleEnvironmentOptions",
        "org.apache.flink.configuration.MetricOptions",
        "org.apache.flink.configuration.BlobServerOptions",
        "org.apache.flink.configuration.HeartbeatManagerOptions",
        "org.apache.flink.configuration.RpcOptions",
        "org.apache.flink.configuration.ClusterOptions",
        "org.apache.flink.configuration.HighAvailabilityOptions",
        "org.apache.flink.configuration.SecurityOptions",
        "org.apache.flink.configuration.DeploymentOptions",
        "org.apache.flink.configuration.ExternalizedCheckpointRetention",
        "org.apache.flink.state.rocksdb.RocksDBOptions",
        "org.apache.flink.state.rocksdb.RocksDBConfigurableOptions",
        "org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions",
    };

    private static volatile Map<String, ConfigOption<?>> known;

    private FlinkSettings() {}

    /**
     * Checks {@code flink.<name>}: not one of the Flink keys an rtcdp setting stands for ({@link
     * RtcdpOptions#FLINK_EQUIVALENTS}), and a value Flink can read when it declares the option.
     */
    static void check(String name, String value) {
        for (RtcdpOptions.FlinkEquivalent<?> e : RtcdpOptions.FLINK_EQUIVALENTS) {
            if (keys(e.flink()).contains(name)) {
                throw new IllegalArgumentException(
                        "is rtcdp's setting '" + e.rtcdp().key() + "': set that instead");
            }
        }
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        ConfigOption<?> option = options().get(name);
        if (option == null) {
            return;
        }
        Configuration c = new Configuration();
        c.setString(name, value);
        try {
            c.get(option);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "Flink cannot read it ("
                            + e.getMessage()
                            + (e.getCause() != null ? " " + e.getCause().getMessage() : "")
                            + ")");
        }
    }

    /** Puts the {@code flink.<key>} settings of {@code cfg} into {@code conf}, over its values. */
    public static void apply(RtcdpConfig cfg, Configuration conf) {
        cfg.get(RtcdpOptions.FLINK_SETTINGS).forEach(conf::setString);
    }

    private static java.util.List<String> keys(ConfigOption<?> o) {
        java.util.List<String> k = new java.util.ArrayList<>();
        k.add(o.key());
        for (FallbackKey f : o.fallbackKeys()) {
            k.add(f.getKey());
        }
        return k;
    }

    /** Flink's declared options by key (fallback and deprecated keys included). */
    static Map<String, ConfigOption<?>> options() {
        Map<String, ConfigOption<?>> m = known;
        if (m != null) {
            return m;
        }
        m = new HashMap<>();
        for (String name : OPTION_CLASSES) {
            Class<?> c;
            try {
                c = Class.forName(name, false, FlinkSettings.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            for (Field f : c.getFields()) {
                if (!Modifier.isStatic(f.getModifiers())
                        || !ConfigOption.class.isAssignableFrom(f.getType())) {
                    continue;
                }
                try {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    for (String k : keys(o)) {
                        m.putIfAbsent(k, o);
                    }
                } catch (IllegalAccessException | RuntimeException | LinkageError e) {
                    // an option that cannot be read is not checked
                }
            }
        }
        known = m;
        return m;
    }
}
