package io.rtcdp.udf.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Id;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class IdCacheTest {

    /** A key whose hash is whatever the test says, so that different keys collide. */
    private record Colliding(String name, int hash) {
        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Colliding c && c.name.equals(name);
        }
    }

    @Test
    void holdsWhatWasPutPerTenantAndKey() {
        IdCache<String> cache = new IdCache<>(100);
        Id u = new Id("user_id", "u1");
        cache.put("a", u, IdCache.hash("a", u), "o1");
        cache.put("b", u, IdCache.hash("b", u), "o2");
        assertThat(cache.get("a", new Id("user_id", "u1"), IdCache.hash("a", u))).isEqualTo("o1");
        // another instance of the same tenant text
        String b = new String("b");
        assertThat(cache.get(b, u, IdCache.hash(b, u))).isEqualTo("o2");
        assertThat(cache.get("c", u, IdCache.hash("c", u))).isNull();
        cache.put("a", u, IdCache.hash("a", u), "o3");
        assertThat(cache.get("a", u, IdCache.hash("a", u))).isEqualTo("o3");
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void keysOfOneHashStayApart() {
        IdCache<String> cache = new IdCache<>(IdCache.WAYS);
        // every key in one set with the same hash: a lookup must compare the keys themselves
        for (int i = 0; i < IdCache.WAYS; i++) {
            cache.put("t", new Colliding("k" + i, 7), 7, "v" + i);
        }
        for (int i = 0; i < IdCache.WAYS; i++) {
            assertThat(cache.get("t", new Colliding("k" + i, 7), 7)).isEqualTo("v" + i);
        }
        // a ninth key evicts one of them, and never answers for another
        cache.put("t", new Colliding("k8", 7), 7, "v8");
        assertThat(cache.get("t", new Colliding("k8", 7), 7)).isEqualTo("v8");
        int held = 0;
        for (int i = 0; i < IdCache.WAYS; i++) {
            String v = cache.get("t", new Colliding("k" + i, 7), 7);
            if (v != null) {
                assertThat(v).isEqualTo("v" + i);
                held++;
            }
        }
        assertThat(held).isEqualTo(IdCache.WAYS - 1);
        assertThat(cache.size()).isEqualTo(IdCache.WAYS);
    }

    @Test
    void aFullSetEvictsAnEntryNotUsedSinceTheHandPassed() {
        IdCache<String> cache = new IdCache<>(IdCache.WAYS);
        for (int i = 0; i < IdCache.WAYS; i++) {
            cache.put("t", new Colliding("k" + i, 3), 3, "v" + i);
        }
        // the first eviction clears every bit (all were set by their puts) and takes slot 0;
        // then k1 is used again, so the next eviction passes it and takes k2
        cache.put("t", new Colliding("n1", 3), 3, "n1");
        assertThat(cache.get("t", new Colliding("k0", 3), 3)).isNull();
        assertThat(cache.get("t", new Colliding("k1", 3), 3)).isEqualTo("v1");
        cache.put("t", new Colliding("n2", 3), 3, "n2");
        assertThat(cache.get("t", new Colliding("k1", 3), 3)).isEqualTo("v1");
        assertThat(cache.get("t", new Colliding("k2", 3), 3)).isNull();
        assertThat(cache.get("t", new Colliding("n1", 3), 3)).isEqualTo("n1");
        assertThat(cache.get("t", new Colliding("n2", 3), 3)).isEqualTo("n2");
    }

    @Test
    void capacityIsAtLeastWhatWasAskedFor() {
        assertThat(new IdCache<String>(1).capacity()).isEqualTo(IdCache.WAYS);
        assertThat(new IdCache<String>(200_000).capacity()).isGreaterThanOrEqualTo(200_000);
        assertThat(new IdCache<String>(200_000).capacity()).isLessThan(2 * 200_000 + 1);
        assertThat(new IdCache<String>(24).capacity()).isEqualTo(32);
        assertThatThrownBy(() -> new IdCache<String>(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCacheLargerThanTheKeysInUseLosesAlmostNone() {
        // 1,000 keys in a cache of 4,096: sets overflow only where more than 8 keys hash alike
        IdCache<Integer> cache = new IdCache<>(4096);
        for (int i = 0; i < 1000; i++) {
            Id id = new Id("cookie_id", "c" + i);
            cache.put("t", id, IdCache.hash("t", id), i);
        }
        int held = 0;
        for (int i = 0; i < 1000; i++) {
            Id id = new Id("cookie_id", "c" + i);
            if (cache.get("t", id, IdCache.hash("t", id)) != null) {
                held++;
            }
        }
        assertThat(held).isGreaterThanOrEqualTo(990);
    }

    /** Against a map of what was put last: every answer is that value or nothing. */
    @Property(tries = 200)
    void neverAnswersWithAnotherKeysValue(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 64) int capacity) {
        Random r = new Random(seed);
        IdCache<String> cache = new IdCache<>(capacity);
        Map<String, String> last = new HashMap<>();
        String[] tenants = {"a", "b"};
        for (int op = 0; op < 2000; op++) {
            String tenant = tenants[r.nextInt(2)];
            // few distinct hashes, so that keys of one hash often meet in a set
            int k = r.nextInt(100);
            Colliding key = new Colliding("k" + k, k % 5);
            int hash = IdCache.hash(tenant, key);
            String ref = tenant + "/" + key.name();
            if (r.nextBoolean()) {
                String v = "v" + op;
                cache.put(tenant, key, hash, v);
                last.put(ref, v);
            } else {
                String v = cache.get(tenant, key, hash);
                if (v != null) {
                    assertThat(v).isEqualTo(last.get(ref));
                }
            }
            assertThat(cache.size()).isLessThanOrEqualTo(cache.capacity());
        }
    }
}
