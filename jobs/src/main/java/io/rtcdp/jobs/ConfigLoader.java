package io.rtcdp.jobs;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Reads the job's settings ({@link RtcdpOptions}) from, in increasing precedence: Flink's
 * configuration (on a cluster: a FlinkDeployment's {@code flinkConfiguration}, {@code flink run
 * -D}, {@code config.yaml}), a properties file, and {@code -Dkey=value} on the command line.
 *
 * <p>From Flink's configuration only rtcdp's keys are taken: the rest is Flink's business. In the
 * file and on the command line every key must be an rtcdp setting: a key that is not (a typo, or
 * one of Flink's own, which belong in Flink's configuration where Flink reads them) is an error.
 * Unknown keys and invalid values are an IllegalArgumentException of one line naming the key, the
 * value, where it came from and what is expected; the command line exits 2 on it.
 *
 * <p>A value may name environment variables as {@code ${env:NAME}} and files as {@code
 * ${file:PATH}}, replaced by the variable's value or the file's content (UTF-8, one trailing line
 * break removed) when it is read; a variable that is not set or a file that cannot be read is an
 * error naming it, never showing a value. Secrets (tenant secrets, the Redis password inside {@code
 * redis.url}) can so come from a Kubernetes Secret, through the container's environment or a
 * mounted file, while the settings file itself lives in a ConfigMap, and never stand on a command
 * line, where other users of the machine can read them ({@code ps}).
 *
 * <p>The settings Flink's configuration also knows under its own key ({@link
 * RtcdpOptions#FLINK_EQUIVALENTS}) are Flink's when it sets them; an rtcdp value given too must
 * agree, so that a setting has one value wherever it is read.
 */
public final class ConfigLoader {
    static final String FLINK = "Flink's configuration";
    static final String COMMAND_LINE = "-D";

    private static final Pattern REF =
            Pattern.compile("\\$\\{(?:env:([A-Za-z_][A-Za-z0-9_]*)|file:([^}]+))}");

    private final Function<String, String> env;
    private ReadableConfig flink = new Configuration();
    private Map<String, String> fromFlink = Map.of();
    private Map<String, String> fromFile = Map.of();
    private String fileName;
    private Map<String, String> fromCommandLine = Map.of();

    private ConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    /** A loader taking {@code ${env:NAME}} values from the process's environment. */
    public static ConfigLoader create() {
        return new ConfigLoader(System::getenv);
    }

    /** A loader taking {@code ${env:NAME}} values from {@code env}. */
    public static ConfigLoader withEnvironment(Function<String, String> env) {
        return new ConfigLoader(env);
    }

    /** Flink's configuration, lowest precedence: its rtcdp keys, and the settings it decides. */
    public ConfigLoader flinkConfiguration(ReadableConfig flinkConfiguration) {
        this.flink = flinkConfiguration;
        Map<String, String> m = new LinkedHashMap<>();
        flinkConfiguration
                .toMap()
                .forEach(
                        (k, v) -> {
                            if (RtcdpOptions.isSetting(k)) {
                                m.put(k, v);
                            }
                        });
        fromFlink = substituteEnv(m, env, FLINK);
        return this;
    }

    /**
     * A properties file, above Flink's configuration; every key must be an rtcdp setting. A file
     * that cannot be read is an IllegalArgumentException too: a configuration error.
     */
    public ConfigLoader file(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": cannot read the settings: " + e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        fileName = file.toString();
        fromFile = known(substituteEnv(m, env, fileName), fileName);
        return this;
    }

    /** {@code -Dkey=value} options, highest precedence; every key must be an rtcdp setting. */
    public ConfigLoader commandLine(Map<String, String> settings) {
        fromCommandLine = known(substituteEnv(settings, env, COMMAND_LINE), COMMAND_LINE);
        return this;
    }

    /** The settings, validated. */
    public RtcdpConfig load() {
        Configuration conf = new Configuration();
        Map<String, String> origins = new HashMap<>();
        layer(conf, origins, fromFlink, FLINK);
        layer(conf, origins, fromFile, fileName);
        layer(conf, origins, fromCommandLine, COMMAND_LINE);
        RtcdpOptions.validate(conf, origins::get);
        for (RtcdpOptions.FlinkEquivalent<?> e : RtcdpOptions.FLINK_EQUIVALENTS) {
            decideByFlink(e, conf, origins);
        }
        RtcdpOptions.validate(conf, origins::get);
        return new RtcdpConfig(conf, null);
    }

    private <T> void decideByFlink(
            RtcdpOptions.FlinkEquivalent<T> e, Configuration conf, Map<String, String> origins) {
        Optional<T> decided = flink.getOptional(e.flink());
        if (decided.isEmpty()) {
            return;
        }
        String key = e.rtcdp().key();
        String origin = origins.get(key);
        if (origin != null && !decided.get().equals(conf.get(e.rtcdp()))) {
            throw RtcdpOptions.invalid(
                    origin,
                    key,
                    conf.toMap().get(key),
                    false,
                    "Flink's configuration sets "
                            + e.flink().key()
                            + " to '"
                            + flink.toMap().get(e.flink().key())
                            + "'; set it in one place");
        }
        conf.set(e.rtcdp(), decided.get());
        origins.put(key, FLINK + " (" + e.flink().key() + ")");
    }

    private static void layer(
            Configuration conf,
            Map<String, String> origins,
            Map<String, String> values,
            String origin) {
        values.forEach(
                (k, v) -> {
                    conf.setString(k, v);
                    origins.put(k, origin);
                });
    }

    private static Map<String, String> known(Map<String, String> m, String origin) {
        for (String k : m.keySet()) {
            if (!RtcdpOptions.isSetting(k)) {
                throw new IllegalArgumentException(
                        origin
                                + ": unknown setting '"
                                + k
                                + "' (rtcdp's settings are in the README, Configuration; Flink's"
                                + " own settings go in Flink's configuration: a"
                                + " FlinkDeployment's flinkConfiguration, flink run -D or"
                                + " config.yaml"
                                + (FlinkSettings.options().containsKey(k)
                                        ? "; or here as flink." + k
                                        : "")
                                + ")");
            }
        }
        return m;
    }

    /**
     * Replaces every {@code ${env:NAME}} in the values by {@code env.apply(NAME)} and every {@code
     * ${file:PATH}} by the file's content without its last line break.
     */
    static Map<String, String> substituteEnv(
            Map<String, String> m, Function<String, String> env, String origin) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : m.entrySet()) {
            Matcher r = REF.matcher(e.getValue());
            StringBuilder sb = new StringBuilder();
            while (r.find()) {
                if (r.group(2) != null) {
                    r.appendReplacement(
                            sb,
                            Matcher.quoteReplacement(fileValue(r.group(2), e.getKey(), origin)));
                    continue;
                }
                String value = env.apply(r.group(1));
                if (value == null) {
                    throw new IllegalArgumentException(
                            origin
                                    + ": setting '"
                                    + e.getKey()
                                    + "' names the environment variable "
                                    + r.group(1)
                                    + ", which is not set");
                }
                r.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
            r.appendTail(sb);
            out.put(e.getKey(), sb.toString());
        }
        return out;
    }

    /**
     * The content of a {@code ${file:PATH}}: UTF-8, without one trailing {@code \n} or {@code
     * \r\n}.
     */
    static String fileValue(String path, String key, String origin) {
        String content;
        try {
            content = Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // the exception's class only: a decoding error could quote the content
            throw new IllegalArgumentException(
                    origin
                            + ": setting '"
                            + key
                            + "' names the file "
                            + path
                            + ", which cannot be read ("
                            + e.getClass().getSimpleName()
                            + ")");
        }
        if (content.endsWith("\r\n")) {
            return content.substring(0, content.length() - 2);
        }
        if (content.endsWith("\n")) {
            return content.substring(0, content.length() - 1);
        }
        return content;
    }
}
