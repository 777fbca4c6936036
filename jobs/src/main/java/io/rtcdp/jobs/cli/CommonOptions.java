package io.rtcdp.jobs.cli;

import io.rtcdp.udf.event.ParserConfig;
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

    ParserConfig parserConfig() {
        return secrets.parserConfig();
    }
}
