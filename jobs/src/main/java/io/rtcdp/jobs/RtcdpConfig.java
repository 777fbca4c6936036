package io.rtcdp.jobs;

import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.identity.TenantIdLimits;
import io.rtcdp.udf.lifecycle.TenantLifecycles;
import io.rtcdp.udf.text.TextClassifier;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * The job's settings, validated once: a typed view over the {@link RtcdpOptions} of a Flink
 * configuration ({@code cfg.get(RtcdpOptions.REDIS_URL)}), plus what the job builds from several of
 * them (the parser's secrets and country code, the id limits). {@link ConfigLoader} reads one from
 * files, {@code -D} and Flink's configuration; {@link #builder()} makes one in code.
 */
public final class RtcdpConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Configuration settings;
    private final ParserConfig parser;
    private final TenantIdLimits idLimits;
    private final TenantLifecycles lifecycles;

    /** {@code settings} are valid ({@link RtcdpOptions#validate}); {@code parser} may be null. */
    RtcdpConfig(Configuration settings, ParserConfig parser) {
        this.settings = new Configuration(settings);
        this.parser = parser != null ? parser : parserOf(settings);
        // the settings of one tenant: its id limits and its lifecycle thresholds
        Map<String, Map<String, Integer>> tenantLimits = new HashMap<>();
        Map<String, Map<String, String>> tenantLifecycles = new HashMap<>();
        settings.get(RtcdpOptions.TENANT_SETTINGS)
                .forEach(
                        (name, v) -> {
                            var limit = RtcdpOptions.TENANT_ID_LIMIT.matcher(name);
                            var lifecycle = RtcdpOptions.TENANT_LIFECYCLE.matcher(name);
                            if (limit.matches()) {
                                tenantLimits
                                        .computeIfAbsent(limit.group(1), t -> new HashMap<>())
                                        .put(limit.group(2), Integer.parseInt(v));
                            } else if (lifecycle.matches()) {
                                tenantLifecycles
                                        .computeIfAbsent(lifecycle.group(1), t -> new HashMap<>())
                                        .put(lifecycle.group(2), v);
                            }
                        });
        this.idLimits =
                TenantIdLimits.of(
                        RtcdpOptions.idLimits(settings.get(RtcdpOptions.ID_LIMITS)), tenantLimits);
        Map<String, String> lifecycle = new HashMap<>();
        settings.get(RtcdpOptions.LIFECYCLE)
                .forEach((name, v) -> lifecycle.put(name.replaceFirst("-within$", ""), v));
        // one line naming the tenant and the thresholds that do not increase (exit 2)
        this.lifecycles = TenantLifecycles.of(lifecycle, tenantLifecycles);
    }

    private static ParserConfig parserOf(Configuration settings) {
        return parserBuilder(settings).build();
    }

    /**
     * A builder of the parser the settings describe (secrets, country code), for a command that
     * adds to them; {@link #parser()} is what it builds unless a parser was given in code.
     */
    public ParserConfig.Builder parserSettings() {
        return parserBuilder(settings);
    }

    private static ParserConfig.Builder parserBuilder(Configuration settings) {
        ParserConfig.Builder b =
                ParserConfig.builder()
                        .defaultCountryCode(settings.get(RtcdpOptions.DEFAULT_COUNTRY_CODE))
                        .tenantSecrets(settings.get(RtcdpOptions.TENANT_SECRETS))
                        .piiIdTypes(RtcdpOptions.list(settings.get(RtcdpOptions.PII_TYPES)))
                        .piiTraits(
                                settings.getOptional(RtcdpOptions.PII_TRAITS)
                                        .map(RtcdpOptions::list)
                                        .orElse(List.of()));
        settings.get(RtcdpOptions.TENANT_SETTINGS)
                .forEach(
                        (name, v) -> {
                            var m = RtcdpOptions.TENANT_PII.matcher(name);
                            if (m.matches() && m.group(2).equals("pii-types")) {
                                b.tenantPiiIdTypes(m.group(1), RtcdpOptions.list(v));
                            } else if (m.matches()) {
                                b.tenantPiiTraits(m.group(1), RtcdpOptions.list(v));
                            }
                        });
        settings.getOptional(RtcdpOptions.DEFAULT_SECRET).ifPresent(b::defaultSecret);
        settings.getOptional(RtcdpOptions.TEXT_MODEL)
                .ifPresent(file -> b.textClassifier(textModel(file)));
        return b;
    }

    /** The classifier in {@code file}; an IllegalArgumentException of one line when unusable. */
    private static TextClassifier textModel(String file) {
        String json;
        try {
            json = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "text.model: cannot read " + file + " (" + e.getMessage() + ")", e);
        }
        try {
            return TextClassifier.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "text.model: " + file + " is not a text model: " + e.getMessage(), e);
        }
    }

    /** Every setting at its default. */
    public static RtcdpConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The value of a setting: the one given, else its default (null for those without one). */
    public <T> T get(ConfigOption<T> option) {
        return settings.get(option);
    }

    /** The rule set files applied at start-up ({@link RtcdpOptions#RULES_FILES}, split). */
    public List<String> rulesFiles() {
        String files = settings.get(RtcdpOptions.RULES_FILES);
        return files == null
                ? List.of()
                : Arrays.stream(files.split(","))
                        .map(String::trim)
                        .filter(f -> !f.isEmpty())
                        .toList();
    }

    /** Event parsing: the tenants' secrets and the default country code. */
    public ParserConfig parser() {
        return parser;
    }

    /** The id limits of each tenant. */
    public TenantIdLimits idLimits() {
        return idLimits;
    }

    /** Lifecycle stage thresholds of each tenant ({@link RtcdpOptions#LIFECYCLE}). */
    public TenantLifecycles lifecycles() {
        return lifecycles;
    }

    /** Builder of an {@link RtcdpConfig} in code (tests, the demo, the bench, {@code replay}). */
    public static final class Builder {
        private final Configuration settings = new Configuration();
        private ParserConfig parser;

        private Builder() {}

        /** Sets one setting; null unsets it (the default applies, or none). */
        public <T> Builder set(ConfigOption<T> option, T value) {
            if (value == null) {
                settings.removeConfig(option);
            } else {
                settings.set(option, value);
            }
            return this;
        }

        /**
         * The parser to use instead of the one the settings describe ({@code default-secret},
         * {@code tenant-secret.*}, {@code ids.default-country-code}): tests give one with their own
         * clock.
         */
        public Builder parser(ParserConfig v) {
            parser = Objects.requireNonNull(v);
            return this;
        }

        /** Validates and builds; an invalid setting is an IllegalArgumentException of one line. */
        public RtcdpConfig build() {
            RtcdpOptions.validate(settings, key -> null);
            return new RtcdpConfig(settings, parser);
        }
    }
}
