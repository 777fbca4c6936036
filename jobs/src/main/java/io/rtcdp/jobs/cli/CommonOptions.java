package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.udf.event.ParserConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the commands that touch Redis or event ids. */
public final class CommonOptions {
    @Option(
            names = "--redis",
            paramLabel = "URL",
            defaultValue = "redis://127.0.0.1:6379",
            description =
                    "Redis URL: redis://[user:password@]host:port[/db], rediss:// for TLS, or"
                            + " redis-cluster://host1:port1,host2:port2 (seed nodes of a Redis"
                            + " Cluster; rediss-cluster:// for TLS) (default: ${DEFAULT-VALUE}).")
    String redisUrl;

    @Option(
            names = "--key-prefix",
            paramLabel = "PREFIX",
            defaultValue = "rtcdp",
            description = "Prefix of every Redis key (default: ${DEFAULT-VALUE}).")
    String keyPrefix;

    @Mixin SecretOptions secrets;

    @Option(
            names = "--pii-types",
            paramLabel = "TYPES",
            description =
                    "Id types whose values are PII, hashed like phone and email (which always"
                            + " are), comma-separated (default: --config's pii-types, else"
                            + " phone,email).")
    String piiTypes;

    @Option(
            names = "--pii-traits",
            paramLabel = "KEYS",
            description =
                    "Trait keys whose values are PII and hashed, comma-separated (default:"
                            + " --config's pii-traits, else none).")
    String piiTraits;

    @Option(
            names = "--tenant-pii-types",
            paramLabel = "TENANT=TYPES",
            description = "A tenant's own PII id types (instead of --pii-types); repeatable.")
    Map<String, String> tenantPiiTypes = new LinkedHashMap<>();

    @Option(
            names = "--tenant-pii-traits",
            paramLabel = "TENANT=KEYS",
            description = "A tenant's own PII trait keys (instead of --pii-traits); repeatable.")
    Map<String, String> tenantPiiTraits = new LinkedHashMap<>();

    ParserConfig parserConfig() {
        ParserConfig.Builder b = secrets.parserSettings();
        if (piiTypes != null) {
            b.piiIdTypes(RtcdpOptions.list(piiTypes));
        }
        if (piiTraits != null) {
            b.piiTraits(RtcdpOptions.list(piiTraits));
        }
        tenantPiiTypes.forEach((t, v) -> b.tenantPiiIdTypes(t, RtcdpOptions.list(v)));
        tenantPiiTraits.forEach((t, v) -> b.tenantPiiTraits(t, RtcdpOptions.list(v)));
        return b.build();
    }
}
