package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.udf.event.ParserConfig;
import java.util.LinkedHashMap;
import java.util.Map;
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

    @Option(
            names = "--tenant-secret",
            paramLabel = "TENANT=SECRET",
            description =
                    "HMAC secret of a tenant's PII ids; repeatable. Tenants without one use the"
                            + " default secret (RTCDP_DEFAULT_SECRET, else a development secret).")
    Map<String, String> tenantSecrets = new LinkedHashMap<>();

    @Option(
            names = "--pii-types",
            paramLabel = "TYPES",
            defaultValue = "phone,email",
            description =
                    "Id types whose values are PII, hashed like phone and email (which always"
                            + " are), comma-separated (default: ${DEFAULT-VALUE}).")
    String piiTypes;

    @Option(
            names = "--pii-traits",
            paramLabel = "KEYS",
            defaultValue = "",
            description = "Trait keys whose values are PII and hashed, comma-separated.")
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
        ParserConfig.Builder b =
                ParserConfig.builder()
                        .tenantSecrets(tenantSecrets)
                        .piiIdTypes(RtcdpOptions.list(piiTypes))
                        .piiTraits(RtcdpOptions.list(piiTraits));
        tenantPiiTypes.forEach((t, v) -> b.tenantPiiIdTypes(t, RtcdpOptions.list(v)));
        tenantPiiTraits.forEach((t, v) -> b.tenantPiiTraits(t, RtcdpOptions.list(v)));
        String def = System.getenv("RTCDP_DEFAULT_SECRET");
        if (def != null && !def.isBlank()) {
            b.defaultSecret(def);
        }
        return b.build();
    }
}
