package io.rtcdp.jobs;

import io.rtcdp.udf.event.ParserConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the job's settings from a properties file. Every key is checked: an unknown key or a bad
 * value is an IllegalArgumentException of one line naming the key.
 *
 * <p>A value may name environment variables as {@code ${env:NAME}}, replaced by their values when
 * the file is read (a variable that is not set is an error naming it). Secrets (tenant secrets, the
 * Redis password inside {@code redis.url}) can so come from a Kubernetes Secret through the
 * container's environment while the file itself lives in a ConfigMap.
 */
public final class ConfigFile {
    private static final Set<String> KEYS =
            Set.of(
                    "kafka.bootstrap-servers",
                    "kafka.topic.events",
                    "kafka.topic.dlq",
                    "kafka.topic.conflicts",
                    "kafka.topic.rules",
                    "kafka.topic.triggers",
                    "kafka.topic.models",
                    "models.dir",
                    "rules.files",
                    "triggers.stream-max-len",
                    "rfm.refresh-interval",
                    "kafka.group-id",
                    "redis.url",
                    "redis.key-prefix",
                    "redis.flush-interval",
                    "redis.max-buffered-profiles",
                    "parallelism",
                    "checkpoint.interval",
                    "checkpoint.dir",
                    "dedupe.window",
                    "event-time.out-of-orderness",
                    "source.idleness",
                    "profile.refresh-interval",
                    "ids.default-country-code",
                    "default-secret",
                    "metrics.prometheus.port",
                    "learning.enabled",
                    "learning.publish-every");

    private ConfigFile() {}

    public static RtcdpConfig defaults() {
        return RtcdpConfig.builder().build();
    }

    public static RtcdpConfig load(Path file) throws IOException {
        return load(file, System::getenv);
    }

    /** Reads {@code file}, taking {@code ${env:NAME}} values from {@code env}. */
    public static RtcdpConfig load(Path file, Function<String, String> env) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return parse(substituteEnv(m, env, file.toString()), file.toString());
    }

    private static final Pattern ENV_REF = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    /** Replaces every {@code ${env:NAME}} in the values by {@code env.apply(NAME)}. */
    static Map<String, String> substituteEnv(
            Map<String, String> m, Function<String, String> env, String origin) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, String> e : m.entrySet()) {
            Matcher r = ENV_REF.matcher(e.getValue());
            StringBuilder sb = new StringBuilder();
            while (r.find()) {
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

    static RtcdpConfig parse(Map<String, String> m, String origin) {
        RtcdpConfig.Builder b = RtcdpConfig.builder();
        ParserConfig.Builder parser = ParserConfig.builder();
        Map<String, String> secrets = new HashMap<>();
        Map<String, Integer> limits = new HashMap<>();
        Map<String, Map<String, Integer>> tenantLimits = new HashMap<>();
        for (Map.Entry<String, String> e : m.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (k.startsWith("tenant-secret.")) {
                secrets.put(k.substring("tenant-secret.".length()), v);
                continue;
            }
            if (k.startsWith("ids.limit.")) {
                limits.put(k.substring("ids.limit.".length()), intValue(k, v, origin));
                continue;
            }
            if (k.startsWith("tenant.") && k.contains(".ids.limit.")) {
                String tenant = k.substring("tenant.".length(), k.indexOf(".ids.limit."));
                String type = k.substring(k.indexOf(".ids.limit.") + ".ids.limit.".length());
                tenantLimits
                        .computeIfAbsent(tenant, t -> new HashMap<>())
                        .put(type, intValue(k, v, origin));
                continue;
            }
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(
                        origin
                                + ": unknown setting '"
                                + k
                                + "'; known: "
                                + String.join(", ", KEYS)
                                + ", tenant-secret.<tenant>, ids.limit.<type>,"
                                + " tenant.<tenant>.ids.limit.<type>");
            }
            try {
                switch (k) {
                    case "kafka.bootstrap-servers" -> b.kafkaBootstrap(v);
                    case "kafka.topic.events" -> b.eventsTopic(v);
                    case "kafka.topic.dlq" -> b.dlqTopic(v);
                    case "kafka.topic.conflicts" -> b.conflictsTopic(v);
                    case "kafka.topic.rules" -> b.rulesTopic(v);
                    case "kafka.topic.triggers" -> b.triggersTopic(v);
                    case "kafka.topic.models" -> b.modelsTopic(v);
                    case "models.dir" -> b.modelsDir(v);
                    case "rules.files" ->
                            b.rulesFiles(
                                    java.util.Arrays.stream(v.split(","))
                                            .map(String::trim)
                                            .filter(x -> !x.isEmpty())
                                            .toList());
                    case "triggers.stream-max-len" -> b.triggerStreamMaxLen(Long.parseLong(v));
                    case "rfm.refresh-interval" -> b.rfmRefreshInterval(duration(v));
                    case "kafka.group-id" -> b.groupId(v);
                    case "redis.url" -> b.redisUrl(v);
                    case "redis.key-prefix" -> b.keyPrefix(v);
                    case "redis.flush-interval" -> b.redisFlushInterval(duration(v));
                    case "redis.max-buffered-profiles" ->
                            b.redisMaxBufferedProfiles(Integer.parseInt(v));
                    case "parallelism" -> b.parallelism(Integer.parseInt(v));
                    case "checkpoint.interval" -> b.checkpointInterval(duration(v));
                    case "checkpoint.dir" -> b.checkpointDir(v);
                    case "dedupe.window" -> b.dedupeWindow(duration(v));
                    case "event-time.out-of-orderness" -> b.outOfOrderness(duration(v));
                    case "source.idleness" -> b.sourceIdleness(duration(v));
                    case "profile.refresh-interval" -> b.profileRefreshInterval(duration(v));
                    case "ids.default-country-code" -> parser.defaultCountryCode(v);
                    case "default-secret" -> parser.defaultSecret(v);
                    case "metrics.prometheus.port" -> b.metricsPort(Integer.parseInt(v));
                    case "learning.enabled" -> b.learningEnabled(bool(k, v, origin));
                    case "learning.publish-every" -> b.learningPublishEvery(Integer.parseInt(v));
                    default -> throw new IllegalStateException(k);
                }
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(
                        origin + ": setting '" + k + "' must be a number, got '" + v + "'");
            }
        }
        parser.tenantSecrets(secrets);
        try {
            b.idLimits(io.rtcdp.udf.identity.TenantIdLimits.of(limits, tenantLimits));
            return b.parser(parser.build()).build();
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(origin + ": " + ex.getMessage());
        }
    }

    private static boolean bool(String key, String v, String origin) {
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default ->
                    throw new IllegalArgumentException(
                            origin
                                    + ": setting '"
                                    + key
                                    + "' must be true or false, got '"
                                    + v
                                    + "'");
        };
    }

    private static int intValue(String key, String v, String origin) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    origin + ": setting '" + key + "' must be a number, got '" + v + "'");
        }
    }

    /**
     * {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 7d}, or ISO-8601 {@code PT10S}.
     */
    public static Duration duration(String v) {
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase(java.util.Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "not a duration: '" + v + "' (use e.g. 500ms, 10s, 5m, 1h, 7d)");
        }
    }
}
