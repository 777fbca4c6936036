package io.rtcdp.operators.sink;

import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.RedisKeys;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The test oracle: what Redis must hold after the profile updates are applied one by one, written
 * straight from docs/contract.md §3 and independent of the sink's buffer. Hash contents exclude
 * {@code ver} and {@code updated_at}, which are tracked apart: {@link #ver(String)} is the ver of
 * sequential application, {@code max(stored + 1, update ver)}.
 */
final class RedisModel {
    private final RedisKeys keys;
    private final TreeMap<String, Object> contents = new TreeMap<>();
    private final Map<String, Long> vers = new HashMap<>();

    RedisModel(RedisKeys keys) {
        this.keys = keys;
    }

    RedisModel applyAll(List<ProfileUpdate> updates) {
        updates.forEach(this::apply);
        return this;
    }

    @SuppressWarnings("unchecked")
    void apply(ProfileUpdate u) {
        String key = keys.profile(u.tenant(), u.oneid());
        if (ProfileUpdateBuffer.isIdsOnly(u)) {
            for (String id : u.ids()) {
                if (u.delete()) {
                    contents.remove(keys.id(u.tenant(), id));
                } else {
                    contents.put(keys.id(u.tenant(), id), u.oneid());
                }
            }
            return;
        }
        if (u.delete()) {
            contents.remove(key);
            vers.remove(key);
            for (String id : u.ids()) {
                contents.remove(keys.id(u.tenant(), id));
            }
            return;
        }
        TreeMap<String, String> hash =
                (TreeMap<String, String>) contents.computeIfAbsent(key, k -> new TreeMap<>());
        for (String f : u.unset()) {
            hash.remove(f);
        }
        u.set().forEach(hash::put);
        vers.put(key, Math.max(vers.getOrDefault(key, 0L) + 1, u.ver()));
        for (String id : u.ids()) {
            contents.put(keys.id(u.tenant(), id), u.oneid());
        }
    }

    /** Every key and its content, in the form of {@code RedisServerExtension#contents()}. */
    TreeMap<String, Object> contents() {
        return contents;
    }

    /** The ver of a profile hash under sequential application. */
    long ver(String profileKey) {
        Long v = vers.get(profileKey);
        if (v == null) {
            throw new AssertionError("no profile " + profileKey);
        }
        return v;
    }

    /**
     * A copy of Redis contents with {@code ver} and {@code updated_at} taken out of every hash
     * (into {@code vers} and {@code updatedAts}, by key), to compare with {@link #contents()}.
     */
    @SuppressWarnings("unchecked")
    static TreeMap<String, Object> withoutVersions(
            Map<String, Object> redis, Map<String, Long> vers, Map<String, Long> updatedAts) {
        TreeMap<String, Object> out = new TreeMap<>();
        redis.forEach(
                (key, value) -> {
                    if (value instanceof Map<?, ?> hash) {
                        TreeMap<String, String> fields = new TreeMap<>((Map<String, String>) hash);
                        String ver = fields.remove(ProfileFields.VER);
                        String updatedAt = fields.remove(ProfileFields.UPDATED_AT);
                        vers.put(key, ver == null ? null : Long.parseLong(ver));
                        updatedAts.put(key, updatedAt == null ? null : Long.parseLong(updatedAt));
                        out.put(key, fields);
                    } else {
                        out.put(key, value);
                    }
                });
        return out;
    }

    /**
     * The keys whose content differs between {@code actual} and {@code expected}, each with both
     * contents, at most {@code limit} of them: a readable failure message for data sets of
     * thousands of keys.
     */
    static TreeMap<String, String> diff(
            Map<String, Object> actual, Map<String, Object> expected, int limit) {
        TreeSet<String> keys = new TreeSet<>(actual.keySet());
        keys.addAll(expected.keySet());
        TreeMap<String, String> out = new TreeMap<>();
        for (String key : keys) {
            Object a = actual.get(key);
            Object e = expected.get(key);
            if (!Objects.equals(a, e) && out.size() < limit) {
                out.put(key, "expected " + e + " but was " + a);
            }
        }
        return out;
    }
}
