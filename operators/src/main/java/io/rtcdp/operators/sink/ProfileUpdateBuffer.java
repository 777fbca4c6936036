package io.rtcdp.operators.sink;

import io.rtcdp.udf.profile.RedisKeys;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The profile updates waiting for the next flush of {@link RedisProfileWriter}, coalesced per Redis
 * key so that a flush sends one write per profile and one command per id key, however many updates
 * arrived for them.
 *
 * <p>Applying the buffer leaves every field and every id key as applying its updates one by one
 * would ({@code ver} aside: one write raises it once, see {@link RedisProfileSink}):
 *
 * <ul>
 *   <li>profiles are kept in first-arrival order; for one profile a later {@code set} overrides an
 *       earlier one, an {@code unset} cancels an earlier {@code set} of the field and vice versa,
 *       and the largest {@code ver} is kept;
 *   <li>a delete drops the profile's pending field changes and turns the entry into a delete; a
 *       write after it comes back as "delete, then write", in that order;
 *   <li>id keys are kept apart from their profile, last command wins: an id claimed by one profile
 *       and then by another ends at the latter, and an id deleted and then claimed again ends
 *       claimed, exactly as the sequence of SET and DEL would leave it;
 *   <li>segment memberships are kept per segment set and member, last change wins, so a flush sends
 *       at most one SADD and one SREM per segment set.
 * </ul>
 *
 * <p>The common case, one update per profile per flush, copies nothing: the entry keeps the update
 * and reads its collections at flush time. Updates are therefore not to be mutated once handed over
 * (they are records, and {@link ProfileUpdateSerializer} declares them immutable).
 *
 * <p>Not thread-safe: owned by the task thread, like the writer.
 */
final class ProfileUpdateBuffer {

    private final RedisKeys keys;

    private final LinkedHashMap<String, PendingProfile> profiles = new LinkedHashMap<>();

    /** id key → oneid to SET, or {@code null} to DEL. */
    private final LinkedHashMap<String, String> ids = new LinkedHashMap<>();

    /** alias key → surviving oneid to SET (with a TTL), or {@code null} to DEL; last wins. */
    private final LinkedHashMap<String, String> aliases = new LinkedHashMap<>();

    /** segment set key → member → {@code true} to SADD, {@code false} to SREM; last wins. */
    private final LinkedHashMap<String, LinkedHashMap<String, Boolean>> segments =
            new LinkedHashMap<>();

    private int segmentChanges;

    ProfileUpdateBuffer(RedisKeys keys) {
        this.keys = keys;
    }

    /**
     * Adds one update. Null field names and values are left to the writer, which meets them anyway
     * when it reads the fields once at flush time.
     *
     * @throws IllegalArgumentException if tenant, oneid or an id is null: such an update can never
     *     be written, and retrying it would stall the job for good
     */
    void add(ProfileUpdate u) {
        String tenant = requireNonNull(u.tenant(), "tenant", u);
        String oneid = requireNonNull(u.oneid(), "oneid", u);
        List<String> updateIds = u.ids();
        Map<String, Boolean> memberships = u.segments();
        if (memberships != null && !memberships.isEmpty()) {
            for (Map.Entry<String, Boolean> e : memberships.entrySet()) {
                String setKey = keys.segment(tenant, requireNonNull(e.getKey(), "segment", u));
                LinkedHashMap<String, Boolean> members =
                        segments.computeIfAbsent(setKey, k -> new LinkedHashMap<>());
                if (members.put(oneid, e.getValue()) == null) {
                    segmentChanges++;
                }
            }
        }
        if (isIdsOnly(u)) {
            // an update of id keys alone (the identity stage's): the hash is not touched
            for (String id : updateIds) {
                ids.put(keys.id(tenant, requireNonNull(id, "id", u)), u.delete() ? null : oneid);
            }
            return;
        }
        String key = keys.profile(tenant, oneid);
        PendingProfile p = profiles.get(key);
        if (p == null) {
            p = new PendingProfile(key);
            profiles.put(key, p);
        }
        if (u.delete()) {
            p.delete();
            aliases.put(keys.alias(tenant, oneid), null);
            if (updateIds != null) {
                for (String id : updateIds) {
                    ids.put(keys.id(tenant, requireNonNull(id, "id", u)), null);
                }
            }
        } else {
            p.write(u);
            if (updateIds != null) {
                for (String id : updateIds) {
                    ids.put(keys.id(tenant, requireNonNull(id, "id", u)), oneid);
                }
            }
        }
        if (u.aliasTo() != null) {
            aliases.put(keys.alias(tenant, oneid), u.aliasTo());
        }
    }

    boolean isEmpty() {
        return profiles.isEmpty() && aliases.isEmpty() && ids.isEmpty() && segments.isEmpty();
    }

    /**
     * An update of id keys only, as {@link ProfileUpdate#ofIds} makes them: no fields, no alias,
     * and {@code set} null for a delete of the keys.
     */
    static boolean isIdsOnly(ProfileUpdate u) {
        return u.aliasTo() == null
                && (u.segments() == null || u.segments().isEmpty())
                && (u.delete() ? u.set() == null : u.set() == null || u.set().isEmpty())
                && (u.unset() == null || u.unset().isEmpty())
                && u.ids() != null
                && !u.ids().isEmpty();
    }

    /** Number of profiles with pending writes or deletes. */
    int profileCount() {
        return profiles.size();
    }

    /** Number of id keys with a pending SET or DEL. */
    int idCount() {
        return ids.size();
    }

    /** The pending profiles, in first-arrival order. */
    Collection<PendingProfile> profiles() {
        return profiles.values();
    }

    /** The pending id keys: value is the oneid to SET, or {@code null} to DEL the key. */
    Set<Map.Entry<String, String>> idWrites() {
        return ids.entrySet();
    }

    /** The pending alias keys: value is the survivor to SET, or {@code null} to DEL the key. */
    Set<Map.Entry<String, String>> aliasWrites() {
        return aliases.entrySet();
    }

    /**
     * The pending segment memberships: set key → member → {@code true} to SADD, {@code false} to
     * SREM.
     */
    Set<Map.Entry<String, LinkedHashMap<String, Boolean>>> segmentWrites() {
        return segments.entrySet();
    }

    /** Number of pending (segment set, member) changes. */
    int segmentCount() {
        return segmentChanges;
    }

    /** Empties the buffer; the maps keep their capacity for the next batch. */
    void clear() {
        profiles.clear();
        ids.clear();
        aliases.clear();
        segments.clear();
        segmentChanges = 0;
    }

    private static String requireNonNull(String s, String what, ProfileUpdate u) {
        if (s == null) {
            // Only tenant and oneid are named: field values and ids may be personal data.
            throw new IllegalArgumentException(
                    "Null " + what + " in a profile update of " + u.tenant() + "/" + u.oneid());
        }
        return s;
    }

    /** What one flush does to one profile hash: optionally DEL it, then optionally write it. */
    static final class PendingProfile {
        private final String key;

        private boolean deleteFirst;
        private boolean write;
        private long ver;

        /** The only write so far, used as is; null once a second write has been merged. */
        private ProfileUpdate single;

        /** Materialised on the second write. */
        private LinkedHashMap<String, String> mergedSet;

        private LinkedHashSet<String> mergedUnset;

        PendingProfile(String key) {
            this.key = key;
        }

        /** The profile hash key. */
        String key() {
            return key;
        }

        /** Whether the hash is deleted before the write (if any). */
        boolean deleteFirst() {
            return deleteFirst;
        }

        /** Whether the hash is written. */
        boolean write() {
            return write;
        }

        /** The largest {@code ver} of the writes since the last delete. */
        long ver() {
            return ver;
        }

        /**
         * Fields to set. Runs after {@link #unset()}, so a field in both (possible only within one
         * update) ends set.
         */
        Map<String, String> set() {
            if (single != null) {
                Map<String, String> s = single.set();
                return s == null ? Collections.emptyMap() : s;
            }
            return mergedSet == null ? Collections.emptyMap() : mergedSet;
        }

        /** Fields to remove. */
        Collection<String> unset() {
            if (single != null) {
                List<String> u = single.unset();
                return u == null ? Collections.emptyList() : u;
            }
            return mergedUnset == null ? Collections.emptyList() : mergedUnset;
        }

        private void delete() {
            deleteFirst = true;
            write = false;
            ver = 0;
            single = null;
            mergedSet = null;
            mergedUnset = null;
        }

        private void write(ProfileUpdate u) {
            if (!write) {
                write = true;
                ver = u.ver();
                single = u;
                return;
            }
            if (single != null) {
                materialise();
            }
            List<String> unset = u.unset();
            if (unset != null) {
                for (String f : unset) {
                    mergedSet.remove(f);
                    mergedUnset.add(f);
                }
            }
            Map<String, String> set = u.set();
            if (set != null) {
                for (Map.Entry<String, String> e : set.entrySet()) {
                    mergedSet.put(e.getKey(), e.getValue());
                    mergedUnset.remove(e.getKey());
                }
            }
            ver = Math.max(ver, u.ver());
        }

        private void materialise() {
            Map<String, String> set = single.set();
            mergedSet = set == null ? new LinkedHashMap<>() : new LinkedHashMap<>(set);
            mergedUnset = new LinkedHashSet<>();
            List<String> unset = single.unset();
            if (unset != null) {
                for (String f : unset) {
                    // Within one update the set wins (HDEL runs before HSET).
                    if (!mergedSet.containsKey(f)) {
                        mergedUnset.add(f);
                    }
                }
            }
            single = null;
        }
    }
}
