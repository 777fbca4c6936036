package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.ConfigLoader;
import io.rtcdp.jobs.RtcdpConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.ReadableConfig;
import picocli.CommandLine.Option;

/**
 * The options of the commands that read the job's settings: a properties file and {@code -D}
 * settings, over those of Flink's configuration (README, Configuration).
 */
public final class SettingsOptions {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "A properties file of settings (see README, Configuration); its settings"
                            + " override those of Flink's configuration.")
    Path file;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description =
                    "A setting, overriding --config and Flink's configuration; repeatable, e.g."
                            + " -Dparallelism=4.")
    Map<String, String> settings = new LinkedHashMap<>();

    /**
     * The settings of Flink's configuration {@code flink}, the file and {@code -D}; an unknown key
     * or invalid value is an IllegalArgumentException of one line (exit code 2).
     */
    RtcdpConfig load(ReadableConfig flink) {
        ConfigLoader loader = ConfigLoader.create().flinkConfiguration(flink);
        if (file != null) {
            loader.file(file);
        }
        return loader.commandLine(settings).load();
    }

    /**
     * Warns on {@code err} if a {@code -D} option gives a secret itself rather than an {@code
     * ${env:NAME}} or {@code ${file:PATH}} reference; call it once the settings are known good, so
     * that a bad one stays the only line printed.
     */
    void warnIfSecretsOnCommandLine(java.io.PrintStream err) {
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String k = e.getKey();
            boolean secret = k.equals("default-secret") || k.startsWith("tenant-secret.");
            if (secret && !e.getValue().trim().matches("\\$\\{(env|file):[^}]+}")) {
                err.println(SecretOptions.COMMAND_LINE_WARNING);
                return;
            }
        }
    }
}
