package io.rtcdp.operators.sink;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rate limit of the log lines about rejected Redis writes: each key is logged once (among the last
 * {@value #KEYS_REMEMBERED} keys logged), and at most {@value #LINES_PER_MINUTE} lines a minute;
 * the next line logged says how many were left out meanwhile. One bad key written a thousand times,
 * or a Redis that refuses every write ({@code OOM}, {@code READONLY}), makes a few lines, not a
 * flood; the counters and the dead letters have every one.
 *
 * <p>Not thread-safe: used by one task thread.
 */
final class RejectionLog {
    static final int KEYS_REMEMBERED = 10_000;
    static final int LINES_PER_MINUTE = 10;

    private final Map<String, Boolean> logged =
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > KEYS_REMEMBERED;
                }
            };

    private long windowStart = Long.MIN_VALUE;
    private int lines;
    private long notLogged;

    /**
     * Whether to log a rejection of {@code key} now; if not, it is counted in the next {@link
     * #takeNotLogged()}.
     */
    boolean shouldLog(String key, long nowMillis) {
        if (logged.get(key) != null) {
            // the get refreshes the key's place: a key rejected again and again stays known
            notLogged++;
            return false;
        }
        if (windowStart == Long.MIN_VALUE || nowMillis - windowStart >= 60_000) {
            windowStart = nowMillis;
            lines = 0;
        }
        if (lines >= LINES_PER_MINUTE) {
            notLogged++;
            return false;
        }
        lines++;
        logged.put(key, Boolean.TRUE);
        return true;
    }

    /** How many rejections were not logged since the last call. */
    long takeNotLogged() {
        long n = notLogged;
        notLogged = 0;
        return n;
    }
}
