package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.cli.RedisAclRules.Role;
import io.rtcdp.udf.profile.RedisKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rtcdp redis-acl}: prints the Redis ACL user of one tenant's apps, or of the job, so that
 * one Redis user no longer does everything (docs/operations.md, "Redis access per tenant").
 *
 * <p>The password is read from a file or an environment variable, never from the command line
 * (where {@code ps} and shell histories see it), and only its SHA-256 is printed: the plaintext
 * never reaches the output, a terminal or an ACL file. Without a password the user is printed
 * without one, so nobody can log in as it yet, and standard error says so: standard output stays
 * ready to pipe into {@code redis-cli} either way.
 */
@Command(
        name = "redis-acl",
        mixinStandardHelpOptions = true,
        description =
                "Prints the Redis ACL user of one tenant's apps (read-only, that tenant's keys"
                        + " only) or of the job (writes under the key prefix), as an ACL SETUSER"
                        + " command for redis-cli or a line of an ACL file.")
public final class RedisAclCommand implements Callable<Integer> {
    /** The two forms of the same rules. */
    enum Format {
        /** {@code ACL SETUSER name rules}, for {@code redis-cli} or any client. */
        command,
        /** {@code user name rules}, a line of the file named by Redis' {@code aclfile}. */
        aclfile
    }

    @Option(
            names = "--role",
            paramLabel = "reader|job",
            defaultValue = "reader",
            description =
                    "reader: an app of one tenant, read-only on its keys (default); job: the rtcdp"
                            + " job, writes every tenant's keys under the prefix.")
    Role role;

    @Option(
            names = "--tenant",
            paramLabel = "T",
            description = "The reader's tenant (required for reader, not taken by job).")
    String tenant;

    @Option(
            names = "--key-prefix",
            paramLabel = "P",
            defaultValue = RedisKeys.DEFAULT_PREFIX,
            description = "Redis key prefix (default: ${DEFAULT-VALUE}).")
    String keyPrefix;

    @Option(
            names = "--user",
            paramLabel = "NAME",
            description = "User name (default: rtcdp-<tenant>-reader, or rtcdp-job).")
    String user;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "File holding the password (one trailing line break is dropped).")
    Path passwordFile;

    @Option(
            names = "--password-env",
            paramLabel = "VAR",
            description = "Environment variable holding the password.")
    String passwordEnv;

    @Option(
            names = "--format",
            paramLabel = "command|aclfile",
            defaultValue = "command",
            description = "command: ACL SETUSER … (default); aclfile: user … for an ACL file.")
    Format format;

    @Override
    public Integer call() {
        String prefix = RedisAclRules.checkPrefix(keyPrefix);
        if (role == Role.reader) {
            if (tenant == null) {
                throw new IllegalArgumentException("--tenant is required for --role reader");
            }
            RedisAclRules.checkTenant(tenant);
        } else if (tenant != null) {
            throw new IllegalArgumentException(
                    "--tenant is for --role reader: the job writes every tenant's keys");
        }
        String name =
                RedisAclRules.checkUser(
                        user != null
                                ? user
                                : role == Role.reader
                                        ? "rtcdp-" + tenant + "-reader"
                                        : "rtcdp-job");
        String password = password();
        String rules =
                RedisAclRules.rules(
                        role,
                        prefix,
                        tenant,
                        password == null ? null : RedisAclRules.passwordHash(password));
        System.out.println(
                (format == Format.command ? "ACL SETUSER " : "user ") + name + ' ' + rules);
        if (password == null) {
            System.err.println(
                    "rtcdp: no --password-file or --password-env: nobody can log in as "
                            + name
                            + " until a password is added (ACL SETUSER "
                            + name
                            + " #<sha256 hex of it>)");
        }
        return 0;
    }

    /** The password, or null without either option. */
    private String password() {
        if (passwordFile != null && passwordEnv != null) {
            throw new IllegalArgumentException(
                    "give either --password-file or --password-env, not both");
        }
        String password;
        String from;
        if (passwordFile != null) {
            from = "--password-file " + passwordFile;
            try {
                password = Files.readString(passwordFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + from);
            }
            if (password.endsWith("\n")) {
                password = password.substring(0, password.length() - 1);
                if (password.endsWith("\r")) {
                    password = password.substring(0, password.length() - 1);
                }
            }
        } else if (passwordEnv != null) {
            from = "--password-env " + passwordEnv;
            password = System.getenv(passwordEnv);
            if (password == null) {
                throw new IllegalArgumentException(
                        "environment variable " + passwordEnv + " (" + from + ") is not set");
            }
        } else {
            return null;
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("the password of " + from + " is empty");
        }
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("the password of " + from + " is not one line");
        }
        return password;
    }
}
