package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.ConfigLoader;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.udf.event.ParserConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where the commands that hash ids outside the job ({@code replay}, {@code profile}, {@code secrets
 * derive}) take the PII secrets from (docs/contract.md §2.2), lowest precedence first: the
 * environment variable {@code RTCDP_DEFAULT_SECRET}, a settings file ({@code --config}: its {@code
 * default-secret}, {@code tenant-secret.<t>} and {@code ids.default-country-code}, which may name
 * {@code ${env:NAME}} and {@code ${file:PATH}}), and {@code --tenant-secret} on the command line,
 * which works but is visible to other users ({@code ps}), so it is warned about.
 */
public final class SecretOptions {
    /** The warning of a secret given on the command line. */
    static final String COMMAND_LINE_WARNING =
            "rtcdp: warning: a secret on the command line is visible to other users of this"
                    + " machine (ps); put default-secret and tenant-secret.<tenant> in a --config"
                    + " file, as ${env:NAME} or ${file:PATH}, or set RTCDP_DEFAULT_SECRET";

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "A properties file of settings (see README, Configuration) to take the PII"
                            + " settings from: default-secret, tenant-secret.<tenant> (values may"
                            + " be $${env:NAME} or $${file:PATH}) and ids.default-country-code;"
                            + " its other settings are checked but not used here.")
    Path config;

    @Option(
            names = "--tenant-secret",
            paramLabel = "TENANT=SECRET",
            description =
                    "HMAC secret of a tenant's PII ids; repeatable. Visible to other users (ps):"
                            + " prefer tenant-secret.<tenant> in --config. Tenants without one use"
                            + " a key derived from the default secret (--config's default-secret,"
                            + " else RTCDP_DEFAULT_SECRET, else a public development secret).")
    Map<String, String> tenantSecrets = new LinkedHashMap<>();

    /** The parser configuration (secrets, country code) of these options. */
    ParserConfig parserConfig() {
        return parserSettings().build();
    }

    /**
     * The parser settings of these options, to which the caller may add its own before building:
     * the file's settings (PII types and traits included) with the secrets of the environment and
     * the command line.
     */
    ParserConfig.Builder parserSettings() {
        ParserConfig.Builder b;
        boolean defaultFromFile = false;
        if (config != null) {
            RtcdpConfig loaded = ConfigLoader.create().file(config).load();
            b = loaded.parserSettings();
            defaultFromFile = loaded.get(RtcdpOptions.DEFAULT_SECRET) != null;
        } else {
            b = ParserConfig.builder();
        }
        String def = System.getenv("RTCDP_DEFAULT_SECRET");
        if (!defaultFromFile && def != null && !def.isBlank()) {
            checked("RTCDP_DEFAULT_SECRET", ParserConfig.builder().defaultSecret(def));
            b.defaultSecret(def);
        }
        checked("--tenant-secret", ParserConfig.builder().tenantSecrets(tenantSecrets));
        return b.tenantSecrets(tenantSecrets);
    }

    /** Builds {@code b} so that a bad value is reported with where it came from. */
    private static void checked(String origin, ParserConfig.Builder b) {
        try {
            b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + ": " + e.getMessage());
        }
    }

    /**
     * Warns on {@code err} if a secret was given on the command line; call it once the command has
     * succeeded, so that a bad argument stays the only line printed.
     */
    void warnIfOnCommandLine(PrintStream err) {
        if (!tenantSecrets.isEmpty()) {
            err.println(COMMAND_LINE_WARNING);
        }
    }
}
