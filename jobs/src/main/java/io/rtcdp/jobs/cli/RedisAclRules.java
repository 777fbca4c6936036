package io.rtcdp.jobs.cli;

import io.rtcdp.udf.profile.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Redis ACL rules of one rtcdp user (docs/operations.md, "Redis access per tenant"): an app
 * that reads one tenant's keys, or the job, which writes every tenant's keys.
 *
 * <p>Commands are an allowlist after {@code -@all}, not categories minus exceptions: a category
 * such as {@code @read} or {@code @connection} grows with new Redis versions and holds commands
 * that see past key patterns ({@code KEYS}, {@code SCAN}, {@code RANDOMKEY}) or touch other clients
 * ({@code CLIENT KILL}, {@code CLIENT LIST}). Every command named here exists in Redis 7.0, the
 * first version with the selectors and read-only key patterns used below.
 */
final class RedisAclRules {
    private RedisAclRules() {}

    /** Who the user is for. */
    enum Role {
        /** An app of one tenant: reads its profiles, ids, aliases, segments and trigger stream. */
        reader,
        /** The rtcdp job: writes the keys of every tenant under the prefix. */
        job
    }

    private static final Pattern TENANT = Pattern.compile("[a-z0-9_-]{1,64}");

    /** Names that need no quoting in redis-cli or an ACL file. */
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /**
     * Glob characters of ACL key patterns, and quotes and braces that redis-cli or an ACL file
     * would read as syntax: a prefix with one of them would widen or break the pattern.
     */
    private static final Pattern PATTERN_SPECIAL = Pattern.compile("[*?\\[\\]\\\\\"'(){}]");

    /**
     * What any client needs: log in, ping, name its connection, choose the database of a {@code
     * redis://host/db} URL, and, on a Redis Cluster, read the slot map and follow redirections. No
     * {@code CLIENT LIST}/{@code KILL}, no {@code INFO}, no {@code COMMAND}.
     */
    static final List<String> CONNECTION =
            List.of(
                    "+auth",
                    "+hello",
                    "+ping",
                    "+echo",
                    "+select",
                    "+client|setname",
                    "+client|getname",
                    "+client|id",
                    "+cluster|slots",
                    "+cluster|shards",
                    "+readonly",
                    "+readwrite",
                    "+asking");

    /**
     * Reading the key types of docs/contract.md §3: strings (ids, aliases), hashes (profiles), sets
     * (segments), the trigger stream. Only commands whose keys are arguments, so that ACL key
     * patterns apply to them.
     */
    static final List<String> READ =
            List.of(
                    "+exists",
                    "+type",
                    "+ttl",
                    "+pttl",
                    "+get",
                    "+mget",
                    "+strlen",
                    "+hget",
                    "+hmget",
                    "+hgetall",
                    "+hexists",
                    "+hlen",
                    "+hkeys",
                    "+hvals",
                    "+hstrlen",
                    "+hscan",
                    "+smembers",
                    "+sismember",
                    "+smismember",
                    "+scard",
                    "+sscan",
                    "+sinter",
                    "+sintercard",
                    "+sunion",
                    "+sdiff",
                    "+xrange",
                    "+xrevrange",
                    "+xlen",
                    "+xread",
                    "+xinfo|stream");

    /**
     * Consumer groups on the tenant's trigger stream only: they change the group's state, not the
     * stream's entries (no {@code XDEL}, {@code XTRIM}, {@code XGROUP DESTROY}/{@code SETID}).
     */
    static final List<String> CONSUMER_GROUPS =
            List.of(
                    "+xgroup|create",
                    "+xgroup|createconsumer",
                    "+xreadgroup",
                    "+xack",
                    "+xpending",
                    "+xclaim",
                    "+xautoclaim",
                    "+xinfo|groups",
                    "+xinfo|consumers",
                    "+xinfo|stream");

    /**
     * What the job's Redis sinks send (operators' {@code RedisProfileWriter}, {@code
     * RedisStreamCommitter}): the profile write script (EVALSHA, EVAL when it is not loaded, SCRIPT
     * LOAD) and the commands it calls (HSET also alone: a write of a hash whose ver the writer
     * knows), the id and alias strings, the segment sets, the trigger streams, the deletion of
     * forgotten profiles' trigger entries (XDEL) and the identity stage's forgotten-id keys (SCAN
     * and GET at start, SET). Redis checks the script's own calls against the same rules.
     */
    static final List<String> JOB_WRITE =
            List.of(
                    "+evalsha",
                    "+eval",
                    "+script|load",
                    "+hget",
                    "+hset",
                    "+hdel",
                    "+del",
                    "+set",
                    "+sadd",
                    "+srem",
                    "+xadd",
                    "+xrange",
                    "+xdel",
                    "+hgetall");

    /** Throws unless the tenant matches {@code [a-z0-9_-]{1,64}}, as tenants do everywhere. */
    static String checkTenant(String tenant) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException(
                    "--tenant must match [a-z0-9_-]{1,64}, got '" + tenant + "'");
        }
        return tenant;
    }

    /** Throws unless the prefix is a valid {@link RedisKeys} prefix safe to put in a pattern. */
    static String checkPrefix(String prefix) {
        new RedisKeys(prefix);
        if (PATTERN_SPECIAL.matcher(prefix).find()) {
            throw new IllegalArgumentException(
                    "--key-prefix must not contain * ? [ ] \\ quotes or brackets (they would change"
                            + " the ACL key pattern): '"
                            + prefix
                            + "'");
        }
        return prefix;
    }

    static String checkUser(String user) {
        if (!USER.matcher(user).matches()) {
            throw new IllegalArgumentException(
                    "--user must match [A-Za-z0-9._-]{1,128}, got '" + user + "'");
        }
        return user;
    }

    /**
     * The SHA-256 of the password's UTF-8 bytes in hex, the form {@code #<hash>} Redis accepts
     * instead of the password itself.
     */
    static String passwordHash(String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * The rules after the user name, e.g. {@code reset on #… %R~rtcdp:a:* resetchannels -@all +…}:
     * for {@code passwordHash == null} the user has no password, so nobody can log in as it until
     * one is added.
     *
     * @param tenant the reader's tenant; must be {@code null} for the job
     */
    static String rules(Role role, String prefix, String tenant, String passwordHash) {
        StringBuilder out = new StringBuilder("reset on");
        if (passwordHash != null) {
            out.append(" #").append(passwordHash);
        }
        if (role == Role.reader) {
            String keys = prefix + ':' + tenant + ":*";
            // %R~: read-only key access, so even a write command would be refused on these keys
            out.append(" %R~").append(keys).append(" resetchannels -@all");
            append(out, CONNECTION);
            append(out, READ);
            // a selector: full access to the trigger stream key, for consumer groups only
            out.append(" (~").append(new RedisKeys(prefix).triggers(tenant));
            out.append(" resetchannels -@all");
            append(out, CONSUMER_GROUPS);
            out.append(')');
        } else {
            out.append(" ~").append(prefix).append(":* resetchannels -@all");
            append(out, CONNECTION);
            append(out, JOB_WRITE);
        }
        return out.toString();
    }

    private static void append(StringBuilder out, List<String> commands) {
        for (String c : commands) {
            out.append(' ').append(c);
        }
    }
}
