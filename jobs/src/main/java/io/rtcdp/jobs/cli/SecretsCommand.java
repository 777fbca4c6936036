package io.rtcdp.jobs.cli;

import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.event.TenantKeys;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rtcdp secrets}: the tenants' keys (docs/contract.md §2.2). */
@Command(
        name = "secrets",
        mixinStandardHelpOptions = true,
        description = "The tenants' HMAC keys.",
        subcommands = {SecretsCommand.Derive.class})
public final class SecretsCommand extends CommandLines.Top {

    /**
     * {@code rtcdp secrets derive}: prints a tenant's key {@code K(t)} in hex, which is all an app
     * of that tenant needs to compute the id keys of its phones and e-mails; the master secret
     * stays with the job.
     */
    @Command(
            name = "derive",
            mixinStandardHelpOptions = true,
            description =
                    "Prints the HMAC key K(t) of a tenant in hex: its tenant-secret if it has one,"
                            + " else the key derived for it from default-secret. An app of the"
                            + " tenant hashes a phone with it (HMAC-SHA256 of \"phone:<+E.164>\")"
                            + " to find rtcdp:{T}:id:phone:<hash>, without the master secret.")
    public static final class Derive implements Callable<Integer> {
        private static final Pattern TENANT = Pattern.compile("[a-z0-9_-]{1,64}");

        @Option(names = "--tenant", required = true, paramLabel = "T", description = "Tenant.")
        String tenant;

        @Mixin SecretOptions secrets;

        @Override
        public Integer call() {
            if (!TENANT.matcher(tenant).matches()) {
                throw new IllegalArgumentException(
                        "--tenant must match [a-z0-9_-]{1,64}, got '" + tenant + "'");
            }
            ParserConfig pc = secrets.parserConfig();
            TenantKeys keys = pc.tenantKeys();
            System.out.println(keys.hex(tenant));
            if (pc.usesDevSecret(tenant)) {
                System.err.println(
                        "rtcdp: warning: this key comes from the public development secret;"
                                + " configure default-secret (or tenant-secret."
                                + tenant
                                + ") for real data");
            }
            secrets.warnIfOnCommandLine(System.err);
            return 0;
        }
    }
}
