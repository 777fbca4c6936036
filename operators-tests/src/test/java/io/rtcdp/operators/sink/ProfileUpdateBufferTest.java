package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.operators.sink.ProfileUpdateBuffer.PendingProfile;
import io.rtcdp.udf.profile.RedisKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ProfileUpdateBufferTest {

    private static final RedisKeys KEYS = new RedisKeys();
    private static final String A = "rtcdp:t:profile:a";
    private static final String B = "rtcdp:t:profile:b";

    private final ProfileUpdateBuffer buffer = new ProfileUpdateBuffer(KEYS);

    @Test
    void oneUpdatePerProfileIsKeptAsIsInArrivalOrder() {
        ProfileUpdate b = write("b", 3, Map.of("x", "1"), List.of("y"), List.of("cookie_id:1"));
        ProfileUpdate a = write("a", 1, Map.of("z", "2"), List.of(), List.of());
        buffer.add(b);
        buffer.add(a);

        assertThat(buffer.profileCount()).isEqualTo(2);
        List<PendingProfile> pending = new ArrayList<>(buffer.profiles());
        assertThat(pending).extracting(PendingProfile::key).containsExactly(B, A);
        PendingProfile pb = pending.get(0);
        assertThat(pb.deleteFirst()).isFalse();
        assertThat(pb.write()).isTrue();
        assertThat(pb.ver()).isEqualTo(3);
        assertThat(pb.set()).isSameAs(b.set());
        assertThat(pb.unset()).isSameAs(b.unset());
        assertThat(ids()).containsExactly(Map.entry("rtcdp:t:id:cookie_id:1", "b"));
    }

    @Test
    void laterWritesOverrideSetAndUnsetFieldWiseAndKeepTheMaxVer() {
        buffer.add(write("a", 5, Map.of("x", "1", "y", "1"), List.of("z", "w"), List.of("u:1")));
        buffer.add(write("a", 4, Map.of("x", "2", "z", "2"), List.of("y"), List.of("u:2")));
        buffer.add(write("a", 6, Map.of("v", "3"), List.of("x"), List.of("u:1")));

        PendingProfile p = single();
        assertThat(p.deleteFirst()).isFalse();
        assertThat(p.ver()).isEqualTo(6);
        assertThat(p.set()).containsExactlyInAnyOrderEntriesOf(Map.of("z", "2", "v", "3"));
        assertThat(p.unset()).containsExactlyInAnyOrder("w", "y", "x");
        assertThat(ids())
                .containsExactly(
                        Map.entry("rtcdp:t:id:u:1", "a"), Map.entry("rtcdp:t:id:u:2", "a"));
    }

    @Test
    void withinOneUpdateSetWinsOverUnsetAsInTheScript() {
        buffer.add(write("a", 1, Map.of("x", "1"), List.of("x", "y"), List.of()));
        buffer.add(write("a", 2, Map.of(), List.of(), List.of()));

        PendingProfile p = single();
        assertThat(p.set()).containsExactly(Map.entry("x", "1"));
        assertThat(p.unset()).containsExactly("y");
    }

    @Test
    void aDeleteDropsThePendingWriteAndDeletesItsIds() {
        buffer.add(write("a", 7, Map.of("x", "1"), List.of("y"), List.of("u:1")));
        buffer.add(delete("a", List.of("u:1", "u:2")));

        PendingProfile p = single();
        assertThat(p.deleteFirst()).isTrue();
        assertThat(p.write()).isFalse();
        assertThat(p.set()).isEmpty();
        assertThat(p.unset()).isEmpty();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("rtcdp:t:id:u:1", null);
        expected.put("rtcdp:t:id:u:2", null);
        assertThat(ids()).containsExactlyEntriesOf(expected);
    }

    @Test
    void aWriteAfterADeleteBecomesDeleteThenWrite() {
        buffer.add(write("a", 7, Map.of("x", "1", "old", "1"), List.of(), List.of("u:1")));
        buffer.add(delete("a", List.of("u:1", "u:2")));
        buffer.add(write("a", 1, Map.of("x", "2"), List.of("y"), List.of("u:2")));
        buffer.add(write("a", 2, Map.of("z", "3"), List.of(), List.of()));

        PendingProfile p = single();
        assertThat(p.deleteFirst()).isTrue();
        assertThat(p.write()).isTrue();
        // The ver of the writes before the delete is gone with them.
        assertThat(p.ver()).isEqualTo(2);
        assertThat(p.set()).containsExactlyInAnyOrderEntriesOf(Map.of("x", "2", "z", "3"));
        assertThat(p.unset()).containsExactly("y");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("rtcdp:t:id:u:1", null);
        expected.put("rtcdp:t:id:u:2", "a");
        assertThat(ids()).containsExactlyEntriesOf(expected);
    }

    @Test
    void anIdKeyEndsWithItsLastOwner() {
        buffer.add(write("a", 1, Map.of(), List.of(), List.of("device_id:d")));
        buffer.add(write("b", 1, Map.of(), List.of(), List.of("device_id:d")));

        assertThat(ids()).containsExactly(Map.entry("rtcdp:t:id:device_id:d", "b"));
    }

    @Test
    void clearEmptiesEverything() {
        buffer.add(write("a", 1, Map.of("x", "1"), List.of(), List.of("u:1")));
        buffer.add(delete("b", List.of("u:2")));
        buffer.clear();

        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.profileCount()).isZero();
        assertThat(buffer.idCount()).isZero();
        assertThat(buffer.profiles()).isEmpty();
    }

    @Test
    void nullCollectionsCountAsEmpty() {
        buffer.add(new ProfileUpdate("t", "a", 1, false, null, null, null));
        buffer.add(new ProfileUpdate("t", "b", 1, true, null, null, null));

        assertThat(buffer.profiles()).extracting(PendingProfile::key).containsExactly(A, B);
        assertThat(single(A).set()).isEmpty();
        assertThat(single(A).unset()).isEmpty();
        assertThat(buffer.idCount()).isZero();
    }

    @Test
    void rejectsUpdatesWithoutTenantOneidOrWithANullId() {
        assertThatThrownBy(
                        () ->
                                buffer.add(
                                        new ProfileUpdate(
                                                null, "a", 1, false, Map.of(), List.of(),
                                                List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> buffer.add(delete(null, List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("oneid");
        assertThatThrownBy(
                        () ->
                                buffer.add(
                                        write(
                                                "a",
                                                1,
                                                Map.of(),
                                                List.of(),
                                                Arrays.asList("u:1", null))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id");
    }

    /**
     * Whatever the updates and wherever the flushes fall, applying the coalesced batches leaves
     * every field and id key as applying the updates one by one does, and each written profile
     * carries the largest ver since its last delete in the batch.
     */
    @Property(tries = 500)
    void coalescedBatchesLeaveWhatSequentialApplicationLeaves(
            @ForAll("sequences") List<ProfileUpdate> updates,
            @ForAll("flushPoints") List<Integer> flushPoints) {
        RedisModel sequential = new RedisModel(KEYS).applyAll(updates);

        TreeMap<String, Object> coalesced = new TreeMap<>();
        boolean[] flushAfter = new boolean[updates.size()];
        for (int i : flushPoints) {
            flushAfter[i % flushAfter.length] = true;
        }
        Map<String, Long> maxVerSinceDelete = new HashMap<>();
        for (int i = 0; i < updates.size(); i++) {
            ProfileUpdate u = updates.get(i);
            buffer.add(u);
            String key = KEYS.profile(u.tenant(), u.oneid());
            if (ProfileUpdateBuffer.isIdsOnly(u)) {
                // id keys only: the hash is not touched
            } else if (u.delete()) {
                maxVerSinceDelete.remove(key);
            } else {
                maxVerSinceDelete.merge(key, u.ver(), Math::max);
            }
            if (flushAfter[i] || i == updates.size() - 1) {
                for (PendingProfile p : buffer.profiles()) {
                    assertThat(p.write()).isEqualTo(maxVerSinceDelete.containsKey(p.key()));
                    if (p.write()) {
                        assertThat(p.ver()).isEqualTo(maxVerSinceDelete.get(p.key()));
                    }
                }
                applyBatch(buffer, coalesced);
                buffer.clear();
                maxVerSinceDelete.clear();
            }
        }

        assertThat(coalesced).isEqualTo(sequential.contents());
    }

    /** What a flush does to Redis, on a map: the writer's commands, minus ver and updated_at. */
    @SuppressWarnings("unchecked")
    private static void applyBatch(ProfileUpdateBuffer buffer, Map<String, Object> redis) {
        for (PendingProfile p : buffer.profiles()) {
            if (p.deleteFirst()) {
                redis.remove(p.key());
            }
            if (p.write()) {
                Map<String, String> hash =
                        (Map<String, String>) redis.computeIfAbsent(p.key(), k -> new TreeMap<>());
                p.unset().forEach(hash::remove);
                hash.putAll(p.set());
            }
        }
        for (Map.Entry<String, String> id : buffer.idWrites()) {
            if (id.getValue() == null) {
                redis.remove(id.getKey());
            } else {
                redis.put(id.getKey(), id.getValue());
            }
        }
    }

    @Provide
    Arbitrary<List<ProfileUpdate>> sequences() {
        Arbitrary<String> oneid = Arbitraries.of("a", "b", "c");
        Arbitrary<String> field = Arbitraries.of("f1", "f2", "f3", "f4");
        Arbitrary<String> id = Arbitraries.of("u:1", "u:2", "d:1", "d:2", "d:3");
        Arbitrary<Map<String, String>> set =
                Arbitraries.maps(field, Arbitraries.of("x", "y", "z")).ofMaxSize(3);
        Arbitrary<ProfileUpdate> update =
                Combinators.combine(
                                oneid,
                                Arbitraries.longs().between(0, 20),
                                Arbitraries.integers().between(0, 5),
                                set,
                                field.list().ofMaxSize(2),
                                id.list().ofMaxSize(2).uniqueElements())
                        .as(
                                (o, ver, kind, s, unset, ids) ->
                                        kind == 0
                                                ? delete(o, ids)
                                                : new ProfileUpdate(
                                                        "t", o, ver, false, s, unset, ids));
        return update.list().ofMinSize(1).ofMaxSize(25);
    }

    @Provide
    Arbitrary<List<Integer>> flushPoints() {
        return Arbitraries.integers().between(0, 24).list().ofMaxSize(6);
    }

    private PendingProfile single() {
        assertThat(buffer.profileCount()).isEqualTo(1);
        return buffer.profiles().iterator().next();
    }

    private PendingProfile single(String key) {
        return buffer.profiles().stream()
                .filter(p -> p.key().equals(key))
                .findFirst()
                .orElseThrow();
    }

    private Map<String, String> ids() {
        Map<String, String> out = new LinkedHashMap<>();
        buffer.idWrites().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static ProfileUpdate write(
            String oneid, long ver, Map<String, String> set, List<String> unset, List<String> ids) {
        return new ProfileUpdate("t", oneid, ver, false, set, unset, ids);
    }

    static ProfileUpdate delete(String oneid, List<String> ids) {
        return new ProfileUpdate("t", oneid, 0, true, Map.of(), List.of(), ids);
    }
}
