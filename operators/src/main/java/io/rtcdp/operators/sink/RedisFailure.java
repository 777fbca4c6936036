package io.rtcdp.operators.sink;

import java.util.Locale;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisClusterException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.exceptions.JedisValidationException;

/**
 * What the Redis writers do about a failed command: retry it (a <em>transient</em> failure: the
 * connection, the server's or the cluster's state, which passes) or give it up as a <em>rejected
 * write</em> (a <em>permanent</em> failure of that command on that key, which retrying cannot fix).
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>failure</th><th>class</th><th>why</th></tr>
 *   <tr><td>connection refused, reset, socket timeout, pool exhausted, a cluster node that did not
 *       answer a pipeline (any non-reply exception)</td><td>{@link #CONNECTION}, retried</td>
 *       <td>Redis down, restarting, paused, network</td></tr>
 *   <tr><td>{@code NOAUTH}, {@code WRONGPASS}</td><td>{@link #AUTH}, retried</td>
 *       <td>the credentials of the whole connection: no key could be written, so nothing is
 *       dead-lettered; the job waits (backpressure) until the password or ACL user is fixed</td></tr>
 *   <tr><td>{@code LOADING}</td><td>{@link #LOADING}, retried</td><td>a restarted Redis reads its
 *       data set</td></tr>
 *   <tr><td>{@code MOVED}, {@code ASK}</td><td>{@link #REDIRECT}, retried</td><td>cluster
 *       resharding or failover; the slot map is re-read before the retry</td></tr>
 *   <tr><td>{@code TRYAGAIN}, {@code CLUSTERDOWN}, {@code MASTERDOWN}, {@code NOREPLICAS}</td>
 *       <td>{@link #CLUSTER}, retried</td><td>a cluster or replication state that passes</td></tr>
 *   <tr><td>{@code BUSY}</td><td>{@link #BUSY}, retried</td><td>another client's long script</td></tr>
 *   <tr><td>{@code NOSCRIPT}</td><td>{@link #NOSCRIPT}, retried at once</td><td>script cache
 *       flushed or Redis restarted: the writer loads the script again</td></tr>
 *   <tr><td>{@code WRONGTYPE}</td><td>{@link #WRONGTYPE}, rejected</td><td>the key holds another
 *       type (written by something else)</td></tr>
 *   <tr><td>{@code NOPERM}, and {@code ERR The user executing the script can't …} (an ACL denial
 *       inside the write script)</td><td>{@link #NOPERM}, rejected</td><td>an ACL denies the
 *       command or the key</td></tr>
 *   <tr><td>{@code OOM}</td><td>{@link #OOM}, rejected</td><td>{@code maxmemory} reached with
 *       {@code noeviction}</td></tr>
 *   <tr><td>{@code READONLY}</td><td>{@link #READONLY}, rejected</td><td>the URL points at a
 *       replica</td></tr>
 *   <tr><td>{@code ERR …}, {@code EXECABORT}, {@code MISCONF}, any other reply, a client-side
 *       validation error</td><td>{@link #OTHER}, rejected</td><td>retrying the same command gets
 *       the same answer</td></tr>
 * </table>
 *
 * <p>Only an error <em>reply to one command</em> can be a rejection; the callers treat every
 * failure outside a command's reply (borrowing a connection, the pipeline's sync, loading the
 * script) as transient whatever its class, since it says nothing about a key.
 */
enum RedisFailure {
    CONNECTION(true),
    AUTH(true),
    LOADING(true),
    REDIRECT(true),
    CLUSTER(true),
    BUSY(true),
    NOSCRIPT(true),
    WRONGTYPE(false),
    NOPERM(false),
    OOM(false),
    READONLY(false),
    OTHER(false);

    /** The reasons of rejected writes, as the {@code reason} metric label and in dead letters. */
    static final RedisFailure[] REJECTIONS = {WRONGTYPE, NOPERM, OOM, READONLY, OTHER};

    /** After {@code "ERR "}: how Redis 7.0 words an ACL denial of a command inside a script. */
    private static final String SCRIPT_ACL_DENIAL = "The user executing the script can't";

    /** Longest reply text kept for a log line or a dead letter. */
    static final int MAX_REPLY_CHARS = 200;

    private final boolean retried;
    private final String reason;

    RedisFailure(boolean retried) {
        this.retried = retried;
        this.reason = name().toLowerCase(Locale.ROOT);
    }

    /** Whether the command is retried (transient); otherwise it is a rejected write. */
    boolean retried() {
        return retried;
    }

    /** Lower-case name: the {@code reason} metric label of a rejection, e.g. {@code wrongtype}. */
    String reason() {
        return reason;
    }

    /** The class of a failure of one command (its error reply, or the exception in its place). */
    static RedisFailure of(Throwable failure) {
        if (failure instanceof JedisRedirectionException) {
            return REDIRECT;
        }
        if (failure instanceof JedisNoScriptException) {
            return NOSCRIPT;
        }
        if (failure instanceof JedisBusyException) {
            return BUSY;
        }
        if (failure instanceof JedisClusterException) {
            return CLUSTER;
        }
        if (failure instanceof JedisValidationException) {
            // refused by the client before sending: the same arguments fail again
            return OTHER;
        }
        if (failure instanceof JedisDataException data) {
            return ofReply(data.getMessage(), data instanceof JedisAccessControlException);
        }
        // JedisConnectionException, JedisClusterOperationException, a pipeline response that a
        // failed node never answered (IllegalStateException), anything else not from a reply;
        // a handshake refused for its credentials arrives wrapped
        Throwable cause = failure.getCause();
        for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
            if (cause instanceof JedisDataException data && of(data) == AUTH) {
                return AUTH;
            }
        }
        return CONNECTION;
    }

    /**
     * The class of a failure that is not a command's reply (no connection, a refused handshake, a
     * broken pipeline): always retried, as {@link #CONNECTION} unless its class is retried anyway
     * ({@link #AUTH}, {@link #LOADING}, …, kept for the log).
     */
    static RedisFailure notAReply(Throwable failure) {
        RedisFailure f = of(failure);
        return f.retried ? f : CONNECTION;
    }

    private static RedisFailure ofReply(String reply, boolean accessControl) {
        if (reply == null) {
            return OTHER;
        }
        String code = errorCode(reply);
        switch (code) {
            case "NOAUTH", "WRONGPASS":
                return AUTH;
            case "LOADING":
                return LOADING;
            case "MOVED", "ASK":
                return REDIRECT;
            case "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "NOREPLICAS":
                return CLUSTER;
            case "BUSY":
                return BUSY;
            case "NOSCRIPT":
                return NOSCRIPT;
            case "WRONGTYPE":
                return WRONGTYPE;
            case "NOPERM":
                return NOPERM;
            case "OOM":
                return OOM;
            case "READONLY":
                return READONLY;
            default:
                // Redis 7.0 reports an ACL denial inside a script as ERR
                return accessControl || reply.startsWith(SCRIPT_ACL_DENIAL, 4) ? NOPERM : OTHER;
        }
    }

    /** The error code of a reply: its first word ({@code WRONGTYPE}, {@code ERR}, …). */
    private static String errorCode(String reply) {
        int end = 0;
        while (end < reply.length() && end < 32 && !Character.isWhitespace(reply.charAt(end))) {
            end++;
        }
        return reply.substring(0, end);
    }

    /** The first line of a failure's message, at most {@link #MAX_REPLY_CHARS} characters. */
    static String firstLine(Throwable failure) {
        String m = failure.getMessage();
        if (m == null) {
            return failure.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        m = m.strip();
        return m.length() <= MAX_REPLY_CHARS ? m : m.substring(0, MAX_REPLY_CHARS - 1) + "…";
    }
}
